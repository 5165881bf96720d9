// Builds model resources from raw (schema-checked) metallb.io objects: applies defaults, parses
// addresses, durations and selectors, and reports the problems local to one resource. Cross-resource
// rules live in semantic-rules.ts.
import {
  formatIp,
  parseAddressRange,
  parseIp,
  type IpAddress,
  type IpFamily,
  type IpRange,
} from './address.js';
import { diagnostic } from './diagnostics.js';
import { parseDuration } from './duration.js';
import { normalizeLabelSelector, validateLabelSelector, type LabelSelector } from './label-selector.js';
import { DEFAULT_NAMESPACE } from './legacy-config.js';
import type {
  BfdProfile,
  BgpAdvertisement,
  BgpCommunity,
  BgpPeer,
  Diagnostic,
  IpAddressPool,
  L2Advertisement,
  ResourceBase,
  ServiceAllocation,
} from './model.js';
import { parseCommunity } from './community.js';
import type { Location } from './yaml-source.js';

/** Locates a value inside a resource by its JSON pointer in the metallb.io form of the resource. */
export type Locate = (pointer: string, key?: string) => Location;

export interface Entry<T> {
  readonly model: T;
  readonly at: Locate;
}

export interface PoolRange {
  readonly range: IpRange;
  readonly index: number;
  readonly text: string;
}

export interface PoolEntry extends Entry<IpAddressPool> {
  readonly ranges: readonly PoolRange[];
}

export interface CommunityEntry {
  readonly name: string;
  readonly text: string;
  readonly value: BgpCommunity | undefined;
  readonly resource: string;
  readonly at: Locate;
  readonly pointer: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type MutableL2 = Mutable<L2Advertisement>;
export type MutableBgpAdvertisement = Mutable<BgpAdvertisement>;

export interface BuildContext {
  readonly file: string;
  readonly documentIndex: number;
  readonly origin: 'crd' | 'legacy-configmap';
  readonly at: Locate;
  readonly diagnostics: Diagnostic[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function record(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function bool(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

function base(raw: Record<string, unknown>, ctx: BuildContext): ResourceBase {
  const metadata = record(raw['metadata']);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(metadata['labels']))) if (typeof v === 'string') labels[k] = v;
  const at = ctx.at('/metadata/name');
  return {
    name: str(metadata['name']) ?? '',
    namespace: str(metadata['namespace']) ?? DEFAULT_NAMESPACE,
    labels,
    source: {
      file: at.file,
      line: at.line,
      column: at.column,
      path: at.path,
      documentIndex: ctx.documentIndex,
    },
    origin: ctx.origin,
  };
}

/** Parses a list of selectors, reporting invalid ones at their own position. */
function selectors(ctx: BuildContext, pointer: string, raw: unknown): LabelSelector[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((s: unknown, i) => {
    for (const p of validateLabelSelector(s)) {
      ctx.diagnostics.push(
        diagnostic(
          ctx.at(`${pointer}/${i}${p.path}`),
          'error',
          'invalid-label-selector',
          `invalid label selector: ${p.message}`,
          p.hint ??
            'fix the selector; see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/',
        ),
      );
    }
    return normalizeLabelSelector(s);
  });
}

/** Reports repeated entries of a string list (MetalLB rejects duplicate list entries). */
function duplicates(ctx: BuildContext, pointer: string, values: readonly string[], what: string): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    const first = seen.get(v);
    if (first === undefined) {
      seen.set(v, i);
      return;
    }
    ctx.diagnostics.push(
      diagnostic(
        ctx.at(`${pointer}/${i}`),
        'error',
        'duplicate-entry',
        `${what} "${v}" is listed twice (also entry ${first})`,
        'remove the repeated entry',
      ),
    );
  });
}

export function buildPool(raw: Record<string, unknown>, ctx: BuildContext): PoolEntry {
  const spec = record(raw['spec']);
  const texts = strings(spec['addresses']);
  const ranges: PoolRange[] = [];
  const addressList = Array.isArray(spec['addresses']) ? (spec['addresses'] as unknown[]) : [];
  addressList.forEach((value, index) => {
    if (typeof value !== 'string') return;
    const pointer = `/spec/addresses/${index}`;
    const parsed = parseAddressRange(value);
    if (!parsed.ok) {
      const reversed = /starts after it ends/.test(parsed.reason);
      ctx.diagnostics.push(
        diagnostic(
          ctx.at(pointer),
          'error',
          reversed ? 'address-range-reversed' : 'invalid-address',
          `invalid address "${value}": ${parsed.reason}`,
          reversed
            ? 'write the lower address first, e.g. 10.0.0.10-10.0.0.20'
            : 'write a CIDR (10.0.0.0/24, fd00::/120) or a range first-last (10.0.0.10-10.0.0.20)',
        ),
      );
      return;
    }
    if (parsed.hostBitsSet === true && parsed.cidr !== undefined) {
      const network = `${formatIp({ family: parsed.cidr.family, value: parsed.cidr.base })}/${parsed.cidr.prefixLength}`;
      ctx.diagnostics.push(
        diagnostic(
          ctx.at(pointer),
          'warning',
          'cidr-host-bits',
          `"${value}" has host bits set; it means the whole network ${network}`,
          `write ${network}, or a range if you meant part of it`,
        ),
      );
    }
    ranges.push({ range: parsed.range, index, text: value });
  });
  duplicates(
    ctx,
    '/spec/addresses',
    texts.map((t) => t.trim()),
    'address',
  );
  const sorted = ranges.map((r) => r.range).sort(compareRangeLocal);
  const families: IpFamily[] = [];
  if (sorted.some((r) => r.family === 'ipv4')) families.push('ipv4');
  if (sorted.some((r) => r.family === 'ipv6')) families.push('ipv6');
  const rawAllocation = spec['serviceAllocation'];
  let serviceAllocation: ServiceAllocation | undefined;
  if (isRecord(rawAllocation)) {
    const namespaces = strings(rawAllocation['namespaces']);
    duplicates(ctx, '/spec/serviceAllocation/namespaces', namespaces, 'namespace');
    const priority = num(rawAllocation['priority']);
    serviceAllocation = {
      // MetalLB ranks 0 like unset (last), so both are normalised to undefined.
      priority: priority === 0 ? undefined : priority,
      namespaces,
      namespaceSelectors: selectors(
        ctx,
        '/spec/serviceAllocation/namespaceSelectors',
        rawAllocation['namespaceSelectors'],
      ),
      serviceSelectors: selectors(
        ctx,
        '/spec/serviceAllocation/serviceSelectors',
        rawAllocation['serviceSelectors'],
      ),
    };
  }
  const model: IpAddressPool = {
    kind: 'IPAddressPool',
    ...base(raw, ctx),
    addresses: sorted,
    addressTexts: texts,
    families,
    autoAssign: bool(spec['autoAssign'], true),
    avoidBuggyIPs: bool(spec['avoidBuggyIPs'], false),
    ...(serviceAllocation === undefined ? {} : { serviceAllocation }),
  };
  return { model, at: ctx.at, ranges };
}

function compareRangeLocal(a: IpRange, b: IpRange): number {
  if (a.family !== b.family) return a.family === 'ipv4' ? -1 : 1;
  return a.first < b.first ? -1 : a.first > b.first ? 1 : a.last < b.last ? -1 : a.last > b.last ? 1 : 0;
}

export function buildL2Advertisement(raw: Record<string, unknown>, ctx: BuildContext): Entry<MutableL2> {
  const spec = record(raw['spec']);
  const ipAddressPools = strings(spec['ipAddressPools']);
  const interfaces = strings(spec['interfaces']);
  duplicates(ctx, '/spec/ipAddressPools', ipAddressPools, 'pool');
  duplicates(ctx, '/spec/interfaces', interfaces, 'interface');
  const model: MutableL2 = {
    kind: 'L2Advertisement',
    ...base(raw, ctx),
    ipAddressPools,
    ipAddressPoolSelectors: selectors(ctx, '/spec/ipAddressPoolSelectors', spec['ipAddressPoolSelectors']),
    nodeSelectors: selectors(ctx, '/spec/nodeSelectors', spec['nodeSelectors']),
    interfaces,
    serviceSelectors: selectors(ctx, '/spec/serviceSelectors', spec['serviceSelectors']),
    selectedPools: [],
  };
  return { model, at: ctx.at };
}

export function buildBgpAdvertisement(
  raw: Record<string, unknown>,
  ctx: BuildContext,
): Entry<MutableBgpAdvertisement> {
  const spec = record(raw['spec']);
  const ipAddressPools = strings(spec['ipAddressPools']);
  const peers = strings(spec['peers']);
  duplicates(ctx, '/spec/ipAddressPools', ipAddressPools, 'pool');
  duplicates(ctx, '/spec/peers', peers, 'peer');
  const model: MutableBgpAdvertisement = {
    kind: 'BGPAdvertisement',
    ...base(raw, ctx),
    aggregationLength: num(spec['aggregationLength']) ?? 32,
    aggregationLengthV6: num(spec['aggregationLengthV6']) ?? 128,
    localPref: num(spec['localPref']),
    communityRefs: strings(spec['communities']),
    communities: [],
    ipAddressPools,
    ipAddressPoolSelectors: selectors(ctx, '/spec/ipAddressPoolSelectors', spec['ipAddressPoolSelectors']),
    nodeSelectors: selectors(ctx, '/spec/nodeSelectors', spec['nodeSelectors']),
    peers,
    serviceSelectors: selectors(ctx, '/spec/serviceSelectors', spec['serviceSelectors']),
    selectedPools: [],
  };
  return { model, at: ctx.at };
}

function durationField(ctx: BuildContext, spec: Record<string, unknown>, field: string): number | undefined {
  const text = str(spec[field]);
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    ctx.diagnostics.push(
      diagnostic(
        ctx.at(`/spec/${field}`),
        'error',
        'invalid-duration',
        `${field} "${text}" is not a duration`,
        'write a Go duration such as "90s", "1m30s" or "500ms"',
      ),
    );
  }
  return seconds;
}

function ipField(
  ctx: BuildContext,
  spec: Record<string, unknown>,
  field: string,
  code: string,
  what: string,
): IpAddress | undefined {
  const text = str(spec[field]);
  if (text === undefined || text === '') return undefined;
  const ip = parseIp(text.trim());
  if (ip === undefined) {
    ctx.diagnostics.push(
      diagnostic(
        ctx.at(`/spec/${field}`),
        'error',
        code,
        `${what} "${text}" is not an IP address`,
        'write one IPv4 or IPv6 address, without a prefix length',
      ),
    );
  }
  return ip;
}

export function buildBgpPeer(raw: Record<string, unknown>, ctx: BuildContext): Entry<BgpPeer> {
  const spec = record(raw['spec']);
  const d = ctx.diagnostics;
  const at = ctx.at;
  const apiVersion = raw['apiVersion'] === 'metallb.io/v1beta1' ? 'metallb.io/v1beta1' : 'metallb.io/v1beta2';
  const myASN = num(spec['myASN']);
  if (myASN === 0) {
    d.push(
      diagnostic(
        at('/spec/myASN'),
        'error',
        'peer-missing-my-asn',
        'myASN is 0, which means unset',
        'set myASN to the AS number of this cluster (1..4294967295)',
      ),
    );
  }
  const peerASN = num(spec['peerASN']);
  const dynamicRaw = str(spec['dynamicASN']);
  const dynamicASN = dynamicRaw === 'internal' || dynamicRaw === 'external' ? dynamicRaw : undefined;
  // Presence, not type: a wrong-typed value is already a schema error, not also a missing one.
  const hasPeerASN = spec['peerASN'] !== undefined && spec['peerASN'] !== null && peerASN !== 0;
  const hasDynamic = spec['dynamicASN'] !== undefined && spec['dynamicASN'] !== null;
  if (hasPeerASN && hasDynamic) {
    d.push(
      diagnostic(
        at('/spec/dynamicASN'),
        'error',
        'peer-asn-conflict',
        'peerASN and dynamicASN are both set',
        'keep one: peerASN for a fixed AS number, or dynamicASN (internal|external)',
      ),
    );
  } else if (!hasPeerASN && !hasDynamic) {
    d.push(
      diagnostic(
        peerASN === 0 ? at('/spec/peerASN') : at('', 'spec'),
        'error',
        'peer-asn-missing',
        'the peer has neither peerASN nor dynamicASN',
        'set peerASN to the AS number of the peer, or dynamicASN: internal|external',
      ),
    );
  }
  const peerAddress = ipField(ctx, spec, 'peerAddress', 'invalid-peer-address', 'peerAddress');
  const iface = str(spec['interface']);
  const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
  const hasAddress = present(spec['peerAddress']);
  const hasInterface = present(spec['interface']);
  if (hasAddress && hasInterface) {
    d.push(
      diagnostic(
        at('/spec/interface'),
        'error',
        'peer-address-conflict',
        'peerAddress and interface are both set',
        'keep peerAddress for a numbered session, or interface for unnumbered BGP',
      ),
    );
  } else if (!hasAddress && !hasInterface) {
    d.push(
      diagnostic(
        at('', 'spec'),
        'error',
        'peer-address-missing',
        'the peer has neither peerAddress nor interface',
        'set peerAddress to the IP address of the router (or interface for unnumbered BGP)',
      ),
    );
  }
  const sourceAddress = ipField(ctx, spec, 'sourceAddress', 'invalid-source-address', 'sourceAddress');
  const holdTime = durationField(ctx, spec, 'holdTime') ?? 90;
  // RFC 4271 §4.2: the hold time is either zero or at least three seconds.
  if (holdTime !== 0 && holdTime < 3) {
    d.push(
      diagnostic(
        at('/spec/holdTime'),
        'error',
        'hold-time-too-short',
        `holdTime ${String(spec['holdTime'])} is neither 0 nor at least 3s (RFC 4271 §4.2)`,
        'use 0 (no keepalives) or at least "3s"; the default is "90s"',
      ),
    );
  }
  const keepaliveSet = durationField(ctx, spec, 'keepaliveTime');
  if (keepaliveSet !== undefined && keepaliveSet > holdTime) {
    d.push(
      diagnostic(
        at('/spec/keepaliveTime'),
        'error',
        'keepalive-exceeds-hold',
        `keepaliveTime ${String(spec['keepaliveTime'])} is longer than holdTime (${holdTime}s)`,
        'use a keepaliveTime of at most holdTime, usually a third of it',
      ),
    );
  }
  const connectTime = durationField(ctx, spec, 'connectTime');
  if (connectTime !== undefined && (connectTime < 1 || connectTime > 65535)) {
    d.push(
      diagnostic(
        at('/spec/connectTime'),
        'error',
        'connect-time-out-of-range',
        `connectTime ${String(spec['connectTime'])} is outside 1s..65535s`,
        'use a value between "1s" and "65535s"',
      ),
    );
  }
  const routerID = str(spec['routerID']);
  if (routerID !== undefined && routerID !== '') {
    const ip = parseIp(routerID.trim());
    if (ip !== undefined && ip.family === 'ipv6') {
      // MetalLB only checks that it parses as an IP; a BGP identifier is 32 bits (RFC 4271 §4.2).
      d.push(
        diagnostic(
          at('/spec/routerID'),
          'warning',
          'router-id-not-ipv4',
          `routerID "${routerID}" is an IPv6 address, but a BGP identifier is 32 bits (RFC 4271 §4.2)`,
          'write the router ID as an IPv4 address, e.g. 10.0.0.1',
        ),
      );
    } else if (ip === undefined) {
      d.push(
        diagnostic(
          at('/spec/routerID'),
          'error',
          'invalid-router-id',
          `routerID "${routerID}" is not an IPv4 address`,
          'a BGP identifier is 32 bits, written as an IPv4 address (RFC 4271 §4.2), e.g. 10.0.0.1',
        ),
      );
    }
  }
  const password = str(spec['password']);
  const secret = isRecord(spec['passwordSecret']) ? spec['passwordSecret'] : undefined;
  if (password !== undefined && password !== '' && secret !== undefined) {
    d.push(
      diagnostic(
        at('/spec/passwordSecret'),
        'error',
        'password-conflict',
        'password and passwordSecret are both set',
        'keep passwordSecret (a kubernetes.io/basic-auth Secret) and remove the plain-text password',
      ),
    );
  }
  const resolvedMyASN = myASN ?? 0;
  const isInternal = dynamicASN === 'internal' || (hasPeerASN && peerASN === resolvedMyASN);
  const ebgpMultiHop = bool(spec['ebgpMultiHop'], false);
  if (ebgpMultiHop && isInternal) {
    d.push(
      diagnostic(
        at('/spec/ebgpMultiHop'),
        'error',
        'ebgp-multihop-ibgp',
        'ebgpMultiHop is set on an iBGP session (peerASN equals myASN)',
        'remove ebgpMultiHop: iBGP peers may be several hops away already',
      ),
    );
  }
  const model: BgpPeer = {
    kind: 'BGPPeer',
    ...base(raw, ctx),
    apiVersion,
    myASN: resolvedMyASN,
    peerASN: peerASN === 0 ? undefined : peerASN,
    dynamicASN,
    peerAddress,
    interface: iface === '' ? undefined : iface,
    sourceAddress,
    peerPort: num(spec['peerPort']) ?? 179,
    holdTime,
    keepaliveTime: keepaliveSet ?? holdTime / 3,
    connectTime,
    routerID,
    nodeSelectors: selectors(ctx, '/spec/nodeSelectors', spec['nodeSelectors']),
    password: password === '' ? undefined : password,
    passwordSecret:
      secret === undefined
        ? undefined
        : { name: str(secret['name']) ?? '', namespace: str(secret['namespace']) },
    bfdProfile: str(spec['bfdProfile']) === '' ? undefined : str(spec['bfdProfile']),
    ebgpMultiHop,
    vrf: str(spec['vrf']) === '' ? undefined : str(spec['vrf']),
    enableGracefulRestart: bool(spec['enableGracefulRestart'], false),
    disableMP: bool(spec['disableMP'], false),
    dualStackAddressFamily: bool(spec['dualStackAddressFamily'], false),
    isInternal,
  };
  return { model, at };
}

export function buildBfdProfile(raw: Record<string, unknown>, ctx: BuildContext): Entry<BfdProfile> {
  const spec = record(raw['spec']);
  const model: BfdProfile = {
    kind: 'BFDProfile',
    ...base(raw, ctx),
    receiveInterval: num(spec['receiveInterval']) ?? 300,
    transmitInterval: num(spec['transmitInterval']) ?? 300,
    detectMultiplier: num(spec['detectMultiplier']) ?? 3,
    echoInterval: num(spec['echoInterval']) ?? 50,
    echoMode: bool(spec['echoMode'], false),
    passiveMode: bool(spec['passiveMode'], false),
    minimumTtl: num(spec['minimumTtl']) ?? 254,
  };
  return { model, at: ctx.at };
}

/** The alias entries of a Community resource, each with its parsed value (undefined when invalid, and reported). */
export function buildCommunities(
  raw: Record<string, unknown>,
  ctx: BuildContext,
): { base: ResourceBase; entries: CommunityEntry[] } {
  const spec = record(raw['spec']);
  const b = base(raw, ctx);
  const entries: CommunityEntry[] = [];
  const list = Array.isArray(spec['communities']) ? (spec['communities'] as unknown[]) : [];
  list.forEach((item, i) => {
    if (!isRecord(item)) return;
    const name = str(item['name']);
    const text = str(item['value']);
    if (name === undefined || text === undefined) return;
    const parsed = parseCommunity(text.trim());
    if (!parsed.ok) {
      ctx.diagnostics.push(
        diagnostic(
          ctx.at(`/spec/communities/${i}/value`),
          'error',
          'invalid-community',
          `community alias "${name}": ${parsed.reason}`,
          'e.g. "65000:100" or "large:65000:1:2"',
        ),
      );
    }
    entries.push({
      name,
      text,
      value: parsed.ok ? parsed.community : undefined,
      resource: b.name,
      at: ctx.at,
      pointer: `/spec/communities/${i}`,
    });
  });
  return { base: b, entries };
}
