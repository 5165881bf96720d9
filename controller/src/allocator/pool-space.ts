import { countBuggyIps, rangeSize } from '@lbops/schemas/address';
import type { IpFamily, IpRange } from '@lbops/schemas/address';
import { IntervalSet } from './interval-set.js';

/** MetalLB's avoidBuggyIPs rule on a raw IPv4 value: the last octet is 0 or 255. */
export function isBuggyValue(family: IpFamily, value: bigint): boolean {
  if (family !== 'ipv4') return false;
  const lastOctet = value & 0xffn;
  return lastOctet === 0n || lastOctet === 255n;
}

/** The lowest value >= `value` whose last octet is neither 0 nor 255 (arithmetically, no scan). */
function skipBuggy(value: bigint): bigint {
  const lastOctet = value & 0xffn;
  if (lastOctet === 0n) return value + 1n;
  if (lastOctet === 255n) return value + 2n;
  return value;
}

/**
 * The addresses of one family of one pool: its ranges, the free ones (an interval set) and counters.
 * Held addresses are tracked by the allocator; this only knows which addresses are free.
 */
export class PoolSpace {
  readonly ranges: readonly IpRange[];
  readonly total: bigint;
  /** Held addresses inside this space that count toward `total`. */
  used = 0n;
  /** Held addresses by the sharing key of their holders, to find an address a new Service may share. */
  readonly shared = new Map<string, Set<bigint>>();
  private readonly free: IntervalSet;
  /** avoidBuggyIPs concerns IPv4 only. */
  private readonly skipsBuggy: boolean;

  constructor(
    readonly pool: string,
    readonly family: IpFamily,
    ranges: readonly IpRange[],
    readonly avoidBuggyIPs: boolean,
    /** Held values of this family, sorted ascending; they are left out of the free set. */
    heldSorted: readonly bigint[],
  ) {
    this.ranges = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let total = 0n;
    for (const range of this.ranges) {
      total += rangeSize(range) - (avoidBuggyIPs ? countBuggyIps(range) : 0n);
    }
    this.total = total;
    this.skipsBuggy = avoidBuggyIPs && family === 'ipv4';
    this.free = new IntervalSet(hashSeed(pool, family));
    let h = 0;
    for (const range of this.ranges) {
      let next = range.first;
      h = lowerBound(heldSorted, range.first, h);
      while (h < heldSorted.length) {
        const held = heldSorted[h] as bigint;
        if (held > range.last) break;
        if (held > next) this.free.insertDisjoint(next, held - 1n);
        if (this.counts(held)) this.used += 1n;
        next = held + 1n;
        h += 1;
      }
      if (next <= range.last) this.free.insertDisjoint(next, range.last);
    }
  }

  get freeCount(): bigint {
    return this.total - this.used;
  }

  /** Number of free intervals (memory grows with this, not with the pool's size). */
  get fragments(): number {
    return this.free.size;
  }

  /** Whether the value lies in one of the ranges (binary search). */
  contains(value: bigint): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const range = this.ranges[mid] as IpRange;
      if (value < range.first) hi = mid - 1;
      else if (value > range.last) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Whether a held value at this address counts toward total/used (buggy addresses do not when avoided). */
  counts(value: bigint): boolean {
    return !(this.avoidBuggyIPs && isBuggyValue(this.family, value));
  }

  isFree(value: bigint): boolean {
    return this.counts(value) && this.free.has(value);
  }

  /**
   * The lowest free, allocatable address. Intervals holding only addresses that avoidBuggyIPs forbids are
   * dropped on the way (they can never be handed out), so the cost stays amortised O(log n).
   */
  lowestFree(isHeldElsewhere?: (value: bigint) => boolean): bigint | undefined {
    for (;;) {
      const interval = this.free.min();
      if (interval === undefined) return undefined;
      const candidate = this.skipsBuggy ? skipBuggy(interval.start) : interval.start;
      if (candidate > interval.end) {
        this.free.removeStart(interval.start);
        continue;
      }
      if (this.skipsBuggy && candidate !== interval.start) {
        // Drop the buggy prefix of the interval: it is never allocatable while this space exists.
        const start = interval.start;
        this.free.delete(start);
        if (candidate - start === 2n) this.free.delete(start + 1n);
      }
      if (isHeldElsewhere?.(candidate) === true) {
        // Only possible when pools overlap (an invalid config): never hand out an address twice.
        this.free.delete(candidate);
        continue;
      }
      return candidate;
    }
  }

  /** Marks a value held; the caller guarantees nobody held it before. */
  take(value: bigint): void {
    if (!this.contains(value)) return;
    this.free.delete(value);
    if (this.counts(value)) this.used += 1n;
  }

  /** Marks a value free again; the caller guarantees its last holder just let it go. */
  give(value: bigint): void {
    if (!this.contains(value)) return;
    if (this.counts(value)) {
      this.used -= 1n;
      if (!this.free.has(value)) this.free.add(value);
    }
  }

  addShared(key: string, value: bigint): void {
    let values = this.shared.get(key);
    if (values === undefined) {
      values = new Set();
      this.shared.set(key, values);
    }
    values.add(value);
  }

  deleteShared(key: string, value: bigint): void {
    const values = this.shared.get(key);
    if (values === undefined) return;
    values.delete(value);
    if (values.size === 0) this.shared.delete(key);
  }

  /** The free intervals in order (tests only). */
  freeIntervals(): Array<{ start: bigint; end: bigint }> {
    return [...this.free.intervals()].map(({ start, end }) => ({ start, end }));
  }
}

function lowerBound(sorted: readonly bigint[], value: bigint, from: number): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as bigint) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function hashSeed(pool: string, family: IpFamily): number {
  // FNV-1a over the name: a per-pool seed that is stable across runs and processes.
  let hash = 0x811c9dc5;
  for (const char of `${family}/${pool}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
