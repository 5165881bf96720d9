/**
 * The IP allocator: MetalLB's allocation semantics on free-interval sets, so that every operation costs
 * O(log n) in the pool's size whatever its fill level, and every move is reported.
 *
 * Pure and deterministic: no I/O, no clock. The same pools, requests and order give the same addresses, so the
 * plan computed on a pull request matches what the controller will do.
 */
import { matchesAnyLabelSelector } from '@lbops/schemas';
import { findOverlaps, formatIp, parseIp } from '@lbops/schemas/address';
import type { IpAddress, IpFamily } from '@lbops/schemas/address';
import { describeFailure } from './describe-failure.js';
import { PoolSpace, isBuggyValue } from './pool-space.js';
import { normalizeRequest, normalizedFingerprint, requestOf, serviceKey, sortByAge } from './request.js';
import type { NormalizedRequest } from './request.js';
import type {
  AllocationFailure,
  AllocationRequest,
  AllocationResult,
  AllocatorPool,
  Assignment,
  ExhaustedPool,
  FamilyStats,
  InvalidPolicy,
  Invalidation,
  PoolStats,
  RecordedAssignment,
  RestoreConflict,
  RestoreResult,
  SetPoolsResult,
} from './types.js';

const FAMILIES: readonly IpFamily[] = ['ipv4', 'ipv6'];

interface PoolEntry {
  readonly pool: AllocatorPool;
  readonly name: string;
  readonly spaces: Partial<Record<IpFamily, PoolSpace>>;
}

/** A Service holding addresses: its normalised request (one object per Service: there may be millions). */
interface ServiceRecord extends NormalizedRequest {
  ips: IpAddress[];
  /** The pool holding the addresses. */
  pool: string | undefined;
  stale: AllocationFailure | undefined;
}

/** The holders of one address: one record, or several sharing it (kept lean: there may be millions). */
type Hold = ServiceRecord | ServiceRecord[];

function holdersOf(hold: Hold | undefined): readonly ServiceRecord[] {
  return hold === undefined ? [] : Array.isArray(hold) ? hold : [hold];
}

interface Pending {
  readonly request: AllocationRequest;
  readonly failure: AllocationFailure;
}

type Check = { ok: true; entry: PoolEntry } | { ok: false; failure: AllocationFailure };

export interface AllocatorOptions {
  /** What setPools and restore do with assignments that are no longer allowed. Default `reassign`. */
  readonly policy?: InvalidPolicy;
}

export class Allocator {
  private entries: PoolEntry[] = [];
  private readonly byName = new Map<string, PoolEntry>();
  private readonly held: Record<IpFamily, Map<bigint, Hold>> = { ipv4: new Map(), ipv6: new Map() };
  private readonly records = new Map<string, ServiceRecord>();
  private readonly pending = new Map<string, Pending>();
  /** Pools overlap only in an invalid config; then every free address is also checked against held ones. */
  private overlapping = false;
  /** autoAssign pools with a serviceAllocation, by priority then name. */
  private pinnable: PoolEntry[] = [];
  /** autoAssign pools without a serviceAllocation, by name. */
  private autoAssignable: PoolEntry[] = [];

  constructor(pools: readonly AllocatorPool[] = []) {
    this.buildPools(pools);
  }

  // ---- queries ------------------------------------------------------------------------------------------

  /** The current assignment of a Service (namespace/name), if any. */
  get(service: string): Assignment | undefined {
    const record = this.records.get(service);
    return record === undefined ? undefined : toAssignment(record);
  }

  /** Every assignment, sorted by namespace/name. */
  assignments(): Assignment[] {
    return [...this.records.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map(toAssignment);
  }

  /** Services that asked for an address and have none, with the reason, sorted by namespace/name. */
  pendingServices(): Array<{ service: string; failure: AllocationFailure; message: string }> {
    return [...this.pending.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([service, { failure }]) => ({ service, failure, message: describeFailure(failure) }));
  }

  /** The Services holding an address. */
  holdersOf(ip: string): string[] {
    const parsed = parseIp(ip);
    if (parsed === undefined) return [];
    return holdersOf(this.held[parsed.family].get(parsed.value)).map((r) => r.key);
  }

  /** Per pool (sorted by name) and family: total, used and free allocatable addresses. */
  stats(): PoolStats[] {
    return this.entries.map((entry) => this.poolStats(entry));
  }

  statsFor(pool: string): PoolStats | undefined {
    const entry = this.byName.get(pool);
    return entry === undefined ? undefined : this.poolStats(entry);
  }

  pools(): readonly AllocatorPool[] {
    return this.entries.map((e) => e.pool);
  }

  // ---- allocation ---------------------------------------------------------------------------------------

  /**
   * Gives the Service an address as MetalLB would: its current one if still allowed and compatible with the
   * request, else the requested addresses, else the lowest free address of the requested pool, else of the
   * first pool (pinned pools by priority, then autoAssign pools by name) that can serve its families.
   */
  allocate(request: AllocationRequest): AllocationResult {
    const key = serviceKey(request);
    const normalized = normalizeRequest(request);
    const existing = this.records.get(key);
    if (!normalized.ok) {
      const previous = existing === undefined ? undefined : this.drop(existing);
      return this.fail(key, request, normalized.failure, previous);
    }
    const n = normalized.value;
    if (existing !== undefined) {
      if (existing.stale !== undefined && normalizedFingerprint(existing) === normalizedFingerprint(n)) {
        // A kept (stale) assignment stays until the Service itself changes: nothing moves unannounced.
        return { ok: true, service: key, assignment: toAssignment(existing), change: 'unchanged' };
      }
      const check = this.checkAssignment(n, existing.ips);
      if (check.ok) {
        this.unhold(existing);
        refresh(existing, n);
        // A kept stale assignment may list its families in another order than the (new) request.
        if (existing.ips.length > 1) existing.ips = [...existing.ips].sort(byFamilyOrder(n.families));
        existing.stale = undefined;
        existing.pool = check.entry.name;
        this.hold(existing);
        return this.completeDualStack(existing, check.entry);
      }
    }
    const previous = existing === undefined ? undefined : this.drop(existing);
    return this.allocateNew(n, request, previous);
  }

  /**
   * Gives the Service exactly these addresses (as recorded elsewhere), if allowed and compatible. On failure
   * the Service keeps what it had.
   */
  assign(request: AllocationRequest, ips: readonly string[]): AllocationResult {
    const key = serviceKey(request);
    const normalized = normalizeRequest(request);
    if (!normalized.ok) return this.fail(key, request, normalized.failure, undefined, false);
    const n = normalized.value;
    const parsed = parseIps(ips, n);
    if (!parsed.ok) return this.fail(key, request, parsed.failure, undefined, false);
    const check = this.checkAssignment(n, parsed.ips);
    if (!check.ok) return this.fail(key, request, check.failure, undefined, false);
    const existing = this.records.get(key);
    const previous = existing === undefined ? undefined : this.drop(existing);
    const record = this.commit(n, check.entry, parsed.ips);
    return {
      ok: true,
      service: key,
      assignment: toAssignment(record),
      change: changeKind(previous, record),
      ...(previous === undefined ? {} : { previous }),
    };
  }

  /** Frees the Service's addresses (shared addresses stay with their other holders) and forgets it. */
  release(service: string): Assignment | undefined {
    this.pending.delete(service);
    const record = this.records.get(service);
    return record === undefined ? undefined : this.drop(record);
  }

  // ---- configuration changes ----------------------------------------------------------------------------

  /**
   * Replaces the pools. Every Service whose address is no longer allowed (pool removed or shrunk, autoAssign
   * now false for an address it did not request, selectors no longer matching) is returned; with policy
   * `reassign` (MetalLB's behaviour) it gets a new address, with `keep` it keeps its address, marked stale.
   * Pending Services are retried. Nothing else moves.
   */
  setPools(pools: readonly AllocatorPool[], options: AllocatorOptions = {}): SetPoolsResult {
    const policy = options.policy ?? 'reassign';
    this.buildPools(pools);
    const invalidated: Invalidation[] = [];
    const repooled: Array<{ service: string; from: string | undefined; to: string }> = [];
    const queue: Array<{
      n: NormalizedRequest;
      request: AllocationRequest | undefined;
      previous: Assignment | undefined;
    }> = [];
    for (const record of sortByAge([...this.records.values()], (r) => r)) {
      const check = this.checkAllowed(record, record.ips);
      if (check.ok) {
        if (record.pool !== check.entry.name)
          repooled.push({ service: record.key, from: record.pool, to: check.entry.name });
        record.pool = check.entry.name;
        record.stale = undefined;
        continue;
      }
      const assignment = toAssignment(record);
      invalidated.push({
        service: record.key,
        assignment,
        failure: check.failure,
        message: describeFailure(check.failure),
      });
      if (policy === 'reassign') {
        queue.push({ n: record, request: undefined, previous: this.drop(record) });
      } else {
        record.stale = check.failure;
        record.pool = this.entryContaining(record.ips[0])?.name;
      }
    }
    for (const { request } of this.pending.values()) {
      const normalized = normalizeRequest(request);
      if (normalized.ok) queue.push({ n: normalized.value, request, previous: undefined });
    }
    const allocations = sortByAge(queue, (q) => q.n).map(({ n, request, previous }) =>
      this.allocateNew(n, request, previous),
    );
    return { invalidated, repooled, allocations };
  }

  /**
   * Rebuilds the state from the addresses recorded in Service status (after a restart). Recorded assignments
   * are kept oldest Service first (ties by uid, then name); one that conflicts with an older one, or that the
   * config no longer allows, is reported. Then the Services to move and those without an address are
   * allocated, oldest first. With policy `keep`, an address the config no longer allows (but nobody else
   * holds) is kept, marked stale.
   */
  restore(recorded: readonly RecordedAssignment[], options: AllocatorOptions = {}): RestoreResult {
    const policy = options.policy ?? 'reassign';
    this.records.clear();
    this.pending.clear();
    for (const family of FAMILIES) this.held[family].clear();
    this.buildPools(this.entries.map((e) => e.pool));
    const items: Array<{ n: NormalizedRequest; request: AllocationRequest; ips: readonly string[] }> = [];
    const invalid: Array<{ request: AllocationRequest; ips: readonly string[]; failure: AllocationFailure }> =
      [];
    const seen = new Set<string>();
    for (const entry of recorded) {
      const key = serviceKey(entry.request);
      if (seen.has(key)) continue;
      seen.add(key);
      const normalized = normalizeRequest(entry.request);
      if (normalized.ok) items.push({ n: normalized.value, request: entry.request, ips: entry.ips });
      else invalid.push({ request: entry.request, ips: entry.ips, failure: normalized.failure });
    }
    const ordered = sortByAge(items, (item) => item.n);
    const restored: Assignment[] = [];
    const conflicts: RestoreConflict[] = [];
    const queue: typeof items = [];
    for (const item of ordered) {
      if (item.ips.length === 0) {
        queue.push(item);
        continue;
      }
      const parsed = parseIps(item.ips, item.n);
      if (!parsed.ok) {
        conflicts.push(conflict(item.n.key, item.ips, parsed.failure, false));
        queue.push(item);
        continue;
      }
      const sharing = this.checkSharing(item.n, parsed.ips);
      if (sharing !== undefined) {
        conflicts.push(conflict(item.n.key, item.ips, sharing, true));
        queue.push(item);
        continue;
      }
      const check = this.checkAllowed(item.n, parsed.ips);
      if (check.ok) {
        restored.push(toAssignment(this.commit(item.n, check.entry, parsed.ips)));
        continue;
      }
      conflicts.push(conflict(item.n.key, item.ips, check.failure, false));
      if (policy === 'keep') {
        const record = this.commit(item.n, this.entryContaining(parsed.ips[0]), parsed.ips);
        record.stale = check.failure;
      } else {
        queue.push(item);
      }
    }
    const allocations = queue.map(({ n, request }) => this.allocateNew(n, request, undefined));
    for (const { request, ips, failure } of invalid) {
      // The Service's request itself is unusable: its recorded addresses cannot be kept either.
      if (ips.length > 0) conflicts.push(conflict(serviceKey(request), ips, failure, false));
      allocations.push(this.fail(serviceKey(request), request, failure));
    }
    return { restored, conflicts, allocations };
  }

  // ---- internals: allocation ----------------------------------------------------------------------------

  /**
   * A PreferDualStack Service holding one family (and not asking for specific addresses) gets the other from
   * the same pool once one is available, as MetalLB's controller does on its next pass; its first address
   * never changes.
   */
  private completeDualStack(record: ServiceRecord, entry: PoolEntry): AllocationResult {
    const held = record.ips[0];
    const missing = record.families.find((f) => f !== held?.family);
    if (
      record.mode !== 'prefer' ||
      record.ips.length !== 1 ||
      record.requested.length > 0 ||
      held === undefined ||
      missing === undefined
    ) {
      return { ok: true, service: record.key, assignment: toAssignment(record), change: 'unchanged' };
    }
    const value = this.candidate(entry, missing, record);
    if (value === undefined) {
      return { ok: true, service: record.key, assignment: toAssignment(record), change: 'unchanged' };
    }
    const previous = toAssignment(record);
    this.unhold(record);
    record.ips = [held, { family: missing, value }].sort(byFamilyOrder(record.families));
    this.hold(record);
    return { ok: true, service: record.key, assignment: toAssignment(record), change: 'changed', previous };
  }

  /** `request` is the caller's, when at hand; a pending Service otherwise remembers an equivalent one. */
  private allocateNew(
    n: NormalizedRequest,
    request: AllocationRequest | undefined,
    previous: Assignment | undefined,
  ): AllocationResult {
    const outcome = this.choose(n);
    if (!outcome.ok) return this.fail(n.key, request ?? requestOf(n), outcome.failure, previous);
    const record = this.commit(n, outcome.entry, outcome.ips);
    return {
      ok: true,
      service: n.key,
      assignment: toAssignment(record),
      change: changeKind(previous, record),
      ...(previous === undefined ? {} : { previous }),
    };
  }

  private choose(
    n: NormalizedRequest,
  ): { ok: true; entry: PoolEntry; ips: IpAddress[] } | { ok: false; failure: AllocationFailure } {
    if (n.requested.length > 0) {
      const check = this.checkAssignment(n, n.requested);
      return check.ok ? { ok: true, entry: check.entry, ips: [...n.requested] } : check;
    }
    if (n.requestedPool !== undefined) {
      const entry = this.byName.get(n.requestedPool);
      if (entry === undefined)
        return { ok: false, failure: { reason: 'pool-not-found', pool: n.requestedPool } };
      const mismatch = allocationMismatch(entry.pool, n);
      if (mismatch !== undefined) {
        return { ok: false, failure: { reason: 'pool-not-allowed', pool: entry.name, detail: mismatch } };
      }
      const found = this.findBest([entry], n);
      return found ?? { ok: false, failure: this.explainNoAddress([entry], n, 'requested') };
    }
    const pinned =
      this.pinnable.length === 0
        ? this.pinnable
        : this.pinnable.filter((entry) => allocationMatches(entry.pool, n));
    const shared = this.autoAssignable;
    // MetalLB tries the pinned pools first and only then the others, each group on its own.
    const found = this.findBest(pinned, n) ?? this.findBest(shared, n);
    return found ?? { ok: false, failure: this.explainNoAddress([...pinned, ...shared], n, 'auto') };
  }

  /** MetalLB's choice of pool for the Service's families among `entries`, in order. */
  private findBest(
    entries: readonly PoolEntry[],
    n: NormalizedRequest,
  ): { ok: true; entry: PoolEntry; ips: IpAddress[] } | undefined {
    const [primary, secondary] = n.families as [IpFamily, IpFamily | undefined];
    let primaryOnly: { ok: true; entry: PoolEntry; ips: IpAddress[] } | undefined;
    let secondaryOnly: typeof primaryOnly;
    for (const entry of entries) {
      const first = this.candidate(entry, primary, n);
      if (n.mode === 'single') {
        if (first !== undefined) return { ok: true, entry, ips: [{ family: primary, value: first }] };
        continue;
      }
      const second = secondary === undefined ? undefined : this.candidate(entry, secondary, n);
      if (first !== undefined && second !== undefined && secondary !== undefined) {
        return {
          ok: true,
          entry,
          ips: [
            { family: primary, value: first },
            { family: secondary, value: second },
          ],
        };
      }
      if (n.mode !== 'prefer') continue;
      // PreferDualStack falls back to one family: the first pool with the primary, else with the secondary.
      if (first !== undefined) primaryOnly ??= { ok: true, entry, ips: [{ family: primary, value: first }] };
      if (second !== undefined && secondary !== undefined) {
        secondaryOnly ??= { ok: true, entry, ips: [{ family: secondary, value: second }] };
      }
    }
    return primaryOnly ?? secondaryOnly;
  }

  /** The lowest address of the pool and family this Service may take: free, or shared compatibly. */
  private candidate(entry: PoolEntry, family: IpFamily, n: NormalizedRequest): bigint | undefined {
    const space = entry.spaces[family];
    if (space === undefined) return undefined;
    const held = this.held[family];
    let best = space.lowestFree(this.overlapping ? (value) => held.has(value) : undefined);
    if (n.sharingKey !== '') {
      // Addresses already shared under this key: few per key, so scanning them is cheap.
      for (const value of space.shared.get(n.sharingKey) ?? []) {
        if ((best !== undefined && value >= best) || !space.counts(value)) continue;
        if (this.sharingConflict(n, { family, value }) === undefined) best = value;
      }
    }
    return best;
  }

  private explainNoAddress(
    candidates: readonly PoolEntry[],
    n: NormalizedRequest,
    how: 'auto' | 'requested',
  ): AllocationFailure {
    if (candidates.length === 0) {
      const total = this.entries.length;
      if (total === 0) return { reason: 'no-pool-matches', detail: 'no IPAddressPool is configured' };
      const manual = this.entries.filter((e) => !e.pool.autoAssign).map((e) => e.name);
      const reserved = this.entries.filter(
        (e) => e.pool.autoAssign && e.pool.serviceAllocation !== undefined,
      );
      const parts: string[] = [];
      if (manual.length > 0) {
        parts.push(
          `${manual.map((m) => `"${m}"`).join(', ')} ${manual.length === 1 ? 'has' : 'have'} autoAssign: false (request one with the address-pool annotation)`,
        );
      }
      if (reserved.length > 0) {
        parts.push(
          `${reserved.map((e) => `"${e.name}"`).join(', ')} ${reserved.length === 1 ? 'is' : 'are'} reserved by serviceAllocation for other namespaces or Services`,
        );
      }
      return { reason: 'no-pool-matches', detail: parts.join('; ') };
    }
    const hasFamilies = (entry: PoolEntry): boolean =>
      n.mode === 'prefer'
        ? n.families.some((f) => entry.spaces[f] !== undefined)
        : n.families.every((f) => entry.spaces[f] !== undefined);
    const withFamilies = candidates.filter(hasFamilies);
    if (withFamilies.length === 0) {
      const names = candidates.map((e) => e.name);
      return {
        reason: 'family-unavailable',
        families: n.families,
        pools: names,
        detail: `${how === 'requested' ? 'requested pool' : 'eligible pools'}: ${names.map((p) => `"${p}"`).join(', ')}`,
      };
    }
    const pools: ExhaustedPool[] = [];
    for (const entry of withFamilies) {
      for (const family of n.families) {
        const space = entry.spaces[family];
        if (space !== undefined && this.candidate(entry, family, n) === undefined) {
          pools.push({ pool: entry.name, family, size: space.total });
        }
      }
    }
    return { reason: 'pool-exhausted', pools };
  }

  // ---- internals: checks --------------------------------------------------------------------------------

  /** Whether the Service may hold these addresses: config rules and sharing with the other holders. */
  private checkAssignment(n: NormalizedRequest, ips: readonly IpAddress[]): Check {
    const check = this.checkAllowed(n, ips);
    if (!check.ok) return check;
    const sharing = this.checkSharing(n, ips);
    return sharing === undefined ? check : { ok: false, failure: sharing };
  }

  /** The config rules: one pool holds the addresses and allows this Service to have them. */
  private checkAllowed(n: NormalizedRequest, ips: readonly IpAddress[]): Check {
    if (ips.length === 0) return { ok: false, failure: { reason: 'not-requested', detail: 'no address' } };
    let entry: PoolEntry | undefined;
    for (const ip of ips) {
      const containing = this.entryContaining(ip);
      if (containing === undefined)
        return { ok: false, failure: { reason: 'ip-not-in-any-pool', ip: formatIp(ip) } };
      if (entry !== undefined && entry !== containing) {
        return {
          ok: false,
          failure: {
            reason: 'ips-in-different-pools',
            ips: ips.map(formatIp),
            pools: [entry.name, containing.name],
          },
        };
      }
      entry = containing;
    }
    if (entry === undefined) return { ok: false, failure: { reason: 'not-requested', detail: 'no address' } };
    for (const ip of ips) {
      if (entry.pool.avoidBuggyIPs && isBuggyValue(ip.family, ip.value)) {
        return { ok: false, failure: { reason: 'ip-buggy', ip: formatIp(ip), pool: entry.name } };
      }
    }
    if (n.requestedPool !== undefined && n.requestedPool !== entry.name) {
      if (!this.byName.has(n.requestedPool))
        return { ok: false, failure: { reason: 'pool-not-found', pool: n.requestedPool } };
      return {
        ok: false,
        failure: {
          reason: 'ip-not-in-requested-pool',
          ip: formatIp(ips[0] as IpAddress),
          pool: n.requestedPool,
        },
      };
    }
    if (n.requested.length > 0 && !sameAddresses(n.requested, ips)) {
      return {
        ok: false,
        failure: {
          reason: 'not-requested',
          detail: `the Service requests ${n.requested.map(formatIp).join(', ')} but holds ${ips.map(formatIp).join(', ')}`,
        },
      };
    }
    const mismatch = allocationMismatch(entry.pool, n);
    if (mismatch !== undefined)
      return { ok: false, failure: { reason: 'pool-not-allowed', pool: entry.name, detail: mismatch } };
    if (!entry.pool.autoAssign && n.requestedPool === undefined && n.requested.length === 0) {
      return {
        ok: false,
        failure: { reason: 'auto-assign-disabled', pool: entry.name, ip: formatIp(ips[0] as IpAddress) },
      };
    }
    const families = ips.map((ip) => ip.family);
    const familiesOk =
      n.mode === 'single'
        ? families.length === 1 && families[0] === n.families[0]
        : n.mode === 'require'
          ? families.length === 2 && families[0] !== families[1]
          : families.every((f) => n.families.includes(f)) && new Set(families).size === families.length;
    if (!familiesOk) {
      return {
        ok: false,
        failure: {
          reason: 'family-mismatch',
          detail: `the Service serves ${n.families.join(' and ')} (${n.mode === 'single' ? 'SingleStack' : n.mode === 'require' ? 'RequireDualStack' : 'PreferDualStack'}) but holds ${ips.map(formatIp).join(', ')}`,
        },
      };
    }
    return { ok: true, entry };
  }

  private checkSharing(n: NormalizedRequest, ips: readonly IpAddress[]): AllocationFailure | undefined {
    for (const ip of ips) {
      const failure = this.sharingConflict(n, ip);
      if (failure !== undefined) return failure;
    }
    return undefined;
  }

  /** MetalLB's sharing rule: same non-empty key, same backend key, no common (protocol, port). */
  private sharingConflict(n: NormalizedRequest, ip: IpAddress): AllocationFailure | undefined {
    const hold = this.held[ip.family].get(ip.value);
    if (hold === undefined) return undefined;
    const others = holdersOf(hold).filter((r) => r.key !== n.key);
    const first = others[0];
    if (first === undefined) return undefined;
    const holders = others.map((r) => r.key);
    const inUse = (
      conflict: 'no-sharing-key' | 'sharing-key-mismatch' | 'backend-mismatch' | 'port-conflict',
      detail: string,
    ): AllocationFailure => ({
      reason: 'ip-in-use',
      ip: formatIp(ip),
      holders,
      conflict,
      detail,
    });
    if (n.sharingKey === '') {
      return inUse(
        'no-sharing-key',
        'this Service has no allow-shared-ip key: set the same key on both Services to share',
      );
    }
    if (first.sharingKey === '') {
      return inUse('no-sharing-key', `${first.key} does not allow sharing (no allow-shared-ip annotation)`);
    }
    if (first.sharingKey !== n.sharingKey) {
      return inUse(
        'sharing-key-mismatch',
        `allow-shared-ip "${n.sharingKey}" differs from "${first.sharingKey}" of ${first.key}`,
      );
    }
    if (first.backendKey !== n.backendKey) {
      return inUse(
        'backend-mismatch',
        `backends differ ("${n.backendKey}" vs "${first.backendKey}" of ${first.key}): shared Services need the same externalTrafficPolicy, and with Local the same selector`,
      );
    }
    for (const other of others) {
      for (const port of n.ports) {
        if (other.ports.has(port))
          return inUse('port-conflict', `port ${port} is already used by ${other.key}`);
      }
    }
    return undefined;
  }

  // ---- internals: state ---------------------------------------------------------------------------------

  private commit(
    n: NormalizedRequest,
    entry: PoolEntry | undefined,
    ips: readonly IpAddress[],
  ): ServiceRecord {
    // Fields listed one by one: a spread would give each record a slow, dictionary-mode shape.
    const record: ServiceRecord = {
      key: n.key,
      families: n.families,
      mode: n.mode,
      requested: n.requested,
      requestedPool: n.requestedPool,
      sharingKey: n.sharingKey,
      backendKey: n.backendKey,
      ports: n.ports,
      creationTimestamp: n.creationTimestamp,
      uid: n.uid,
      namespace: n.namespace,
      name: n.name,
      serviceLabels: n.serviceLabels,
      namespaceLabels: n.namespaceLabels,
      ips: ips.length < 2 ? (ips as IpAddress[]) : [...ips].sort(byFamilyOrder(n.families)),
      pool: entry?.name,
      stale: undefined,
    };
    this.records.set(n.key, record);
    this.pending.delete(n.key);
    this.hold(record);
    return record;
  }

  private hold(record: ServiceRecord): void {
    for (const ip of record.ips) {
      const table = this.held[ip.family];
      const hold = table.get(ip.value);
      if (hold === undefined) {
        table.set(ip.value, record);
        const space = this.spaceFor(record, ip);
        if (space !== undefined) {
          space.take(ip.value);
          if (record.sharingKey !== '') space.addShared(record.sharingKey, ip.value);
        }
      } else if (Array.isArray(hold)) {
        hold.push(record);
      } else {
        table.set(ip.value, [hold, record]);
      }
    }
  }

  private unhold(record: ServiceRecord): void {
    for (const ip of record.ips) {
      const table = this.held[ip.family];
      const hold = table.get(ip.value);
      if (hold === undefined) continue;
      if (Array.isArray(hold)) {
        const index = hold.indexOf(record);
        if (index >= 0) hold.splice(index, 1);
        if (hold.length === 1) table.set(ip.value, hold[0] as ServiceRecord);
        if (hold.length > 0) continue;
      } else if (hold !== record) {
        continue;
      }
      table.delete(ip.value);
      const space = this.spaceFor(record, ip);
      if (space !== undefined) {
        space.give(ip.value);
        if (record.sharingKey !== '') space.deleteShared(record.sharingKey, ip.value);
      }
    }
  }

  /** The space an address of this record lives in: its pool's, else the first pool containing it. */
  private spaceFor(record: ServiceRecord, ip: IpAddress): PoolSpace | undefined {
    const space = record.pool === undefined ? undefined : this.byName.get(record.pool)?.spaces[ip.family];
    return space?.contains(ip.value) === true ? space : this.spaceContaining(ip);
  }

  /** Removes a record entirely, returning what it held. */
  private drop(record: ServiceRecord): Assignment {
    this.unhold(record);
    this.records.delete(record.key);
    return toAssignment(record);
  }

  private fail(
    key: string,
    request: AllocationRequest,
    failure: AllocationFailure,
    previous?: Assignment,
    remember = true,
  ): AllocationResult {
    if (remember) this.pending.set(key, { request, failure });
    return {
      ok: false,
      service: key,
      failure,
      message: describeFailure(failure),
      ...(previous === undefined ? {} : { previous }),
    };
  }

  private entryContaining(ip: IpAddress | undefined): PoolEntry | undefined {
    if (ip === undefined) return undefined;
    for (const entry of this.entries) {
      if (entry.spaces[ip.family]?.contains(ip.value) === true) return entry;
    }
    return undefined;
  }

  private spaceContaining(ip: IpAddress): PoolSpace | undefined {
    return this.entryContaining(ip)?.spaces[ip.family];
  }

  /** Rebuilds every pool's free set from its ranges minus the held addresses: O(h log h), once per config. */
  private buildPools(pools: readonly AllocatorPool[]): void {
    const sorted = [...pools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const heldSorted: Record<IpFamily, bigint[]> = {
      ipv4: [...this.held.ipv4.keys()].sort(compareBigint),
      ipv6: [...this.held.ipv6.keys()].sort(compareBigint),
    };
    this.entries = [];
    this.byName.clear();
    const tagged = sorted.flatMap((pool) => pool.addresses.map((range) => ({ range, tag: pool.name })));
    this.overlapping = findOverlaps(tagged).length > 0;
    for (const pool of sorted) {
      if (this.byName.has(pool.name)) continue;
      const spaces: Partial<Record<IpFamily, PoolSpace>> = {};
      for (const family of FAMILIES) {
        const ranges = pool.addresses.filter((r) => r.family === family);
        if (ranges.length > 0)
          spaces[family] = new PoolSpace(pool.name, family, ranges, pool.avoidBuggyIPs, heldSorted[family]);
      }
      const entry: PoolEntry = { pool, name: pool.name, spaces };
      this.entries.push(entry);
      this.byName.set(pool.name, entry);
    }
    this.pinnable = this.entries
      .filter((e) => e.pool.autoAssign && e.pool.serviceAllocation !== undefined)
      .sort(comparePriority);
    this.autoAssignable = this.entries.filter(
      (e) => e.pool.autoAssign && e.pool.serviceAllocation === undefined,
    );
    for (const family of FAMILIES) {
      for (const [value, hold] of this.held[family]) {
        const first = holdersOf(hold)[0];
        const space = first === undefined ? undefined : this.spaceFor(first, { family, value });
        const key = first?.sharingKey ?? '';
        if (space !== undefined && key !== '') space.addShared(key, value);
      }
    }
  }

  private poolStats(entry: PoolEntry): PoolStats {
    const family = (f: IpFamily): FamilyStats => {
      const space = entry.spaces[f];
      return space === undefined
        ? { total: 0n, used: 0n, free: 0n }
        : { total: space.total, used: space.used, free: space.freeCount };
    };
    return { pool: entry.name, ipv4: family('ipv4'), ipv6: family('ipv6') };
  }
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** Whether a pool's serviceAllocation admits the Service (the hot path of pinned-pool selection: no allocation). */
/** The parts of a request that serviceAllocation looks at. */
interface AllocationSubject {
  readonly namespace: string;
  readonly serviceLabels?: Readonly<Record<string, string>> | undefined;
  readonly namespaceLabels?: Readonly<Record<string, string>> | undefined;
}

function allocationMatches(pool: AllocatorPool, request: AllocationSubject): boolean {
  const allocation = pool.serviceAllocation;
  if (allocation === undefined) return true;
  const { namespaces, namespaceSelectors, serviceSelectors } = allocation;
  const namespaceOk =
    (namespaces.length === 0 && namespaceSelectors.length === 0) ||
    namespaces.includes(request.namespace) ||
    (namespaceSelectors.length > 0 &&
      matchesAnyLabelSelector(namespaceSelectors, request.namespaceLabels ?? NO_LABELS));
  return (
    namespaceOk &&
    (serviceSelectors.length === 0 ||
      matchesAnyLabelSelector(serviceSelectors, request.serviceLabels ?? NO_LABELS))
  );
}

/** Why a pool's serviceAllocation excludes the Service, or undefined when it does not. */
export function allocationMismatch(pool: AllocatorPool, request: AllocationSubject): string | undefined {
  const allocation = pool.serviceAllocation;
  if (allocation === undefined) return undefined;
  const namespaceOk =
    (allocation.namespaces.length === 0 && allocation.namespaceSelectors.length === 0) ||
    allocation.namespaces.includes(request.namespace) ||
    matchesAnyLabelSelector(allocation.namespaceSelectors, request.namespaceLabels ?? {});
  if (!namespaceOk)
    return `namespace "${request.namespace}" is not among its serviceAllocation namespaces or namespace selectors`;
  if (
    allocation.serviceSelectors.length > 0 &&
    !matchesAnyLabelSelector(allocation.serviceSelectors, request.serviceLabels ?? {})
  ) {
    return 'the Service labels match none of its serviceAllocation serviceSelectors';
  }
  return undefined;
}

/** Pinned pools: lower priority first, 0 or unset last (MetalLB), then by name for a stable order. */
function comparePriority(a: PoolEntry, b: PoolEntry): number {
  const rank = (entry: PoolEntry): number => {
    const priority = entry.pool.serviceAllocation?.priority ?? 0;
    return priority > 0 ? priority : Number.POSITIVE_INFINITY;
  };
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Orders addresses as the Service lists its families; a family it does not list goes last, IPv4 first. */
function byFamilyOrder(families: readonly IpFamily[]): (a: IpAddress, b: IpAddress) => number {
  const rank = (ip: IpAddress): number => {
    const index = families.indexOf(ip.family);
    return index >= 0 ? index : ip.family === 'ipv4' ? 2 : 3;
  };
  return (a, b) => rank(a) - rank(b);
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameAddresses(a: readonly IpAddress[], b: readonly IpAddress[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => y.family === x.family && y.value === x.value));
}

function parseIps(
  texts: readonly string[],
  n: NormalizedRequest,
): { ok: true; ips: IpAddress[] } | { ok: false; failure: AllocationFailure } {
  const ips: IpAddress[] = [];
  for (const text of texts) {
    const ip = parseIp(text.trim());
    if (ip === undefined)
      return { ok: false, failure: { reason: 'invalid-request', detail: `"${text}" is not an IP address` } };
    if (ips.some((other) => other.family === ip.family)) {
      return {
        ok: false,
        failure: { reason: 'invalid-request', detail: `two ${ip.family} addresses: ${texts.join(', ')}` },
      };
    }
    ips.push(ip);
  }
  ips.sort(byFamilyOrder(n.families));
  return { ok: true, ips };
}

/** An assignment view; addresses are formatted on first use (formatting IPv6 costs more than allocating it). */
class AssignmentView implements Assignment {
  readonly service: string;
  readonly ips: readonly IpAddress[];
  readonly pool: string | undefined;
  readonly sharingKey: string;
  readonly stale?: AllocationFailure;
  private formatted: string[] | undefined;

  constructor(record: ServiceRecord) {
    this.service = record.key;
    this.ips = record.ips;
    this.pool = record.pool;
    this.sharingKey = record.sharingKey;
    if (record.stale !== undefined) this.stale = record.stale;
  }

  get addresses(): string[] {
    this.formatted ??= this.ips.map(formatIp);
    return this.formatted;
  }

  toJSON(): object {
    return {
      service: this.service,
      addresses: this.addresses,
      pool: this.pool,
      sharingKey: this.sharingKey,
      ...(this.stale === undefined ? {} : { stale: this.stale }),
    };
  }
}

/** Copies a new normalised request into a record in place (the Service keeps its addresses). */
function refresh(record: ServiceRecord, n: NormalizedRequest): void {
  const writable = record as { -readonly [K in keyof NormalizedRequest]: NormalizedRequest[K] };
  writable.families = n.families;
  writable.mode = n.mode;
  writable.requested = n.requested;
  writable.requestedPool = n.requestedPool;
  writable.sharingKey = n.sharingKey;
  writable.backendKey = n.backendKey;
  writable.ports = n.ports;
  writable.creationTimestamp = n.creationTimestamp;
  writable.uid = n.uid;
  writable.serviceLabels = n.serviceLabels;
  writable.namespaceLabels = n.namespaceLabels;
}

function toAssignment(record: ServiceRecord): Assignment {
  return new AssignmentView(record);
}

function changeKind(
  previous: Assignment | undefined,
  record: ServiceRecord,
): 'unchanged' | 'assigned' | 'changed' {
  if (previous === undefined) return 'assigned';
  return sameAddresses(previous.ips, record.ips) ? 'unchanged' : 'changed';
}

function conflict(
  service: string,
  ips: readonly string[],
  failure: AllocationFailure,
  contested: boolean,
): RestoreConflict {
  return { service, ips: [...ips], failure, message: describeFailure(failure), contested };
}
