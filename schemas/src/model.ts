// The typed configuration model: what loadConfig returns and what the allocator, the speakers
// and gitops consume. Values are normalised: defaults applied, addresses parsed into sorted
// inclusive ranges, durations in seconds, community strings parsed, selections resolved.
import type { IpAddress, IpFamily, IpRange } from './address.js';
import type { LabelSelector } from './label-selector.js';

/** Where a resource (or value) came from, for diagnostics and for "why" answers. 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** JSON pointer of the value inside its YAML document (or inside a legacy ConfigMap's config). */
  readonly path: string;
  /** Index of the YAML document inside the file (0-based). */
  readonly documentIndex: number;
}

export type ResourceKind =
  'IPAddressPool' | 'L2Advertisement' | 'BGPAdvertisement' | 'BGPPeer' | 'Community' | 'BFDProfile';

/** Fields every model resource carries. */
export interface ResourceBase {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly source: SourceLocation;
  /** 'legacy-configmap' when converted from MetalLB's pre-0.13 ConfigMap. */
  readonly origin: 'crd' | 'legacy-configmap';
}

export interface ServiceAllocation {
  /** Lower wins; undefined (or 0 in the input) ranks last, as in MetalLB. */
  readonly priority: number | undefined;
  readonly namespaces: readonly string[];
  readonly namespaceSelectors: readonly LabelSelector[];
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface IpAddressPool extends ResourceBase {
  readonly kind: 'IPAddressPool';
  /** Sorted by family (IPv4 first) then first address; never overlapping in a valid config. */
  readonly addresses: readonly IpRange[];
  /** The address strings as written, in input order (for messages and round trips). */
  readonly addressTexts: readonly string[];
  readonly families: readonly IpFamily[];
  /** Default true. */
  readonly autoAssign: boolean;
  /** Default false. Skips IPv4 addresses ending in .0 and .255. */
  readonly avoidBuggyIPs: boolean;
  readonly serviceAllocation?: ServiceAllocation;
}

export interface L2Advertisement extends ResourceBase {
  readonly kind: 'L2Advertisement';
  readonly ipAddressPools: readonly string[];
  readonly ipAddressPoolSelectors: readonly LabelSelector[];
  /** Empty = all nodes. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** Empty = all usable interfaces. */
  readonly interfaces: readonly string[];
  readonly serviceSelectors: readonly LabelSelector[];
  /** Resolved: names of the pools this advertisement selects (all pools when neither list is set). */
  readonly selectedPools: readonly string[];
}

/** A BGP community value. Standard: RFC 1997 (two 16-bit halves). Large: RFC 8092 (three 32-bit parts). */
export type BgpCommunity =
  | { readonly type: 'standard'; readonly asn: number; readonly value: number }
  | {
      readonly type: 'large';
      readonly globalAdmin: number;
      readonly localData1: number;
      readonly localData2: number;
    };

export interface BgpAdvertisement extends ResourceBase {
  readonly kind: 'BGPAdvertisement';
  /** Default 32. */
  readonly aggregationLength: number;
  /** Default 128. */
  readonly aggregationLengthV6: number;
  /** iBGP only; undefined when not set (MetalLB sends its default 0 only if set). */
  readonly localPref: number | undefined;
  /** Communities as written (literal or alias name). */
  readonly communityRefs: readonly string[];
  /** Communities parsed, aliases resolved, in input order; unresolvable entries are dropped (and diagnosed). */
  readonly communities: readonly BgpCommunity[];
  readonly ipAddressPools: readonly string[];
  readonly ipAddressPoolSelectors: readonly LabelSelector[];
  readonly nodeSelectors: readonly LabelSelector[];
  /** BGPPeer names; empty = all peers. */
  readonly peers: readonly string[];
  readonly serviceSelectors: readonly LabelSelector[];
  /** Resolved: names of the pools this advertisement selects (all pools when neither list is set). */
  readonly selectedPools: readonly string[];
}

export interface SecretReference {
  readonly name: string;
  readonly namespace: string | undefined;
}

export interface BgpPeer extends ResourceBase {
  readonly kind: 'BGPPeer';
  readonly apiVersion: 'metallb.io/v1beta1' | 'metallb.io/v1beta2';
  readonly myASN: number;
  readonly peerASN: number | undefined;
  readonly dynamicASN: 'internal' | 'external' | undefined;
  /** Exactly one of peerAddress / interface is set in a valid config. */
  readonly peerAddress: IpAddress | undefined;
  /** Unnumbered BGP: the interface to peer over. */
  readonly interface: string | undefined;
  readonly sourceAddress: IpAddress | undefined;
  /** Default 179. */
  readonly peerPort: number;
  /** Seconds; default 90. 0 disables keepalives (RFC 4271 §4.2). */
  readonly holdTime: number;
  /** Seconds; default holdTime / 3 (RFC 4271 §10 suggests one third of the hold time). */
  readonly keepaliveTime: number;
  /** Seconds, when set. */
  readonly connectTime: number | undefined;
  readonly routerID: string | undefined;
  /** Empty = all nodes. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** A plain-text password. Never log it. */
  readonly password: string | undefined;
  readonly passwordSecret: SecretReference | undefined;
  readonly bfdProfile: string | undefined;
  readonly ebgpMultiHop: boolean;
  readonly vrf: string | undefined;
  readonly enableGracefulRestart: boolean;
  /** Deprecated: separate sessions per address family. */
  readonly disableMP: boolean;
  /** Carry IPv4 and IPv6 over this one session (MP-BGP, RFC 4760), whatever the peer address family. */
  readonly dualStackAddressFamily: boolean;
  /** Derived: iBGP when peerASN equals myASN or dynamicASN is internal. */
  readonly isInternal: boolean;
}

export interface CommunityAlias {
  readonly name: string;
  readonly value: BgpCommunity;
  /** The text as written, e.g. "65000:100" or "large:1:2:3". */
  readonly text: string;
  /** The Community resource (or legacy config) that defined it. */
  readonly definedIn: string;
  readonly source: SourceLocation;
}

export interface BfdProfile extends ResourceBase {
  readonly kind: 'BFDProfile';
  /** Milliseconds, 10..60000, default 300. */
  readonly receiveInterval: number;
  /** Milliseconds, 10..60000, default 300. */
  readonly transmitInterval: number;
  /** 2..255, default 3. */
  readonly detectMultiplier: number;
  /** Milliseconds, 10..60000, default 50. */
  readonly echoInterval: number;
  readonly echoMode: boolean;
  readonly passiveMode: boolean;
  /** 1..254, default 254. */
  readonly minimumTtl: number;
}

export interface Config {
  readonly pools: readonly IpAddressPool[];
  readonly l2Advertisements: readonly L2Advertisement[];
  readonly bgpAdvertisements: readonly BgpAdvertisement[];
  readonly bgpPeers: readonly BgpPeer[];
  /** Community aliases, resolved from all Community resources and legacy bgp-communities. */
  readonly communities: readonly CommunityAlias[];
  readonly bfdProfiles: readonly BfdProfile[];
}

export type Severity = 'error' | 'warning';

/** A problem found in the configuration, pointing at the offending value. Lines and columns are 1-based. */
export interface Diagnostic {
  readonly severity: Severity;
  /** Stable kebab-case code, e.g. `pool-overlap`, `unknown-pool-ref`. */
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  /** JSON pointer of the value inside its document, e.g. `/spec/addresses/1`. */
  readonly path: string;
  readonly hint?: string;
}

export const emptyConfig = (): Config => ({
  pools: [],
  l2Advertisements: [],
  bgpAdvertisements: [],
  bgpPeers: [],
  communities: [],
  bfdProfiles: [],
});
