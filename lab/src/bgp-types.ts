/** What the lab's BGP daemons (BIRD, FRR, GoBGP) report, in one shape for all three. */

export type BgpDaemonKind = 'bird' | 'frr' | 'gobgp';
export type AddressFamily = 'ipv4' | 'ipv6';

/** A peer of a lab daemon, by address. */
export interface BgpPeerSpec {
  readonly address: string;
  readonly asn: number;
  /** The peer's port (where the daemon connects); default 179. */
  readonly port?: number;
  /** TCP MD5 password (RFC 2385). */
  readonly password?: string;
  /** eBGP multihop TTL; unset for a directly connected peer. */
  readonly multihop?: number;
  /** Never connect; wait for the peer to connect. */
  readonly passive?: boolean;
  /** Seconds; defaults 9 and 3 so lost sessions are noticed quickly. */
  readonly holdTime?: number;
  readonly keepaliveTime?: number;
  /** Offer graceful restart (RFC 4724); default off, so a lost session withdraws routes at once. */
  readonly gracefulRestart?: boolean;
  /** Address families carried; default the family of `address`. */
  readonly families?: readonly AddressFamily[];
  /** Raw daemon-specific lines added to this peer's section. */
  readonly extraConfig?: string;
}

/** A peer given by role: a lab node (our speaker runs there) or another lab daemon. */
export type BgpPeerRef =
  | BgpPeerSpec
  | (Omit<BgpPeerSpec, 'address'> & { readonly node: number; readonly family?: AddressFamily })
  | (Omit<BgpPeerSpec, 'address' | 'asn' | 'port'> & {
      readonly daemon: BgpDaemonKind;
      readonly family?: AddressFamily;
    });

export interface BgpDaemonSpec {
  /** Default: BIRD 64512, FRR 64513, GoBGP 64514. */
  readonly asn?: number;
  /** Listening port; default 179. */
  readonly port?: number;
  readonly routerId?: string;
  readonly peers?: readonly BgpPeerRef[];
  /** Prefixes this daemon originates (next hop: itself), optionally with communities. */
  readonly staticRoutes?: ReadonlyArray<string | StaticRoute>;
  /** Raw daemon-specific configuration appended to the generated file. */
  readonly extraConfig?: string;
}

/** A route a lab daemon originates. */
export interface StaticRoute {
  readonly prefix: string;
  /** RFC 1997 communities, "asn:value". */
  readonly communities?: readonly string[];
  /** RFC 8092 large communities, "global:local1:local2". */
  readonly largeCommunities?: readonly string[];
}

export function staticRoute(route: string | StaticRoute): StaticRoute {
  return typeof route === 'string' ? { prefix: route } : route;
}

export type BgpSessionState =
  'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established' | 'Unknown';

export interface BgpSession {
  /** The daemon's name for the session (BIRD protocol name; the neighbour address for FRR and GoBGP). */
  readonly name: string;
  readonly neighborAddress: string;
  readonly neighborAs: number | undefined;
  readonly state: BgpSessionState;
  readonly established: boolean;
  /** Prefixes received (accepted) from the peer, where the daemon reports it. */
  readonly prefixesReceived: number | undefined;
  /** The daemon's last error for the session, if it reports one. */
  readonly lastError: string | undefined;
}

/** One path of a prefix in a daemon's BGP table. */
export interface BgpRoute {
  readonly prefix: string;
  readonly family: AddressFamily;
  /** Next hops of this path (more than one for a merged multipath route). */
  readonly nextHops: readonly string[];
  /** Whether the daemon selected this path as best. */
  readonly best: boolean;
  /** Part of a multipath (ECMP) set, where the daemon reports it. */
  readonly multipath: boolean;
  /** The neighbour the path came from; undefined for locally originated paths. */
  readonly from: string | undefined;
  readonly asPath: readonly number[];
  readonly localPref: number | undefined;
  readonly med: number | undefined;
  readonly origin: string | undefined;
  /** RFC 1997 communities as "asn:value". */
  readonly communities: readonly string[];
  /** RFC 8092 large communities as "global:local1:local2". */
  readonly largeCommunities: readonly string[];
}

export function familyOf(address: string): AddressFamily {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

export function prefixFamily(prefix: string): AddressFamily {
  return familyOf(prefix.split('/')[0] ?? '');
}

const states: readonly BgpSessionState[] = [
  'Idle',
  'Connect',
  'Active',
  'OpenSent',
  'OpenConfirm',
  'Established',
];

/** Maps any daemon's spelling ("established", "ESTABLISHED", "BGP_FSM_ESTABLISHED", 6) to one state name. */
export function normalizeState(value: unknown): BgpSessionState {
  if (typeof value === 'number') return states[value - 1] ?? 'Unknown';
  const text = String(value)
    .toLowerCase()
    .replace(/^bgp_fsm_/, '')
    .replace(/[^a-z]/g, '');
  return states.find((state) => state.toLowerCase() === text) ?? 'Unknown';
}

/** Next hops of every path of `prefix` (deduplicated, sorted): the ECMP view of a table. */
export function nextHopsOf(routes: readonly BgpRoute[], prefix: string): string[] {
  return [
    ...new Set(routes.filter((route) => route.prefix === prefix).flatMap((route) => route.nextHops)),
  ].sort();
}
