// Output of the real tools, captured in a lab on Debian 12 (bird2 2.0.12, frr 8.4.4, gobgpd 3.10.0,
// iproute2 6.1, arping 2.23, iputils ping), trimmed to the parts the parsers read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextHopsOf, normalizeState } from './bgp-types.js';
import { birdConfig, parseBirdProtocols, parseBirdRoutes } from './bird.js';
import { resolvePeer } from './bgp-daemon.js';
import { frrConfig, parseFrrNeighbors, parseFrrPrefix, parseFrrRoutes } from './frr.js';
import { gobgpConfig, parseGobgpNeighbors, parseGobgpRib } from './gobgp.js';
import { parseArping, parseKernelRoutes, parseNeighbours, parsePing } from './probes.js';

const birdProtocols = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     10:19:18.214
kernel_ipv4 Kernel     master4    up     10:19:18.214
peer1      BGP        ---        up     10:15:56.421  Established
  BGP state:          Established
    Neighbor address: 2001:db8:1076::2
    Neighbor AS:      64513
    Local AS:         64512
    Neighbor ID:      198.19.216.2
    Session:          external AS4
    Source address:   2001:db8:1076::1
    Hold timer:       6.433/9
  Channel ipv6
    State:          UP
    Table:          master6
    Routes:         1 imported, 1 exported, 1 preferred
    BGP Next hop:   2001:db8:1076::1 fe80::1b:76ff:fe01:0
peer2      BGP        ---        start  10:19:18.214  Active        Socket: Connection refused
  BGP state:          Active
    Neighbor address: 198.19.80.12
    Neighbor AS:      64600
    Local AS:         64512
    Connect delay:    0.573/1
    Last error:       Socket: Connection refused
  Channel ipv4
    State:          DOWN
`;

const birdRoutes = `BIRD 2.0.12 ready.
Table master4:
198.51.100.0/24      blackhole [static_ipv4 10:15:28.909] * (200)
	Type: static univ
	BGP.community: (65000,1) (65000,2)
	BGP.large_community: (64512, 1, 2)
192.0.2.0/24         unicast [peer2 10:15:29.810] * (100) [AS64514?]
	via 198.18.196.3 on eth0
	Type: BGP univ
	BGP.origin: Incomplete
	BGP.as_path: 64514
	BGP.next_hop: 198.18.196.3
	BGP.local_pref: 100
	BGP.community: (65002,9)
	BGP.large_community: (64514, 5, 6)
                     unicast [peer1 10:15:30.022] (100) [AS64514?]
	via 198.18.196.2 on eth0
	Type: BGP univ
	BGP.origin: Incomplete
	BGP.as_path: 64513 64514
	BGP.next_hop: 198.18.196.2
	BGP.med: 0
	BGP.local_pref: 100
203.0.113.7/32       unicast [kernel_ipv4 10:15:31.000] * (10)
	via 198.18.196.11 on eth0 weight 1
	via 198.18.196.12 on eth0 weight 1
	Type: inherit univ
`;

test('BIRD: protocols become sessions with state, neighbour, received count and last error', () => {
  const sessions = parseBirdProtocols(birdProtocols);
  assert.deepEqual(sessions, [
    {
      name: 'peer1',
      neighborAddress: '2001:db8:1076::2',
      neighborAs: 64513,
      state: 'Established',
      established: true,
      prefixesReceived: 1,
      lastError: undefined,
    },
    {
      name: 'peer2',
      neighborAddress: '198.19.80.12',
      neighborAs: 64600,
      state: 'Active',
      established: false,
      prefixesReceived: undefined,
      lastError: 'Socket: Connection refused',
    },
  ]);
});

test('BIRD: routes, every path with next hops, AS path, communities; multipath keeps all next hops', () => {
  const routes = parseBirdRoutes(birdRoutes);
  assert.equal(routes.length, 4);
  const [local, best, other, ecmp] = routes;
  assert.deepEqual(local?.communities, ['65000:1', '65000:2']);
  assert.deepEqual(local?.largeCommunities, ['64512:1:2']);
  assert.equal(local?.from, undefined);
  assert.deepEqual(
    [best?.prefix, best?.best, best?.nextHops, best?.asPath, best?.localPref, best?.from, best?.origin],
    ['192.0.2.0/24', true, ['198.18.196.3'], [64514], 100, 'peer2', 'Incomplete'],
  );
  assert.deepEqual(best?.largeCommunities, ['64514:5:6']);
  assert.deepEqual(
    [other?.prefix, other?.best, other?.nextHops, other?.asPath, other?.med],
    ['192.0.2.0/24', false, ['198.18.196.2'], [64513, 64514], 0],
  );
  assert.deepEqual([ecmp?.multipath, ecmp?.nextHops], [true, ['198.18.196.11', '198.18.196.12']]);
  assert.deepEqual(nextHopsOf(routes, '192.0.2.0/24'), ['198.18.196.2', '198.18.196.3']);
});

test('FRR: neighbours, route list and one prefix with communities', () => {
  const neighbors = parseFrrNeighbors(
    JSON.stringify({
      '198.18.196.1': {
        remoteAs: 64512,
        bgpState: 'Established',
        addressFamilyInfo: { ipv4Unicast: { acceptedPrefixCounter: 2 } },
      },
      '198.18.196.11': { remoteAs: 64600, bgpState: 'Active', lastResetDueTo: 'Waiting for peer OPEN' },
    }),
  );
  assert.deepEqual(
    neighbors.map((n) => [n.neighborAddress, n.state, n.prefixesReceived]),
    [
      ['198.18.196.1', 'Established', 2],
      ['198.18.196.11', 'Active', undefined],
    ],
  );
  const list = `{"vrfId": 0, "routerId": "198.18.196.2", "localAS": 64513, "routes": { "192.0.2.0/24": [{"valid":true,"bestpath":true,"pathFrom":"external","prefix":"192.0.2.0","prefixLen":24,"network":"192.0.2.0/24","peerId":"198.18.196.3","path":"64514","origin":"incomplete","nexthops":[{"ip":"198.18.196.3","hostname":"vm","afi":"ipv4","used":true}]},{"valid":true,"multipath":true,"pathFrom":"external","prefix":"192.0.2.0","prefixLen":24,"peerId":"198.18.196.1","path":"64512 64514","origin":"incomplete","nexthops":[{"ip":"198.18.196.3","afi":"ipv4","used":true}]}]
,"203.0.113.0/24": [{"valid":true,"bestpath":true,"pathFrom":"external","prefix":"203.0.113.0","prefixLen":24,"metric":0,"weight":32768,"peerId":"(unspec)","path":"","origin":"IGP","nexthops":[{"ip":"0.0.0.0","hostname":"lab-frr","afi":"ipv4","used":true}]}] } }`;
  const routes = parseFrrRoutes(list);
  assert.deepEqual(
    routes.map((r) => [r.prefix, r.best, r.multipath, r.from, r.asPath, r.nextHops]),
    [
      ['192.0.2.0/24', true, false, '198.18.196.3', [64514], ['198.18.196.3']],
      ['192.0.2.0/24', false, true, '198.18.196.1', [64512, 64514], ['198.18.196.3']],
      ['203.0.113.0/24', true, false, undefined, [], ['0.0.0.0']],
    ],
  );
  const detail = `{"prefix":"2001:db8:ffff:1::/64","paths":[{"aspath":{"string":"64514 64512","length":2},"origin":"IGP","valid":true,"locPrf":150,
    "bestpath":{"overall":true,"selectionReason":"First path received"},"community":{"string":"65000:1 65000:2"},"largeCommunity":{"string":"64512:1:2"},
    "nexthops":[{"ip":"2001:db8:1072::3","afi":"ipv6","scope":"global","used":true},{"ip":"fe80::1","afi":"ipv6","scope":"link-local"}],
    "peer":{"peerId":"2001:db8:1072::3","routerId":"198.19.200.3","type":"external"}}]}`;
  assert.deepEqual(parseFrrPrefix(detail), [
    {
      prefix: '2001:db8:ffff:1::/64',
      family: 'ipv6',
      nextHops: ['2001:db8:1072::3'],
      best: true,
      multipath: false,
      from: '2001:db8:1072::3',
      asPath: [64514, 64512],
      localPref: 150,
      med: undefined,
      origin: 'IGP',
      communities: ['65000:1', '65000:2'],
      largeCommunities: ['64512:1:2'],
    },
  ]);
  assert.deepEqual(parseFrrPrefix('{\n}\n'), []);
});

test('GoBGP: neighbours and RIB (IPv4 NEXT_HOP, IPv6 MP_REACH, communities, large communities)', () => {
  const neighbors = parseGobgpNeighbors(
    '[{"conf":{"local_asn":64514,"neighbor_address":"198.18.196.1","peer_asn":64512,"type":1},"state":{"neighbor_address":"198.18.196.1","peer_asn":64512,"session_state":6},"afi_safis":[{"state":{"received":2,"accepted":2}}]},' +
      '{"conf":{"neighbor_address":"198.18.196.11","peer_asn":64600},"state":{"session_state":3}}]',
  );
  assert.deepEqual(
    neighbors.map((n) => [n.neighborAddress, n.neighborAs, n.state, n.prefixesReceived]),
    [
      ['198.18.196.1', 64512, 'Established', 2],
      ['198.18.196.11', 64600, 'Active', undefined],
    ],
  );
  const rib = parseGobgpRib(
    '{"198.51.100.0/24":[{"nlri":{"prefix":"198.51.100.0/24"},"best":true,"attrs":[{"type":1,"value":0},{"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[64512]}]},{"type":3,"nexthop":"198.19.176.1"},{"type":5,"value":200},{"type":8,"communities":[4259840001,4259840002]},{"type":32,"value":[{"ASN":64512,"LocalData1":1,"LocalData2":2}]}],"stale":false,"source-id":"198.19.176.1","neighbor-ip":"198.19.176.1"}],' +
      '"2001:db8:ffff:3::/64":[{"nlri":{"prefix":"2001:db8:ffff:3::/64"},"best":true,"attrs":[{"type":1,"value":2},{"type":14,"nexthop":"2001:db8:1072::3","afi":2,"safi":1,"value":[{"prefix":"2001:db8:ffff:3::/64"}]}],"stale":false}]}',
  );
  assert.deepEqual(rib[0], {
    prefix: '198.51.100.0/24',
    family: 'ipv4',
    nextHops: ['198.19.176.1'],
    best: true,
    multipath: false,
    from: '198.19.176.1',
    asPath: [64512],
    localPref: 200,
    med: undefined,
    origin: 'IGP',
    communities: ['65000:1', '65000:2'],
    largeCommunities: ['64512:1:2'],
  });
  assert.deepEqual(
    [rib[1]?.family, rib[1]?.nextHops, rib[1]?.from, rib[1]?.origin],
    ['ipv6', ['2001:db8:1072::3'], undefined, 'incomplete'],
  );
});

test('session states from every daemon spelling', () => {
  assert.equal(normalizeState('Established'), 'Established');
  assert.equal(normalizeState('ESTABLISHED'), 'Established');
  assert.equal(normalizeState('BGP_FSM_OPENCONFIRM'), 'OpenConfirm');
  assert.equal(normalizeState(6), 'Established');
  assert.equal(normalizeState(3), 'Active');
  assert.equal(normalizeState('Clearing'), 'Unknown');
});

test('neighbour table, ping, arping and kernel routes', () => {
  const table = parseNeighbours(
    '[{"dst":"198.18.0.11","dev":"eth0","lladdr":"02:1B:00:06:00:01","state":["REACHABLE"]},{"dst":"2001:db8:1000::11","dev":"eth0","lladdr":"02:1b:00:06:00:01","router":null,"state":["STALE"]},{"dst":"198.18.0.99","dev":"eth0","state":["FAILED"]}]',
  );
  assert.deepEqual(
    table.map((n) => [n.ip, n.family, n.mac, n.state, n.router]),
    [
      ['198.18.0.11', 'ipv4', '02:1b:00:06:00:01', ['REACHABLE'], false],
      ['2001:db8:1000::11', 'ipv6', '02:1b:00:06:00:01', ['STALE'], true],
      ['198.18.0.99', 'ipv4', undefined, ['FAILED'], false],
    ],
  );
  const ping = parsePing(
    'PING 198.18.0.1 (198.18.0.1) 56(84) bytes of data.\n64 bytes from 198.18.0.1: icmp_seq=1 ttl=64 time=0.062 ms\n\n--- 198.18.0.1 ping statistics ---\n2 packets transmitted, 1 received, 50% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.062/0.062/0.062/0.000 ms\n',
  );
  assert.deepEqual([ping.transmitted, ping.received, ping.averageRttMs], [2, 1, 0.062]);
  const arping = parseArping(
    'ARPING 198.18.0.200\n60 bytes from 02:1b:00:06:00:02 (198.18.0.200): index=0 time=712.000 usec\n60 bytes from 02:1B:00:06:00:02 (198.18.0.200): index=1 time=1.100 msec\n\n--- 198.18.0.200 statistics ---\n2 packets transmitted, 2 packets received,   0% unanswered (0 extra)\n',
  );
  assert.deepEqual(arping.macs, ['02:1b:00:06:00:02']);
  assert.deepEqual(
    arping.replies.map((reply) => reply.timeMs),
    [0.712, 1.1],
  );
  const kernel = parseKernelRoutes(
    '[{"dst":"203.0.113.7","protocol":"bird","metric":32,"flags":[],"nexthops":[{"gateway":"198.18.0.11","dev":"eth0","weight":1,"flags":[]},{"gateway":"198.18.0.12","dev":"eth0","weight":1,"flags":[]}]},{"dst":"192.0.2.0/24","gateway":"198.18.0.2","dev":"eth0","protocol":"bird"}]',
  );
  assert.deepEqual(
    kernel.map((route) => [route.dst, route.nextHops]),
    [
      ['203.0.113.7', ['198.18.0.11', '198.18.0.12']],
      ['192.0.2.0/24', ['198.18.0.2']],
    ],
  );
});

test('daemon configs carry every peer option', () => {
  const peer = resolvePeer(
    {
      address: '198.18.0.11',
      asn: 64600,
      port: 1790,
      password: 'se"cret',
      multihop: 2,
      passive: true,
      gracefulRestart: true,
      families: ['ipv4', 'ipv6'],
    },
    0,
  );
  const bird = birdConfig({
    routerId: '198.18.0.1',
    asn: 64512,
    port: 179,
    peers: [peer],
    staticRoutes: [{ prefix: '198.51.100.0/24', communities: ['65000:1'] }],
    kernel: true,
    extraConfig: '',
  });
  for (const line of [
    'neighbor 198.18.0.11 port 1790 as 64600;',
    'password "se\\"cret";',
    'multihop 2;',
    'passive on;',
    'graceful restart on;',
    'ipv6 { import all; export where source ~ [RTS_BGP, RTS_STATIC]; };',
    'route 198.51.100.0/24 blackhole { bgp_community.add((65000,1)); };',
    'merge paths on;',
  ]) {
    assert.ok(bird.includes(line), `bird.conf lacks ${line}`);
  }
  const frr = frrConfig({
    routerId: '198.18.0.2',
    asn: 64513,
    peers: [peer],
    staticRoutes: [{ prefix: '198.51.100.0/24', largeCommunities: ['1:2:3'] }],
    extraConfig: '',
  });
  for (const line of [
    ' neighbor 198.18.0.11 port 1790',
    ' neighbor 198.18.0.11 ebgp-multihop 2',
    ' neighbor 198.18.0.11 passive',
    ' set large-community 1:2:3 additive',
    '  network 198.51.100.0/24 route-map lab-static-0',
  ]) {
    assert.ok(frr.includes(line), `bgpd.conf lacks ${line}`);
  }
  const gobgp = gobgpConfig({
    routerId: '198.18.0.3',
    asn: 64514,
    port: 179,
    localAddresses: ['198.18.0.3'],
    peers: [peer],
    extraConfig: '',
  });
  for (const line of [
    'remote-port = 1790',
    'passive-mode = true',
    'multihop-ttl = 2',
    'auth-password = "se\\"cret"',
    'afi-safi-name = "ipv6-unicast"',
  ]) {
    assert.ok(gobgp.includes(line), `gobgpd.toml lacks ${line}`);
  }
});
