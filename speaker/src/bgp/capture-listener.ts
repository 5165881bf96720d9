// Captures the messages a BGP daemon sends, for the codec's test vectors (captured-vectors.ts).
// Usage: node dist/bgp/capture-listener.js HOST PORT MILLISECONDS OUT.json
// Accepts one connection, answers OPEN (MP IPv4+IPv6, route refresh, 4-octet AS 64512, graceful restart) and
// KEEPALIVE, records every frame as hex, and at the end sends a message of unknown type 9 so that the daemon
// answers with a NOTIFICATION, which is recorded too.

import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { toHex } from './bytes.js';
import { MessageFramer, decodeMessage, serializeMessage } from './message.js';

const [host = '127.0.0.1', portText = '11180', msText = '3000', out = 'capture.json'] = process.argv.slice(2);
const frames: Array<{ type: string; hex: string }> = [];
const ctx = { fourOctetAs: true };

const server = net.createServer((socket) => {
  const framer = new MessageFramer();
  socket.on('data', (chunk: Buffer) => {
    for (const frame of framer.push(new Uint8Array(chunk))) {
      const message = decodeMessage(frame, 0, ctx).value;
      frames.push({ type: message.type, hex: toHex(frame) });
      if (message.type !== 'open') continue;
      const families = [1, 2].map((afi) => ({ afi, safi: 1, forwardingState: false }));
      socket.write(
        serializeMessage(
          {
            type: 'open',
            version: 4,
            myAs: 64512,
            holdTime: 90,
            bgpIdentifier: '10.0.0.1',
            parameters: [
              [
                { kind: 'multiprotocol', afi: 1, safi: 1 },
                { kind: 'multiprotocol', afi: 2, safi: 1 },
                { kind: 'route-refresh' },
                { kind: 'four-octet-as', asn: 64512 },
                { kind: 'graceful-restart', flags: 0, restartTime: 120, families },
              ],
            ],
          },
          ctx,
        ),
      );
      socket.write(serializeMessage({ type: 'keepalive' }, ctx));
    }
  });
  setTimeout(() => {
    const unknownType = new Uint8Array(19).fill(0xff);
    unknownType.set([0, 19, 9], 16);
    socket.write(unknownType);
    setTimeout(() => {
      writeFileSync(out, JSON.stringify(frames, null, 1));
      process.exit(0);
    }, 500);
  }, Number(msText));
});
server.listen(Number(portText), host);
setTimeout(
  () => {
    console.error('no connection');
    process.exit(1);
  },
  Number(msText) + 15_000,
).unref();
