// Our speaker against real BIRD, FRR and GoBGP in a network lab (namespaces on a LAN, port 179): sessions,
// IPv4 and IPv6 routes with their attributes, withdrawal, and recovery after the daemon is killed.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type BgpDaemon,
  type BgpDaemonKind,
  type BgpRoute,
  FrrDaemon,
  GobgpDaemon,
  defaultAsn,
  kernelRoutes,
  labSkipReason,
  nextHopsOf,
  parseFrrPrefix,
  prefixFamily,
  waitFor,
  withLab,
} from '@lbops/lab';
import type { Route } from './announcer.js';
import { parseCommunity } from './communities.js';
import type { RunnerPeer } from './lab-runner.test-support.js';
import { startSpeaker } from './lab-speaker.test-support.js';

const skip = labSkipReason(['bird', 'birdc', 'bgpd', 'vtysh', 'gobgpd', 'gobgp']);

function community(text: string): number {
  const parsed = parseCommunity(text);
  assert.ok(parsed?.kind === 'standard');
  return parsed.value;
}

const fast = { holdTime: 9, connectRetry: { initialMs: 250, maxMs: 2_000 } };

function routesFor(node: { ipv4: string; ipv6: string }, servicePrefix: { ipv4: string; ipv6: string }) {
  // Service IPs from the lab's routed-nowhere prefix: one IPv4 /32, one IPv6 /128.
  const v4 = servicePrefix.ipv4.replace(/\.0\/\d+$/, '.7/32');
  const v6 = servicePrefix.ipv6.replace(/::\/\d+$/, '::7/128');
  const routes: Route[] = [
    {
      prefix: v4,
      nextHop: node.ipv4,
      communities: [community('64512:100'), community('64513:300')],
      largeCommunities: [[64512, 7, 9]],
      localPref: 250,
    },
    {
      prefix: v6,
      nextHop: node.ipv6,
      communities: [community('64512:200')],
      largeCommunities: [[64512, 8, 1]],
      localPref: 250,
    },
  ];
  return { v4, v6, routes };
}

function daemonOf(
  lab: { bird: BgpDaemon; frr: BgpDaemon; gobgp: BgpDaemon },
  kind: BgpDaemonKind,
): BgpDaemon {
  return kind === 'bird' ? lab.bird : kind === 'frr' ? lab.frr : lab.gobgp;
}

/** Large communities as GoBGP 3.10 prints them in `global rib -j` ({ASN, LocalData1, LocalData2}). */
function gobgpLarge(json: string, prefix: string): string[] {
  const rib = JSON.parse(json) as Record<string, Array<{ attrs?: Array<{ type: number; value?: unknown }> }>>;
  const values = rib[prefix]?.[0]?.attrs?.find((a) => a.type === 32)?.value;
  if (!Array.isArray(values)) return [];
  return values.map((v: Record<string, number | undefined>) =>
    [
      v['ASN'] ?? v['global_admin'],
      v['LocalData1'] ?? v['local_data1'],
      v['LocalData2'] ?? v['local_data2'],
    ].join(':'),
  );
}

/** Every path of `prefix` with its attributes, read the way each daemon reports them in full. */
async function pathsOf(daemon: BgpDaemon, prefix: string): Promise<BgpRoute[]> {
  // FRR's table listing omits communities; its per-prefix view has them.
  if (daemon instanceof FrrDaemon) {
    const json = await daemon.vtysh([`show bgp ${prefixFamily(prefix)} unicast ${prefix} json`]);
    // FRR answers a longest match for a missing prefix; keep only the exact one.
    return parseFrrPrefix(json).filter((route) => route.prefix === prefix);
  }
  const family = prefixFamily(prefix);
  const paths = (await daemon.routes(family)).filter((r) => r.prefix === prefix);
  if (daemon instanceof GobgpDaemon) {
    const large = gobgpLarge(await daemon.gobgp(['global', 'rib', '-a', family, '-j']), prefix);
    return paths.map((p) => ({ ...p, largeCommunities: large }));
  }
  return paths;
}

function best(paths: BgpRoute[]): BgpRoute {
  const found = paths.find((p) => p.best) ?? paths[0];
  assert.ok(found, 'no path');
  return found;
}

describe('BGP speaker against real daemons', { skip }, () => {
  for (const kind of ['bird', 'frr', 'gobgp'] as const) {
    test(`${kind}: iBGP and eBGP sessions, IPv4+IPv6 routes with next hop, communities, large communities, local pref; withdraw; daemon restart`, async () => {
      const asn = defaultAsn[kind];
      const ebgpAsn = 64600;
      const peerSpecs = [
        { node: 0, asn, families: ['ipv4', 'ipv6'] as const },
        { node: 1, asn: ebgpAsn, families: ['ipv4', 'ipv6'] as const },
      ];
      await withLab(
        {
          nodes: 2,
          bird: kind === 'bird' ? { peers: peerSpecs } : false,
          ...(kind === 'frr' ? { frr: { peers: peerSpecs } } : {}),
          ...(kind === 'gobgp' ? { gobgp: { peers: peerSpecs } } : {}),
        },
        async (lab) => {
          const daemon = daemonOf(lab, kind);
          const node = lab.nodes[0];
          assert.ok(node);
          const { v4, v6, routes } = routesFor(node, lab.plan.servicePrefix);
          const peer: RunnerPeer = {
            name: kind,
            address: daemon.ipv4,
            localAsn: asn,
            peerAsn: asn,
            routerId: node.ipv4,
            routes,
            ...fast,
          };
          const speaker = await startSpeaker(lab, 0, { peers: [peer] });
          await speaker.waitEstablished();
          await daemon.waitEstablished(node.ipv4);

          await daemon.waitRoute(v4);
          await daemon.waitRoute(v6);
          const p4 = best(await pathsOf(daemon, v4));
          assert.deepEqual(p4.nextHops, [node.ipv4]);
          assert.deepEqual([...p4.communities].sort(), ['64512:100', '64513:300']);
          assert.deepEqual(p4.largeCommunities, ['64512:7:9']);
          assert.equal(p4.localPref, 250);
          assert.deepEqual(p4.asPath, []);
          const p6 = best(await pathsOf(daemon, v6));
          assert.ok(p6.nextHops.includes(node.ipv6), `IPv6 next hops ${p6.nextHops.join(',')}`);
          assert.deepEqual(p6.communities, ['64512:200']);
          assert.deepEqual(p6.largeCommunities, ['64512:8:1']);
          assert.equal(p6.localPref, 250);

          // eBGP from node 2: our ASN in AS_PATH, its own next hops (LOCAL_PREF is not sent to external peers).
          const external = lab.nodes[1];
          assert.ok(external);
          const ext4 = v4.replace(/\.7\/32$/, '.8/32');
          const ext6 = v6.replace(/::7\/128$/, '::8/128');
          const ebgp = await startSpeaker(lab, 1, {
            peers: [
              {
                name: kind,
                address: daemon.ipv4,
                localAsn: ebgpAsn,
                peerAsn: asn,
                routerId: external.ipv4,
                routes: [
                  {
                    prefix: ext4,
                    nextHop: external.ipv4,
                    communities: [community('64600:1')],
                    localPref: 999,
                  },
                  { prefix: ext6, nextHop: external.ipv6, largeCommunities: [[64600, 1, 1]] },
                ],
                ...fast,
              },
            ],
          });
          await ebgp.waitEstablished();
          await daemon.waitRoute(ext4);
          await daemon.waitRoute(ext6);
          const e4 = best(await pathsOf(daemon, ext4));
          assert.deepEqual(e4.nextHops, [external.ipv4]);
          assert.deepEqual(e4.asPath, [ebgpAsn]);
          assert.deepEqual(e4.communities, ['64600:1']);
          assert.notEqual(e4.localPref, 999);
          const e6 = best(await pathsOf(daemon, ext6));
          assert.ok(e6.nextHops.includes(external.ipv6), `IPv6 next hops ${e6.nextHops.join(',')}`);
          assert.deepEqual(e6.asPath, [ebgpAsn]);
          assert.deepEqual(e6.largeCommunities, ['64600:1:1']);
          await ebgp.stop();

          // Removing the IPv4 route withdraws it; the IPv6 one stays.
          await speaker.update({ peers: [{ ...peer, routes: routes.slice(1) }] });
          await daemon.waitRoute(v4, (paths) => paths.length === 0);
          assert.equal((await daemon.routes('ipv6')).filter((r) => r.prefix === v6).length, 1);

          // Kill the daemon without a NOTIFICATION and start it again: the session and routes come back.
          await speaker.update({ peers: [peer] });
          await daemon.waitRoute(v4);
          await daemon.kill();
          await daemon.start();
          await daemon.waitEstablished(node.ipv4, { timeoutMs: 20_000 });
          assert.deepEqual(best(await daemon.waitRoute(v4)).nextHops, [node.ipv4]);
          assert.ok(best(await daemon.waitRoute(v6)).nextHops.includes(node.ipv6));
          await speaker.stop();
        },
      );
    });
  }

  test('passive mode: BIRD dials our listener on port 179 and receives the routes', async () => {
    await withLab({ nodes: 1, bird: { peers: [{ node: 0, asn: 64600 }] } }, async (lab) => {
      const node = lab.nodes[0];
      assert.ok(node);
      const prefix = lab.plan.servicePrefix.ipv4.replace(/\.0\/\d+$/, '.11/32');
      const speaker = await startSpeaker(lab, 0, {
        listenPort: 179,
        peers: [
          {
            name: 'bird',
            address: lab.bird.ipv4,
            localAsn: 64600,
            peerAsn: defaultAsn.bird,
            routerId: node.ipv4,
            passive: true,
            routes: [{ prefix, nextHop: node.ipv4 }],
            ...fast,
          },
        ],
      });
      await speaker.waitEstablished();
      assert.deepEqual(best(await lab.bird.waitRoute(prefix)).nextHops, [node.ipv4]);
    });
  });

  test('bird: two nodes announcing one /32 over eBGP give the router an ECMP route with both next hops', async () => {
    const nodeAsn = 64600;
    await withLab(
      {
        nodes: 2,
        bird: {
          peers: [
            { node: 0, asn: nodeAsn },
            { node: 1, asn: nodeAsn },
          ],
          extraConfig: '',
        },
      },
      async (lab) => {
        const [n1, n2] = lab.nodes;
        assert.ok(n1 && n2);
        const prefix = lab.plan.servicePrefix.ipv4.replace(/\.0\/\d+$/, '.9/32');
        const speakers = await Promise.all(
          [n1, n2].map((node, i) =>
            startSpeaker(lab, i, {
              peers: [
                {
                  name: 'bird',
                  address: lab.bird.ipv4,
                  localAsn: nodeAsn,
                  peerAsn: defaultAsn.bird,
                  routerId: node.ipv4,
                  routes: [{ prefix, nextHop: node.ipv4 }],
                  ...fast,
                },
              ],
            }),
          ),
        );
        await Promise.all(speakers.map((s) => s.waitEstablished()));
        await lab.bird.waitRoute(prefix, (paths) => nextHopsOf(paths, prefix).length === 2);
        assert.deepEqual(nextHopsOf(await lab.bird.routes('ipv4'), prefix), [n1.ipv4, n2.ipv4].sort());
        for (const path of (await lab.bird.routes('ipv4')).filter((r) => r.prefix === prefix)) {
          assert.deepEqual(path.asPath, [nodeAsn]);
        }
        // BIRD merges the two paths into one multipath kernel route: the router forwards to both nodes.
        const kernel = await waitFor(
          async () => {
            const found = await kernelRoutes(lab.router.ns, 'ipv4', prefix);
            return found.find((r) => r.nextHops.length === 2);
          },
          { timeoutMs: 10_000, description: `ECMP kernel route for ${prefix}` },
        );
        assert.deepEqual([...kernel.nextHops].sort(), [n1.ipv4, n2.ipv4].sort());
      },
    );
  });
});
