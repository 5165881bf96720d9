import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from './clock.js';
import { BgpListener } from './listener.js';
import { MessageFramer, decodeMessage, serializeMessage } from './message.js';
import { BgpSession } from './session.js';
import { tcpDialer } from './tcp.js';
import { tcpMd5Status } from './tcp-md5.js';

test('a passive session over real loopback TCP: the peer dials, both reach Established; strangers are refused', async () => {
  const states: string[] = [];
  const session = new BgpSession(
    { name: 'peer', localAsn: 64512, peerAsn: 65001, routerId: '10.0.0.1', holdTime: 9, passive: true },
    systemClock,
    undefined,
    { stateChanged: (s) => states.push(s) },
  );
  const listener = new BgpListener({ port: 0, host: '127.0.0.1' });
  listener.add('127.0.0.1', session);
  await listener.listen();
  session.start();
  const ctx = { fourOctetAs: true };
  const peer = net.connect({ host: '127.0.0.1', port: listener.port ?? 0 });
  const received: string[] = [];
  const framer = new MessageFramer();
  peer.on('data', (chunk: Buffer) => {
    for (const f of framer.push(new Uint8Array(chunk))) received.push(decodeMessage(f, 0, ctx).value.type);
  });
  try {
    await new Promise<void>((resolve) => peer.once('connect', resolve));
    peer.write(
      serializeMessage(
        {
          type: 'open',
          version: 4,
          myAs: 65001,
          holdTime: 9,
          bgpIdentifier: '192.0.2.1',
          parameters: [[{ kind: 'four-octet-as', asn: 65001 }]],
        },
        ctx,
      ),
    );
    peer.write(serializeMessage({ type: 'keepalive' }, ctx));
    for (let i = 0; i < 100 && session.state !== 'established'; i++) await sleep(20);
    assert.equal(session.state, 'established');
    assert.deepEqual(received.slice(0, 2), ['open', 'keepalive']);
    listener.remove('127.0.0.1');
    const stranger = net.connect({ host: '127.0.0.1', port: listener.port ?? 0 });
    await new Promise<void>((resolve) => stranger.once('close', () => resolve()));
    assert.equal(listener.rejected, 1);
  } finally {
    session.stop();
    peer.destroy();
    await listener.close();
  }
});

test(
  'a listener with a TCP MD5 key accepts the keyed peer and never an unkeyed connection (RFC 2385)',
  { skip: tcpMd5Status().available ? false : 'tcp-md5 addon not built' },
  async () => {
    const accepted: string[] = [];
    const session = new BgpSession(
      { name: 'peer', localAsn: 64512, peerAsn: 65001, routerId: '10.0.0.1', holdTime: 9, passive: true },
      systemClock,
      undefined,
      { stateChanged: (s) => accepted.push(s) },
    );
    const listener = new BgpListener({
      port: 0,
      host: '127.0.0.1',
      passwords: new Map([['127.0.0.1', 'k3y']]),
    });
    listener.add('127.0.0.1', session);
    await listener.listen();
    session.start();
    const port = listener.port ?? 0;
    const sockets: net.Socket[] = [];
    try {
      // Unkeyed: the kernel drops the SYN, so the connection never completes.
      const plain = net.connect({ host: '127.0.0.1', port });
      sockets.push(plain);
      let plainConnected = false;
      plain.on('connect', () => (plainConnected = true));
      plain.on('error', () => {});
      // Keyed with the same password: accepted and handed to the session (which sends its OPEN).
      let opened = false;
      const dial = tcpDialer({ address: '127.0.0.1', port, password: 'k3y' });
      const conn = dial({ connected: () => (opened = true), data: () => {}, closed: () => {} });
      for (let i = 0; i < 100 && !accepted.includes('opensent'); i++) await sleep(20);
      assert.ok(opened, 'keyed connection completed');
      assert.ok(accepted.includes('opensent'), 'session got the keyed connection');
      await sleep(300);
      assert.equal(plainConnected, false);
      conn.close();
    } finally {
      session.stop();
      for (const s of sockets) s.destroy();
      await listener.close();
    }
  },
);
