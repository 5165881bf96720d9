// TCP MD5 (RFC 2385) against BIRD `password`: the right key establishes, a wrong one never does.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultAsn, labSkipReason, withLab } from '@lbops/lab';
import { startSpeaker } from './lab-speaker.test-support.js';
import { tcpDialer } from './tcp.js';
import { SocketOptionUnavailableError, addonPath, tcpMd5Status } from './tcp-md5.js';

const status = tcpMd5Status();
const inCi = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';

describe('TCP MD5 signatures', () => {
  test(
    'the addon is built and loads (in CI it must)',
    { skip: !inCi && !status.available ? `addon not built: ${addonPath}` : false },
    () => {
      assert.deepEqual(status, { available: true });
    },
  );

  test(
    'a dialer for a password-protected peer without the addon fails naming the peer',
    { skip: status.available ? 'addon present' : false },
    () => {
      assert.throws(
        () => tcpDialer({ address: '192.0.2.1', password: 'x', name: 'router-a' }),
        (error: unknown) => error instanceof SocketOptionUnavailableError && /router-a/.test(error.message),
      );
    },
  );

  const skip = !status.available ? 'tcp-md5 addon not built' : labSkipReason(['bird', 'birdc']);
  test(
    'BIRD with a password: the right key reaches Established (dialling and listening), a wrong key never does',
    { skip },
    async () => {
      const asn = 64600;
      await withLab(
        {
          nodes: 3,
          bird: {
            peers: [
              { node: 0, asn, password: 'lbops-secret' },
              { node: 1, asn, password: 'lbops-secret' },
              { node: 2, asn, password: 'lbops-secret' },
            ],
          },
        },
        async (lab) => {
          const [good, bad, passive] = lab.nodes;
          assert.ok(good && bad && passive);
          const peer = (node: typeof good, password: string) => ({
            peers: [
              {
                name: 'bird',
                address: lab.bird.ipv4,
                localAsn: asn,
                peerAsn: defaultAsn.bird,
                routerId: node.ipv4,
                holdTime: 9,
                connectTime: 2,
                connectRetry: { initialMs: 250, maxMs: 1_000 },
                password,
                routes: [
                  { prefix: lab.plan.servicePrefix.ipv4.replace(/\.0\/\d+$/, '.5/32'), nextHop: node.ipv4 },
                ],
              },
            ],
          });
          const right = await startSpeaker(lab, 0, peer(good, 'lbops-secret'));
          // Passive: BIRD dials node 3, whose listening socket carries the key for BIRD's address.
          const passivePeer = peer(passive, 'lbops-secret');
          const listening = await startSpeaker(lab, 2, {
            listenPort: 179,
            peers: passivePeer.peers.map((p) => ({ ...p, passive: true })),
          });
          const wrong = await startSpeaker(lab, 1, peer(bad, 'not-the-secret'));
          await right.waitEstablished();
          await lab.bird.waitEstablished(good.ipv4);
          await listening.waitEstablished();
          await lab.bird.waitEstablished(passive.ipv4);
          // Several connection attempts' worth of time: the wrong key must never get through.
          await sleep(4_000);
          assert.notEqual(wrong.status()?.peers['bird']?.state, 'established');
          const sessions = await lab.bird.sessions();
          assert.equal(sessions.find((s) => s.neighborAddress === bad.ipv4)?.established, false);
          assert.equal(sessions.find((s) => s.neighborAddress === good.ipv4)?.established, true);
        },
      );
    },
  );
});
