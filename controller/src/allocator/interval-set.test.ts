import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { IntervalSet } from './interval-set.js';
import { PoolSpace } from './pool-space.js';
import { ranges } from './test-helpers.js';

/** The runs of consecutive numbers in a set, as [start, end] pairs. */
function runs(values: ReadonlySet<number>): Array<[number, number]> {
  const sorted = [...values].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === v - 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

test('IntervalSet behaves as a set of numbers, kept as maximal runs', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), value: fc.integer({ min: 0, max: 60 }) }),
    fc.record({ kind: fc.constant('delete' as const), value: fc.integer({ min: 0, max: 60 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const set = new IntervalSet();
      const model = new Set<number>();
      set.insertDisjoint(10n, 40n);
      for (let v = 10; v <= 40; v += 1) model.add(v);
      for (const { kind, value } of ops) {
        if (kind === 'add') {
          if (model.has(value)) continue;
          set.add(BigInt(value));
          model.add(value);
        } else {
          assert.equal(set.delete(BigInt(value)), model.has(value));
          model.delete(value);
        }
        const expected = runs(model);
        assert.deepEqual(
          [...set.intervals()].map((i) => [Number(i.start), Number(i.end)]),
          expected,
        );
        assert.equal(set.size, expected.length);
        assert.equal(set.min()?.start, expected[0] === undefined ? undefined : BigInt(expected[0][0]));
      }
    }),
    { numRuns: 300 },
  );
});

test('an IPv6 /64 is one interval, whatever its size, and grows only with allocations', () => {
  const space = new PoolSpace('v6', 'ipv6', ranges(['fd00::/64']), false, []);
  assert.equal(space.total, 1n << 64n);
  assert.equal(space.fragments, 1);
  const taken: bigint[] = [];
  for (let i = 0; i < 1000; i += 1) {
    const value = space.lowestFree();
    assert.ok(value !== undefined);
    space.take(value);
    taken.push(value);
  }
  assert.equal(space.fragments, 1);
  assert.equal(space.used, 1000n);
  assert.equal(space.freeCount, (1n << 64n) - 1000n);
  space.give(taken[500] as bigint);
  assert.equal(space.fragments, 2);
  assert.equal(space.lowestFree(), taken[500]);
});

test('avoidBuggyIPs on a /8: totals by arithmetic, allocation skips .0/.255 without walking', () => {
  const space = new PoolSpace('big', 'ipv4', ranges(['10.0.0.0/8']), true, []);
  assert.equal(space.total, (1n << 24n) - 2n * (1n << 16n));
  const got: bigint[] = [];
  for (let i = 0; i < 600; i += 1) {
    const value = space.lowestFree();
    assert.ok(value !== undefined);
    const lastOctet = value & 0xffn;
    assert.ok(lastOctet !== 0n && lastOctet !== 255n, `buggy address handed out: ${String(value)}`);
    space.take(value);
    got.push(value);
  }
  // 254 usable per /24: the 600th address is 10.0.2.93 (.1 ... .254, twice, then 92 more from .1).
  assert.equal(got[599], 0x0a000000n + 2n * 256n + 92n);
  assert.ok(space.fragments <= 2, `fragments ${space.fragments}`);
});

test('a pool with held addresses at construction leaves them out and counts them', () => {
  const held = [0x0a000001n, 0x0a000003n, 0x0b000000n];
  const space = new PoolSpace('p', 'ipv4', ranges(['10.0.0.0/30']), false, held);
  assert.equal(space.used, 2n);
  assert.deepEqual(space.freeIntervals(), [
    { start: 0x0a000000n, end: 0x0a000000n },
    { start: 0x0a000002n, end: 0x0a000002n },
  ]);
});

test('the buggy prefix of the lowest interval is dropped once, .255 and .0 together', () => {
  const space = new PoolSpace('p', 'ipv4', ranges(['10.0.0.255-10.0.1.5']), true, []);
  assert.equal(space.lowestFree(), 0x0a000101n);
  assert.deepEqual(space.freeIntervals(), [{ start: 0x0a000101n, end: 0x0a000105n }]);
  assert.equal(space.total, 5n);
});
