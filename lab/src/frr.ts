import { BgpDaemon, type ResolvedPeer } from './bgp-daemon.js';
import {
  normalizeState,
  prefixFamily,
  type AddressFamily,
  type BgpRoute,
  type BgpSession,
  type StaticRoute,
} from './bgp-types.js';
import { toolPath } from './requirements.js';

/** FRR bgpd configuration (pure). Runs without zebra, so nothing is installed in the kernel. */
export function frrConfig(input: {
  routerId: string;
  asn: number;
  peers: readonly ResolvedPeer[];
  staticRoutes: readonly StaticRoute[];
  extraConfig: string;
}): string {
  const lines: string[] = [
    'hostname lab-frr',
    // FRR delays its first UPDATE by ~5 s unless these three are zero (shared/reference/lab.md).
    'bgp route-map delay-timer 0',
    `router bgp ${input.asn}`,
    ` bgp router-id ${input.routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
    ' no bgp default ipv4-unicast',
    ' bgp bestpath as-path multipath-relax',
    ' coalesce-time 0',
  ];
  for (const peer of input.peers) {
    const n = ` neighbor ${peer.address}`;
    lines.push(
      `${n} remote-as ${peer.asn}`,
      `${n} port ${peer.port}`,
      `${n} timers ${peer.keepaliveTime} ${peer.holdTime}`,
      `${n} timers connect 1`,
      `${n} advertisement-interval 0`,
      ...(peer.multihop === undefined ? [] : [`${n} ebgp-multihop ${peer.multihop}`]),
      ...(peer.passive === true ? [`${n} passive`] : []),
      ...(peer.password === undefined ? [] : [`${n} password ${peer.password}`]),
      ...(peer.gracefulRestart === true ? [`${n} graceful-restart`] : [`${n} graceful-restart-disable`]),
      ...(peer.extraConfig === undefined ? [] : [peer.extraConfig]),
    );
  }
  // Communities on originated routes come from a route-map per route.
  const routeMaps = new Map<StaticRoute, string>();
  const mapLines: string[] = [];
  input.staticRoutes.forEach((route, index) => {
    const set = [
      ...(route.communities === undefined || route.communities.length === 0
        ? []
        : [` set community ${route.communities.join(' ')} additive`]),
      ...(route.largeCommunities === undefined || route.largeCommunities.length === 0
        ? []
        : [` set large-community ${route.largeCommunities.join(' ')} additive`]),
    ];
    if (set.length === 0) return;
    routeMaps.set(route, `lab-static-${index}`);
    mapLines.push(`route-map lab-static-${index} permit 10`, ...set, 'exit');
  });
  for (const family of ['ipv4', 'ipv6'] as const) {
    const peers = input.peers.filter((peer) => peer.families.includes(family));
    const routes = input.staticRoutes.filter((route) => prefixFamily(route.prefix) === family);
    if (peers.length === 0 && routes.length === 0) continue;
    lines.push(
      ` address-family ${family} unicast`,
      '  maximum-paths 16',
      ...routes.map(
        (route) =>
          `  network ${route.prefix}${routeMaps.has(route) ? ` route-map ${routeMaps.get(route)}` : ''}`,
      ),
      ...peers.flatMap((peer) => [`  neighbor ${peer.address} activate`]),
      ' exit-address-family',
    );
  }
  if (input.extraConfig !== '') lines.push(input.extraConfig);
  // Route-maps first: a \`network ... route-map\` naming a map not yet defined is never re-evaluated.
  return `${[...mapLines, ...lines].join('\n')}\n`;
}

interface FrrNeighbor {
  remoteAs?: number;
  bgpState?: string;
  lastResetDueTo?: string;
  lastErrorCodeSubcode?: string;
  addressFamilyInfo?: Record<string, { acceptedPrefixCounter?: number }>;
}

/** Parses `show bgp neighbors json`. */
export function parseFrrNeighbors(json: string): BgpSession[] {
  const data = JSON.parse(json) as Record<string, FrrNeighbor>;
  return Object.entries(data)
    .filter(([, value]) => typeof value === 'object' && 'bgpState' in value)
    .map(([address, value]) => {
      const state = normalizeState(value.bgpState);
      const families = Object.values(value.addressFamilyInfo ?? {});
      const received = families.reduce((sum, family) => sum + (family.acceptedPrefixCounter ?? 0), 0);
      return {
        name: address,
        neighborAddress: address,
        neighborAs: value.remoteAs,
        state,
        established: state === 'Established',
        prefixesReceived: families.length === 0 ? undefined : received,
        lastError: value.lastResetDueTo,
      };
    });
}

interface FrrPath {
  valid?: boolean;
  bestpath?: boolean | { overall?: boolean };
  multipath?: boolean;
  prefix?: string;
  prefixLen?: number;
  locPrf?: number;
  metric?: number;
  med?: number;
  path?: string | { string?: string };
  aspath?: { string?: string };
  origin?: string;
  peerId?: string;
  peer?: { peerId?: string };
  nexthops?: Array<{ ip?: string; afi?: string; scope?: string }>;
  community?: { string?: string };
  largeCommunity?: { string?: string };
}

function asPathOf(path: FrrPath): number[] {
  const text = typeof path.path === 'string' ? path.path : (path.path?.string ?? path.aspath?.string ?? '');
  return text
    .split(/\s+/)
    .filter((part) => /^\d+$/.test(part))
    .map(Number);
}

function toRoute(prefix: string, path: FrrPath): BgpRoute {
  const peerId = path.peerId ?? path.peer?.peerId;
  const best = typeof path.bestpath === 'object' ? path.bestpath.overall === true : path.bestpath === true;
  const nextHops = (path.nexthops ?? [])
    // A link-local IPv6 next hop travels with the global one; report the global one.
    .filter((hop) => hop.scope !== 'link-local')
    .map((hop) => hop.ip ?? '')
    .filter((ip) => ip !== '');
  return {
    prefix,
    family: prefixFamily(prefix),
    nextHops,
    best,
    multipath: path.multipath === true,
    from:
      peerId === undefined || peerId === '(unspec)' || peerId === '0.0.0.0' || peerId === '::'
        ? undefined
        : peerId,
    asPath: asPathOf(path),
    localPref: path.locPrf,
    med: path.metric ?? path.med,
    origin: path.origin,
    communities: (path.community?.string ?? '').split(/\s+/).filter((part) => part !== ''),
    largeCommunities: (path.largeCommunity?.string ?? '').split(/\s+/).filter((part) => part !== ''),
  };
}

/** Parses `show bgp ipv4 unicast json` (or ipv6): every path of every prefix. */
export function parseFrrRoutes(json: string): BgpRoute[] {
  const data = JSON.parse(json) as { routes?: Record<string, FrrPath[]> };
  return Object.entries(data.routes ?? {}).flatMap(([prefix, paths]) =>
    paths.map((path) => toRoute(prefix, path)),
  );
}

/** Parses `show bgp ipv4 unicast PREFIX json`, which carries communities and local preference. */
export function parseFrrPrefix(json: string): BgpRoute[] {
  const data = JSON.parse(json) as { prefix?: string; paths?: FrrPath[] };
  const prefix = data.prefix;
  if (prefix === undefined) return [];
  return (data.paths ?? []).map((path) => toRoute(prefix, path));
}

/** FRR bgpd (without zebra) in a lab namespace, queried with `vtysh`. */
export class FrrDaemon extends BgpDaemon {
  readonly kind = 'frr' as const;

  controlCommand(): string[] {
    return ['vtysh', '--vty_socket', this.dir, '-d', 'bgpd'];
  }

  protected writeConfig(): void {
    this.writeFile('bgpd.conf', frrConfig({ ...this.spec }));
  }

  protected command(): string[] {
    return [
      toolPath('bgpd'),
      '-Z', // no zebra: nothing to install, one process
      '-S', // stay root: no frr user needed
      '-f',
      `${this.dir}/bgpd.conf`,
      '-i',
      `${this.dir}/bgpd.pid`,
      '--vty_socket',
      this.dir,
      '-P',
      '0', // no telnet vty
      '-p',
      String(this.spec.port),
      '--log',
      'stdout',
    ];
  }

  protected async ready(): Promise<boolean> {
    return (await this.vtysh(['show bgp summary json'], { allowFailure: true })).trim().startsWith('{');
  }

  /** Runs vtysh commands against this bgpd and returns the output. */
  async vtysh(commands: readonly string[], options: { allowFailure?: boolean } = {}): Promise<string> {
    const args = commands.flatMap((command) => ['-c', command]);
    const result = await this.exec(
      [toolPath('vtysh'), '--vty_socket', this.dir, '-d', 'bgpd', ...args],
      options,
    );
    return result.stdout;
  }

  async sessions(): Promise<BgpSession[]> {
    return parseFrrNeighbors(await this.vtysh(['show bgp neighbors json']));
  }

  async routes(family?: AddressFamily): Promise<BgpRoute[]> {
    const families = family === undefined ? (['ipv4', 'ipv6'] as const) : [family];
    const all = await Promise.all(
      families.map(async (f) => parseFrrRoutes(await this.vtysh([`show bgp ${f} unicast json`]))),
    );
    return all.flat();
  }

  /** Every path of one prefix with communities, large communities and local preference (the list view lacks them). */
  override async paths(prefix: string): Promise<BgpRoute[]> {
    const output = await this.vtysh([`show bgp ${prefixFamily(prefix)} unicast ${prefix} json`]);
    // FRR answers a longest match for a missing prefix; keep only the exact one.
    return parseFrrPrefix(output).filter((route) => route.prefix === prefix);
  }
}
