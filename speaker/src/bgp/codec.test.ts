import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { message } from './arbitraries.test-support.js';
import { fromHex, toHex } from './bytes.js';
import { BgpError } from './errors.js';
import {
  type BgpMessage,
  MAX_MESSAGE_LENGTH,
  MessageFramer,
  decodeMessage,
  encodeMessage,
  messageEncodingLength,
  serializeMessage,
} from './message.js';
import { isTreatAsWithdraw, type UpdateMessage } from './update.js';

const four = { fourOctetAs: true };
const two = { fourOctetAs: false };

function fits(m: BgpMessage, ctx: { fourOctetAs: boolean }) {
  return messageEncodingLength(m, ctx) <= MAX_MESSAGE_LENGTH;
}

describe('round trip (properties)', () => {
  for (const ctx of [four, two]) {
    test(`decode(encode(x)) = x, length and offset (${ctx.fourOctetAs ? '4' : '2'}-octet AS)`, () => {
      fc.assert(
        fc.property(
          message(ctx.fourOctetAs).filter((m) => fits(m, ctx)),
          fc.integer({ min: 0, max: 7 }),
          (m, offset) => {
            const length = messageEncodingLength(m, ctx);
            const buf = new Uint8Array(offset + length + 3).fill(0xaa);
            const written = encodeMessage(m, ctx, buf, offset);
            assert.equal(written, length);
            assert.equal(buf[offset + length], 0xaa, 'wrote past its length');
            const { value, bytes } = decodeMessage(buf, offset, ctx);
            assert.equal(bytes, length);
            assert.deepEqual(value, m);
            // Re-encoding the decoded value gives the same bytes.
            assert.deepEqual(serializeMessage(value, ctx), buf.subarray(offset, offset + length));
          },
        ),
        { numRuns: 2000 },
      );
    });
  }

  test('the framer reassembles any split of a message stream', () => {
    fc.assert(
      fc.property(
        fc.array(
          message(true).filter((m) => fits(m, four)),
          { minLength: 1, maxLength: 5 },
        ),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 20 }),
        (messages, cuts) => {
          const stream = Buffer.concat(messages.map((m) => serializeMessage(m, four)));
          const framer = new MessageFramer();
          const out: BgpMessage[] = [];
          let at = 0;
          let i = 0;
          while (at < stream.length) {
            const size = cuts[i++ % cuts.length] ?? 1;
            for (const frame of framer.push(new Uint8Array(stream.subarray(at, at + size)))) {
              out.push(decodeMessage(frame, 0, four).value);
            }
            at += size;
          }
          assert.deepEqual(out, messages);
          assert.equal(framer.buffered, 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('encoding', () => {
  test('KEEPALIVE is the bare header', () => {
    assert.equal(toHex(serializeMessage({ type: 'keepalive' }, four)), 'ff'.repeat(16) + '001304');
  });

  test('AS_PATH uses 2-octet ASNs without the capability and 4-octet ones with it', () => {
    const update: UpdateMessage = {
      type: 'update',
      withdrawn: [],
      attributes: [{ type: 'as-path', segments: [{ type: 2, asns: [65001, 23456] }] }],
      nlri: [],
    };
    assert.ok(toHex(serializeMessage(update, two)).endsWith('400206' + '0202' + 'fde9' + '5ba0'));
    assert.ok(toHex(serializeMessage(update, four)).endsWith('40020a0202' + '0000fde9' + '00005ba0'));
  });

  test('an attribute longer than 255 octets uses the extended length flag (RFC 4271 §4.3)', () => {
    const communities = Array.from({ length: 70 }, (_, i) => i);
    const bytes = serializeMessage(
      { type: 'update', withdrawn: [], attributes: [{ type: 'communities', communities }], nlri: [] },
      four,
    );
    assert.equal(toHex(bytes.subarray(23, 27)), 'd0080118');
  });

  test('encoding more than 4096 octets is refused', () => {
    const nlri = Array.from({ length: 1000 }, (_, i) => `10.${i >> 8}.${i & 255}.1/32`);
    assert.throws(
      () => serializeMessage({ type: 'update', withdrawn: [], attributes: [], nlri }, four),
      RangeError,
    );
  });
});

/** A header + body from hex, with the length filled in. */
function frame(typeCode: number, bodyHex: string, lengthOverride?: number): Uint8Array {
  const body = fromHex(bodyHex);
  const out = new Uint8Array(19 + body.length);
  out.fill(0xff, 0, 16);
  const length = lengthOverride ?? out.length;
  out[16] = length >> 8;
  out[17] = length & 0xff;
  out[18] = typeCode;
  out.set(body, 19);
  return out;
}

function assertNotification(bytes: Uint8Array, code: number, subcode: number, dataHex?: string, ctx = four) {
  assert.throws(
    () => decodeMessage(bytes, 0, ctx),
    (error: unknown) => {
      assert.ok(error instanceof BgpError, `expected BgpError, got ${String(error)}`);
      assert.equal(`${error.code}/${error.subcode}`, `${code}/${subcode}`, error.message);
      if (dataHex !== undefined) assert.equal(toHex(error.data), dataHex);
      return true;
    },
  );
}

function decodeUpdateHex(bodyHex: string, ctx = four): UpdateMessage {
  const { value } = decodeMessage(frame(2, bodyHex), 0, ctx);
  assert.ok(value.type === 'update');
  return value;
}

const ORIGIN = '40010100';
const AS_PATH_EMPTY = '400200';
const NEXT_HOP = '400304c0000201';

describe('malformed messages raise the exact NOTIFICATION (RFC 4271 §6, RFC 7606)', () => {
  const cases: Array<{ name: string; bytes: Uint8Array; code: number; subcode: number; data?: string }> = [
    {
      name: 'marker not all ones',
      bytes: (() => {
        const b = frame(4, '');
        b[3] = 0;
        return b;
      })(),
      code: 1,
      subcode: 1,
    },
    { name: 'length below 19', bytes: frame(4, '', 18), code: 1, subcode: 2, data: '0012' },
    { name: 'length above 4096', bytes: frame(4, '', 4097), code: 1, subcode: 2, data: '1001' },
    { name: 'KEEPALIVE with a body', bytes: frame(4, '00'), code: 1, subcode: 2, data: '0014' },
    { name: 'unknown message type 9', bytes: frame(9, ''), code: 1, subcode: 3, data: '09' },
    {
      name: 'OPEN shorter than 29',
      bytes: frame(1, '04fde900b4c0000201'),
      code: 1,
      subcode: 2,
      data: '001c',
    },
    { name: 'OPEN version 3', bytes: frame(1, '03fde900b4c000020100'), code: 2, subcode: 1, data: '0004' },
    { name: 'OPEN hold time 2', bytes: frame(1, '04fde90002c000020100'), code: 2, subcode: 6 },
    { name: 'OPEN BGP identifier 0', bytes: frame(1, '04fde900b40000000000'), code: 2, subcode: 3 },
    {
      name: 'OPEN unknown optional parameter',
      bytes: frame(1, '04fde900b4c000020103010100'),
      code: 2,
      subcode: 4,
    },
    {
      name: 'OPEN capability overrunning its parameter',
      bytes: frame(1, '04fde900b4c0000201040202' + '0104'),
      code: 2,
      subcode: 0,
    },
    {
      name: 'OPEN multiprotocol capability of length 3',
      bytes: frame(1, '04fde900b4c0000201070205' + '0103000101'),
      code: 2,
      subcode: 0,
    },
    {
      name: 'OPEN parameter length disagreeing with the message',
      bytes: frame(1, '04fde900b4c000020105'),
      code: 1,
      subcode: 2,
    },
    { name: 'UPDATE withdrawn length overruns', bytes: frame(2, '00100000'), code: 3, subcode: 1 },
    { name: 'UPDATE attribute length overruns', bytes: frame(2, '00000010'), code: 3, subcode: 1 },
    {
      name: 'UPDATE NLRI prefix length 33',
      bytes: frame(2, `0000000e${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}210a000001ff`),
      code: 3,
      subcode: 10,
    },
    {
      name: 'UPDATE NLRI cut short',
      bytes: frame(2, `0000000e${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}180a00`),
      code: 3,
      subcode: 10,
    },
    { name: 'UPDATE withdrawn prefix cut short', bytes: frame(2, '0002180a0000'), code: 3, subcode: 10 },
    {
      name: 'UPDATE unrecognized well-known attribute',
      bytes: frame(2, '00000004' + '40630100'),
      code: 3,
      subcode: 2,
      data: '40630100',
    },
    {
      name: 'UPDATE MP_REACH_NLRI twice',
      bytes: frame(2, '00000010' + '800e050002010000' + '800e0500020100' + '00').subarray(0, 19 + 4 + 16),
      code: 3,
      subcode: 1,
    },
    {
      name: 'UPDATE MP_REACH_NLRI with transitive flag',
      bytes: frame(2, '00000008' + 'c00e050002010000'),
      code: 3,
      subcode: 4,
    },
    {
      name: 'UPDATE MP_REACH_NLRI next hop overruns',
      bytes: frame(2, '00000008' + '800e050002011000'),
      code: 3,
      subcode: 9,
    },
    {
      name: 'UPDATE MP_UNREACH_NLRI prefix length 129',
      bytes: frame(2, '00000008' + '800f0500020181ff'),
      code: 3,
      subcode: 9,
    },
  ];
  for (const c of cases) {
    test(c.name, () => assertNotification(c.bytes, c.code, c.subcode, c.data));
  }
});

describe('RFC 7606 treat-as-withdraw and attribute discard', () => {
  const nlri = '200a000001';
  const rows: Array<{
    name: string;
    attrs: string;
    action: 'treat-as-withdraw' | 'attribute-discard';
    type: number;
  }> = [
    {
      name: 'ORIGIN value 3 (§7.1)',
      attrs: `40010103${AS_PATH_EMPTY}${NEXT_HOP}`,
      action: 'treat-as-withdraw',
      type: 1,
    },
    {
      name: 'ORIGIN length 2 (§7.1)',
      attrs: `4001020000${AS_PATH_EMPTY}${NEXT_HOP}`,
      action: 'treat-as-withdraw',
      type: 1,
    },
    {
      name: 'AS_PATH segment type 5 (§7.2)',
      attrs: `${ORIGIN}40020405010000${NEXT_HOP}`.replace('40020405010000', '4002040501fde9'),
      action: 'treat-as-withdraw',
      type: 2,
    },
    {
      name: 'AS_PATH empty segment (§7.2)',
      attrs: `${ORIGIN}4002020200${NEXT_HOP}`,
      action: 'treat-as-withdraw',
      type: 2,
    },
    {
      name: 'AS_PATH segment overruns (§7.2)',
      attrs: `${ORIGIN}400204020200${NEXT_HOP}`.replace('400204020200', '4002040202fde9'),
      action: 'treat-as-withdraw',
      type: 2,
    },
    {
      name: 'NEXT_HOP length 5 (§7.3)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}400305c000020100`,
      action: 'treat-as-withdraw',
      type: 3,
    },
    {
      name: 'MED length 2 (§7.4)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}8004020000`,
      action: 'treat-as-withdraw',
      type: 4,
    },
    {
      name: 'LOCAL_PREF length 3 (§7.5)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}400503000000`,
      action: 'treat-as-withdraw',
      type: 5,
    },
    {
      name: 'ATOMIC_AGGREGATE length 1 (§7.6)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}40060100`,
      action: 'attribute-discard',
      type: 6,
    },
    {
      name: 'AGGREGATOR length 5 (§7.7)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}c007050000000000`,
      action: 'attribute-discard',
      type: 7,
    },
    {
      name: 'COMMUNITIES length 3 (§7.8)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}c00803000000`,
      action: 'treat-as-withdraw',
      type: 8,
    },
    {
      name: 'LARGE_COMMUNITY length 8 (RFC 8092 §5)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}c020080000000000000000`,
      action: 'treat-as-withdraw',
      type: 32,
    },
    {
      name: 'AS4_PATH with a confederation segment (RFC 6793 §6)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}c011060301000000 01`.replace(' ', ''),
      action: 'attribute-discard',
      type: 17,
    },
    {
      name: 'COMMUNITIES without the optional flag (§3c)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}400804fde90064`,
      action: 'treat-as-withdraw',
      type: 8,
    },
    {
      name: 'missing NEXT_HOP (§3d)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}`,
      action: 'treat-as-withdraw',
      type: 3,
    },
    {
      name: 'missing ORIGIN (§3d)',
      attrs: `${AS_PATH_EMPTY}${NEXT_HOP}`,
      action: 'treat-as-withdraw',
      type: 1,
    },
    {
      name: 'duplicate MED (§3g)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}8004040000000180040400000002`,
      action: 'attribute-discard',
      type: 4,
    },
    {
      name: 'attribute length overruns the field (§4)',
      attrs: `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}c00810fde9`,
      action: 'treat-as-withdraw',
      type: 8,
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const lengthHex = (row.attrs.length / 2).toString(16).padStart(4, '0');
      const update = decodeUpdateHex(`0000${lengthHex}${row.attrs}${nlri}`);
      assert.deepEqual(update.nlri, ['10.0.0.1/32']);
      assert.ok(
        update.problems?.some((p) => p.action === row.action && p.attributeType === row.type),
        JSON.stringify(update.problems),
      );
      assert.equal(isTreatAsWithdraw(update), row.action === 'treat-as-withdraw');
    });
  }

  test('a well-formed UPDATE has no problems', () => {
    const attrs = `${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}`;
    const update = decodeUpdateHex(`0000000e${attrs}${nlri}`);
    assert.equal(update.problems, undefined);
    assert.deepEqual(update.attributes, [
      { type: 'origin', origin: 0 },
      { type: 'as-path', segments: [] },
      { type: 'next-hop', nextHop: '192.0.2.1' },
    ]);
  });

  test('an unknown optional transitive attribute is kept with its flags', () => {
    const update = decodeUpdateHex(
      `00000011${ORIGIN}${AS_PATH_EMPTY}${NEXT_HOP}e0fa0101${nlri}`.replace('00000011', '00000012'),
    );
    assert.deepEqual(update.attributes.at(-1), {
      type: 'unknown',
      flags: 0xe0,
      code: 0xfa,
      value: Uint8Array.of(1),
    });
  });
});
