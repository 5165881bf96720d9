import { formatIp, parseIp } from '@lbops/schemas/address';
import type { IpAddress, IpFamily } from '@lbops/schemas/address';
import type { AllocationFailure, AllocationRequest } from './types.js';

export type StackMode = 'single' | 'prefer' | 'require';

/** A request checked and reduced to what allocation decisions use. */
export interface NormalizedRequest {
  readonly key: string;
  /** The families to serve, primary first: one for `single`, two otherwise. */
  readonly families: readonly IpFamily[];
  readonly mode: StackMode;
  /** Requested addresses in family order (primary first). */
  readonly requested: readonly IpAddress[];
  readonly requestedPool: string | undefined;
  readonly sharingKey: string;
  readonly backendKey: string;
  /** `PROTOCOL/port` strings. */
  readonly ports: ReadonlySet<string>;
  readonly creationTimestamp: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly serviceLabels: Readonly<Record<string, string>> | undefined;
  readonly namespaceLabels: Readonly<Record<string, string>> | undefined;
}

export function serviceKey(request: Pick<AllocationRequest, 'namespace' | 'name'>): string {
  return `${request.namespace}/${request.name}`;
}

/**
 * The backend key two Services must share to share an address: MetalLB lets `Cluster` Services share, and
 * `Local` ones only with the same pod selector (traffic must reach the same nodes).
 */
export function serviceBackendKey(
  externalTrafficPolicy: string | undefined,
  selector: Readonly<Record<string, string>> | undefined,
): string {
  if (externalTrafficPolicy !== 'Local') return 'Cluster';
  const labels = Object.entries(selector ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `Local ${labels}`;
}

const familyName = (family: IpFamily): string => (family === 'ipv4' ? 'IPv4' : 'IPv6');

const SINGLE: Readonly<Record<IpFamily, readonly IpFamily[]>> = { ipv4: ['ipv4'], ipv6: ['ipv6'] };
const NO_ADDRESSES: readonly IpAddress[] = [];
const NO_PORTS: ReadonlySet<string> = new Set();

export function normalizeRequest(
  request: AllocationRequest,
): { ok: true; value: NormalizedRequest } | { ok: false; failure: AllocationFailure } {
  const key = serviceKey(request);
  let requested: IpAddress[] | undefined;
  for (const raw of request.requestedIps ?? []) {
    const text = raw.trim();
    if (text === '') continue;
    const ip = parseIp(text);
    if (ip === undefined) {
      return { ok: false, failure: { reason: 'invalid-request', detail: `"${text}" is not an IP address` } };
    }
    requested ??= [];
    if (requested.some((other) => other.family === ip.family)) {
      return {
        ok: false,
        failure: {
          reason: 'invalid-request',
          detail: `more than one ${familyName(ip.family)} address requested (${requested.map(formatIp).join(', ')}, ${text}): request at most one per family`,
        },
      };
    }
    requested.push(ip);
  }
  const declared = request.ipFamilies ?? [];
  const policy = request.ipFamilyPolicy ?? 'SingleStack';
  let families: readonly IpFamily[];
  let mode: StackMode = 'single';
  const primary = declared[0] ?? requested?.[0]?.family ?? 'ipv4';
  const secondary =
    declared.find((f) => f !== primary) ?? (declared.length === 0 ? requested?.[1]?.family : undefined);
  if (secondary !== undefined && policy !== 'SingleStack') {
    mode = policy === 'RequireDualStack' ? 'require' : 'prefer';
    families = [primary, secondary];
  } else {
    families = SINGLE[primary];
  }
  for (const ip of requested ?? []) {
    if (!families.includes(ip.family)) {
      return {
        ok: false,
        failure: {
          reason: 'family-mismatch',
          detail: `${formatIp(ip)} is ${familyName(ip.family)} but the Service serves ${families.map(familyName).join(' and ')} (spec.ipFamilies / ipFamilyPolicy)`,
        },
      };
    }
  }
  if (mode === 'require' && requested?.length === 1) {
    return {
      ok: false,
      failure: {
        reason: 'family-mismatch',
        detail: 'RequireDualStack needs one requested address per family, or none',
      },
    };
  }
  requested?.sort((a, b) => families.indexOf(a.family) - families.indexOf(b.family));
  const ports =
    request.ports === undefined || request.ports.length === 0
      ? NO_PORTS
      : new Set(request.ports.map((p) => `${p.protocol.toUpperCase()}/${p.port}`));
  const pool =
    request.requestedPool === undefined || request.requestedPool === '' ? undefined : request.requestedPool;
  return {
    ok: true,
    value: {
      key,
      families,
      mode,
      requested: requested ?? NO_ADDRESSES,
      requestedPool: pool,
      sharingKey: request.sharingKey ?? '',
      backendKey: request.backendKey ?? 'Cluster',
      ports,
      creationTimestamp: request.creationTimestamp,
      uid: request.uid,
      namespace: request.namespace,
      name: request.name,
      serviceLabels: request.serviceLabels,
      namespaceLabels: request.namespaceLabels,
    },
  };
}

const POLICIES: Readonly<Record<StackMode, 'SingleStack' | 'PreferDualStack' | 'RequireDualStack'>> = {
  single: 'SingleStack',
  prefer: 'PreferDualStack',
  require: 'RequireDualStack',
};

/** A request equivalent to a normalised one (normalising it gives the same decisions). */
export function requestOf(n: NormalizedRequest): AllocationRequest {
  return {
    namespace: n.namespace,
    name: n.name,
    uid: n.uid,
    creationTimestamp: n.creationTimestamp,
    ...(n.serviceLabels === undefined ? {} : { serviceLabels: n.serviceLabels }),
    ...(n.namespaceLabels === undefined ? {} : { namespaceLabels: n.namespaceLabels }),
    requestedIps: n.requested.map(formatIp),
    requestedPool: n.requestedPool,
    sharingKey: n.sharingKey,
    ports: [...n.ports].map((text) => {
      const [protocol = '', port = '0'] = text.split('/');
      return { protocol, port: Number(port) };
    }),
    backendKey: n.backendKey,
    ipFamilies: n.families,
    ipFamilyPolicy: POLICIES[n.mode],
  };
}

/** Equal fingerprints mean the allocation-relevant parts of two normalised requests are equal. */
export function normalizedFingerprint(n: NormalizedRequest): string {
  return requestFingerprint(requestOf(n));
}

/** Equal fingerprints mean the allocation-relevant parts of two requests are equal. */
export function requestFingerprint(request: AllocationRequest): string {
  return JSON.stringify([
    request.namespace,
    request.name,
    request.ipFamilies ?? [],
    request.ipFamilyPolicy ?? 'SingleStack',
    (request.requestedIps ?? []).map((ip) => ip.trim()).filter((ip) => ip !== ''),
    request.requestedPool ?? '',
    request.sharingKey ?? '',
    request.backendKey ?? 'Cluster',
    (request.ports ?? []).map((p) => `${p.protocol.toUpperCase()}/${p.port}`).sort(),
    sortedEntries(request.serviceLabels),
    sortedEntries(request.namespaceLabels),
  ]);
}

function sortedEntries(labels: Readonly<Record<string, string>> | undefined): Array<[string, string]> {
  return Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface AgeKey {
  /** Creation time in ms; Infinity when unparseable, so such Services rank last. */
  readonly time: number;
  readonly uid: string;
  readonly key: string;
}

export function ageKey(request: { creationTimestamp: string; uid: string; key: string }): AgeKey {
  const time = Date.parse(request.creationTimestamp);
  return { time: Number.isNaN(time) ? Number.POSITIVE_INFINITY : time, uid: request.uid, key: request.key };
}

/** Oldest first; ties by uid, then namespace/name: the order in which contested addresses are granted. */
export function compareAge(a: AgeKey, b: AgeKey): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.uid !== b.uid) return a.uid < b.uid ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Sorts items by the age of their Service, parsing each timestamp once. */
export function sortByAge<T>(items: readonly T[], requestOf: (item: T) => NormalizedRequest): T[] {
  return items
    .map((item) => ({ item, age: ageKey(requestOf(item)) }))
    .sort((a, b) => compareAge(a.age, b.age))
    .map(({ item }) => item);
}
