import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromHex, toHex } from './bytes.js';
import { capturedVectors } from './captured-vectors.js';
import { type BgpMessage, decodeMessage, serializeMessage } from './message.js';
import { openCapabilities } from './open.js';

const ctx = { fourOctetAs: true };

function decoded(name: string): BgpMessage {
  const vector = capturedVectors.find((v) => v.name === name);
  assert.ok(vector, name);
  return decodeMessage(fromHex(vector.hex), 0, ctx).value;
}

describe('messages captured from BIRD, FRR and GoBGP', () => {
  for (const vector of capturedVectors) {
    test(`${vector.name}: decodes without problems and re-encodes to the same bytes`, () => {
      const bytes = fromHex(vector.hex);
      const { value, bytes: length } = decodeMessage(bytes, 0, ctx);
      assert.equal(length, bytes.length);
      if (value.type === 'update') assert.equal(value.problems, undefined);
      assert.equal(toHex(serializeMessage(value, ctx)), vector.hex);
    });
  }

  test('BIRD OPEN: AS 65001, hold 240, capabilities in one parameter, unknown ones kept', () => {
    const open = decoded('BIRD OPEN');
    assert.ok(open.type === 'open');
    assert.equal(open.myAs, 65001);
    assert.equal(open.holdTime, 240);
    assert.equal(open.bgpIdentifier, '192.0.2.2');
    assert.equal(open.parameters.length, 1);
    const caps = openCapabilities(open);
    assert.deepEqual(
      caps.map((c) => (c.kind === 'unknown' ? c.code : c.kind)),
      ['multiprotocol', 'multiprotocol', 'route-refresh', 'graceful-restart', 'four-octet-as', 70, 71],
    );
    assert.ok(
      caps.some((c) => c.kind === 'graceful-restart' && c.restartTime === 120 && c.families.length === 2),
    );
  });

  test('BIRD UPDATE: two IPv4 prefixes sharing communities and a large community', () => {
    const update = decoded('BIRD UPDATE IPv4 (two prefixes, communities, large community)');
    assert.ok(update.type === 'update');
    assert.deepEqual(update.nlri, ['198.51.100.0/24', '198.51.100.128/25']);
    assert.deepEqual(update.attributes, [
      { type: 'origin', origin: 0 },
      { type: 'as-path', segments: [{ type: 2, asns: [65001] }] },
      { type: 'next-hop', nextHop: '127.0.0.2' },
      { type: 'communities', communities: [65001 * 65536 + 100] },
      { type: 'large-communities', communities: [[65001, 1, 2]] },
    ]);
  });

  test('BIRD IPv6 UPDATE and End-of-RIB markers', () => {
    const update = decoded('BIRD UPDATE IPv6 MP_REACH_NLRI (extended length)');
    assert.ok(update.type === 'update');
    assert.deepEqual(update.attributes[0], {
      type: 'mp-reach',
      afi: 2,
      safi: 1,
      nextHops: ['2001:db8::2'],
      nlri: ['2001:db8:100::/48'],
      extendedLength: true,
    });
    assert.deepEqual(decoded('BIRD End-of-RIB IPv4'), {
      type: 'update',
      withdrawn: [],
      attributes: [],
      nlri: [],
    });
    const eor6 = decoded('BIRD End-of-RIB IPv6');
    assert.ok(eor6.type === 'update');
    assert.deepEqual(eor6.attributes, [{ type: 'mp-unreach', afi: 2, safi: 1, withdrawn: [] }]);
  });

  test('every daemon answers an unknown message type with NOTIFICATION 1/3 carrying the type', () => {
    for (const name of [
      'BIRD NOTIFICATION 1/3 for message type 9',
      'FRR NOTIFICATION 1/3 for message type 9',
    ]) {
      assert.deepEqual(decoded(name), { type: 'notification', code: 1, subcode: 3, data: Uint8Array.of(9) });
    }
  });

  test('FRR OPEN: one optional parameter per capability, FQDN capability kept as unknown', () => {
    const open = decoded('FRR OPEN (one optional parameter per capability, FQDN capability)');
    assert.ok(open.type === 'open');
    assert.ok(open.parameters.length > 5);
    const fqdn = openCapabilities(open).find((c) => c.kind === 'unknown' && c.code === 73);
    assert.ok(fqdn?.kind === 'unknown');
    assert.equal(Buffer.from(fqdn.value.subarray(1, 1 + (fqdn.value[0] ?? 0))).toString(), 'cap');
  });

  test('FRR UPDATE: AS_PATH with the extended length flag, MED, communities', () => {
    const update = decoded('FRR UPDATE IPv4 (AS_PATH with extended length flag, MED 0)');
    assert.ok(update.type === 'update');
    assert.deepEqual(update.nlri, ['203.0.113.0/24']);
    assert.deepEqual(update.attributes[1], {
      type: 'as-path',
      segments: [{ type: 2, asns: [65002] }],
      extendedLength: true,
    });
    assert.ok(update.attributes.some((a) => a.type === 'med' && a.med === 0));
    const v6 = decoded('FRR UPDATE IPv6 MP_REACH_NLRI (IPv4-mapped next hop)');
    assert.ok(v6.type === 'update');
    const reach = v6.attributes.find((a) => a.type === 'mp-reach');
    assert.ok(reach?.type === 'mp-reach');
    assert.deepEqual(reach.nextHops, ['::ffff:7f00:3']);
    assert.deepEqual(reach.nlri, ['2001:db8:200::/48']);
  });

  test('GoBGP UPDATEs: ORIGIN incomplete, next hop from the API, large community', () => {
    const v4 = decoded('GoBGP UPDATE IPv4 (ORIGIN incomplete)');
    assert.ok(v4.type === 'update');
    assert.deepEqual(v4.nlri, ['192.0.2.128/25']);
    assert.deepEqual(v4.attributes.slice(0, 3), [
      { type: 'origin', origin: 2 },
      { type: 'as-path', segments: [{ type: 2, asns: [65003] }] },
      { type: 'next-hop', nextHop: '192.0.2.44' },
    ]);
    const v6 = decoded('GoBGP UPDATE IPv6 MP_REACH_NLRI');
    assert.ok(v6.type === 'update');
    assert.ok(
      v6.attributes.some(
        (a) => a.type === 'large-communities' && a.communities[0]?.join(':') === '65003:1:2',
      ),
    );
    assert.ok(v6.attributes.some((a) => a.type === 'mp-reach' && a.nextHops[0] === '2001:db8::44'));
  });
});
