import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { Membership, type SwimMessage } from './membership.js';
import { memberlistKey, openMessage, parseHostPort, sealMessage, UdpMembership } from './membership-udp.js';

const KEY = memberlistKey(Buffer.alloc(32, 7));
const MESSAGE: SwimMessage = {
  kind: 'ping-req',
  seq: 42,
  from: 'node1',
  target: 'node2',
  updates: [{ name: 'node3', address: '10.0.0.3:7946', state: 'suspect', incarnation: 4 }],
};

describe('membership datagrams (AES-256-GCM)', () => {
  test('seal then open gives the message back; the nonce makes every datagram different', () => {
    const a = sealMessage(KEY, MESSAGE);
    const b = sealMessage(KEY, MESSAGE);
    assert.notDeepEqual(a, b);
    assert.deepEqual(openMessage(KEY, a), MESSAGE);
    assert.ok(!a.includes(Buffer.from('node3')), 'member names are not readable on the wire');
  });

  test('a wrong key, a flipped bit anywhere, or truncation: rejected', () => {
    const sealed = sealMessage(KEY, MESSAGE);
    assert.equal(openMessage(memberlistKey(Buffer.alloc(32, 8)), sealed), undefined);
    fc.assert(
      fc.property(fc.nat(sealed.length - 1), fc.integer({ min: 0, max: 7 }), (at, bit) => {
        const tampered = Buffer.from(sealed);
        tampered[at] = (tampered[at] ?? 0) ^ (1 << bit);
        assert.equal(openMessage(KEY, tampered), undefined);
      }),
    );
    assert.equal(openMessage(KEY, sealed.subarray(0, sealed.length - 1)), undefined);
    assert.equal(openMessage(KEY, Buffer.alloc(0)), undefined);
  });

  test('authentic but ill-formed content is rejected too', () => {
    const bogus = { kind: 'ping', seq: 'x', from: 'a', updates: [] } as unknown as SwimMessage;
    assert.equal(openMessage(KEY, sealMessage(KEY, bogus)), undefined);
  });

  test('key derivation: 32 bytes used as is; other lengths (MetalLB 128-byte secretkey) hashed; empty refused', () => {
    assert.deepEqual(memberlistKey(Buffer.alloc(32, 1)), Buffer.alloc(32, 1));
    assert.equal(memberlistKey(Buffer.alloc(128, 1)).length, 32);
    assert.notDeepEqual(memberlistKey(Buffer.alloc(128, 1)), memberlistKey(Buffer.alloc(128, 2)));
    assert.throws(() => memberlistKey(Buffer.alloc(0)), /empty/);
  });

  test('host:port parsing', () => {
    assert.deepEqual(parseHostPort('10.0.0.1:7946'), { host: '10.0.0.1', port: 7946 });
    assert.deepEqual(parseHostPort('[fd00::1]:7946'), { host: 'fd00::1', port: 7946 });
    assert.throws(() => parseHostPort('10.0.0.1'), /host:port/);
  });
});

describe('membership over UDP on loopback', { timeout: 10_000 }, () => {
  test('three speakers see each other; a stopped one is declared dead in under a second; a wrong key is ignored', async () => {
    const names = ['a', 'b', 'c'];
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const address = (i: number) => `127.0.0.1:${port + i}`;
    const peers = names.map((name, i) => ({ name, address: address(i) }));
    const deaths: Array<{ observer: string; name: string; at: number }> = [];
    let rejected = 0;
    const nodes = names.map((name, i) => {
      const membership = new Membership({ self: { name, address: address(i) } }, Date.now());
      membership.join(peers);
      const udp = new UdpMembership({
        membership,
        bind: address(i),
        key: Buffer.alloc(32, 9),
        clock: () => Date.now(),
        onEffect: (effect) => {
          if (effect.type === 'member' && effect.state === 'dead')
            deaths.push({ observer: name, name: effect.name, at: Date.now() });
        },
        onRejected: () => {
          rejected += 1;
        },
      });
      return { name, membership, udp };
    });
    // An intruder with another key, claiming to be "c", must change nothing.
    const intruder = new Membership({ self: { name: 'c', address: address(3) } }, Date.now());
    intruder.join(peers);
    const intruderUdp = new UdpMembership({
      membership: intruder,
      bind: address(3),
      key: Buffer.alloc(32, 1),
      clock: () => Date.now(),
    });
    try {
      await Promise.all([...nodes.map((n) => n.udp.start()), intruderUdp.start()]);
      await sleep(600);
      assert.equal(deaths.length, 0, JSON.stringify(deaths));
      assert.ok(rejected > 0, 'the intruder datagrams were rejected');
      const stoppedAt = Date.now();
      nodes[2]?.udp.stop();
      intruderUdp.stop();
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline && deaths.filter((d) => d.name === 'c').length < 2) await sleep(10);
      const seen = deaths.filter((d) => d.name === 'c');
      assert.equal(seen.length, 2, 'a and b both declare c dead');
      for (const d of seen) assert.ok(d.at - stoppedAt < 1_000, `${d.observer} took ${d.at - stoppedAt} ms`);
      assert.deepEqual(nodes[0]?.membership.liveMembers(), ['a', 'b']);
    } finally {
      for (const node of nodes.slice(0, 2)) node.udp.stop();
    }
  });
});
