// The plan of a configuration change: what a pull request does to pools, advertisements, peers and, through the
// same allocator the controller runs, to the live Services. Pure: files, cluster and clock stay outside.
import type { Config, ConfigFile, Diagnostic, LoadConfigResult, SourceLocation } from '@lbops/schemas';
import { Allocator } from '@lbops/controller';
import type {
  AllocationRequest,
  AllocatorPool,
  FamilyStats,
  PoolStats,
  RecordedAssignment,
} from '@lbops/controller';
import { serviceIntent } from '@lbops/controller/controller/index';
import { stateServiceObject, type StateFile } from './state-file.js';

export type ResourceKind =
  'IPAddressPool' | 'L2Advertisement' | 'BGPAdvertisement' | 'BGPPeer' | 'BFDProfile' | 'Community';

export interface ResourceChange {
  readonly kind: ResourceKind;
  readonly namespace: string;
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Top-level fields that differ (names only: a peer's password is never shown). */
  readonly fields: readonly string[];
  /** For pools: the address ranges as written, before and after. */
  readonly addressesBefore?: readonly string[];
  readonly addressesAfter?: readonly string[];
  /** For advertisements: pools that the selection gains or loses (a new pool joins a selector, for example). */
  readonly selection?: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Where it is defined at head (or at base when removed), for links. */
  readonly source: SourceLocation;
}

export interface FamilyUsage {
  readonly size: bigint;
  readonly used: bigint;
  readonly free: bigint;
}

export interface PoolUsage {
  readonly pool: string;
  readonly family: 'ipv4' | 'ipv6';
  readonly before: FamilyUsage | undefined;
  readonly after: FamilyUsage | undefined;
}

export type ServiceImpactKind =
  /** Had addresses, gets others. */
  | 'changed'
  /** Had addresses, gets none. */
  | 'lost'
  /** Its requested addresses (loadBalancerIPs / spec.loadBalancerIP) are no longer allowed. */
  | 'requested-invalid'
  /** Had none, gets one. */
  | 'assigned'
  /** Had none, still gets none. */
  | 'still-pending'
  /** Same addresses, now counted in another pool (the pool annotation follows). */
  | 'repooled';

export interface ServiceImpact {
  /** namespace/name */
  readonly service: string;
  readonly kind: ServiceImpactKind;
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly poolBefore: string | undefined;
  readonly poolAfter: string | undefined;
  /** Why, in one sentence, for lost / requested-invalid / still-pending. */
  readonly reason?: string;
}

export type RiskLevel = 'none' | 'low' | 'medium' | 'high';

export interface PlanSide {
  readonly commit: string;
  readonly valid: boolean;
  readonly files: number;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
}

export interface Plan {
  readonly base: PlanSide;
  readonly head: PlanSide;
  /** Empty when either side is invalid (nothing to compare against). */
  readonly resources: readonly ResourceChange[];
  readonly usage: readonly PoolUsage[];
  /** Undefined when no current assignments were given (no --state, no cluster). */
  readonly services: readonly ServiceImpact[] | undefined;
  /** Services in the state whose own annotations are invalid (unaffected by the change, shown for context). */
  readonly invalidServices: ReadonlyArray<{ readonly service: string; readonly message: string }>;
  /** Services whose recorded addresses the base configuration already disagrees with (cluster drift, not the PR). */
  readonly drift: readonly string[];
  /** Pools of the head with no advertisement: their addresses are assigned but never announced. */
  readonly unadvertisedPools: readonly string[];
  readonly risk: { readonly level: RiskLevel; readonly reasons: readonly string[] };
}

export interface PlanInput {
  readonly base: {
    readonly commit: string;
    readonly files: readonly ConfigFile[];
    readonly result: LoadConfigResult;
  };
  readonly head: {
    readonly commit: string;
    readonly files: readonly ConfigFile[];
    readonly result: LoadConfigResult;
  };
  readonly state?: StateFile | undefined;
  /** The loadBalancerClass the controller serves; undefined: Services without a class. */
  readonly loadBalancerClass?: string | undefined;
}

function side(commit: string, files: readonly ConfigFile[], result: LoadConfigResult): PlanSide {
  return {
    commit,
    valid: result.config !== undefined,
    files: files.length,
    errors: result.diagnostics.filter((d) => d.severity === 'error'),
    warnings: result.diagnostics.filter((d) => d.severity === 'warning'),
  };
}

// ---- resources ----------------------------------------------------------------------------------------------

interface Keyed {
  readonly kind: ResourceKind;
  readonly namespace: string;
  readonly name: string;
  readonly value: Record<string, unknown>;
  readonly source: SourceLocation;
}

function resourcesOf(config: Config): Keyed[] {
  const out: Keyed[] = [];
  const add = (kind: ResourceKind, r: { namespace: string; name: string; source: SourceLocation }) =>
    out.push({
      kind,
      namespace: r.namespace,
      name: r.name,
      value: r,
      source: r.source,
    });
  for (const r of config.pools) add('IPAddressPool', r);
  for (const r of config.l2Advertisements) add('L2Advertisement', r);
  for (const r of config.bgpAdvertisements) add('BGPAdvertisement', r);
  for (const r of config.bgpPeers) add('BGPPeer', r);
  for (const r of config.bfdProfiles) add('BFDProfile', r);
  for (const c of config.communities)
    out.push({
      kind: 'Community',
      namespace: '',
      name: c.name,
      value: { value: c.value, text: c.text },
      source: c.source,
    });
  return out;
}

/** Fields that describe where a resource is written or how it was read, not what it configures. */
const BOOKKEEPING = new Set(['source', 'origin', 'addressTexts', 'kind', 'selectedPools']);

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
    return v;
  });
}

const KIND_ORDER: readonly ResourceKind[] = [
  'IPAddressPool',
  'L2Advertisement',
  'BGPAdvertisement',
  'BGPPeer',
  'BFDProfile',
  'Community',
];

export function diffResources(base: Config, head: Config): ResourceChange[] {
  const key = (r: Keyed) => `${r.kind}\0${r.namespace}\0${r.name}`;
  const before = new Map(resourcesOf(base).map((r) => [key(r), r]));
  const after = new Map(resourcesOf(head).map((r) => [key(r), r]));
  const changes: ResourceChange[] = [];
  const addresses = (r: Keyed | undefined) =>
    r?.kind === 'IPAddressPool'
      ? ((r.value['addressTexts'] as readonly string[] | undefined) ?? [])
      : undefined;
  const withAddresses = (b: Keyed | undefined, a: Keyed | undefined) => {
    const ab = addresses(b);
    const aa = addresses(a);
    return {
      ...(ab !== undefined ? { addressesBefore: ab } : {}),
      ...(aa !== undefined ? { addressesAfter: aa } : {}),
    };
  };
  for (const [k, a] of after) {
    const b = before.get(k);
    if (b === undefined) {
      changes.push({
        kind: a.kind,
        namespace: a.namespace,
        name: a.name,
        change: 'added',
        fields: [],
        source: a.source,
        ...withAddresses(undefined, a),
      });
      continue;
    }
    const fields = [...new Set([...Object.keys(a.value), ...Object.keys(b.value)])]
      .filter((f) => !BOOKKEEPING.has(f))
      .filter((f) => canonical(a.value[f]) !== canonical(b.value[f]))
      .sort();
    if (
      a.kind === 'IPAddressPool' &&
      canonical(a.value['addressTexts']) !== canonical(b.value['addressTexts']) &&
      !fields.includes('addresses')
    )
      fields.push('addresses');
    // An advertisement's resolved selection is derived: it changes when pools come and go, not by its own edit.
    const selectedBefore = (b.value['selectedPools'] as readonly string[] | undefined) ?? [];
    const selectedAfter = (a.value['selectedPools'] as readonly string[] | undefined) ?? [];
    const selection = {
      added: selectedAfter.filter((p) => !selectedBefore.includes(p)).sort(),
      removed: selectedBefore.filter((p) => !selectedAfter.includes(p)).sort(),
    };
    const selectionChanged = selection.added.length + selection.removed.length > 0;
    if (fields.length > 0 || selectionChanged)
      changes.push({
        kind: a.kind,
        namespace: a.namespace,
        name: a.name,
        change: 'changed',
        fields,
        source: a.source,
        ...withAddresses(b, a),
        ...(selectionChanged ? { selection } : {}),
      });
  }
  for (const [k, b] of before)
    if (!after.has(k))
      changes.push({
        kind: b.kind,
        namespace: b.namespace,
        name: b.name,
        change: 'removed',
        fields: [],
        source: b.source,
        ...withAddresses(b, undefined),
      });
  const rank = (c: ResourceChange) => KIND_ORDER.indexOf(c.kind);
  return changes.sort(
    (x, y) => rank(x) - rank(y) || (x.namespace + '/' + x.name < y.namespace + '/' + y.name ? -1 : 1),
  );
}

// ---- allocation ---------------------------------------------------------------------------------------------

const REQUEST_FAILURES = new Set([
  'ip-not-in-any-pool',
  'ip-not-in-requested-pool',
  'ip-buggy',
  'ips-in-different-pools',
  'auto-assign-disabled',
]);

interface Snapshot {
  readonly ips: Map<string, { readonly addresses: readonly string[]; readonly pool: string | undefined }>;
  readonly pending: Map<string, string>;
}

function snapshot(allocator: Allocator): Snapshot {
  return {
    ips: new Map(allocator.assignments().map((a) => [a.service, { addresses: a.addresses, pool: a.pool }])),
    pending: new Map(allocator.pendingServices().map((p) => [p.service, p.message])),
  };
}

function usageOf(
  stats: readonly PoolStats[] | undefined,
): Map<string, { ipv4: FamilyStats; ipv6: FamilyStats }> {
  return new Map((stats ?? []).map((s) => [s.pool, { ipv4: s.ipv4, ipv6: s.ipv6 }]));
}

/** Per pool and family, size/used/free before and after; families a pool has on neither side are left out. */
function poolUsage(
  before: readonly PoolStats[] | undefined,
  after: readonly PoolStats[] | undefined,
): PoolUsage[] {
  const b = usageOf(before);
  const a = usageOf(after);
  const names = [...new Set([...b.keys(), ...a.keys()])].sort();
  const rows: PoolUsage[] = [];
  for (const pool of names) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      const sb = b.get(pool)?.[family];
      const sa = a.get(pool)?.[family];
      if ((sb?.total ?? 0n) === 0n && (sa?.total ?? 0n) === 0n) continue;
      const usage = (s: FamilyStats | undefined) =>
        s === undefined || (s.total === 0n && s.used === 0n)
          ? undefined
          : { size: s.total, used: s.used, free: s.free };
      rows.push({ pool, family, before: usage(sb), after: usage(sa) });
    }
  }
  return rows;
}

function recordedAssignments(
  state: StateFile,
  loadBalancerClass: string | undefined,
): {
  recorded: RecordedAssignment[];
  invalid: Array<{ service: string; message: string }>;
  poolOf: Map<string, string>;
} {
  const recorded: RecordedAssignment[] = [];
  const invalid: Array<{ service: string; message: string }> = [];
  const poolOf = new Map<string, string>();
  for (const entry of state.services) {
    const intent = serviceIntent(stateServiceObject(entry), state.namespaces[entry.namespace], {
      loadBalancerClass,
    });
    const key = `${entry.namespace}/${entry.name}`;
    if (entry.pool !== undefined) poolOf.set(key, entry.pool);
    if (intent.kind === 'ignore') continue;
    if (intent.kind === 'invalid') {
      invalid.push({ service: key, message: intent.message });
      continue;
    }
    recorded.push({ request: intent.request, ips: entry.ips });
  }
  return { recorded, invalid, poolOf };
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function serviceImpacts(
  requests: ReadonlyMap<string, AllocationRequest>,
  before: Snapshot,
  after: Snapshot,
  failures: ReadonlyMap<string, { reason: string; message: string }>,
): ServiceImpact[] {
  const impacts: ServiceImpact[] = [];
  for (const service of [...requests.keys()].sort()) {
    const b = before.ips.get(service);
    const a = after.ips.get(service);
    const request = requests.get(service);
    const failure = failures.get(service);
    const requestedInvalid =
      (request?.requestedIps?.length ?? 0) > 0 &&
      failure !== undefined &&
      REQUEST_FAILURES.has(failure.reason);
    const base = {
      service,
      before: b?.addresses ?? [],
      after: a?.addresses ?? [],
      poolBefore: b?.pool,
      poolAfter: a?.pool,
    };
    if (b !== undefined && a !== undefined) {
      if (!same(b.addresses, a.addresses)) impacts.push({ ...base, kind: 'changed' });
      else if (b.pool !== a.pool) impacts.push({ ...base, kind: 'repooled' });
    } else if (b !== undefined) {
      const reason = failure?.message ?? after.pending.get(service) ?? 'no address is available';
      impacts.push({ ...base, kind: requestedInvalid ? 'requested-invalid' : 'lost', reason });
    } else if (a !== undefined) {
      impacts.push({ ...base, kind: 'assigned' });
    } else {
      const reason = after.pending.get(service) ?? before.pending.get(service) ?? 'pending';
      impacts.push({ ...base, kind: requestedInvalid ? 'requested-invalid' : 'still-pending', reason });
    }
  }
  return impacts;
}

function assess(plan: Omit<Plan, 'risk'>): Plan['risk'] {
  const reasons: string[] = [];
  let level: RiskLevel = 'none';
  const raise = (to: RiskLevel, reason: string) => {
    const order: RiskLevel[] = ['none', 'low', 'medium', 'high'];
    if (order.indexOf(to) > order.indexOf(level)) level = to;
    reasons.push(reason);
  };
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (!plan.head.valid)
    raise(
      'high',
      `the head configuration is invalid (${count(plan.head.errors.length, 'error')}): the sync will not apply it`,
    );
  const services = plan.services ?? [];
  const moved = services.filter((s) => s.kind === 'changed').length;
  const lost = services.filter((s) => s.kind === 'lost').length;
  const requested = services.filter((s) => s.kind === 'requested-invalid').length;
  if (moved > 0) raise('high', `${count(moved, 'Service')} would change IP`);
  if (lost > 0) raise('high', `${count(lost, 'Service')} would lose ${lost === 1 ? 'its' : 'their'} IP`);
  if (requested > 0)
    raise(
      'high',
      `${count(requested, 'Service')} request${requested === 1 ? 's' : ''} an address the new pools no longer allow`,
    );
  const removedPeers = plan.resources.filter((r) => r.kind === 'BGPPeer' && r.change !== 'added').length;
  if (removedPeers > 0)
    raise('medium', `${count(removedPeers, 'BGP peer')} removed or changed: sessions are reset`);
  const removedAds = plan.resources.filter(
    (r) =>
      (r.kind === 'L2Advertisement' || r.kind === 'BGPAdvertisement') &&
      (r.change === 'removed' || r.fields.length > 0 || (r.selection?.removed.length ?? 0) > 0),
  ).length;
  if (removedAds > 0)
    raise(
      'medium',
      `${count(removedAds, 'advertisement')} removed or changed: check which addresses stop being announced`,
    );
  if (plan.unadvertisedPools.length > 0)
    raise(
      'medium',
      `pool${plan.unadvertisedPools.length === 1 ? '' : 's'} ${plan.unadvertisedPools.join(', ')} ha${plan.unadvertisedPools.length === 1 ? 's' : 've'} no advertisement: addresses are assigned but not announced`,
    );
  for (const row of plan.usage) {
    const a = row.after;
    if (a !== undefined && a.size > 0n && a.used * 100n >= a.size * 90n && plan.services !== undefined)
      raise('medium', `pool ${row.pool} (${row.family}) would be ${percent(a)}% used`);
  }
  if (
    plan.services === undefined &&
    plan.resources.some((r) => r.kind === 'IPAddressPool' && r.change !== 'added')
  )
    raise(
      'medium',
      'pools shrink or change and no current assignments were given (--state or --kubeconfig): the effect on Services is unknown',
    );
  const pendingNow = services.filter((s) => s.kind === 'assigned').length;
  if (pendingNow > 0) raise('low', `${count(pendingNow, 'pending Service')} would get an address`);
  if (plan.resources.length > 0 && level === 'none')
    raise('low', `${count(plan.resources.length, 'resource')} changed, no Service affected`);
  return { level, reasons };
}

/** Percent used, rounded down, for display (0 for an empty pool). */
export function percent(usage: FamilyUsage): number {
  return usage.size === 0n ? 0 : Number((usage.used * 100n) / usage.size);
}

function unadvertised(config: Config): string[] {
  const advertised = new Set([
    ...config.l2Advertisements.flatMap((a) => a.selectedPools),
    ...config.bgpAdvertisements.flatMap((a) => a.selectedPools),
  ]);
  return config.pools
    .map((p) => p.name)
    .filter((name) => !advertised.has(name))
    .sort();
}

/** Computes the plan: diff of the resources, pool usage before and after, and the Services affected. */
export function computePlan(input: PlanInput): Plan {
  const base = side(input.base.commit, input.base.files, input.base.result);
  const head = side(input.head.commit, input.head.files, input.head.result);
  const baseConfig = input.base.result.config;
  const headConfig = input.head.result.config;
  const resources =
    baseConfig !== undefined && headConfig !== undefined ? diffResources(baseConfig, headConfig) : [];
  const basePools: readonly AllocatorPool[] | undefined = baseConfig?.pools;
  const headPools: readonly AllocatorPool[] | undefined = headConfig?.pools;

  let services: ServiceImpact[] | undefined;
  let invalidServices: Array<{ service: string; message: string }> = [];
  let drift: string[] = [];
  let beforeStats: PoolStats[] | undefined;
  let afterStats: PoolStats[] | undefined;
  if (input.state === undefined) {
    beforeStats = basePools === undefined ? undefined : new Allocator(basePools).stats();
    afterStats = headPools === undefined ? undefined : new Allocator(headPools).stats();
  } else {
    const { recorded, invalid, poolOf } = recordedAssignments(input.state, input.loadBalancerClass);
    invalidServices = invalid;
    const requests = new Map(recorded.map((r) => [`${r.request.namespace}/${r.request.name}`, r.request]));
    // "Before" is what the cluster records, as the base configuration sees it; where the base disagrees with the
    // records (drift), the base's answer counts, so the plan shows only what this change does.
    const recordedSnapshot: Snapshot = {
      ips: new Map(
        recorded
          .filter((r) => r.ips.length > 0)
          .map((r) => {
            const key = `${r.request.namespace}/${r.request.name}`;
            return [key, { addresses: r.ips, pool: poolOf.get(key) }];
          }),
      ),
      pending: new Map(),
    };
    let before = recordedSnapshot;
    let allocator: Allocator | undefined;
    if (basePools !== undefined) {
      allocator = new Allocator(basePools);
      allocator.restore(recorded);
      beforeStats = allocator.stats();
      before = snapshot(allocator);
      drift = [...requests.keys()].filter((k) => {
        const r = recordedSnapshot.ips.get(k)?.addresses ?? [];
        const b = before.ips.get(k)?.addresses ?? [];
        return !same(r, b);
      });
    }
    if (headPools !== undefined) {
      const failures = new Map<string, { reason: string; message: string }>();
      if (allocator !== undefined) {
        // The same allocator, moved to the head's pools: exactly what the controller does when the config changes.
        const result = allocator.setPools(headPools);
        for (const inv of result.invalidated)
          failures.set(inv.service, { reason: inv.failure.reason, message: inv.message });
        for (const a of result.allocations)
          if (!a.ok) failures.set(a.service, { reason: a.failure.reason, message: a.message });
      } else {
        // No usable base (invalid): the head's pools take the recorded addresses as a restarted controller would.
        allocator = new Allocator(headPools);
        const result = allocator.restore(recorded);
        for (const c of result.conflicts)
          failures.set(c.service, { reason: c.failure.reason, message: c.message });
        for (const a of result.allocations)
          if (!a.ok) failures.set(a.service, { reason: a.failure.reason, message: a.message });
      }
      afterStats = allocator.stats();
      services = serviceImpacts(requests, before, snapshot(allocator), failures);
    }
  }
  const usage = poolUsage(beforeStats, afterStats);
  const partial = {
    base,
    head,
    resources,
    usage,
    services,
    invalidServices,
    drift,
    unadvertisedPools: headConfig === undefined ? [] : unadvertised(headConfig),
  };
  return { ...partial, risk: assess(partial) };
}
