import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BgpDaemon } from './bgp-daemon.js';
import type { BgpDaemonKind, BgpPeerRef, StaticRoute } from './bgp-types.js';
import { withLab } from './create-lab.js';
import { leftoversOf } from './leftovers.js';
import { labSkipReason } from './requirements.js';

const skip = labSkipReason(['bird', 'birdc', 'bgpd', 'vtysh', 'gobgpd', 'gobgp']);
const kinds: readonly BgpDaemonKind[] = ['bird', 'frr', 'gobgp'];
const originated: Record<BgpDaemonKind, Required<StaticRoute>> = {
  bird: { prefix: '198.51.100.0/24', communities: ['65000:1', '65000:2'], largeCommunities: ['64512:1:2'] },
  frr: { prefix: '203.0.113.0/24', communities: ['65001:7'], largeCommunities: ['64513:3:4'] },
  gobgp: { prefix: '192.0.2.0/24', communities: ['65002:9'], largeCommunities: ['64514:5:6'] },
};
const mesh = (self: BgpDaemonKind): BgpPeerRef[] =>
  kinds.filter((kind) => kind !== self).map((daemon) => ({ daemon }));

describe('lab BGP daemons', { skip }, () => {
  test('BIRD, FRR and GoBGP peer with each other and read back each other’s static routes with next hop and communities', async () => {
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
            const neighbors = sessions.map((session) => session.neighborAddress);
            assert.deepEqual(neighbors.sort(), expected.sort(), `${kind} sessions`);
            assert.ok(sessions.every((session) => session.state === 'Established'));
          }),
        );
        for (const origin of kinds) {
          const { prefix, communities, largeCommunities } = originated[origin];
          for (const reader of kinds.filter((kind) => kind !== origin)) {
            const what = `${reader} reading ${origin}'s ${prefix}`;
            const paths = await daemons[reader].waitRoute(prefix, (found) => found.some((path) => path.best));
            const best = paths.find((path) => path.best);
            assert.deepEqual(best?.nextHops, [daemons[origin].ipv4], `${what}: next hop`);
            assert.deepEqual(best?.asPath, [daemons[origin].asn], `${what}: AS path`);
            assert.deepEqual(best?.communities, communities, `${what}: communities`);
            assert.deepEqual(best?.largeCommunities, largeCommunities, `${what}: large communities`);
          }
        }
        // The router installs what BIRD learned in its kernel table, so traffic is routed.
        const kernel = await lab.kernelRoutes(lab.router.ns, 'ipv4', originated.frr.prefix);
        assert.deepEqual(
          kernel.map((route) => route.nextHops),
          [[lab.frr.ipv4]],
        );

        // A peer killed without a NOTIFICATION and started again: its routes go and come back.
        const gobgpPrefix = originated.gobgp.prefix;
        await lab.gobgp.kill();
        await lab.bird.waitRoute(gobgpPrefix, (found) => found.length === 0);
        await lab.gobgp.start();
        const back = await lab.bird.waitRoute(gobgpPrefix, (found) => found.some((path) => path.best), {
          timeoutMs: 20_000,
        });
        assert.deepEqual(back.find((path) => path.best)?.nextHops, [lab.gobgp.ipv4]);

        // Reconfigured without FRR, BIRD drops that session and FRR loses BIRD's route.
        await lab.reconfigure('bird', { peers: [{ daemon: 'gobgp' }], staticRoutes: [originated.bird] });
        const sessions = await lab.bird.sessions();
        assert.deepEqual(
          sessions.map((session) => session.neighborAddress),
          [lab.gobgp.ipv4],
        );
        await lab.frr.waitRoute(originated.bird.prefix, (found) =>
          found.every((path) => path.from !== lab.bird.ipv4),
        );
      },
    );
    assert.deepEqual(await leftoversOf(runId, pids), []);
  });
});
