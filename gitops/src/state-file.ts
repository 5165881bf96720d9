// The assignments state file: what `lbops state export` writes from a cluster and `lbops plan --state` reads, so
// a plan can run where there is no cluster access (a pull request's CI). Versioned JSON; see gitops/README.md.
import type { ServiceObject } from '@lbops/kube';

export const STATE_FORMAT = 'lbops.assignments';
export const STATE_VERSION = 1;

/** One Service, with only the fields allocation reads (its intent) and its current addresses. */
export interface StateService {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly creationTimestamp: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Only metallb.io/ and metallb.universe.tf/ annotations: the others carry nothing allocation reads. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: NonNullable<ServiceObject['spec']>;
  /** status.loadBalancer.ingress[].ip, in order; empty when the Service is pending. */
  readonly ips: readonly string[];
  /** metallb.io/ip-allocated-from-pool, when the controller wrote it. */
  readonly pool?: string;
}

export interface StateFile {
  readonly format: typeof STATE_FORMAT;
  readonly version: typeof STATE_VERSION;
  /** When the export ran (RFC 3339). */
  readonly exportedAt: string;
  /** Where it came from (API server URL), for the reader; never credentials. */
  readonly source: string;
  /** Labels of every namespace holding a LoadBalancer Service (namespace selectors of pools read them). */
  readonly namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** LoadBalancer Services, sorted by namespace/name. */
  readonly services: readonly StateService[];
}

const RELEVANT_ANNOTATION = /^(metallb\.io|metallb\.universe\.tf)\//;

/** Pure: the state file for a set of Services (any type; only LoadBalancer ones are kept) and namespaces. */
export function buildStateFile(
  services: readonly ServiceObject[],
  namespaces: ReadonlyArray<{ readonly name: string; readonly labels: Readonly<Record<string, string>> }>,
  meta: { readonly exportedAt: string; readonly source: string },
): StateFile {
  const kept: StateService[] = [];
  for (const service of services) {
    if (service.spec?.type !== 'LoadBalancer') continue;
    const metadata = service.metadata ?? {};
    const annotations = Object.fromEntries(
      Object.entries(metadata.annotations ?? {})
        .filter(([key]) => RELEVANT_ANNOTATION.test(key))
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    const pool = annotations['metallb.io/ip-allocated-from-pool'];
    const spec = service.spec;
    kept.push({
      namespace: metadata.namespace ?? '',
      name: metadata.name ?? '',
      uid: metadata.uid ?? '',
      creationTimestamp:
        metadata.creationTimestamp instanceof Date
          ? metadata.creationTimestamp.toISOString()
          : (metadata.creationTimestamp ?? ''),
      labels: metadata.labels ?? {},
      annotations,
      spec: {
        type: 'LoadBalancer',
        ...(spec.loadBalancerIP !== undefined ? { loadBalancerIP: spec.loadBalancerIP } : {}),
        ...(spec.loadBalancerClass !== undefined ? { loadBalancerClass: spec.loadBalancerClass } : {}),
        ...(spec.ipFamilies !== undefined ? { ipFamilies: spec.ipFamilies } : {}),
        ...(spec.ipFamilyPolicy !== undefined ? { ipFamilyPolicy: spec.ipFamilyPolicy } : {}),
        ...(spec.ports !== undefined
          ? { ports: spec.ports.map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port ?? 0 })) }
          : {}),
        ...(spec.externalTrafficPolicy !== undefined
          ? { externalTrafficPolicy: spec.externalTrafficPolicy }
          : {}),
        ...(spec.selector !== undefined ? { selector: spec.selector } : {}),
      },
      ips: (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== ''),
      ...(pool !== undefined ? { pool } : {}),
    });
  }
  kept.sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
  const wanted = new Set(kept.map((s) => s.namespace));
  const labels: Record<string, Readonly<Record<string, string>>> = {};
  for (const ns of [...namespaces].sort((a, b) => (a.name < b.name ? -1 : 1)))
    if (wanted.has(ns.name)) labels[ns.name] = ns.labels;
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    exportedAt: meta.exportedAt,
    source: meta.source,
    namespaces: labels,
    services: kept,
  };
}

/** The Service object a state entry stands for, for the controller's own serviceIntent. */
export function stateServiceObject(entry: StateService): ServiceObject {
  return {
    metadata: {
      name: entry.name,
      namespace: entry.namespace,
      uid: entry.uid,
      creationTimestamp: entry.creationTimestamp,
      labels: entry.labels,
      annotations: entry.annotations,
    },
    spec: entry.spec,
    status: { loadBalancer: { ingress: entry.ips.map((ip) => ({ ip })) } },
  };
}

export type ParsedState = { ok: true; state: StateFile } | { ok: false; problem: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringMap = (v: unknown): v is Record<string, string> =>
  isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

/** Checks a state file's shape; answers what is wrong (where) rather than throwing. */
export function parseStateFile(text: string): ParsedState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON: ${(error as Error).message}` };
  }
  if (!isRecord(value)) return { ok: false, problem: 'the state file must be a JSON object' };
  if (value['format'] !== STATE_FORMAT)
    return {
      ok: false,
      problem: `"format" must be "${STATE_FORMAT}" (write it with \`lbops state export\`)`,
    };
  if (value['version'] !== STATE_VERSION)
    return {
      ok: false,
      problem: `state file version ${String(value['version'])} is not supported (this lbops reads version ${STATE_VERSION})`,
    };
  if (!isRecord(value['namespaces']) || !Object.values(value['namespaces']).every(isStringMap))
    return { ok: false, problem: '"namespaces" must map each namespace to its labels' };
  const services = value['services'];
  if (!Array.isArray(services)) return { ok: false, problem: '"services" must be an array' };
  for (const [index, entry] of services.entries()) {
    const where = `services[${index}]`;
    if (!isRecord(entry)) return { ok: false, problem: `${where} must be an object` };
    for (const field of ['namespace', 'name', 'uid', 'creationTimestamp'])
      if (typeof entry[field] !== 'string')
        return { ok: false, problem: `${where}.${field} must be a string` };
    if (!isStringMap(entry['labels'])) return { ok: false, problem: `${where}.labels must map strings` };
    if (!isStringMap(entry['annotations']))
      return { ok: false, problem: `${where}.annotations must map strings` };
    if (!isRecord(entry['spec'])) return { ok: false, problem: `${where}.spec must be an object` };
    const ips = entry['ips'];
    if (!Array.isArray(ips) || !ips.every((ip) => typeof ip === 'string'))
      return { ok: false, problem: `${where}.ips must be an array of addresses` };
  }
  return {
    ok: true,
    state: {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      exportedAt: typeof value['exportedAt'] === 'string' ? value['exportedAt'] : '',
      source: typeof value['source'] === 'string' ? value['source'] : '',
      namespaces: value['namespaces'] as StateFile['namespaces'],
      services: services as StateService[],
    },
  };
}
