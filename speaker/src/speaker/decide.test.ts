import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { loadConfig, type Config } from '@lbops/schemas';
import { rankNodes } from '../l2/leader.js';
import { EXCLUDE_LABEL, type EndpointInfo, type NodeInfo, type ServiceInfo } from './cluster-state.js';
import { decide, newRankingCache, type DecisionInput } from './decide.js';

function config(yaml: string): Config {
  const { config: loaded, diagnostics } = loadConfig([{ name: 'test.yaml', content: yaml }]);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, []);
  assert.ok(loaded !== undefined);
  return loaded;
}

const POOLS = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: l2pool, namespace: metallb-system }
spec: { addresses: [192.0.2.0/28, 'fd00::/124'] }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: bgppool, namespace: metallb-system }
spec: { addresses: [198.51.100.0/24] }
`;

const L2 = `${POOLS}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: l2, namespace: metallb-system }
spec: { ipAddressPools: [l2pool] }
`;

const BGP = `${POOLS}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec: { myASN: 64512, peerASN: 64512, peerAddress: 10.0.0.1 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: edge, namespace: metallb-system }
spec:
  myASN: 64512
  peerASN: 65000
  peerAddress: 10.0.0.2
  nodeSelectors: [{ matchLabels: { edge: 'true' } }]
---
apiVersion: metallb.io/v1beta1
kind: Community
metadata: { name: communities, namespace: metallb-system }
spec: { communities: [{ name: no-export, value: '65535:65281' }] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: bgp, namespace: metallb-system }
spec:
  ipAddressPools: [bgppool]
  aggregationLength: 24
  localPref: 200
  communities: [no-export, '64512:7']
`;

const node = (name: string, labels: Record<string, string> = {}, networkUnavailable = false): NodeInfo => ({
  name,
  labels,
  networkUnavailable,
  addresses: [],
});

const service = (name: string, ips: string[], extra: Partial<ServiceInfo> = {}): ServiceInfo => ({
  namespace: 'default',
  name,
  labels: {},
  ips,
  externalTrafficPolicy: 'Cluster',
  ...extra,
});

const NODES = [node('a'), node('b'), node('c')];

function input(
  cfg: Config,
  self: string,
  services: ServiceInfo[],
  endpoints: Record<string, EndpointInfo[]>,
  extra: Partial<DecisionInput> = {},
): DecisionInput {
  return {
    config: cfg,
    node: self,
    nodes: NODES,
    services,
    endpoints: new Map(Object.entries(endpoints)),
    liveSpeakers: undefined,
    ...extra,
  };
}

const readyOn = (nodeName: string): EndpointInfo => ({ ready: true, nodeName });
const notReady: EndpointInfo = { ready: false, nodeName: 'a' };

/** The nodes that announce `ip` over layer 2, each asking from its own point of view. */
function l2Announcers(
  base: (self: string) => DecisionInput,
  nodes: readonly NodeInfo[],
  ip: string,
): string[] {
  return nodes.filter((n) => decide(base(n.name)).layer2.some((a) => a.ip === ip)).map((n) => n.name);
}

describe('decide: layer 2', () => {
  const cfg = config(L2);
  const ip = '192.0.2.5';
  const owner = rankNodes(ip, ['a', 'b', 'c'])[0] ?? '';

  test('exactly the ranked first node announces, the others say who does', () => {
    const base = (self: string): DecisionInput =>
      input(cfg, self, [service('web', [ip])], { 'default/web': [readyOn('a')] });
    assert.deepEqual(l2Announcers(base, NODES, ip), [owner]);
    const other = NODES.find((n) => n.name !== owner)?.name ?? '';
    const skipped = decide(base(other)).skipped;
    assert.deepEqual(
      skipped.map((s) => [s.reason, s.message]),
      [['not-owner', `node ${owner} announces ${ip}`]],
    );
    assert.equal(decide(base(owner)).l2Owners.get(`default/web ${ip}`), owner);
  });

  test('nothing without a ready endpoint', () => {
    for (const endpoints of [{}, { 'default/web': [notReady] }]) {
      const base = (self: string): DecisionInput => input(cfg, self, [service('web', [ip])], endpoints);
      assert.deepEqual(l2Announcers(base, NODES, ip), []);
      assert.equal(decide(base('a')).skipped[0]?.reason, 'no-ready-endpoint');
    }
  });

  test('externalTrafficPolicy Local: only a node with a ready local endpoint', () => {
    for (const host of ['a', 'b', 'c']) {
      const base = (self: string): DecisionInput =>
        input(cfg, self, [service('web', [ip], { externalTrafficPolicy: 'Local' })], {
          'default/web': [readyOn(host), { ready: false, nodeName: 'a' }],
        });
      assert.deepEqual(l2Announcers(base, NODES, ip), [host]);
    }
  });

  test('excluded and NetworkUnavailable nodes never announce; the next ranked takes over', () => {
    const ranked = rankNodes(ip, ['a', 'b', 'c']);
    const [first, second] = ranked;
    assert.ok(first !== undefined && second !== undefined);
    for (const changed of [node(first, { [EXCLUDE_LABEL]: '' }), node(first, {}, true)]) {
      const nodes: NodeInfo[] = NODES.map((n) => (n.name === first ? changed : n));
      const base = (self: string): DecisionInput =>
        input(cfg, self, [service('web', [ip])], { 'default/web': [readyOn('a')] }, { nodes });
      assert.deepEqual(l2Announcers(base, nodes, ip), [second]);
      const reason: string | undefined = decide(base(first)).skipped[0]?.reason;
      assert.equal(reason, changed.networkUnavailable ? 'node-network-unavailable' : 'node-excluded');
    }
  });

  test('only live speakers are ranked', () => {
    const ranked = rankNodes(ip, ['a', 'b', 'c']);
    const live = new Set(ranked.slice(1));
    const base = (self: string): DecisionInput =>
      input(cfg, self, [service('web', [ip])], { 'default/web': [readyOn('a')] }, { liveSpeakers: live });
    assert.deepEqual(l2Announcers(base, NODES, ip), [ranked[1]]);
  });

  test('node selectors, interfaces and service selectors of the L2Advertisement', () => {
    const selective = config(`${POOLS}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: l2, namespace: metallb-system }
spec:
  ipAddressPools: [l2pool]
  nodeSelectors: [{ matchLabels: { zone: east } }]
  interfaces: [eth1, eth0]
  serviceSelectors: [{ matchLabels: { expose: l2 } }]
`);
    const nodes = [node('a', { zone: 'east' }), node('b'), node('c', { zone: 'east' })];
    const owner2 = rankNodes(ip, ['a', 'c'])[0] ?? '';
    const labelled = service('web', [ip], { labels: { expose: 'l2' } });
    const base = (self: string): DecisionInput =>
      input(selective, self, [labelled], { 'default/web': [readyOn('b')] }, { nodes });
    assert.deepEqual(l2Announcers(base, nodes, ip), [owner2]);
    assert.deepEqual(decide(base(owner2)).layer2[0]?.interfaces, ['eth0', 'eth1']);
    assert.equal(decide(base('b')).skipped[0]?.reason, 'node-not-selected');
    const unlabelled = (self: string): DecisionInput =>
      input(selective, self, [service('web', [ip])], { 'default/web': [readyOn('b')] }, { nodes });
    assert.equal(decide(unlabelled('a')).skipped[0]?.reason, 'no-advertisement');
  });

  test('an IP outside every pool is reported, not announced', () => {
    const d = decide(input(cfg, 'a', [service('web', ['203.0.113.1'])], { 'default/web': [readyOn('a')] }));
    assert.deepEqual(d.layer2, []);
    assert.equal(d.skipped[0]?.reason, 'no-pool');
  });

  test('property: exactly one live eligible node owns each layer 2 IP', () => {
    const names = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];
    const sharedCache = newRankingCache();
    const arbNode = fc.record({
      excluded: fc.boolean(),
      unavailable: fc.boolean(),
      live: fc.boolean(),
      endpoint: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(arbNode, { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 0, max: 15 }),
        fc.boolean(),
        (flags, host, local) => {
          const ipText = `192.0.2.${host}`;
          const nodes = names.map((name, i) =>
            node(
              name,
              flags[i]?.excluded === true ? { [EXCLUDE_LABEL]: 'true' } : {},
              flags[i]?.unavailable === true,
            ),
          );
          const live = new Set(names.filter((_, i) => flags[i]?.live === true));
          const endpoints = names.filter((_, i) => flags[i]?.endpoint === true).map(readyOn);
          const svc = service('web', [ipText], { externalTrafficPolicy: local ? 'Local' : 'Cluster' });
          const base = (self: string): DecisionInput =>
            input(cfg, self, [svc], { 'default/web': endpoints }, { nodes, liveSpeakers: live });
          const eligible = names.filter(
            (_, i) =>
              flags[i]?.excluded !== true &&
              flags[i]?.unavailable !== true &&
              flags[i]?.live === true &&
              (!local || flags[i]?.endpoint === true),
          );
          const announcers = l2Announcers(base, nodes, ipText);
          // The memo gives the same answers as a fresh ranking (shared across nodes and runs).
          const cached = l2Announcers(
            (self) => ({ ...base(self), rankingCache: sharedCache }),
            nodes,
            ipText,
          );
          assert.deepEqual(cached, announcers);
          if (endpoints.length === 0 || eligible.length === 0) assert.deepEqual(announcers, []);
          else {
            assert.equal(announcers.length, 1);
            assert.ok(eligible.includes(announcers[0] ?? ''));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('decide: BGP', () => {
  const cfg = config(BGP);
  const ip = '198.51.100.7';

  test('every eligible node announces to each peer selecting it, aggregated, with communities', () => {
    const nodes = [node('a', { edge: 'true' }), node('b'), node('c')];
    const base = (self: string): DecisionInput =>
      input(cfg, self, [service('web', [ip])], { 'default/web': [readyOn('c')] }, { nodes });
    const a = decide(base('a')).bgp;
    assert.deepEqual(a.map((r) => r.peer).sort(), ['edge', 'router']);
    for (const r of a) assert.equal(r.prefix, '198.51.100.0/24');
    // Named alias resolved, literal kept, in order.
    assert.deepEqual(a[0]?.communities, [
      { type: 'standard', asn: 65535, value: 65281 },
      { type: 'standard', asn: 64512, value: 7 },
    ]);
    // localPref only towards the internal peer.
    assert.equal(a.find((r) => r.peer === 'router')?.localPref, 200);
    assert.equal(a.find((r) => r.peer === 'edge')?.localPref, undefined);
    assert.deepEqual(
      decide(base('b')).bgp.map((r) => r.peer),
      ['router'],
    );
  });

  test('nothing without a ready endpoint; Local only where a local endpoint is ready', () => {
    const none = decide(input(cfg, 'a', [service('web', [ip])], { 'default/web': [notReady] }));
    assert.deepEqual(none.bgp, []);
    assert.equal(none.skipped[0]?.reason, 'no-ready-endpoint');
    const svc = service('web', [ip], { externalTrafficPolicy: 'Local' });
    const eps = { 'default/web': [readyOn('b')] };
    assert.deepEqual(decide(input(cfg, 'a', [svc], eps)).bgp, []);
    assert.equal(decide(input(cfg, 'a', [svc], eps)).skipped[0]?.reason, 'no-local-endpoint');
    assert.equal(decide(input(cfg, 'b', [svc], eps)).bgp.length, 1);
  });

  test('excluded and NetworkUnavailable nodes never announce', () => {
    for (const self of [node('a', { [EXCLUDE_LABEL]: '' }), node('a', {}, true)]) {
      const d = decide(
        input(cfg, 'a', [service('web', [ip])], { 'default/web': [readyOn('a')] }, { nodes: [self] }),
      );
      assert.deepEqual(d.bgp, []);
      assert.equal(d.skipped[0]?.protocol, 'bgp');
    }
  });

  test('advertisement peers, node selectors and service selectors', () => {
    const selective = config(`${BGP}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: edge-only, namespace: metallb-system }
spec:
  ipAddressPools: [l2pool]
  peers: [edge]
  nodeSelectors: [{ matchLabels: { edge: 'true' } }]
  serviceSelectors: [{ matchLabels: { expose: bgp } }]
`);
    const nodes = [node('a', { edge: 'true' }), node('b')];
    const svc = service('web', ['192.0.2.1'], { labels: { expose: 'bgp' } });
    const eps = { 'default/web': [readyOn('a')] };
    const a = decide(input(selective, 'a', [svc], eps, { nodes }));
    assert.deepEqual(
      a.bgp.map((r) => [r.peer, r.prefix]),
      [['edge', '192.0.2.1/32']],
    );
    const b = decide(input(selective, 'b', [svc], eps, { nodes }));
    assert.deepEqual(b.bgp, []);
    assert.equal(b.skipped[0]?.reason, 'node-not-selected');
    const other = decide(input(selective, 'a', [service('web', ['192.0.2.1'])], eps, { nodes }));
    assert.equal(other.skipped[0]?.reason, 'no-advertisement');
  });
});
