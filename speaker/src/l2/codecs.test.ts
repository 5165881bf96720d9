import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  arpAnnouncement,
  arpPacket,
  arpProbe,
  arpReply,
  arpRequest,
  isArpProbe,
  isGratuitousArp,
  type ArpPacket,
} from './arp.js';
import { L2CodecError } from './codec-error.js';
import { ethernetHeader } from './ethernet.js';
import { encodeFrame, l2Frame, type L2Frame, type NdpFrame } from './frame.js';
import { ipv6MulticastMac, readIpv4, readIpv6, readMac, solicitedNodeAddress } from './link-address.js';
import { ndpMessage, type NdpMessage } from './ndp.js';

/** Turns `tcpdump -xx` output lines ("0x0000:  ffff ffff ...") into bytes. */
function fromTcpdump(text: string): Uint8Array {
  const hex = text
    .split('\n')
    .map((line) => line.replace(/^\s*0x[0-9a-f]+:\s*/i, '').replace(/\s+/g, ''))
    .join('');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/*
 * Captured vectors. Produced on Debian 12 (kernel 6.x, arping 2.23, ndisc6 1.0.5) in two network namespaces
 * joined by a veth pair: l2cap-a (02:00:00:00:00:0a, 10.77.0.1, fd77::1) and l2cap-b (02:00:00:00:00:0b,
 * 10.77.0.2, fd77::2), captured in l2cap-b with
 *   tcpdump -i veth0 -n -xx -e 'arp or (icmp6 and (ip6[40]==135 or ip6[40]==136))'
 * The command run in l2cap-a is given for each.
 */
const VECTORS = {
  // `arping -c 1 -I veth0 10.77.0.2` (arping pads the ARP body to 44 bytes).
  arpRequest: `0x0000:  ffff ffff ffff 0200 0000 000a 0806 0001
    0x0010:  0800 0604 0001 0200 0000 000a 0a4d 0001
    0x0020:  0000 0000 0000 0a4d 0002 0000 0000 0000
    0x0030:  0000 0000 0000 0000 0000`,
  // The kernel of l2cap-b answering the request above.
  arpReply: `0x0000:  0200 0000 000a 0200 0000 000b 0806 0001
    0x0010:  0800 0604 0002 0200 0000 000b 0a4d 0002
    0x0020:  0200 0000 000a 0a4d 0001`,
  // `arping -c 1 -U -I veth0 10.77.0.1`: unsolicited request, target MAC broadcast.
  arpUnsolicited: `0x0000:  ffff ffff ffff 0200 0000 000a 0806 0001
    0x0010:  0800 0604 0001 0200 0000 000a 0a4d 0001
    0x0020:  ffff ffff ffff 0a4d 0001 0000 0000 0000
    0x0030:  0000 0000 0000 0000 0000`,
  // `arping -c 1 -A -I veth0 10.77.0.1`: RFC 5227 announcement (sender IP = target IP, target MAC zero).
  arpAnnouncement: `0x0000:  ffff ffff ffff 0200 0000 000a 0806 0001
    0x0010:  0800 0604 0001 0200 0000 000a 0a4d 0001
    0x0020:  0000 0000 0000 0a4d 0001 0000 0000 0000
    0x0030:  0000 0000 0000 0000 0000`,
  // `arping -0 -c 1 -I veth0 10.77.0.2`: RFC 5227 probe (sender IP 0.0.0.0).
  arpProbe: `0x0000:  ffff ffff ffff 0200 0000 000a 0806 0001
    0x0010:  0800 0604 0001 0200 0000 000a 0000 0000
    0x0020:  0000 0000 0000 0a4d 0002 0000 0000 0000
    0x0030:  0000 0000 0000 0000 0000`,
  // The kernel of l2cap-b defending 10.77.0.2 against the probe above.
  arpProbeReply: `0x0000:  0200 0000 000a 0200 0000 000b 0806 0001
    0x0010:  0800 0604 0002 0200 0000 000b 0a4d 0002
    0x0020:  0200 0000 000a 0000 0000`,
  // `ndisc6 -1 fd77::2 veth0`: NS from the link-local address with a source link-layer address option.
  neighborSolicitation: `0x0000:  3333 ff00 0002 0200 0000 000a 86dd 6002
    0x0010:  dcfb 0020 3aff fe80 0000 0000 0000 0000
    0x0020:  00ff fe00 000a ff02 0000 0000 0000 0000
    0x0030:  0001 ff00 0002 8700 7c8e 0000 0000 fd77
    0x0040:  0000 0000 0000 0000 0000 0000 0002 0101
    0x0050:  0200 0000 000a`,
  // The kernel of l2cap-b answering it: solicited + override, target link-layer address option.
  neighborAdvertisement: `0x0000:  0200 0000 000a 0200 0000 000b 86dd 6000
    0x0010:  0000 0020 3aff fd77 0000 0000 0000 0000
    0x0020:  0000 0000 0002 fe80 0000 0000 0000 0000
    0x0030:  00ff fe00 000a 8800 1b1a 6000 0000 fd77
    0x0040:  0000 0000 0000 0000 0000 0000 0002 0201
    0x0050:  0200 0000 000b`,
  // `ip addr add fd77::99/64 dev veth0` with accept_dad=1 in l2cap-a: the kernel's DAD solicitation from ::,
  // carrying an RFC 7527 nonce option (type 14), which we keep as an unknown option.
  dadSolicitation: `0x0000:  3333 ff00 0099 0200 0000 000a 86dd 6000
    0x0010:  0000 0020 3aff 0000 0000 0000 0000 0000
    0x0020:  0000 0000 0000 ff02 0000 0000 0000 0000
    0x0030:  0001 ff00 0099 8700 1110 0000 0000 fd77
    0x0040:  0000 0000 0000 0000 0000 0000 0099 0e01
    0x0050:  7eb1 0955 d4de`,
};

function decodeVector(name: keyof typeof VECTORS): { frame: L2Frame; bytes: Uint8Array; used: number } {
  const bytes = fromTcpdump(VECTORS[name]);
  const { value, bytes: used } = l2Frame.decode(bytes, 0);
  return { frame: value, bytes, used };
}

function asArp(frame: L2Frame): ArpPacket {
  assert.equal(frame.kind, 'arp');
  return frame.arp;
}

function asNdp(frame: L2Frame): NdpFrame {
  assert.equal(frame.kind, 'ndp');
  return frame;
}

describe('captured vectors', () => {
  test('arping request decodes and re-encodes to the same 42 bytes', () => {
    const { frame, bytes, used } = decodeVector('arpRequest');
    assert.equal(used, 42);
    assert.deepEqual(frame.ethernet, {
      destination: 'ff:ff:ff:ff:ff:ff',
      source: '02:00:00:00:00:0a',
      etherType: 0x0806,
    });
    assert.deepEqual(asArp(frame), arpRequest('02:00:00:00:00:0a', '10.77.0.1', '10.77.0.2'));
    assert.deepEqual(encodeFrame(frame), bytes.subarray(0, 42));
  });

  test('kernel reply equals arpReply() of the request', () => {
    const request = asArp(decodeVector('arpRequest').frame);
    const { frame, bytes } = decodeVector('arpReply');
    assert.deepEqual(asArp(frame), arpReply(request, '02:00:00:00:00:0b'));
    assert.deepEqual(encodeFrame(frame), bytes);
  });

  test('gratuitous forms are recognised, probes are told apart', () => {
    const unsolicited = asArp(decodeVector('arpUnsolicited').frame);
    assert.equal(isGratuitousArp(unsolicited), true);
    assert.equal(unsolicited.targetHardwareAddress, 'ff:ff:ff:ff:ff:ff');
    const announcement = asArp(decodeVector('arpAnnouncement').frame);
    assert.deepEqual(announcement, arpAnnouncement('02:00:00:00:00:0a', '10.77.0.1'));
    assert.equal(isArpProbe(announcement), false);
    const probe = asArp(decodeVector('arpProbe').frame);
    assert.deepEqual(probe, arpProbe('02:00:00:00:00:0a', '10.77.0.2'));
    assert.equal(isArpProbe(probe), true);
    assert.equal(isGratuitousArp(probe), false);
    const defence = asArp(decodeVector('arpProbeReply').frame);
    assert.equal(defence.operation, 'reply');
    assert.equal(defence.senderProtocolAddress, '10.77.0.2');
    assert.equal(defence.targetProtocolAddress, '0.0.0.0');
  });

  test('ndisc6 solicitation: solicited-node destination, source link-layer option, checksum verified', () => {
    const { frame, bytes, used } = decodeVector('neighborSolicitation');
    const ndp = asNdp(frame);
    assert.equal(used, bytes.length);
    assert.equal(ndp.ipv6.hopLimit, 255);
    assert.equal(ndp.ipv6.flowLabel, 0x2dcfb);
    assert.equal(ndp.ipv6.source, 'fe80::ff:fe00:a');
    assert.equal(ndp.ipv6.destination, solicitedNodeAddress('fd77::2'));
    assert.equal(ndp.ethernet.destination, ipv6MulticastMac(solicitedNodeAddress('fd77::2')));
    assert.deepEqual(ndp.message, {
      type: 'neighbor-solicitation',
      target: 'fd77::2',
      options: [{ type: 'source-link-layer-address', mac: '02:00:00:00:00:0a' }],
    });
    assert.deepEqual(encodeFrame(frame), bytes);
  });

  test('kernel advertisement: S and O flags, target link-layer option', () => {
    const { frame, bytes } = decodeVector('neighborAdvertisement');
    assert.deepEqual(asNdp(frame).message, {
      type: 'neighbor-advertisement',
      router: false,
      solicited: true,
      override: true,
      target: 'fd77::2',
      options: [{ type: 'target-link-layer-address', mac: '02:00:00:00:00:0b' }],
    });
    assert.deepEqual(encodeFrame(frame), bytes);
  });

  test('kernel DAD solicitation from :: keeps the nonce option', () => {
    const { frame, bytes } = decodeVector('dadSolicitation');
    const ndp = asNdp(frame);
    assert.equal(ndp.ipv6.source, '::');
    assert.equal(ndp.message.target, 'fd77::99');
    assert.equal(ndp.message.options.length, 1);
    const [option] = ndp.message.options;
    assert.equal(option?.type, 'unknown');
    assert.deepEqual(encodeFrame(frame), bytes);
  });
});

describe('solicited-node multicast (RFC 4291 §2.7.1, RFC 2464 §7)', () => {
  const rows: Array<[string, string, string]> = [
    ['fd77::2', 'ff02::1:ff00:2', '33:33:ff:00:00:02'],
    ['2001:db8::abcd:ef12', 'ff02::1:ffcd:ef12', '33:33:ff:cd:ef:12'],
    ['fe80::1:2:3:4', 'ff02::1:ff03:4', '33:33:ff:03:00:04'],
  ];
  for (const [address, group, mac] of rows) {
    test(`${address} -> ${group} -> ${mac}`, () => {
      assert.equal(solicitedNodeAddress(address), group);
      assert.equal(ipv6MulticastMac(group), mac);
    });
  }
});

const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((bytes) => readMac(bytes, 0));
const ipv4Arb = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes) => readIpv4(bytes, 0));
const ipv6Arb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => readIpv6(bytes, 0));
const unicastIpv6Arb = ipv6Arb.filter((ip) => !ip.startsWith('ff'));
const arpArb: fc.Arbitrary<ArpPacket> = fc.record(
  {
    operation: fc.constantFrom('request' as const, 'reply' as const),
    senderHardwareAddress: macArb,
    senderProtocolAddress: ipv4Arb,
    targetHardwareAddress: macArb,
    targetProtocolAddress: ipv4Arb,
  },
  { noNullPrototype: true },
);
const optionArb = fc.oneof(
  macArb.map((mac) => ({ type: 'source-link-layer-address' as const, mac })),
  macArb.map((mac) => ({ type: 'target-link-layer-address' as const, mac })),
  fc
    .record({ code: fc.integer({ min: 3, max: 255 }), units: fc.integer({ min: 1, max: 3 }) })
    .chain(({ code, units }) =>
      fc
        .uint8Array({ minLength: units * 8 - 2, maxLength: units * 8 - 2 })
        .map((data) => ({ type: 'unknown' as const, code, data })),
    ),
);
const ndpArb: fc.Arbitrary<NdpMessage> = fc.oneof(
  fc.record(
    {
      type: fc.constant('neighbor-solicitation' as const),
      target: unicastIpv6Arb,
      options: fc.array(optionArb, { maxLength: 3 }),
    },
    { noNullPrototype: true },
  ),
  fc.record(
    {
      type: fc.constant('neighbor-advertisement' as const),
      router: fc.boolean(),
      solicited: fc.boolean(),
      override: fc.boolean(),
      target: unicastIpv6Arb,
      options: fc.array(optionArb, { maxLength: 3 }),
    },
    { noNullPrototype: true },
  ),
);
const ndpFrameArb: fc.Arbitrary<NdpFrame> = fc
  .record({
    destination: macArb,
    source: macArb,
    ipSource: unicastIpv6Arb,
    message: ndpArb,
    flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  })
  .map(({ destination, source, ipSource, message, flowLabel }) => ({
    kind: 'ndp' as const,
    ethernet: { destination, source, etherType: 0x86dd },
    ipv6: {
      trafficClass: 0,
      flowLabel,
      payloadLength: ndpMessage.encodingLength(message),
      nextHeader: 58,
      hopLimit: 255,
      source: ipSource,
      destination: 'fe80::1',
    },
    message,
  }));
const frameArb: fc.Arbitrary<L2Frame> = fc.oneof(
  fc
    .record({ destination: macArb, source: macArb, arp: arpArb }, { noNullPrototype: true })
    .map(({ destination, source, arp }) => ({
      kind: 'arp' as const,
      ethernet: { destination, source, etherType: 0x0806 },
      arp,
    })),
  ndpFrameArb,
);

describe('round trips (fast-check)', () => {
  test('ARP: decode(encode(x)) = x, bytes = encodingLength, works at an offset', () => {
    fc.assert(
      fc.property(arpArb, fc.nat(16), (packet, offset) => {
        const buf = new Uint8Array(offset + arpPacket.encodingLength(packet));
        assert.equal(arpPacket.encode(packet, buf, offset), arpPacket.encodingLength(packet));
        const { value, bytes } = arpPacket.decode(buf, offset);
        assert.deepEqual(value, packet);
        assert.equal(bytes, 28);
      }),
    );
  });

  test('NDP messages round trip', () => {
    fc.assert(
      fc.property(ndpArb, fc.nat(16), (message, offset) => {
        const length = ndpMessage.encodingLength(message);
        const buf = new Uint8Array(offset + length);
        assert.equal(ndpMessage.encode(message, buf, offset), length);
        assert.deepEqual(ndpMessage.decode(buf, offset, length), { value: message, bytes: length });
      }),
    );
  });

  test('frames: decode(encode(x)) = x and re-encoding gives the same bytes', () => {
    fc.assert(
      fc.property(frameArb, fc.nat(16), (frame, offset) => {
        const length = l2Frame.encodingLength(frame);
        const buf = new Uint8Array(offset + length);
        assert.equal(l2Frame.encode(frame, buf, offset), length);
        const { value, bytes } = l2Frame.decode(buf, offset);
        assert.equal(bytes, length);
        assert.deepEqual(value, frame);
        assert.deepEqual(encodeFrame(value), buf.subarray(offset));
      }),
    );
  });

  test('Ethernet header round trips', () => {
    fc.assert(
      fc.property(
        macArb,
        macArb,
        fc.integer({ min: 0x0600, max: 0xffff }),
        (destination, source, etherType) => {
          const buf = new Uint8Array(14);
          ethernetHeader.encode({ destination, source, etherType }, buf, 0);
          assert.deepEqual(ethernetHeader.decode(buf, 0).value, { destination, source, etherType });
        },
      ),
    );
  });
});

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof L2CodecError, `not an L2CodecError: ${String(error)}`);
    return error.code;
  }
  return 'none';
}

describe('malformed input', () => {
  const request = () => fromTcpdump(VECTORS.arpRequest);
  const solicitation = () => fromTcpdump(VECTORS.neighborSolicitation);
  const rows: Array<{ description: string; bytes: () => Uint8Array; code: string }> = [
    { description: 'empty buffer', bytes: () => new Uint8Array(0), code: 'truncated' },
    { description: 'ARP cut after the operation', bytes: () => request().subarray(0, 22), code: 'truncated' },
    {
      description: '802.3 length instead of EtherType',
      bytes: () => Object.assign(request(), { 12: 0x00, 13: 0x40 }),
      code: 'unsupported-protocol',
    },
    {
      description: 'IPv4 EtherType',
      bytes: () => Object.assign(request(), { 12: 0x08, 13: 0x00 }),
      code: 'unsupported-protocol',
    },
    {
      description: 'ARP hardware type 6 (IEEE 802)',
      bytes: () => Object.assign(request(), { 15: 6 }),
      code: 'unsupported-hardware',
    },
    {
      description: 'ARP for protocol 0x86dd',
      bytes: () => Object.assign(request(), { 16: 0x86, 17: 0xdd }),
      code: 'unsupported-protocol',
    },
    {
      description: 'ARP operation 3 (RARP)',
      bytes: () => Object.assign(request(), { 21: 3 }),
      code: 'bad-operation',
    },
    {
      description: 'NS truncated inside the target',
      bytes: () => solicitation().subarray(0, 70),
      code: 'truncated',
    },
    {
      description: 'IPv6 version 4 in the header',
      bytes: () => Object.assign(solicitation(), { 14: 0x40 }),
      code: 'bad-version',
    },
    {
      description: 'NS with ICMP code 1',
      bytes: () => Object.assign(solicitation(), { 55: 1 }),
      code: 'bad-code',
    },
    {
      description: 'NS forwarded (hop limit 64)',
      bytes: () => Object.assign(solicitation(), { 21: 64 }),
      code: 'bad-hop-limit',
    },
    {
      description: 'NS with a corrupted checksum',
      bytes: () => Object.assign(solicitation(), { 57: 0 }),
      code: 'bad-checksum',
    },
    {
      description: 'NS option of length 0',
      bytes: () => Object.assign(solicitation(), { 79: 0 }),
      code: 'bad-option',
    },
    {
      description: 'NS with a multicast target',
      bytes: () => Object.assign(solicitation(), { 62: 0xff }),
      code: 'bad-address',
    },
    {
      description: 'ICMPv6 echo request',
      bytes: () => Object.assign(solicitation(), { 54: 128 }),
      code: 'unsupported-protocol',
    },
    {
      description: 'payload length past the frame',
      bytes: () => Object.assign(solicitation(), { 19: 0x40 }),
      code: 'truncated',
    },
  ];
  for (const row of rows) {
    test(`${row.description} -> ${row.code}`, () => {
      assert.equal(
        codeOf(() => l2Frame.decode(row.bytes(), 0)),
        row.code,
      );
    });
  }

  test('DAD solicitation with a source link-layer option is rejected (RFC 4861 §7.1.1)', () => {
    const frame: L2Frame = {
      kind: 'ndp',
      ethernet: { destination: '33:33:ff:00:00:99', source: '02:00:00:00:00:0a', etherType: 0x86dd },
      ipv6: {
        trafficClass: 0,
        flowLabel: 0,
        payloadLength: 32,
        nextHeader: 58,
        hopLimit: 255,
        source: '::',
        destination: 'ff02::1:ff00:99',
      },
      message: {
        type: 'neighbor-solicitation',
        target: 'fd77::99',
        options: [{ type: 'source-link-layer-address', mac: '02:00:00:00:00:0a' }],
      },
    };
    assert.equal(
      codeOf(() => l2Frame.decode(encodeFrame(frame), 0)),
      'bad-option',
    );
  });

  test('encoding a bad MAC or address raises the codec error', () => {
    assert.equal(
      codeOf(() =>
        encodeFrame({
          kind: 'arp',
          ethernet: { destination: 'nope', source: '02:00:00:00:00:0a', etherType: 0x806 },
          arp: arpProbe('02:00:00:00:00:0a', '10.0.0.1'),
        }),
      ),
      'bad-address',
    );
    assert.equal(
      codeOf(() => arpPacket.encode(arpProbe('02:00:00:00:00:0a', 'fd00::1'), new Uint8Array(28), 0)),
      'bad-address',
    );
  });

  test('arbitrary bytes only ever raise L2CodecError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        codeOf(() => l2Frame.decode(bytes, 0));
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated valid frames only ever raise L2CodecError', () => {
    const seeds = Object.keys(VECTORS).map((name) => fromTcpdump(VECTORS[name as keyof typeof VECTORS]));
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(100),
        (seed, edits, cut) => {
          const bytes = seed.slice(0, Math.max(0, seed.length - (cut % 10)));
          for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
          codeOf(() => l2Frame.decode(bytes, 0));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
