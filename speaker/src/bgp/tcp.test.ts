import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import type { ConnectionEvents } from './session.js';
import { tcpDialer } from './tcp.js';
import { tcpMd5Status } from './tcp-md5.js';

async function dialLoopback(options: { ttl?: number }): Promise<string> {
  const server = net.createServer((socket) => socket.end(Buffer.from('hello')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const dial = tcpDialer({ address: '127.0.0.1', port, ...options });
    return await new Promise<string>((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5_000);
      const events: ConnectionEvents = {
        connected: () => {},
        data: (chunk) => chunks.push(chunk.slice()),
        closed: () => {
          clearTimeout(timer);
          resolve(Buffer.concat(chunks).toString());
        },
      };
      dial(events);
    });
  } finally {
    server.close();
  }
}

test('plain dialer: connects and delivers data, then the close', async () => {
  assert.equal(await dialLoopback({}), 'hello');
});

test(
  'dialer with a TTL (eBGP multihop) prepares the socket through the addon and connects',
  {
    skip: tcpMd5Status().available ? false : 'tcp-md5 addon not built',
  },
  async () => {
    assert.equal(await dialLoopback({ ttl: 2 }), 'hello');
  },
);

test('dialer: peer port and source address (MetalLB peerPort, sourceAddress)', async () => {
  let seen = '';
  const server = net.createServer((socket) => {
    seen = socket.remoteAddress ?? '';
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no connection within 5 s')), 5_000);
      tcpDialer({ address: '127.0.0.1', port, localAddress: '127.0.0.5' })({
        connected: () => {},
        data: () => {},
        closed: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
    assert.equal(seen, '127.0.0.5');
  } finally {
    server.close();
  }
});
