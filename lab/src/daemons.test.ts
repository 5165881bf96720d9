import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BgpDaemon } from './bgp-daemon.js';
import type { BgpDaemonKind, BgpPeerRef } from './bgp-types.js';
import { withLab } from './create-lab.js';
import { leftoversOf } from './leftovers.js';
import { labSkipReason } from './requirements.js';

const skip = labSkipReason(['bird', 'birdc', 'bgpd', 'vtysh', 'gobgpd', 'gobgp']);
const kinds: readonly BgpDaemonKind[] = ['bird', 'frr', 'gobgp'];
const originated: Record<BgpDaemonKind, string> = {
  bird: '198.51.100.0/24',
  frr: '203.0.113.0/24',
  gobgp: '192.0.2.0/24',
};
const mesh = (self: BgpDaemonKind): BgpPeerRef[] =>
  kinds.filter((kind) => kind !== self).map((daemon) => ({ daemon }));

describe('lab BGP daemons', { skip }, () => {
  test('BIRD, FRR and GoBGP peer with each other and read back each other’s static routes with the right next hop', async () => {
    let runId = '';
    let pids: number[] = [];
    await withLab(
      {
        nodes: 1,
        bird: { peers: mesh('bird'), staticRoutes: [originated.bird] },
        frr: { peers: mesh('frr'), staticRoutes: [originated.frr] },
        gobgp: { peers: mesh('gobgp'), staticRoutes: [originated.gobgp] },
      },
      async (lab) => {
        runId = lab.runId;
        const daemons: Record<BgpDaemonKind, BgpDaemon> = { bird: lab.bird, frr: lab.frr, gobgp: lab.gobgp };
        pids = kinds.map((kind) => daemons[kind].process?.pid ?? 0);
        await Promise.all(
          kinds.map(async (kind) => {
            const sessions = await daemons[kind].waitEstablished(undefined, { timeoutMs: 20_000 });
            const expected = kinds.filter((other) => other !== kind).map((other) => daemons[other].ipv4);
            assert.deepEqual(
              sessions.map((session) => session.neighborAddress).sort(),
              expected.sort(),
              `${kind} sessions`,
            );
            assert.ok(sessions.every((session) => session.state === 'Established'));
          }),
        );
        for (const origin of kinds) {
          for (const reader of kinds.filter((kind) => kind !== origin)) {
            const paths = await daemons[reader].waitRoute(
              originated[origin],
              (found) => found.some((path) => path.best),
              {
                timeoutMs: 15_000,
              },
            );
            const best = paths.find((path) => path.best);
            assert.deepEqual(
              best?.nextHops,
              [daemons[origin].ipv4],
              `${reader} reads ${origin}'s route via ${origin}`,
            );
            assert.deepEqual(best?.asPath, [daemons[origin].asn], `${reader}: AS path of ${origin}'s route`);
          }
        }
        // The router installs what BIRD learned in its kernel table, so traffic is routed.
        const kernel = await lab.exec(lab.router.ns, ['ip', '-j', 'route', 'show', originated.frr]);
        assert.match(kernel.stdout, new RegExp(`"gateway":"${lab.frr.ipv4.replaceAll('.', '\\.')}"`));
      },
    );
    assert.deepEqual(await leftoversOf(runId, pids), []);
  });
});
