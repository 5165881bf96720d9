import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { resolvePeer, type BgpDaemon } from './bgp-daemon.js';
import { nextHopsOf, type BgpDaemonKind, type BgpPeerRef, type StaticRoute } from './bgp-types.js';
import { gobgpConfig } from './gobgp.js';
import { withLab } from './create-lab.js';
import { leftoversOf } from './leftovers.js';
import { labSkipReason, toolPath } from './requirements.js';
import { waitFor } from './wait-for.js';

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

describe('lab router ECMP', { skip }, () => {
  for (const [session, asn] of [
    ['eBGP', 64600],
    ['iBGP', 64512],
  ] as const) {
    test(`${session}: two speakers on nodes announcing one /32 give the router a kernel route with both next hops`, async () => {
      const prefix = '198.18.250.1/32';
      await withLab(
        {
          nodes: 2,
          bird: {
            peers: [
              { node: 0, asn },
              { node: 1, asn },
            ],
          },
        },
        async (lab) => {
          // GoBGP stands in for our speaker on each node.
          for (const node of lab.nodes) {
            const peer = resolvePeer({ address: lab.router.ipv4, asn: lab.bird.asn }, 0);
            const config = gobgpConfig({
              routerId: node.ipv4,
              asn,
              port: 179,
              localAddresses: [node.ipv4],
              peers: [peer],
              extraConfig: '',
            });
            const file = lab.path(`gobgpd-${node.name}.toml`);
            writeFileSync(file, config);
            await lab.spawn(
              node.ns,
              [toolPath('gobgpd'), '-f', file, '-p', '--api-hosts=127.0.0.1:50051', '--pprof-disable'],
              {
                name: `speaker-${node.name}`,
              },
            );
          }
          await lab.bird.waitEstablished();
          for (const node of lab.nodes) {
            const add = [
              toolPath('gobgp'),
              'global',
              'rib',
              'add',
              '-a',
              'ipv4',
              prefix,
              'nexthop',
              node.ipv4,
            ];
            await waitFor(async () => (await lab.exec(node.ns, add, { allowFailure: true })).ok, {
              description: 'gobgp API',
            });
          }
          const paths = await lab.bird.waitRoute(prefix, (found) => found.length === 2);
          const expected = lab.nodes.map((node) => node.ipv4).sort();
          assert.deepEqual(nextHopsOf(paths, prefix), expected);
          const kernel = await waitFor(async () => {
            const routes = await lab.kernelRoutes(lab.router.ns, 'ipv4', prefix);
            return routes[0]?.nextHops.length === 2 ? routes : undefined;
          });
          assert.deepEqual([...(kernel[0]?.nextHops ?? [])].sort(), expected);
          // With the address on every node, the client behind the router reaches it through the ECMP route.
          for (const node of lab.nodes) await lab.exec(node.ns, ['ip', 'addr', 'add', prefix, 'dev', 'lo']);
          assert.equal((await lab.ping(lab.clients.external.ns, prefix.split('/')[0] ?? '')).ok, true);
        },
      );
    });
  }
});
