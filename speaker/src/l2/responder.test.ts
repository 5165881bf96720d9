import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arpAnnouncement, arpProbe, arpReply, arpRequest } from './arp.js';
import { encodeFrame, l2Frame, type L2Frame } from './frame.js';
import { ipv6MulticastMac, solicitedNodeAddress } from './link-address.js';
import { ndpMessage, type NdpMessage } from './ndp.js';
import { Layer2Responder, type ResponderEffect, type ResponderTimings } from './responder.js';

const ETH0 = { name: 'eth0', mac: '02:00:00:00:01:01' };
const ETH1 = { name: 'eth1', mac: '02:00:00:00:01:02' };
const CLIENT_MAC = '02:00:00:00:0c:01';
const FOREIGN_MAC = '02:00:00:00:0f:0f';
const TIMINGS: ResponderTimings = {
  probeCount: 2,
  probeIntervalMs: 100,
  announceWaitMs: 100,
  gratuitousOffsetsMs: [0, 500, 1000],
  conflictRetryMs: 5000,
};

function arpFrame(
  source: string,
  arp: ReturnType<typeof arpRequest>,
  destination = 'ff:ff:ff:ff:ff:ff',
): L2Frame {
  return { kind: 'arp', ethernet: { destination, source, etherType: 0x0806 }, arp };
}

function ndpFrame(sourceMac: string, source: string, destination: string, message: NdpMessage): L2Frame {
  return {
    kind: 'ndp',
    ethernet: { destination: '33:33:ff:00:00:01', source: sourceMac, etherType: 0x86dd },
    ipv6: {
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: ndpMessage.encodingLength(message),
      nextHeader: 58,
      hopLimit: 255,
      source,
      destination,
    },
    message,
  };
}

function solicitation(target: string, source = 'fd00::c1', mac = CLIENT_MAC): L2Frame {
  return ndpFrame(mac, source, solicitedNodeAddress(target), {
    type: 'neighbor-solicitation',
    target,
    options: source === '::' ? [] : [{ type: 'source-link-layer-address', mac }],
  });
}

function responder(): Layer2Responder {
  const r = new Layer2Responder(TIMINGS);
  r.setInterfaces(0, [ETH0, ETH1]);
  return r;
}

const sends = (effects: ResponderEffect[]) =>
  effects.filter((e): e is Extract<ResponderEffect, { type: 'send' }> => e.type === 'send');
const drops = (effects: ResponderEffect[]) =>
  effects.filter((e) => e.type === 'drop').map((e) => (e.type === 'drop' ? e.reason : ''));

describe('answering ARP requests (RFC 826)', () => {
  const rows: Array<{
    description: string;
    setup: (r: Layer2Responder) => void;
    iface: string;
    frame: L2Frame;
    expect: string;
  }> = [
    {
      description: 'a request for an IP we lead is answered with the receiving interface MAC',
      setup: (r) => r.setIp(0, '10.0.0.50', { leader: true, probe: false }),
      iface: 'eth1',
      frame: arpFrame(CLIENT_MAC, arpRequest(CLIENT_MAC, '10.0.0.9', '10.0.0.50')),
      expect: 'reply',
    },
    {
      description: 'an IP nobody assigned is not ours',
      setup: (r) => r.setIp(0, '10.0.0.50', { leader: true, probe: false }),
      iface: 'eth0',
      frame: arpFrame(CLIENT_MAC, arpRequest(CLIENT_MAC, '10.0.0.9', '10.0.0.51')),
      expect: 'not-ours',
    },
    {
      description: 'another node leads the IP',
      setup: (r) => r.setIp(0, '10.0.0.50', { leader: false, probe: false }),
      iface: 'eth0',
      frame: arpFrame(CLIENT_MAC, arpRequest(CLIENT_MAC, '10.0.0.9', '10.0.0.50')),
      expect: 'not-leader',
    },
    {
      description: 'L2Advertisement.interfaces excludes the receiving interface',
      setup: (r) => r.setIp(0, '10.0.0.50', { leader: true, probe: false, interfaces: ['eth0'] }),
      iface: 'eth1',
      frame: arpFrame(CLIENT_MAC, arpRequest(CLIENT_MAC, '10.0.0.9', '10.0.0.50')),
      expect: 'wrong-interface',
    },
    {
      description: 'still probing: not ours yet',
      setup: (r) => r.setIp(0, '10.0.0.50', { leader: true, probe: true }),
      iface: 'eth0',
      frame: arpFrame(CLIENT_MAC, arpRequest(CLIENT_MAC, '10.0.0.9', '10.0.0.50')),
      expect: 'probing',
    },
    {
      description: 'replies are not requests',
      setup: (r) => r.setIp(0, '10.0.0.50', { leader: true, probe: false }),
      iface: 'eth0',
      frame: arpFrame(
        CLIENT_MAC,
        arpReply(arpRequest('02:00:00:00:00:09', '10.0.0.8', '10.0.0.9'), CLIENT_MAC),
      ),
      expect: 'not-a-request',
    },
    {
      description: 'a gratuitous request from another host needs no answer',
      setup: (r) => r.setIp(0, '10.0.0.50', { leader: true, probe: false }),
      iface: 'eth0',
      frame: arpFrame(CLIENT_MAC, arpAnnouncement(CLIENT_MAC, '10.0.0.9')),
      expect: 'gratuitous',
    },
    {
      description: 'our own transmitted frame, seen again by the capture',
      setup: (r) => r.setIp(0, '10.0.0.50', { leader: true, probe: false }),
      iface: 'eth0',
      frame: arpFrame(ETH0.mac, arpAnnouncement(ETH0.mac, '10.0.0.50')),
      expect: 'own-frame',
    },
    {
      description: 'a request on an interface we do not use',
      setup: (r) => r.setIp(0, '10.0.0.50', { leader: true, probe: false }),
      iface: 'eth9',
      frame: arpFrame(CLIENT_MAC, arpRequest(CLIENT_MAC, '10.0.0.9', '10.0.0.50')),
      expect: 'unknown-interface',
    },
    {
      description: 'an RFC 5227 probe for an IP we announce is defended with a reply',
      setup: (r) => r.setIp(0, '10.0.0.50', { leader: true, probe: false }),
      iface: 'eth0',
      frame: arpFrame(CLIENT_MAC, arpProbe(CLIENT_MAC, '10.0.0.50')),
      expect: 'reply',
    },
  ];
  for (const row of rows) {
    test(row.description, () => {
      const r = responder();
      row.setup(r);
      const effects = r.receive(1, row.iface, row.frame);
      if (row.expect === 'reply') {
        const [reply] = sends(effects);
        assert.ok(reply, 'a reply is sent');
        assert.equal(reply.interface, row.iface);
        assert.equal(reply.frame.kind, 'arp');
        const mac = row.iface === 'eth0' ? ETH0.mac : ETH1.mac;
        assert.equal(reply.frame.ethernet.source, mac);
        assert.equal(reply.frame.ethernet.destination, CLIENT_MAC);
        if (reply.frame.kind === 'arp') {
          assert.equal(reply.frame.arp.operation, 'reply');
          assert.equal(reply.frame.arp.senderHardwareAddress, mac);
          assert.equal(reply.frame.arp.senderProtocolAddress, '10.0.0.50');
        }
        assert.ok(effects.some((e) => e.type === 'request' && e.ip === '10.0.0.50'));
      } else {
        assert.deepEqual(drops(effects), [row.expect]);
        assert.equal(sends(effects).length, 0);
      }
    });
  }
});

describe('answering Neighbor Solicitations (RFC 4861 §7.2.4)', () => {
  test('unicast NA with S and O to the solicitor, source = target, encodes and decodes', () => {
    const r = responder();
    r.setIp(0, 'fd00::50', { leader: true, probe: false });
    const [reply] = sends(r.receive(1, 'eth0', solicitation('fd00::50')));
    assert.ok(reply && reply.frame.kind === 'ndp');
    const decoded = l2Frame.decode(encodeFrame(reply.frame), 0).value;
    assert.equal(decoded.kind, 'ndp');
    if (decoded.kind !== 'ndp') return;
    assert.equal(decoded.ethernet.destination, CLIENT_MAC);
    assert.equal(decoded.ipv6.source, 'fd00::50');
    assert.equal(decoded.ipv6.destination, 'fd00::c1');
    assert.deepEqual(decoded.message, {
      type: 'neighbor-advertisement',
      router: false,
      solicited: true,
      override: true,
      target: 'fd00::50',
      options: [{ type: 'target-link-layer-address', mac: ETH0.mac }],
    });
  });

  test('a DAD solicitation for an address we announce is answered to all-nodes with S=0', () => {
    const r = responder();
    r.setIp(0, 'fd00::50', { leader: true, probe: false });
    const [reply] = sends(r.receive(1, 'eth0', solicitation('fd00::50', '::')));
    assert.ok(reply && reply.frame.kind === 'ndp');
    if (reply.frame.kind !== 'ndp') return;
    assert.equal(reply.frame.ipv6.destination, 'ff02::1');
    assert.equal(reply.frame.ethernet.destination, '33:33:00:00:00:01');
    assert.equal(
      reply.frame.message.type === 'neighbor-advertisement' && reply.frame.message.solicited,
      false,
    );
  });

  test('not leader / not ours / advertisement', () => {
    const r = responder();
    r.setIp(0, 'fd00::50', { leader: false, probe: false });
    assert.deepEqual(drops(r.receive(1, 'eth0', solicitation('fd00::50'))), ['not-leader']);
    assert.deepEqual(drops(r.receive(1, 'eth0', solicitation('fd00::51'))), ['not-ours']);
    const na = ndpFrame(CLIENT_MAC, 'fd00::c1', 'ff02::1', {
      type: 'neighbor-advertisement',
      router: false,
      solicited: false,
      override: true,
      target: 'fd00::c1',
      options: [],
    });
    assert.deepEqual(drops(r.receive(1, 'eth0', na)), ['not-a-request']);
  });
});

describe('probing and announcing (RFC 5227)', () => {
  test('s1 probes twice, waits, then announces at the configured offsets on every interface', () => {
    const r = responder();
    const timeline: string[] = [];
    const record = (now: number, effects: ResponderEffect[]) => {
      for (const e of effects) {
        if (e.type === 'send') timeline.push(`${now} ${e.purpose} ${e.interface}`);
        if (e.type === 'status') timeline.push(`${now} ${e.previous}->${e.status}`);
      }
    };
    record(0, r.setIp(0, '10.0.0.50', { leader: true, probe: true }));
    for (let now = 10; now <= 1200; now += 10) record(now, r.tick(now));
    assert.deepEqual(timeline, [
      '0 absent->standby',
      '0 standby->probing',
      '0 probe eth0',
      '0 probe eth1',
      '100 probe eth0',
      '100 probe eth1',
      '200 probing->announcing',
      // Each gratuitous round is ARP request + reply per interface.
      '200 gratuitous eth0',
      '200 gratuitous eth0',
      '200 gratuitous eth1',
      '200 gratuitous eth1',
      '700 gratuitous eth0',
      '700 gratuitous eth0',
      '700 gratuitous eth1',
      '700 gratuitous eth1',
      '1200 gratuitous eth0',
      '1200 gratuitous eth0',
      '1200 gratuitous eth1',
      '1200 gratuitous eth1',
    ]);
    assert.equal(r.nextDeadline(), undefined);
    assert.equal(r.status('10.0.0.50'), 'announcing');
  });

  test('gratuitous frames: ARP request and reply to broadcast; unsolicited NA with Override to ff02::1', () => {
    const r = responder();
    const v4 = sends(r.setIp(0, '10.0.0.50', { leader: true, probe: false, interfaces: ['eth0'] }));
    assert.deepEqual(
      v4.map(
        (s) =>
          s.frame.kind === 'arp' && [
            s.frame.ethernet.destination,
            s.frame.arp.operation,
            s.frame.arp.senderProtocolAddress,
            s.frame.arp.targetProtocolAddress,
          ],
      ),
      [
        ['ff:ff:ff:ff:ff:ff', 'request', '10.0.0.50', '10.0.0.50'],
        ['ff:ff:ff:ff:ff:ff', 'reply', '10.0.0.50', '10.0.0.50'],
      ],
    );
    const [na] = sends(r.setIp(0, 'fd00::50', { leader: true, probe: false, interfaces: ['eth0'] }));
    assert.ok(na && na.frame.kind === 'ndp');
    if (na.frame.kind !== 'ndp') return;
    assert.equal(na.frame.ethernet.destination, '33:33:00:00:00:01');
    assert.equal(na.frame.ipv6.destination, 'ff02::1');
    assert.deepEqual(na.frame.message, {
      type: 'neighbor-advertisement',
      router: false,
      solicited: false,
      override: true,
      target: 'fd00::50',
      options: [{ type: 'target-link-layer-address', mac: ETH0.mac }],
    });
  });

  test('IPv6 probe is a DAD solicitation from :: to the solicited-node group', () => {
    const r = responder();
    const [probe] = sends(r.setIp(0, 'fd00::50', { leader: true, probe: true, interfaces: ['eth0'] }));
    assert.ok(probe && probe.frame.kind === 'ndp');
    if (probe.frame.kind !== 'ndp') return;
    assert.equal(probe.frame.ipv6.source, '::');
    assert.equal(probe.frame.ipv6.destination, 'ff02::1:ff00:50');
    assert.equal(probe.frame.ethernet.destination, ipv6MulticastMac('ff02::1:ff00:50'));
    // It must pass our own decoder's RFC 4861 §7.1.1 checks, as it must pass the other hosts'.
    assert.equal(l2Frame.decode(encodeFrame(probe.frame), 0).value.kind, 'ndp');
  });

  test('a foreign reply while probing: conflict, never announced, probed again after the retry time', () => {
    const r = responder();
    r.setIp(0, '10.0.0.50', { leader: true, probe: true, interfaces: ['eth0'] });
    const defence = arpFrame(FOREIGN_MAC, arpReply(arpProbe(ETH0.mac, '10.0.0.50'), FOREIGN_MAC), ETH0.mac);
    const effects = r.receive(50, 'eth0', defence);
    assert.deepEqual(
      effects.filter((e) => e.type === 'conflict'),
      [{ type: 'conflict', ip: '10.0.0.50', interface: 'eth0', mac: FOREIGN_MAC, phase: 'probing' }],
    );
    assert.equal(r.status('10.0.0.50'), 'conflict');
    const later = r.tick(4000);
    assert.equal(sends(later).length, 0, 'nothing announced during the conflict');
    assert.deepEqual(
      drops(r.receive(4000, 'eth0', arpFrame(CLIENT_MAC, arpRequest(CLIENT_MAC, '10.0.0.9', '10.0.0.50')))),
      ['conflict'],
    );
    const retry = r.tick(5050);
    assert.deepEqual(
      sends(retry).map((s) => s.purpose),
      ['probe'],
    );
  });

  test('a foreign NA for an IPv6 address being probed is a conflict', () => {
    const r = responder();
    r.setIp(0, 'fd00::50', { leader: true, probe: true });
    const na = ndpFrame(FOREIGN_MAC, 'fd00::50', 'ff02::1', {
      type: 'neighbor-advertisement',
      router: false,
      solicited: false,
      override: true,
      target: 'fd00::50',
      options: [{ type: 'target-link-layer-address', mac: FOREIGN_MAC }],
    });
    assert.ok(r.receive(10, 'eth1', na).some((e) => e.type === 'conflict' && e.phase === 'probing'));
    assert.equal(r.status('fd00::50'), 'conflict');
  });

  test('a foreign gratuitous ARP for an IP we announce is reported and we keep answering', () => {
    const r = responder();
    r.setIp(0, '10.0.0.50', { leader: true, probe: false });
    const effects = r.receive(10, 'eth0', arpFrame(FOREIGN_MAC, arpAnnouncement(FOREIGN_MAC, '10.0.0.50')));
    assert.ok(
      effects.some((e) => e.type === 'conflict' && e.phase === 'announcing' && e.mac === FOREIGN_MAC),
    );
    assert.equal(r.status('10.0.0.50'), 'announcing');
  });

  test('losing leadership stops answering; regaining it without probe announces at once', () => {
    const r = responder();
    r.setIp(0, '10.0.0.50', { leader: true, probe: false });
    r.setIp(10, '10.0.0.50', { leader: false, probe: false });
    assert.equal(r.status('10.0.0.50'), 'standby');
    assert.equal(r.nextDeadline(), undefined);
    const again = r.setIp(20, '10.0.0.50', { leader: true, probe: false });
    assert.equal(sends(again).filter((s) => s.purpose === 'gratuitous').length, 4);
  });

  test('property: whatever frames arrive, we never reply for an IP we do not announce', () => {
    const ipArb = fc.constantFrom('10.0.0.50', '10.0.0.51', '10.0.0.9', '0.0.0.0');
    const macArb = fc.constantFrom(CLIENT_MAC, FOREIGN_MAC, ETH0.mac);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            op: fc.constantFrom('request' as const, 'reply' as const),
            mac: macArb,
            sender: ipArb,
            target: ipArb,
            iface: fc.constantFrom('eth0', 'eth1'),
          }),
          { maxLength: 20 },
        ),
        (frames) => {
          const r = responder();
          r.setIp(0, '10.0.0.50', { leader: true, probe: true });
          r.setIp(0, '10.0.0.51', { leader: false, probe: false });
          let now = 0;
          for (const f of frames) {
            now += 30;
            r.tick(now);
            const arp = {
              operation: f.op,
              senderHardwareAddress: f.mac,
              senderProtocolAddress: f.sender,
              targetHardwareAddress: '00:00:00:00:00:00',
              targetProtocolAddress: f.target,
            };
            const before = r.status(f.target);
            for (const s of sends(r.receive(now, f.iface, arpFrame(f.mac, arp)))) {
              assert.equal(s.ip, '10.0.0.50');
              assert.equal(before, 'announcing');
            }
          }
        },
      ),
    );
  });
});
