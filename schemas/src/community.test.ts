import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatCommunity, looksLikeCommunityLiteral, parseCommunity } from './community.js';

test('standard (RFC 1997) and large (RFC 8092) communities', () => {
  assert.deepEqual(parseCommunity('65000:100'), {
    ok: true,
    community: { type: 'standard', asn: 65000, value: 100 },
  });
  assert.deepEqual(parseCommunity('large:4200000000:1:2'), {
    ok: true,
    community: { type: 'large', globalAdmin: 4200000000, localData1: 1, localData2: 2 },
  });
  for (const bad of ['65536:1', '1:65536', '1:2:3', 'large:1:2', 'large:1:2:4294967296', 'a:b', '1:', ':1']) {
    assert.equal(parseCommunity(bad).ok, false, bad);
  }
  assert.equal(looksLikeCommunityLiteral('65000:1'), true);
  assert.equal(looksLikeCommunityLiteral('large:1:2:3'), true);
  assert.equal(looksLikeCommunityLiteral('no-advertise'), false);
});

test('format and parse round trip (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (asn, value) => {
      const c = { type: 'standard' as const, asn, value };
      assert.deepEqual(parseCommunity(formatCommunity(c)), { ok: true, community: c });
    }),
  );
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 3, maxLength: 3 }),
      ([a, b, c]) => {
        const large = {
          type: 'large' as const,
          globalAdmin: a as number,
          localData1: b as number,
          localData2: c as number,
        };
        assert.deepEqual(parseCommunity(formatCommunity(large)), { ok: true, community: large });
      },
    ),
  );
});
