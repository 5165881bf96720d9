/**
 * The address and name plan of one lab run: pure, derived from the run id and an address slot, so parallel
 * runs never collide in the root namespace (management links) and every name is short enough for Linux
 * (interface names at most 15 bytes).
 */

/** All lab-owned names start with this; `sweep` touches nothing else. */
export const namePrefix = 'lbl-';
export const runIdPattern = /^[a-z0-9]{5}$/;
/** Matches a lab-owned namespace or root-namespace link name and captures the run id. */
export const ownedNamePattern = /^lbl-([a-z0-9]{5})-[a-z0-9]+$/;
/** Address slots: 198.18.0.0/15 (RFC 2544 benchmarking range) holds 128 slots of four /24s. */
export const slotCount = 128;
export const maxNodes = 64;

export interface Interface {
  readonly ifname: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly mac: string;
}

/** A namespace with one interface on a network (the LAN, or the routed subnet for the external client). */
export interface Host extends Interface {
  /** Role name: router, frr, gobgp, client, external, node1, node2, ... */
  readonly name: string;
  readonly ns: string;
  /** Prefix lengths of `ipv4` and `ipv6`. */
  readonly ipv4PrefixLength: number;
  readonly ipv6PrefixLength: number;
  /** Default gateway of the host (the router's address), when it has one. */
  readonly gateway?: { readonly ipv4: string; readonly ipv6: string };
  /** Name of this host's bridge port in the LAN namespace (cut the link with `ip -n LAN link set PORT down`). */
  readonly lanPort?: string;
}

/** The management link of a node: a veth pair between the root namespace and the node. */
export interface ManagementLink extends Interface {
  /** Root-namespace side: servers the node must reach listen here (or on 0.0.0.0). */
  readonly hostIfname: string;
  readonly hostIpv4: string;
  readonly hostIpv6: string;
}

export interface NodePlan extends Host {
  readonly index: number;
  readonly mgmt: ManagementLink;
}

export interface RouterPlan extends Host {
  /** The router's interface on the routed subnet (towards the external client). */
  readonly routed: Interface;
}

export interface LabPlan {
  readonly runId: string;
  readonly slot: number;
  /** `lbl-<runId>-`: every namespace and root link of the run starts with it. */
  readonly prefix: string;
  readonly lan: {
    readonly ns: string;
    readonly bridge: string;
    readonly ipv4Prefix: string;
    readonly ipv6Prefix: string;
    /** Free LAN addresses for layer-2 Service IPs (not used by any lab host). */
    readonly freeIpv4Range: string;
    readonly freeIpv6Range: string;
  };
  readonly routedSubnet: { readonly ipv4Prefix: string; readonly ipv6Prefix: string };
  /** A prefix not on any link, for BGP-announced Service IPs. */
  readonly servicePrefix: { readonly ipv4: string; readonly ipv6: string };
  readonly router: RouterPlan;
  readonly frr: Host;
  readonly gobgp: Host;
  readonly client: Host;
  readonly external: Host;
  readonly nodes: readonly NodePlan[];
}

/** A fresh random run id (5 characters of [a-z0-9]). */
export function randomRunId(random: () => number = Math.random): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 5; i += 1) id += alphabet[Math.floor(random() * alphabet.length) % alphabet.length];
  return id;
}

/** The slot to try first for a run id (FNV-1a hash); the allocator probes onwards from there. */
export function preferredSlot(runId: string): number {
  let hash = 0x811c9dc5;
  for (const char of runId) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % slotCount;
}

function ipv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function mac(slot: number, kind: number, index: number): string {
  // Locally administered unicast (02:...), unique per slot, role and index: readable in captures.
  return ['02', '1b', slot, kind, index >> 8, index & 255]
    .map((part) => (typeof part === 'string' ? part : part.toString(16).padStart(2, '0')))
    .join(':');
}

export function planLab(runId: string, slot: number, nodeCount: number): LabPlan {
  if (!runIdPattern.test(runId)) throw new Error(`lab: run id '${runId}' must be 5 characters of [a-z0-9]`);
  if (!Number.isInteger(slot) || slot < 0 || slot >= slotCount)
    throw new Error(`lab: slot ${slot} out of range`);
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > maxNodes) {
    throw new Error(`lab: node count ${nodeCount} must be 1..${maxNodes}`);
  }
  const prefix = `${namePrefix}${runId}-`;
  const base = ((198 << 24) >>> 0) + (18 << 16) + slot * 1024;
  const lan4 = (host: number): string => ipv4(base + host);
  const routed4 = (host: number): string => ipv4(base + 256 + host);
  const mgmt4 = (host: number): string => ipv4(base + 512 + host);
  const v6 = `2001:db8:${(0x1000 + slot).toString(16)}`;
  const lan6 = (host: number): string => `${v6}::${host}`;
  const routed6 = (host: number): string => `${v6}:1::${host}`;
  const lanGateway = { ipv4: lan4(1), ipv6: lan6(1) };
  const lanHost = (name: string, short: string, host: number, kind: number, index = 0): Host => ({
    name,
    ns: `${prefix}${short}`,
    ifname: 'eth0',
    ipv4: lan4(host),
    ipv6: lan6(host),
    mac: mac(slot, kind, index),
    ipv4PrefixLength: 24,
    ipv6PrefixLength: 64,
    lanPort: `p-${short}`,
    ...(host === 1 ? {} : { gateway: lanGateway }),
  });
  const router: RouterPlan = {
    ...lanHost('router', 'r', 1, 1),
    routed: { ifname: 'eth1', ipv4: routed4(1), ipv6: routed6(1), mac: mac(slot, 1, 1) },
  };
  const nodes = Array.from({ length: nodeCount }, (_, index): NodePlan => {
    const number = index + 1;
    return {
      ...lanHost(`node${number}`, `n${number}`, 10 + number, 6, number),
      index,
      mgmt: {
        ifname: 'mgmt0',
        ipv4: mgmt4(2 * index + 1),
        ipv6: `${v6}:${(0x100 + number).toString(16)}::2`,
        mac: mac(slot, 7, number),
        hostIfname: `${prefix}m${number}`,
        hostIpv4: mgmt4(2 * index),
        hostIpv6: `${v6}:${(0x100 + number).toString(16)}::1`,
      },
    };
  });
  return {
    runId,
    slot,
    prefix,
    lan: {
      ns: `${prefix}lan`,
      bridge: 'br0',
      ipv4Prefix: `${lan4(0)}/24`,
      ipv6Prefix: `${v6}::/64`,
      freeIpv4Range: `${lan4(200)}-${lan4(250)}`,
      freeIpv6Range: `${lan6(200)}-${lan6(250)}`,
    },
    routedSubnet: { ipv4Prefix: `${routed4(0)}/24`, ipv6Prefix: `${v6}:1::/64` },
    servicePrefix: { ipv4: `${ipv4(base + 768)}/24`, ipv6: `${v6}:2::/64` },
    router,
    frr: lanHost('frr', 'frr', 2, 2),
    gobgp: lanHost('gobgp', 'gbp', 3, 3),
    client: lanHost('client', 'c', 5, 4),
    external: {
      name: 'external',
      ns: `${prefix}x`,
      ifname: 'eth0',
      ipv4: routed4(2),
      ipv6: routed6(2),
      mac: mac(slot, 5, 0),
      ipv4PrefixLength: 24,
      ipv6PrefixLength: 64,
      gateway: { ipv4: routed4(1), ipv6: routed6(1) },
    },
    nodes,
  };
}
