// The CustomResourceDefinitions of the metallb.io kinds (and the status kinds lbops writes), as
// the server installs them at start. Schemas follow MetalLB's v0.14+ CRDs in shape; they serve
// `kubectl explain` and OpenAPI, while validation is admission's job (loadConfig).
import type { JsonObject } from './json.js';

const s = (description: string): JsonObject => ({ type: 'string', description });
const i = (description: string): JsonObject => ({ type: 'integer', description });
const b = (description: string): JsonObject => ({ type: 'boolean', description });
const strings = (description: string): JsonObject => ({
  type: 'array',
  items: { type: 'string' },
  description,
});
const obj = (description: string, properties: JsonObject, required?: string[]): JsonObject => ({
  type: 'object',
  description,
  properties,
  ...(required !== undefined ? { required } : {}),
});
const selectors = (description: string): JsonObject => ({
  type: 'array',
  description,
  items: obj('A label selector: matchLabels and matchExpressions, ANDed.', {
    matchLabels: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Exact label matches.',
    },
    matchExpressions: {
      type: 'array',
      description: 'Set-based requirements.',
      items: obj(
        'One requirement.',
        {
          key: s('Label key.'),
          operator: s('In, NotIn, Exists or DoesNotExist.'),
          values: strings('Values for In and NotIn.'),
        },
        ['key', 'operator'],
      ),
    },
  }),
});
const conditions: JsonObject = {
  type: 'array',
  description: 'Standard conditions.',
  items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

const ipAddressPoolSpec = obj(
  'IPAddressPoolSpec defines the addresses a pool hands out and to which Services.',
  {
    addresses: strings(
      'Ranges of addresses: CIDRs (10.0.0.0/24, fd00::/120) or ranges (10.0.0.10-10.0.0.20); IPv4 and IPv6 may mix.',
    ),
    autoAssign: b(
      'AutoAssign: when false, addresses are given only to Services that ask for this pool or an address in it. Default true.',
    ),
    avoidBuggyIPs: b('AvoidBuggyIPs: skip IPv4 addresses ending in .0 and .255. Default false.'),
    serviceAllocation: obj('Which Services and namespaces the pool serves, and its priority among pools.', {
      priority: i('Priority: lower wins; 0 or unset ranks last.'),
      namespaces: strings('Namespaces whose Services this pool serves.'),
      namespaceSelectors: selectors('Label selectors of namespaces whose Services this pool serves.'),
      serviceSelectors: selectors('Label selectors of Services this pool serves.'),
    }),
  },
  ['addresses'],
);

const ipAddressPoolStatus = obj('How much of the pool is in use.', {
  assignedIPv4: i('IPv4 addresses assigned to Services.'),
  assignedIPv6: i('IPv6 addresses assigned to Services.'),
  availableIPv4: i('IPv4 addresses still free.'),
  availableIPv6: i('IPv6 addresses still free.'),
});

const l2Spec = obj('L2AdvertisementSpec: announce Services of the selected pools with ARP/NDP.', {
  ipAddressPools: strings('Names of the pools to announce; none (with no selectors) means all.'),
  ipAddressPoolSelectors: selectors('Label selectors of pools to announce.'),
  nodeSelectors: selectors('Nodes allowed to announce; empty means all.'),
  interfaces: strings('Interfaces to announce from; empty means every usable one.'),
  serviceSelectors: selectors('Services to announce.'),
});

const bgpAdvSpec = obj(
  'BGPAdvertisementSpec: how Services of the selected pools are announced to BGP peers.',
  {
    aggregationLength: i('Prefix length of the IPv4 route announced. Default 32.'),
    aggregationLengthV6: i('Prefix length of the IPv6 route announced. Default 128.'),
    localPref: i('LOCAL_PREF attribute (iBGP only).'),
    communities: strings('Communities: 65000:100, large:1:2:3, or names of Community aliases.'),
    ipAddressPools: strings('Names of the pools to announce.'),
    ipAddressPoolSelectors: selectors('Label selectors of pools to announce.'),
    nodeSelectors: selectors('Nodes that announce; empty means all.'),
    peers: strings('Names of the BGPPeers to announce to; empty means all.'),
    serviceSelectors: selectors('Services to announce (only with the default aggregation length).'),
  },
);

const bgpPeerSpec = obj(
  'BGPPeerSpec: a BGP session the speakers open.',
  {
    myASN: i('AS number to use for the local end of the session.'),
    peerASN: i('AS number of the peer (or use dynamicASN).'),
    dynamicASN: s('internal or external: learn the peer ASN from its OPEN (instead of peerASN).'),
    peerAddress: s('Address to dial.'),
    sourceAddress: s('Source address for the session.'),
    peerPort: i('Port to dial. Default 179.'),
    holdTime: s('Proposed hold time, e.g. 90s. Default 90s.'),
    keepaliveTime: s('Keepalive interval; default holdTime/3.'),
    connectTime: s('Time between connection attempts.'),
    routerID: s('BGP router ID to advertise.'),
    nodeSelectors: selectors('Nodes that open this session; empty means all.'),
    password: s('TCP MD5 password (or use passwordSecret).'),
    passwordSecret: obj(
      'Secret (type kubernetes.io/basic-auth, key password) holding the TCP MD5 password.',
      { name: s('Secret name.'), namespace: s('Secret namespace.') },
    ),
    bfdProfile: s('Name of the BFDProfile for this session.'),
    ebgpMultiHop: b('Whether the peer is several hops away (not for iBGP).'),
    vrf: s('VRF to open the session from.'),
    enableGracefulRestart: b('Advertise graceful restart (RFC 4724).'),
    disableMP: b('Deprecated: separate sessions per address family.'),
  },
  ['myASN', 'peerAddress'],
);

const communitySpec = obj('CommunitySpec: named aliases for BGP communities.', {
  communities: {
    type: 'array',
    description: 'Aliases.',
    items: obj('One alias.', {
      name: s('Alias name.'),
      value: s('Community value, e.g. 65000:100 or large:1:2:3.'),
    }),
  },
});

const bfdSpec = obj('BFDProfileSpec: BFD timers for BGP sessions that reference this profile.', {
  receiveInterval: i('Minimum receive interval in ms (10-60000). Default 300.'),
  transmitInterval: i('Minimum transmit interval in ms (10-60000). Default 300.'),
  detectMultiplier: i('Detection multiplier (2-255). Default 3.'),
  echoInterval: i('Echo interval in ms.'),
  echoMode: b('Enable echo mode.'),
  passiveMode: b('Wait for the peer to start.'),
  minimumTtl: i('Minimum TTL of incoming packets (1-254).'),
});

const l2Status = obj('ServiceL2StatusStatus: which node announces a Service in layer 2.', {
  node: s('Node announcing the Service.'),
  serviceName: s('Name of the Service.'),
  serviceNamespace: s('Namespace of the Service.'),
  interfaces: {
    type: 'array',
    description: 'Interfaces the Service is announced from.',
    items: obj('An interface.', { name: s('Interface name.') }),
  },
});

const bgpStatus = obj('ServiceBGPStatusStatus: the peers a node announces a Service to.', {
  node: s('Node announcing the Service.'),
  serviceName: s('Name of the Service.'),
  serviceNamespace: s('Namespace of the Service.'),
  peers: strings('Names of the BGPPeers the Service is announced to.'),
});

const configurationStateStatus = obj(
  'ConfigurationStateStatus: whether a component accepted the configuration.',
  {
    result: s('Valid, Invalid or Unknown.'),
    errorSummary: s('What was wrong, with file and field.'),
    conditions,
  },
);

interface VersionSpec {
  readonly name: string;
  readonly storage: boolean;
}

function crd(
  kind: string,
  plural: string,
  description: string,
  spec: JsonObject | undefined,
  status: JsonObject | undefined,
  options: {
    versions?: readonly VersionSpec[];
    columns?: readonly JsonObject[];
    shortNames?: readonly string[];
  } = {},
): JsonObject {
  const properties: JsonObject = {};
  if (spec !== undefined) properties.spec = spec;
  if (status !== undefined) properties.status = status;
  const versions = options.versions ?? [{ name: 'v1beta1', storage: true }];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.metallb.io`, labels: { 'app.kubernetes.io/part-of': 'lbops' } },
    spec: {
      group: 'metallb.io',
      scope: 'Namespaced',
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        categories: ['metallb'],
        ...(options.shortNames !== undefined ? { shortNames: options.shortNames } : {}),
      },
      versions: versions.map((v) => ({
        name: v.name,
        served: true,
        storage: v.storage,
        schema: { openAPIV3Schema: { type: 'object', description, properties } },
        subresources: { status: {} },
        ...(options.columns !== undefined ? { additionalPrinterColumns: options.columns } : {}),
      })),
    },
  };
}

const col = (name: string, jsonPath: string, type = 'string', priority?: number): JsonObject => ({
  name,
  jsonPath,
  type,
  ...(priority !== undefined ? { priority } : {}),
});

/** Every CRD `lbops api` installs at start. */
export const METALLB_CRDS: readonly JsonObject[] = [
  crd(
    'IPAddressPool',
    'ipaddresspools',
    'IPAddressPool is a set of addresses lbops assigns to LoadBalancer Services.',
    ipAddressPoolSpec,
    ipAddressPoolStatus,
    {
      columns: [
        col('Auto Assign', '.spec.autoAssign', 'boolean'),
        col('Avoid Buggy IPs', '.spec.avoidBuggyIPs', 'boolean'),
        col('Addresses', '.spec.addresses'),
        col('Age', '.metadata.creationTimestamp', 'date'),
      ],
    },
  ),
  crd(
    'L2Advertisement',
    'l2advertisements',
    'L2Advertisement announces pools in layer 2 (ARP/NDP).',
    l2Spec,
    undefined,
    {
      columns: [
        col('IPAddressPools', '.spec.ipAddressPools'),
        col('Interfaces', '.spec.interfaces', 'string', 10),
        col('Age', '.metadata.creationTimestamp', 'date'),
      ],
    },
  ),
  crd(
    'BGPAdvertisement',
    'bgpadvertisements',
    'BGPAdvertisement announces pools to BGP peers.',
    bgpAdvSpec,
    undefined,
    {
      columns: [
        col('IPAddressPools', '.spec.ipAddressPools'),
        col('Peers', '.spec.peers', 'string', 10),
        col('Age', '.metadata.creationTimestamp', 'date'),
      ],
    },
  ),
  crd('BGPPeer', 'bgppeers', 'BGPPeer is a BGP neighbour the speakers connect to.', bgpPeerSpec, undefined, {
    versions: [
      { name: 'v1beta2', storage: true },
      { name: 'v1beta1', storage: false },
    ],
    columns: [
      col('Address', '.spec.peerAddress'),
      col('ASN', '.spec.peerASN'),
      col('BFD Profile', '.spec.bfdProfile'),
      col('Multi Hops', '.spec.ebgpMultiHop'),
    ],
  }),
  crd('Community', 'communities', 'Community holds named BGP community aliases.', communitySpec, undefined),
  crd('BFDProfile', 'bfdprofiles', 'BFDProfile holds BFD settings for BGP sessions.', bfdSpec, undefined, {
    columns: [
      col('Passive Mode', '.spec.passiveMode', 'boolean'),
      col('Transmit Interval', '.spec.transmitInterval', 'integer'),
      col('Receive Interval', '.spec.receiveInterval', 'integer'),
      col('Multiplier', '.spec.detectMultiplier', 'integer'),
    ],
  }),
  crd(
    'ServiceL2Status',
    'servicel2statuses',
    'ServiceL2Status reports which node announces a Service in layer 2.',
    undefined,
    l2Status,
    {
      columns: [
        col('Allocated Node', '.status.node'),
        col('Service Name', '.status.serviceName'),
        col('Service Namespace', '.status.serviceNamespace'),
      ],
    },
  ),
  crd(
    'ServiceBGPStatus',
    'servicebgpstatuses',
    'ServiceBGPStatus reports the peers a node announces a Service to.',
    undefined,
    bgpStatus,
    {
      columns: [
        col('Node', '.status.node'),
        col('Service Name', '.status.serviceName'),
        col('Service Namespace', '.status.serviceNamespace'),
      ],
    },
  ),
  crd(
    'ConfigurationState',
    'configurationstates',
    'ConfigurationState reports whether a component accepted the configuration.',
    undefined,
    configurationStateStatus,
    {
      columns: [
        col('Result', '.status.result'),
        col('Error', '.status.errorSummary', 'string', 10),
        col('Age', '.metadata.creationTimestamp', 'date'),
      ],
    },
  ),
];
