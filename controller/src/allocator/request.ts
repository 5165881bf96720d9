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
  readonly pool: string | undefined;
  readonly sharingKey: string;
  readonly backendKey: string;
  /** `PROTOCOL/port` strings. */
  readonly ports: ReadonlySet<string>;
  /** Creation time in ms (Infinity when unparseable, so such Services rank last). */
  readonly time: number;
  readonly uid: string;
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

export function normalizeRequest(
  request: AllocationRequest,
): { ok: true; value: NormalizedRequest } | { ok: false; failure: AllocationFailure } {
  const key = serviceKey(request);
  const requested: IpAddress[] = [];
  for (const raw of request.requestedIps ?? []) {
    const text = raw.trim();
    if (text === '') continue;
    const ip = parseIp(text);
    if (ip === undefined) {
      return { ok: false, failure: { reason: 'invalid-request', detail: `"${text}" is not an IP address` } };
    }
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
  const declared = [...new Set(request.ipFamilies ?? [])];
  const families: IpFamily[] = declared.length > 0 ? declared : requested.map((ip) => ip.family);
  if (families.length === 0) families.push('ipv4');
  const policy = request.ipFamilyPolicy ?? 'SingleStack';
  const mode: StackMode =
    families.length >= 2 && policy !== 'SingleStack'
      ? policy === 'RequireDualStack'
        ? 'require'
        : 'prefer'
      : 'single';
  if (mode === 'single') families.splice(1);
  for (const ip of requested) {
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
  if (mode === 'require' && requested.length === 1) {
    return {
      ok: false,
      failure: {
        reason: 'family-mismatch',
        detail: 'RequireDualStack needs one requested address per family, or none',
      },
    };
  }
  requested.sort((a, b) => families.indexOf(a.family) - families.indexOf(b.family));
  const ports = new Set((request.ports ?? []).map((p) => `${p.protocol.toUpperCase()}/${p.port}`));
  const parsedTime = Date.parse(request.creationTimestamp);
  const pool =
    request.requestedPool === undefined || request.requestedPool === '' ? undefined : request.requestedPool;
  const sharingKey = request.sharingKey ?? '';
  const backendKey = request.backendKey ?? 'Cluster';
  return {
    ok: true,
    value: {
      key,
      families,
      mode,
      requested,
      pool,
      sharingKey,
      backendKey,
      ports,
      time: Number.isNaN(parsedTime) ? Number.POSITIVE_INFINITY : parsedTime,
      uid: request.uid,
    },
  };
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

/** Oldest first; ties by uid, then namespace/name: the order in which contested addresses are granted. */
export function compareAge(
  a: { time: number; uid: string; key: string },
  b: { time: number; uid: string; key: string },
): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.uid !== b.uid) return a.uid < b.uid ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
