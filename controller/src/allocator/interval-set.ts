/**
 * A set of disjoint inclusive bigint intervals, kept in a treap keyed by interval start.
 *
 * The allocator keeps one per pool and family holding the *free* addresses: a fresh /64 is one node, and every
 * allocation or release adds at most one node, so memory grows with allocations, never with the pool's size.
 * Lookups, inserts and removals cost O(log n) expected in the number of intervals. Priorities come from a
 * seeded xorshift generator so that the shape (and therefore every result) is deterministic.
 */

export interface Interval {
  readonly start: bigint;
  readonly end: bigint;
}

interface Node {
  start: bigint;
  end: bigint;
  readonly priority: number;
  left: Node | undefined;
  right: Node | undefined;
}

export class IntervalSet {
  private root: Node | undefined;
  private count = 0;
  private seed: number;

  constructor(seed = 0x2545f491) {
    this.seed = seed | 1;
  }

  /** Number of disjoint intervals held (for memory accounting and tests). */
  get size(): number {
    return this.count;
  }

  /** The interval with the lowest start, if any. */
  min(): Interval | undefined {
    let node = this.root;
    if (node === undefined) return undefined;
    while (node.left !== undefined) node = node.left;
    return node;
  }

  /** The interval containing `value`, if any. */
  find(value: bigint): Interval | undefined {
    const node = this.floorNode(value);
    return node !== undefined && node.end >= value ? node : undefined;
  }

  has(value: bigint): boolean {
    return this.find(value) !== undefined;
  }

  /**
   * Adds an interval that must not overlap nor touch an existing one (callers building a set from sorted,
   * separated intervals). Use `add` for a single value that may touch its neighbours.
   */
  insertDisjoint(start: bigint, end: bigint): void {
    const node: Node = { start, end, priority: this.nextPriority(), left: undefined, right: undefined };
    const [less, rest] = split(this.root, start);
    this.root = merge(merge(less, node), rest);
    this.count += 1;
  }

  /** Adds one value not in the set, merging with adjacent intervals. */
  add(value: bigint): void {
    const left = this.floorNode(value - 1n);
    const leftTouches = left !== undefined && left.end === value - 1n;
    const right = this.ceilingNode(value + 1n);
    const rightTouches = right !== undefined && right.start === value + 1n;
    if (leftTouches && rightTouches) {
      left.end = right.end;
      this.removeStart(right.start);
    } else if (leftTouches) {
      left.end = value;
    } else if (rightTouches) {
      // Lowering the start keeps the search order: the left neighbour ends before value - 1.
      right.start = value;
    } else {
      this.insertDisjoint(value, value);
    }
  }

  /** Removes one value; returns false when it was not in the set. */
  delete(value: bigint): boolean {
    const node = this.floorNode(value);
    if (node === undefined || node.end < value) return false;
    if (node.start === value && node.end === value) {
      this.removeStart(value);
    } else if (node.start === value) {
      node.start = value + 1n;
    } else if (node.end === value) {
      node.end = value - 1n;
    } else {
      const end = node.end;
      node.end = value - 1n;
      this.insertDisjoint(value + 1n, end);
    }
    return true;
  }

  /** Removes the whole interval starting at `start` (which must exist). */
  removeStart(start: bigint): void {
    const [less, rest] = split(this.root, start);
    const [, greater] = split(rest, start + 1n);
    this.root = merge(less, greater);
    this.count -= 1;
  }

  /** In-order walk (tests and rebuilds only; O(n)). */
  *intervals(): Generator<Interval> {
    const stack: Node[] = [];
    let node = this.root;
    while (node !== undefined || stack.length > 0) {
      while (node !== undefined) {
        stack.push(node);
        node = node.left;
      }
      const top = stack.pop();
      if (top === undefined) break;
      yield top;
      node = top.right;
    }
  }

  private floorNode(value: bigint): Node | undefined {
    let node = this.root;
    let best: Node | undefined;
    while (node !== undefined) {
      if (node.start <= value) {
        best = node;
        node = node.right;
      } else {
        node = node.left;
      }
    }
    return best;
  }

  private ceilingNode(value: bigint): Node | undefined {
    let node = this.root;
    let best: Node | undefined;
    while (node !== undefined) {
      if (node.start >= value) {
        best = node;
        node = node.left;
      } else {
        node = node.right;
      }
    }
    return best;
  }

  private nextPriority(): number {
    // xorshift32 (Marsaglia 2003): cheap, deterministic, good enough to balance a treap.
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x;
    return x >>> 0;
  }
}

/** Splits into (starts < key, starts >= key). Recursion depth is the treap's height, O(log n) expected. */
function split(node: Node | undefined, key: bigint): [Node | undefined, Node | undefined] {
  if (node === undefined) return [undefined, undefined];
  if (node.start < key) {
    const [less, greater] = split(node.right, key);
    node.right = less;
    return [node, greater];
  }
  const [less, greater] = split(node.left, key);
  node.left = greater;
  return [less, node];
}

/** Merges two treaps where every start in `a` is below every start in `b`. */
function merge(a: Node | undefined, b: Node | undefined): Node | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.priority >= b.priority) {
    a.right = merge(a.right, b);
    return a;
  }
  b.left = merge(a, b.left);
  return b;
}
