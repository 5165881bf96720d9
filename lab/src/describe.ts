import type { LabDescription } from './lab.js';

/** A human description of a lab: hosts, addresses, daemons and how to enter them. */
export function describeLab(lab: LabDescription): string {
  const { plan } = lab;
  const row = (name: string, ns: string, ipv4: string, ipv6: string, extra = ''): string =>
    `  ${name.padEnd(9)} ${ns.padEnd(15)} ${ipv4.padEnd(15)} ${ipv6.padEnd(24)}${extra}`;
  const lines = [
    `lab ${lab.runId}${lab.manual ? ' (manual)' : ''}: state in ${lab.dir}`,
    `  LAN ${plan.lan.ipv4Prefix} ${plan.lan.ipv6Prefix} (bridge ${plan.lan.bridge} in ${plan.lan.ns}); free for layer-2 Service IPs: ${plan.lan.freeIpv4Range}, ${plan.lan.freeIpv6Range}`,
    `  routed subnet ${plan.routedSubnet.ipv4Prefix} ${plan.routedSubnet.ipv6Prefix}; for BGP Service IPs: ${plan.servicePrefix.ipv4} ${plan.servicePrefix.ipv6}`,
    '',
    row('host', 'namespace', 'IPv4', 'IPv6', ' MAC / management link'),
    row('router', plan.router.ns, plan.router.ipv4, plan.router.ipv6, ` ${plan.router.mac}`),
    row('client', plan.client.ns, plan.client.ipv4, plan.client.ipv6, ` ${plan.client.mac}`),
    row('external', plan.external.ns, plan.external.ipv4, plan.external.ipv6, ' (behind the router)'),
    ...plan.nodes.map((node) =>
      row(
        node.name,
        node.ns,
        node.ipv4,
        node.ipv6,
        ` ${node.mac}  root ${node.mgmt.hostIpv4} <-> ${node.mgmt.ipv4} (${node.mgmt.hostIfname})`,
      ),
    ),
    '',
    ...lab.daemons.map(
      (daemon) =>
        `  ${daemon.kind.padEnd(6)} AS${daemon.asn} at ${daemon.ipv4}:${daemon.port} peers [${daemon.peers.join(', ')}]\n` +
        `         ip netns exec ${daemon.ns} ${daemon.control} ...`,
    ),
    '',
    'Enter a namespace:',
    `  ip netns exec ${plan.nodes[0]?.ns ?? plan.client.ns} bash`,
    `  ip netns exec ${plan.client.ns} arping -i eth0 -c 3 <ip>`,
  ];
  return `${lines.join('\n')}\n`;
}
