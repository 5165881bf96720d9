import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { leaderFor, rankNodes } from './leader.js';

describe('leader per IP', () => {
  test('ranking is sha256(node + "#" + ip) ascending, as in MetalLB', () => {
    const nodes = ['node-a', 'node-b', 'node-c', 'node-d'];
    const expected = [...nodes].sort((a, b) =>
      Buffer.compare(
        createHash('sha256').update(`${a}#10.0.0.50`).digest(),
        createHash('sha256').update(`${b}#10.0.0.50`).digest(),
      ),
    );
    assert.deepEqual(rankNodes('10.0.0.50', nodes), expected);
  });

  test('order of the input and duplicates do not matter', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 12 }),
        fc.ipV4(),
        (nodes, ip) => {
          const shuffled = [...nodes].reverse();
          assert.deepEqual(rankNodes(ip, [...shuffled, ...nodes]), rankNodes(ip, nodes));
        },
      ),
    );
  });

  test('property: with the same view, exactly one node considers itself the owner', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 12 }),
        fc.oneof(fc.ipV4(), fc.ipV6()),
        (nodes, ip) => {
          const owners = nodes.filter((self) => leaderFor(ip, nodes) === self);
          assert.equal(owners.length, 1);
        },
      ),
    );
  });

  test('when the leader dies, the second in rank takes over and the others keep their IPs', () => {
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const ips = Array.from({ length: 200 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
    const dead = 'n3';
    const alive = nodes.filter((n) => n !== dead);
    let moved = 0;
    for (const ip of ips) {
      const before = leaderFor(ip, nodes);
      const after = leaderFor(ip, alive);
      if (before === dead) {
        moved += 1;
        assert.equal(after, rankNodes(ip, nodes)[1]);
      } else assert.equal(after, before);
    }
    // The hash spreads IPs: about a fifth of 200 were on n3.
    assert.ok(moved > 15 && moved < 70, `moved ${moved}`);
  });

  test('no live nodes, no leader', () => {
    assert.equal(leaderFor('10.0.0.1', []), undefined);
  });
});
