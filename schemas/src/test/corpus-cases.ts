// The configuration corpus: valid and invalid cases covering every rule. See corpus-harness.ts for
// the «code» / «!code» markers (error / warning expected exactly at that line:column).
import type { CorpusCase } from './corpus-harness.js';

/** An L2Advertisement for all pools, appended so that pools count as advertised. */
export const L2_ALL = `---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata:
  name: l2-all
`;

const pool = (name: string, addresses: string, extra = ''): string => `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: ${name}
spec:
  addresses: ${addresses}
${extra}`;

const PEER_BASE = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata:
  name: router
spec:
`;

export const VALID: readonly CorpusCase[] = [
  { name: 'layer 2 pool', yaml: pool('lan', '[192.168.1.240/28]') + L2_ALL },
  { name: 'dual-stack pool', yaml: pool('dual', '[10.0.0.10-10.0.0.20, "fd00::10-fd00::20"]') + L2_ALL },
  {
    name: 'bgp setup with communities and aggregation',
    yaml: `${PEER_BASE}  myASN: 64500
  peerASN: 64500
  peerAddress: 10.0.0.1
  holdTime: 90s
  keepaliveTime: 30s
  routerID: 10.0.0.100
---
apiVersion: metallb.io/v1beta1
kind: Community
metadata:
  name: communities
spec:
  communities:
  - name: no-advertise
    value: "65535:65282"
---
${pool('bgp', '[203.0.113.0/24]', '  avoidBuggyIPs: true\n')}---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata:
  name: aggregated
spec:
  ipAddressPools: [bgp]
  aggregationLength: 24
  localPref: 100
  communities: [no-advertise, "64500:1", "large:64500:1:2"]
  peers: [router]
`,
  },
  {
    name: 'legacy tutorial ConfigMap',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata:
  namespace: metallb-system
  name: config
data:
  «!legacy-config»config: |
    address-pools:
    - name: metallb-ip-space
      protocol: layer2
      addresses:
      - 10.10.95.200-10.10.95.250
`,
  },
  {
    name: 'legacy bgp ConfigMap',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata:
  namespace: metallb-system
  name: config
data:
  «!legacy-config»config: |
    peers:
    - my-asn: 64500
      peer-asn: 64501
      peer-address: 10.0.0.1
      hold-time: 120s
      node-selectors:
      - match-labels:
          rack: a
    bgp-communities:
      special: 64500:100
    address-pools:
    - name: bgp
      protocol: bgp
      avoid-buggy-ips: true
      addresses:
      - 198.51.100.0/24
      bgp-advertisements:
      - aggregation-length: 32
        communities: [special]
      - aggregation-length: 24
    - name: plain
      protocol: bgp
      addresses:
      - 198.51.101.10-198.51.101.20
`,
  },
  {
    name: 'unnumbered dynamic ASN peer',
    yaml: `${PEER_BASE}  myASN: 64500
  dynamicASN: external
  interface: eth1
`,
  },
  {
    name: 'peer with BFD profile',
    yaml: `${PEER_BASE}  myASN: 64500
  peerASN: 64501
  peerAddress: 10.0.0.1
  bfdProfile: fast
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata:
  name: fast
spec:
  receiveInterval: 10
  transmitInterval: 60000
  detectMultiplier: 2
  minimumTtl: 254
`,
  },
  {
    name: 'pool selected by label',
    yaml: `${pool('labelled', '[10.1.0.1-10.1.0.9]').replace('  name: labelled\n', '  name: labelled\n  labels:\n    tier: edge\n')}---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata:
  name: edge
spec:
  ipAddressPoolSelectors:
  - matchExpressions:
    - key: tier
      operator: In
      values: [edge]
`,
  },
  {
    name: 'hold time 0 disables keepalives',
    yaml: `${PEER_BASE}  myASN: 64500
  peerASN: 64501
  peerAddress: 10.0.0.1
  holdTime: "0"
  keepaliveTime: 0s
`,
  },
  {
    name: 'password from a Secret',
    yaml: `${PEER_BASE}  myASN: 64500
  peerASN: 64501
  peerAddress: "2001:db8::1"
  passwordSecret:
    name: bgp-auth
    namespace: metallb-system
`,
  },
  {
    name: 'service allocation',
    yaml:
      pool(
        'team-a',
        '[10.2.0.1-10.2.0.50]',
        `  autoAssign: false
  serviceAllocation:
    priority: 10
    namespaces: [team-a, team-b]
    namespaceSelectors:
    - matchLabels: {team: a}
    serviceSelectors:
    - matchExpressions:
      - {key: exposed, operator: Exists}
`,
      ) + L2_ALL,
  },
  {
    name: 'pool and advertisement in different files',
    yaml: {
      'pools.yaml': pool('lan', '[192.168.1.240/28]'),
      'advertisements.yaml': `apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata:
  name: lan
spec:
  ipAddressPools: [lan]
  interfaces: [eth0]
`,
    },
  },
  { name: 'empty and comment-only documents', yaml: `# nothing yet\n---\n---\n# still nothing\n` },
  {
    name: 'adjacent ranges do not overlap',
    yaml: pool('a', '[10.0.0.1-10.0.0.9, 10.0.0.10-10.0.0.19]') + L2_ALL,
  },
  {
    name: 'BGPPeer v1beta1',
    yaml: `apiVersion: metallb.io/v1beta1
kind: BGPPeer
metadata:
  name: old
spec:
  myASN: 64500
  peerASN: 64501
  peerAddress: 10.0.0.1
  peerPort: 1179
  ebgpMultiHop: true
`,
  },
  {
    name: 'IPv6 aggregation on a /64',
    yaml: `${PEER_BASE}  myASN: 64500
  peerASN: 64501
  peerAddress: "fd00:1::1"
---
${pool('v6', '["2001:db8:1::/64"]')}---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata:
  name: v6
spec:
  aggregationLengthV6: 64
`,
  },
  {
    name: 'other kinds are ignored with a warning',
    yaml: `apiVersion: apps/v1
kind: «!unknown-kind»Deployment
metadata:
  name: web
`,
  },
  {
    name: 'avoidBuggyIPs silences the .0/.255 warning',
    yaml: pool('lan', '[10.3.0.0/24]', '  avoidBuggyIPs: true\n') + L2_ALL,
  },
  {
    name: 'dual-stack session carries IPv6',
    yaml: `${PEER_BASE}  myASN: 64500
  peerASN: 64501
  peerAddress: 10.0.0.1
  dualStackAddressFamily: true
---
${pool('v6', '["fd00::/120"]')}---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata:
  name: all
`,
  },
  {
    name: 'YAML 1.1 booleans, as kubectl reads them',
    yaml: pool('yes-no', '[10.12.0.1-10.12.0.9]', '  autoAssign: no\n  avoidBuggyIPs: yes\n') + L2_ALL,
  },
  {
    name: 'a kind: List of resources',
    yaml: `apiVersion: v1
kind: List
items:
- apiVersion: metallb.io/v1beta1
  kind: IPAddressPool
  metadata:
    name: a
  spec:
    addresses: [10.13.0.1-10.13.0.9]
- apiVersion: metallb.io/v1beta1
  kind: L2Advertisement
  metadata:
    name: a
  spec:
    ipAddressPools: [a]
`,
  },
];

export const INVALID: readonly CorpusCase[] = [
  {
    name: 'yaml syntax error',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: x\nspec:\n  addresses: [10.0.0.0/24\n«yaml-syntax»`,
  },
  {
    name: 'duplicate yaml key',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: x\n  «yaml-syntax»name: y\nspec:\n  addresses: [10.0.0.0/24]\n`,
  },
  {
    name: 'missing addresses',
    yaml:
      `apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: x\n«pool-missing-addresses»spec:\n  autoAssign: true\n` +
      L2_ALL,
  },
  { name: 'empty addresses', yaml: pool('x', '«pool-missing-addresses»[]') + L2_ALL },
  { name: 'prefix too long', yaml: pool('x', '[«invalid-address»10.0.0.0/33]') + L2_ALL },
  { name: 'not an address', yaml: pool('x', '\n  - «invalid-address»banana') + L2_ALL },
  {
    name: 'range start after end',
    yaml: pool('x', '[«address-range-reversed»10.0.0.20-10.0.0.10]') + L2_ALL,
  },
  { name: 'range mixes families', yaml: pool('x', '[«invalid-address»"10.0.0.1-fd00::1"]') + L2_ALL },
  {
    name: 'overlap within a pool',
    yaml:
      pool('x', '\n  - 10.0.0.0/28\n  - «pool-self-overlap»10.0.0.8-10.0.0.20', '  avoidBuggyIPs: true\n') +
      L2_ALL,
  },
  {
    name: 'overlap across pools',
    yaml: `${pool('a', '[10.0.1.0/24]', '  avoidBuggyIPs: true\n')}---\n${pool('b', '[«pool-overlap»10.0.1.128/25]', '  avoidBuggyIPs: true\n')}${L2_ALL}`,
  },
  {
    name: 'overlap across files',
    yaml: {
      'a.yaml': pool('a', '["fd00::/64"]') + L2_ALL,
      'b.yaml': pool('b', '[«pool-overlap»"fd00::1:0/112"]'),
    },
  },
  {
    name: 'duplicate address entry',
    yaml: pool('x', '[10.0.0.1-10.0.0.5, «duplicate-entry»10.0.0.1-10.0.0.5]') + L2_ALL,
  },
  {
    name: 'duplicate pool name across files',
    yaml: {
      'a.yaml': pool('lan', '[10.0.0.1-10.0.0.5]') + L2_ALL,
      'b.yaml': pool('«duplicate-name»lan', '[10.0.1.1-10.0.1.5]'),
    },
  },
  {
    name: 'duplicate L2Advertisement name',
    yaml:
      pool('x', '[10.0.0.1-10.0.0.5]') +
      L2_ALL +
      L2_ALL.replace('  name: l2-all', '  name: «duplicate-name»l2-all'),
  },
  {
    name: 'duplicate pool in ipAddressPools',
    yaml: `${pool('x', '[10.0.0.1-10.0.0.5]')}---\napiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata:\n  name: l2\nspec:\n  ipAddressPools: [x, «duplicate-entry»x]\n`,
  },
  {
    name: 'unknown pool in L2Advertisement',
    yaml: `${pool('lan', '[10.0.0.1-10.0.0.5]')}---\napiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata:\n  name: l2\nspec:\n  ipAddressPools: [lan, «unknown-pool-ref»lan2]\n`,
  },
  {
    name: 'unknown pool in BGPAdvertisement',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  ipAddressPools:\n  - «unknown-pool-ref»missing\n`,
  },
  {
    name: 'peer without address',
    yaml: `apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata:\n  name: r\n«peer-address-missing»spec:\n  myASN: 64500\n  peerASN: 64501\n`,
  },
  {
    name: 'peer with address and interface',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  interface: «peer-address-conflict»eth0\n`,
  },
  {
    name: 'peer address not an IP',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: «invalid-peer-address»10.0.0.1/24\n`,
  },
  {
    name: 'missing myASN',
    yaml: `apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata:\n  name: r\n«peer-missing-my-asn»spec:\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n`,
  },
  {
    name: 'myASN 0',
    yaml: `${PEER_BASE}  myASN: «peer-missing-my-asn»0\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n`,
  },
  {
    name: 'neither peerASN nor dynamicASN',
    yaml: `apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata:\n  name: r\n«peer-asn-missing»spec:\n  myASN: 64500\n  peerAddress: 10.0.0.1\n`,
  },
  {
    name: 'peerASN and dynamicASN',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  dynamicASN: «peer-asn-conflict»external\n  peerAddress: 10.0.0.1\n`,
  },
  {
    name: 'v1beta1 peer without peerASN',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: BGPPeer\nmetadata:\n  name: r\n«peer-asn-missing»spec:\n  myASN: 64500\n  peerAddress: 10.0.0.1\n`,
  },
  {
    name: 'ebgpMultiHop on iBGP',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64500\n  peerAddress: 10.0.0.1\n  ebgpMultiHop: «ebgp-multihop-ibgp»true\n`,
  },
  {
    name: 'ebgpMultiHop with dynamic internal ASN',
    yaml: `${PEER_BASE}  myASN: 64500\n  dynamicASN: internal\n  peerAddress: 10.0.0.1\n  ebgpMultiHop: «ebgp-multihop-ibgp»true\n`,
  },
  {
    name: 'hold time under 3s',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  holdTime: «hold-time-too-short»2s\n`,
  },
  {
    name: 'keepalive longer than hold',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  holdTime: 30s\n  keepaliveTime: «keepalive-exceeds-hold»1m\n`,
  },
  {
    name: 'keepalive longer than default hold',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  keepaliveTime: «keepalive-exceeds-hold»100s\n`,
  },
  {
    name: 'bad router ID',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  routerID: «invalid-router-id»10.0.0.256\n`,
  },
  {
    name: 'password and passwordSecret',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  password: hunter2\n  passwordSecret:\n    «password-conflict»name: s\n`,
  },
  {
    name: 'aggregationLength over 32',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  aggregationLength: «aggregation-length-too-long»33\n`,
  },
  {
    name: 'aggregationLengthV6 over 128',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  aggregationLengthV6: «aggregation-length-too-long»129\n`,
  },
  {
    name: 'aggregation shorter than the pool prefix',
    yaml: `${pool('p', '[10.9.0.0/24]', '  avoidBuggyIPs: true\n')}---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  ipAddressPools: [p]\n  aggregationLength: «aggregation-length-too-short»16\n`,
  },
  {
    name: 'aggregation on an unaligned range',
    yaml: `${pool('p', '[10.9.0.10-10.9.0.20]')}---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  aggregationLength: «aggregation-length-too-short»28\n`,
  },
  {
    name: 'conflicting localPref',
    yaml: `${pool('p', '[10.9.0.10-10.9.0.20]')}---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: a\nspec:\n  ipAddressPools: [p]\n  localPref: 100\n---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  ipAddressPools: [p]\n  localPref: «conflicting-local-pref»200\n`,
  },
  {
    name: 'serviceSelectors with aggregation',
    yaml: `${pool('p', '[10.9.0.0/24]', '  avoidBuggyIPs: true\n')}---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  aggregationLength: 24\n  serviceSelectors:\n  «service-selectors-with-aggregation»- matchLabels: {app: web}\n`,
  },
  {
    name: 'BFD receive interval too small',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata:\n  name: f\nspec:\n  receiveInterval: «bfd-out-of-range»5\n`,
  },
  {
    name: 'BFD detect multiplier 1',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata:\n  name: f\nspec:\n  detectMultiplier: «bfd-out-of-range»1\n`,
  },
  {
    name: 'BFD minimum TTL 255',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata:\n  name: f\nspec:\n  minimumTtl: «bfd-out-of-range»255\n  echoInterval: «bfd-out-of-range»60001\n`,
  },
  {
    name: 'unknown BFD profile',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  bfdProfile: «unknown-bfd-profile»fast\n`,
  },
  {
    name: 'unknown peer',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  peers: [router, «unknown-peer-ref»routr]\n`,
  },
  {
    name: 'unknown community alias',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  communities: [«unknown-community»no-export]\n`,
  },
  {
    name: 'invalid community value',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  communities: [«invalid-community»"65536:1", «invalid-community»"large:1:2"]\n`,
  },
  {
    name: 'invalid value in a Community',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata:\n  name: c\nspec:\n  communities:\n  - name: bad\n    value: «invalid-community»"1:2:3"\n`,
  },
  {
    name: 'community alias defined twice',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata:\n  name: c\nspec:\n  communities:\n  - name: x\n    value: "1:2"\n  - name: «duplicate-community-alias»x\n    value: "1:3"\n`,
  },
  {
    name: 'same community twice via alias',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata:\n  name: c\nspec:\n  communities:\n  - name: x\n    value: "1:2"\n---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  communities: [x, «duplicate-entry»"1:2"]\n`,
  },
  {
    name: 'hold time not a duration',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  holdTime: «invalid-duration»ninety\n`,
  },
  {
    name: 'autoAssign as a string',
    yaml: pool('x', '[10.0.0.1-10.0.0.5]', '  autoAssign: «wrong-type»"yes"\n') + L2_ALL,
  },
  {
    name: 'unknown API version',
    yaml: `apiVersion: «unknown-api-version»metallb.io/v1\nkind: IPAddressPool\nmetadata:\n  name: x\nspec:\n  addresses: [10.0.0.0/24]\n`,
  },
  { name: 'missing kind', yaml: `«missing-kind»apiVersion: metallb.io/v1beta1\nmetadata:\n  name: x\n` },
  {
    name: 'document is a list',
    yaml: `«not-an-object»- apiVersion: metallb.io/v1beta1\n  kind: IPAddressPool\n`,
  },
  {
    name: 'In selector without values',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata:\n  name: l2\nspec:\n  nodeSelectors:\n  - matchExpressions:\n    - key: zone\n      operator: In\n      values: «invalid-label-selector»[]\n`,
  },
  {
    name: 'legacy: unknown protocol',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: metallb-system\n  name: config\ndata:\n  «!legacy-config»config: |\n    address-pools:\n    - name: p\n      protocol: «invalid-value»layer3\n      addresses: [10.0.0.1-10.0.0.9]\n`,
  },
  {
    name: 'legacy: overlapping pools',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: metallb-system\n  name: config\ndata:\n  «!legacy-config»config: |\n    address-pools:\n    - name: a\n      protocol: layer2\n      addresses: [10.0.0.1-10.0.0.9]\n    - name: b\n      protocol: layer2\n      addresses:\n      - «pool-overlap»10.0.0.5-10.0.0.20\n`,
  },
  {
    name: 'legacy: peer without address and bad hold time',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: metallb-system\n  name: config\ndata:\n  «!legacy-config»config: |\n    peers:\n    - «peer-address-missing»my-asn: 64500\n      peer-asn: 64501\n      hold-time: «hold-time-too-short»1s\n`,
  },
  {
    name: 'legacy: unknown community alias',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: metallb-system\n  name: config\ndata:\n  «!legacy-config»config: |\n    address-pools:\n    - name: p\n      protocol: bgp\n      addresses: [10.0.0.1-10.0.0.9]\n      bgp-advertisements:\n      - communities: [«unknown-community»nope]\n`,
  },
  {
    name: 'context: pool includes the gateway',
    yaml: pool('lan', '[«pool-overlaps-gateway»192.168.1.0/24]', '  avoidBuggyIPs: true\n') + L2_ALL,
    context: { gateways: ['192.168.1.1'] },
  },
  {
    name: 'context: pool includes a node',
    yaml: pool('lan', '[10.0.0.100-10.0.0.120, «pool-overlaps-node»10.0.0.200-10.0.0.210]') + L2_ALL,
    context: { nodeAddresses: ['10.0.0.5', '10.0.0.205'] },
  },
  {
    name: 'context: pod, service CIDRs and other clusters',
    yaml:
      pool(
        'x',
        '[«pool-overlaps-pod-cidr»10.244.5.1-10.244.5.9, «pool-overlaps-service-cidr»10.96.0.1-10.96.0.9, «pool-overlaps-reserved»172.16.0.1-172.16.0.9]',
      ) + L2_ALL,
    context: {
      podCidrs: ['10.244.0.0/16'],
      serviceCidrs: ['10.96.0.0/12'],
      reservedPools: [{ name: 'cluster-b', addresses: ['172.16.0.0/24'] }],
    },
  },
  {
    name: 'duplicate peer',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n---\n${PEER_BASE.replace('name: router', 'name: router2')}  myASN: 64500\n  peerASN: 64501\n  peerAddress: «duplicate-peer»10.0.0.1\n`,
  },
  {
    name: 'connect time under 1s',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  connectTime: «connect-time-out-of-range»500ms\n`,
  },
  { name: 'invalid name', yaml: pool('«invalid-name»Lan_Pool', '[10.0.0.1-10.0.0.5]') },
  {
    name: 'duplicate peer in advertisement',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  peers: [router, «duplicate-entry»router]\n`,
  },
  {
    name: 'group metallb.universe.tf',
    yaml: `apiVersion: «unknown-api-version»metallb.universe.tf/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: x\n`,
  },
  {
    name: 'ASN out of range',
    yaml: `${PEER_BASE}  myASN: «out-of-range»4294967296\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n`,
  },
  {
    name: 'unset localPref conflicts with a set one',
    yaml: `${pool('p', '[10.9.0.10-10.9.0.20]')}---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: a\nspec:\n  localPref: 100\n---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: «conflicting-local-pref»b\nspec:\n  communities: ["65000:1"]\n`,
  },
  {
    name: 'legacy: bgp-advertisements on a layer2 pool',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: metallb-system\n  name: config\ndata:\n  «!legacy-config»config: |\n    address-pools:\n    - name: p\n      protocol: layer2\n      addresses: [10.0.0.1-10.0.0.9]\n      «bgp-advertisements-on-layer2»bgp-advertisements:\n      - aggregation-length: 32\n`,
  },
  {
    name: 'legacy: unknown field (MetalLB parses strictly)',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: metallb-system\n  name: config\ndata:\n  «!legacy-config»config: |\n    address-pools:\n    - name: p\n      protocol: layer2\n      «unknown-field»autoassign: false\n      addresses: [10.0.0.1-10.0.0.9]\n`,
  },
  {
    name: 'source address not an IP',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  sourceAddress: «invalid-source-address»eth0\n`,
  },
  {
    name: 'missing metadata.name',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\n«missing-field»metadata:\n  labels: {a: b}\n`,
  },
  {
    name: 'empty name',
    yaml: `apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata:\n  name: «invalid-name»""\n`,
  },
  {
    name: 'empty Secret name',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  passwordSecret:\n    name: «empty-value»""\n`,
  },
  {
    name: 'legacy: two documents in config',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\ndata:\n  config: «invalid-legacy-config»|\n    address-pools: []\n    ---\n    peers: []\n`,
  },
  {
    name: 'List item with an error',
    yaml: `apiVersion: v1
kind: List
items:
- apiVersion: metallb.io/v1beta1
  kind: L2Advertisement
  metadata:
    name: a
  spec:
    ipAddressPools: [«unknown-pool-ref»b]
`,
  },
  {
    name: 'peer without spec',
    yaml: `«missing-field»apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata:\n  name: r\n`,
  },
  {
    name: 'FRR mode: two myASN in one VRF',
    bgpMode: 'frr',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n---\n${PEER_BASE.replace('name: router', 'name: router2')}  myASN: «frr-my-asn-mismatch»64499\n  peerASN: 64501\n  peerAddress: 10.0.0.2\n`,
  },
  {
    name: 'native mode: BFD profile',
    bgpMode: 'native',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  bfdProfile: «native-mode-unsupported»fast\n---\napiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata:\n  name: «native-mode-unsupported»fast\n`,
  },
];

/** Cases whose point is a warning (no errors expected). */
export const WARNINGS: readonly CorpusCase[] = [
  { name: 'pool with .0 and .255', yaml: pool('lan', '[«!buggy-ips»10.4.0.0/23]') + L2_ALL },
  {
    name: 'pool no advertisement selects',
    yaml: pool('«!pool-not-advertised»orphan', '[10.5.0.1-10.5.0.9]'),
  },
  {
    name: 'IPv6 pool to an IPv4-only peer',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n---\n${pool('v6', '["fd00::/120"]')}---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: «!ipv6-pool-without-ipv6-peer»all\n`,
  },
  {
    name: 'selector matching no pool',
    yaml: `${pool('«!pool-not-advertised»a', '[10.6.0.1-10.6.0.9]')}---\napiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata:\n  name: l2\nspec:\n  ipAddressPoolSelectors:\n  - «!selector-matches-no-pool»matchLabels: {zone: z}\n`,
  },
  {
    name: 'misspelt field',
    yaml: pool('x', '[10.7.0.1-10.7.0.9]', '  «!unknown-field»autoassign: false\n') + L2_ALL,
  },
  {
    name: 'IPv6 router ID',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n  routerID: «!router-id-not-ipv4»"fd00::1"\n`,
  },
  {
    name: 'IPv4 pool to an IPv6-only peer',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: "fd00::1"\n---\n${pool('v4', '[10.11.0.1-10.11.0.9]')}---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: b\nspec:\n  peers: «!ipv4-pool-without-ipv4-peer»[router]\n`,
  },
  {
    name: 'ConfigMap without MetalLB config',
    yaml: `apiVersion: v1\nkind: «!ignored-document»ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n`,
  },
  {
    name: 'empty legacy config',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\ndata:\n  config: «!empty-legacy-config»""\n`,
  },
  {
    name: 'two myASN in one VRF (FRR mode refuses)',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n---\n${PEER_BASE.replace('name: router', 'name: router2')}  myASN: «!frr-my-asn-mismatch»64499\n  peerASN: 64501\n  peerAddress: 10.0.0.2\n`,
  },
  {
    name: 'two router IDs in one VRF (FRR mode refuses)',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n---\n${PEER_BASE.replace('name: router', 'name: router2')}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.2\n  routerID: «!frr-router-id-mismatch»10.0.0.9\n`,
  },
  {
    name: 'two peers with one address (FRR mode refuses)',
    yaml: `${PEER_BASE}  myASN: 64500\n  peerASN: 64501\n  peerAddress: 10.0.0.1\n---\n${PEER_BASE.replace('name: router', 'name: router2')}  myASN: 64500\n  peerASN: 64502\n  peerAddress: «!frr-duplicate-peer-address»10.0.0.1\n`,
  },
  {
    name: 'resource in another namespace',
    yaml: `${pool('a', '[10.14.0.1-10.14.0.9]')}${L2_ALL}---\n${pool('b', '[10.14.1.1-10.14.1.9]').replace('  name: b\n', '  name: b\n  namespace: «!namespace-mismatch»default\n')}`,
  },
  { name: 'CIDR with host bits', yaml: pool('x', '[«!cidr-host-bits»10.8.0.1/30]') + L2_ALL },
];
