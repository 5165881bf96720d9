import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cidrToRange,
  countBuggyIps,
  familyMax,
  findOverlaps,
  formatIp,
  formatRange,
  isBuggyIp,
  iterateRange,
  parseAddressRange,
  parseCidr,
  parseIp,
  rangeSize,
  rangesOverlap,
  rangeToCidrs,
  type IpFamily,
  type IpRange,
} from './address.js';

test('parses and formats addresses', () => {
  const cases: Array<[string, string | undefined]> = [
    ['10.10.95.200', '10.10.95.200'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['256.0.0.1', undefined],
    ['010.0.0.1', undefined], // leading zero: refused like Go's net.ParseIP
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    ['', undefined],
    ['fd00::1', 'fd00::1'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // RFC 5952 §4.2.3: first of equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2: one zero group stays
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1::2::3', undefined],
    ['12345::', undefined],
    ['1:2:3:4:5:6:7::8', undefined],
    ['fe80::1%eth0', undefined],
  ];
  for (const [input, expected] of cases) {
    const parsed = parseIp(input);
    assert.equal(parsed === undefined ? undefined : formatIp(parsed), expected, input);
  }
});

test('parses pool entries as MetalLB does', () => {
  const ok = (text: string) => {
    const parsed = parseAddressRange(text);
    assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.reason}`);
    return parsed;
  };
  assert.equal(rangeSize(ok('10.10.95.200-10.10.95.250').range), 51n);
  assert.equal(rangeSize(ok('10.0.0.0/24').range), 256n);
  assert.equal(rangeSize(ok(' 10.0.0.1 - 10.0.0.1 ').range), 1n);
  assert.equal(rangeSize(ok('fd00::/64').range), 1n << 64n);
  assert.equal(rangeSize(ok('::/0').range), 1n << 128n);
  const hostBits = ok('10.0.0.7/24');
  assert.equal(hostBits.hostBitsSet, true);
  assert.equal(formatRange(hostBits.range), '10.0.0.0/24');
  for (const bad of [
    '10.0.0.5-10.0.0.1',
    '10.0.0.1-fd00::1',
    '10.0.0.0/33',
    '10.0.0.0/',
    'nope',
    '10.0.0.0/024',
    '',
  ]) {
    const parsed = parseAddressRange(bad);
    assert.equal(parsed.ok, false, bad);
  }
});

const familyArb = fc.constantFrom<IpFamily>('ipv4', 'ipv6');
const addressArb = (family: IpFamily) => fc.bigInt({ min: 0n, max: familyMax(family) });
const rangeArb: fc.Arbitrary<IpRange> = familyArb.chain((family) =>
  fc.tuple(addressArb(family), fc.bigInt({ min: 0n, max: 1n << 70n })).map(([first, span]) => {
    const last = first + span > familyMax(family) ? familyMax(family) : first + span;
    return { family, first, last };
  }),
);

test('property: format then parse is the identity', () => {
  fc.assert(
    fc.property(
      familyArb.chain((family) => addressArb(family).map((value) => ({ family, value }))),
      (ip) => {
        assert.deepEqual(parseIp(formatIp(ip)), ip);
      },
    ),
    { numRuns: 2000 },
  );
});

test('property: rangeToCidrs covers the range exactly, with aligned and minimal blocks', () => {
  fc.assert(
    fc.property(rangeArb, (range) => {
      const cidrs = rangeToCidrs(range);
      let expectedNext = range.first;
      let total = 0n;
      for (const cidr of cidrs) {
        const block = cidrToRange(cidr);
        assert.equal(block.first, expectedNext);
        assert.equal(block.first & (rangeSize(block) - 1n), 0n);
        expectedNext = block.last + 1n;
        total += rangeSize(block);
      }
      assert.equal(total, rangeSize(range));
      // At most two blocks per prefix length: one rising, one falling.
      assert.ok(cidrs.length <= 2 * (range.family === 'ipv4' ? 32 : 128));
      const parsed = parseAddressRange(formatRange(range));
      assert.ok(parsed.ok);
      assert.deepEqual(parsed.range, range);
    }),
    { numRuns: 1000 },
  );
});

test('property: CIDR text round-trips through parseCidr', () => {
  fc.assert(
    fc.property(
      familyArb.chain((family) =>
        fc
          .tuple(addressArb(family), fc.integer({ min: 0, max: family === 'ipv4' ? 32 : 128 }))
          .map(([value, prefixLength]) => ({ family, value, prefixLength })),
      ),
      ({ family, value, prefixLength }) => {
        const parsed = parseCidr(`${formatIp({ family, value })}/${prefixLength}`);
        assert.ok(parsed.ok);
        const block = cidrToRange(parsed.cidr);
        assert.ok(block.first <= value && value <= block.last);
        assert.equal(rangeSize(block), 1n << BigInt((family === 'ipv4' ? 32 : 128) - prefixLength));
      },
    ),
    { numRuns: 1000 },
  );
});

test('property: findOverlaps agrees with the pairwise check', () => {
  const small: fc.Arbitrary<IpRange> = fc
    .tuple(familyArb, fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 20 }))
    .map(([family, first, span]) => ({ family, first: BigInt(first), last: BigInt(first + span) }));
  fc.assert(
    fc.property(fc.array(small, { maxLength: 30 }), (ranges) => {
      const items = ranges.map((range, tag) => ({ range, tag }));
      const pairs = findOverlaps(items);
      for (const [a, b] of pairs) assert.ok(rangesOverlap(a.range, b.range));
      const overlapping = new Set<number>();
      for (const a of items) {
        for (const b of items) if (a.tag !== b.tag && rangesOverlap(a.range, b.range)) overlapping.add(a.tag);
      }
      const reported = new Set(pairs.flatMap(([a, b]) => [a.tag, b.tag]));
      assert.deepEqual([...reported].sort(), [...overlapping].sort());
    }),
    { numRuns: 1000 },
  );
});

test('property: countBuggyIps matches a walk of the range', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffffffff - 2000 }),
      fc.integer({ min: 0, max: 2000 }),
      (first, span) => {
        const range: IpRange = { family: 'ipv4', first: BigInt(first), last: BigInt(first + span) };
        let walked = 0n;
        for (const ip of iterateRange(range)) if (isBuggyIp(ip)) walked += 1n;
        assert.equal(countBuggyIps(range), walked);
      },
    ),
    { numRuns: 300 },
  );
  assert.equal(countBuggyIps({ family: 'ipv6', first: 0n, last: 1000n }), 0n);
});

test('iterateRange stops at its limit on a /64', () => {
  const parsed = parseAddressRange('fd00::/64');
  assert.ok(parsed.ok);
  assert.equal([...iterateRange(parsed.range, 3)].length, 3);
});
