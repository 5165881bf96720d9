import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig, type Config } from '@lbops/schemas';
import type { Route } from '../bgp/announcer.js';
import type { IpAssignment } from '../l2/responder.js';
import type { NodeInfo } from './cluster-state.js';
import { BgpProtocol, mergeRoutes, routeOf, type PeerHandle, type PeerSettings } from './bgp-protocol.js';
import type { BgpAnnouncement, L2Announcement } from './decide.js';
import { Layer2Protocol } from './layer2-protocol.js';

function config(yaml: string): Config {
  const { config: loaded, diagnostics } = loadConfig([{ name: 'test.yaml', content: yaml }]);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.ok(loaded !== undefined);
  return loaded;
}

describe('Layer2Protocol', () => {
  const l2 = (service: string, ip: string, interfaces: string[] = []): L2Announcement => ({
    service,
    ip,
    interfaces,
    advertisements: ['l2'],
  });

  test('sets owned IPs with their interfaces and removes dropped ones; a shared IP stays until its last Service goes', () => {
    const calls: string[] = [];
    const driver = {
      setIp: (ip: string, a: IpAssignment) =>
        calls.push(`set ${ip} ${a.leader} ${a.probe} ${(a.interfaces ?? []).join(',')}`),
      removeIp: (ip: string) => calls.push(`remove ${ip}`),
    };
    const protocol = new Layer2Protocol(driver);
    protocol.setBalancer('ns/a', [l2('ns/a', '192.0.2.1', ['eth0'])]);
    protocol.setBalancer('ns/b', [l2('ns/b', '192.0.2.1', ['eth0'])]);
    protocol.setBalancer('ns/a', [l2('ns/a', '192.0.2.2')]);
    assert.deepEqual(calls.splice(0), [
      'set 192.0.2.1 true true eth0',
      'set 192.0.2.1 true true eth0',
      'set 192.0.2.2 true true ',
    ]);
    protocol.deleteBalancer('ns/b');
    assert.deepEqual(calls.splice(0), ['remove 192.0.2.1']);
    protocol.stop();
    assert.deepEqual(calls.splice(0), ['remove 192.0.2.2']);
  });
});

describe('BgpProtocol', () => {
  const CONFIG = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool, namespace: metallb-system }
spec: { addresses: [198.51.100.0/24] }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec: { myASN: 64600, peerASN: 64512, peerAddress: 10.0.0.1 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: secure, namespace: metallb-system }
spec:
  myASN: 64600
  peerASN: 64512
  peerAddress: 10.0.0.2
  passwordSecret: { name: bgp-secret }
  nodeSelectors: [{ matchLabels: { rack: a } }]
`;
  const node = (labels: Record<string, string> = {}): NodeInfo => ({
    name: 'n1',
    labels,
    networkUnavailable: false,
    addresses: ['10.0.0.11'],
  });
  const announcement = (service: string, ip: string, peer = 'router'): BgpAnnouncement => ({
    service,
    ip,
    peer,
    prefix: `${ip}/32`,
    communities: [
      { type: 'standard', asn: 65535, value: 65281 },
      { type: 'large', globalAdmin: 1, localData1: 2, localData2: 3 },
    ],
    localPref: undefined,
    advertisement: 'bgp',
  });

  function fakes(): {
    created: PeerSettings[];
    routes: Map<string, Route[]>;
    stopped: string[];
    create: (s: PeerSettings) => PeerHandle;
  } {
    const created: PeerSettings[] = [];
    const routes = new Map<string, Route[]>();
    const stopped: string[] = [];
    return {
      created,
      routes,
      stopped,
      create: (settings) => {
        created.push(settings);
        return {
          start: () => undefined,
          stop: () => stopped.push(settings.session.name),
          setRoutes: (r) => {
            routes.set(settings.session.name, [...r]);
            return [];
          },
        };
      },
    };
  }

  test('one session per peer selecting the node; password from the Secret; replaced when settings change', () => {
    const f = fakes();
    let password: string | undefined = 'first';
    const protocol = new BgpProtocol({ namespace: 'metallb-system', createPeer: f.create });
    protocol.setNode(node());
    protocol.setConfig(config(CONFIG), (ns, name, key) =>
      ns === 'metallb-system' && name === 'bgp-secret' && key === 'password' ? password : undefined,
    );
    assert.deepEqual(protocol.peerNames, ['router']);
    assert.equal(f.created[0]?.session.routerId, '10.0.0.11');
    assert.equal(f.created[0]?.session.localAsn, 64600);
    protocol.setNode(node({ rack: 'a' }));
    assert.deepEqual(protocol.peerNames, ['router', 'secure']);
    assert.equal(f.created.at(-1)?.password, 'first');
    password = 'second';
    protocol.setConfig(config(CONFIG), (_ns, _name, key) => (key === 'password' ? password : undefined));
    assert.deepEqual(f.stopped, ['secure']);
    assert.equal(f.created.at(-1)?.password, 'second');
    password = undefined;
    const problems = protocol.setConfig(config(CONFIG), () => password);
    assert.match(problems[0]?.message ?? '', /Secret metallb-system\/bgp-secret has no key "password"/);
    assert.deepEqual(protocol.peerNames, ['router']);
  });

  test('routes of every Service per peer, next hop of the node, communities converted, withdrawn on delete', () => {
    const f = fakes();
    const protocol = new BgpProtocol({ namespace: 'metallb-system', createPeer: f.create });
    protocol.setNode(node());
    protocol.setConfig(config(CONFIG), () => undefined);
    protocol.setBalancer('ns/a', [announcement('ns/a', '198.51.100.1')]);
    protocol.setBalancer('ns/b', [announcement('ns/b', '198.51.100.2')]);
    const routes = f.routes.get('router') ?? [];
    assert.deepEqual(
      routes.map((r) => [r.prefix, r.nextHop]),
      [
        ['198.51.100.1/32', '10.0.0.11'],
        ['198.51.100.2/32', '10.0.0.11'],
      ],
    );
    // RFC 1997: 65535:65281 is 0xFFFFFF01.
    assert.deepEqual(routes[0]?.communities, [0xffffff01]);
    assert.deepEqual(routes[0]?.largeCommunities, [[1, 2, 3]]);
    protocol.deleteBalancer('ns/a');
    assert.deepEqual(
      (f.routes.get('router') ?? []).map((r) => r.prefix),
      ['198.51.100.2/32'],
    );
    // No IPv6 address on the node: an IPv6 announcement is a problem, not a crash.
    const problems = protocol.setBalancer('ns/c', [announcement('ns/c', '2001:db8::1')]);
    assert.match(problems[0]?.message ?? '', /no IPv6 address on this node/);
  });

  test('aggregated announcements of several Services share one route, communities merged', () => {
    const a = routeOf({ ...announcement('ns/a', '198.51.100.1'), prefix: '198.51.100.0/24' }, '10.0.0.11');
    const b = routeOf(
      {
        ...announcement('ns/b', '198.51.100.2'),
        prefix: '198.51.100.0/24',
        communities: [{ type: 'standard', asn: 1, value: 2 }],
      },
      '10.0.0.11',
    );
    const merged = mergeRoutes([a, b]);
    assert.equal(merged.length, 1);
    assert.deepEqual(merged[0]?.communities, [0xffffff01, 0x00010002]);
  });
});
