// The JSON Schemas (draft 2020-12) of the metallb.io kinds and of MetalLB's legacy ConfigMap.
// This module is their single source: schemas/json/*.json are written from it (write-json-schemas.ts)
// and a test fails if the files drift. Each file is self-contained (its own $defs) so editors and
// kubeconform can use one file without resolving other URLs.

export type JsonSchema = Record<string, unknown>;

export const SCHEMA_BASE_URL = 'https://lbops.dev/schemas';
const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

const UINT32_MAX = 4294967295;

// Go's time.ParseDuration syntax, which metav1.Duration uses: "90s", "1m30s", "1.5h", "0".
export const DURATION_SOURCE = '^0$|^(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$';

const labelSelector: JsonSchema = {
  type: 'object',
  description: 'A Kubernetes label selector; an empty selector matches everything.',
  properties: {
    matchLabels: {
      type: ['object', 'null'],
      additionalProperties: { type: 'string', maxLength: 63 },
    },
    matchExpressions: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string', minLength: 1 },
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: { type: ['array', 'null'], items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

const objectMeta: JsonSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
      description: 'A lowercase DNS subdomain name, unique per kind.',
    },
    namespace: { type: 'string', description: 'The MetalLB namespace, usually metallb-system.' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

const duration: JsonSchema = {
  type: 'string',
  pattern: DURATION_SOURCE,
  description: 'A Go duration, e.g. "90s", "1m30s", "500ms".',
};

const selectorList: JsonSchema = { type: ['array', 'null'], items: { $ref: '#/$defs/labelSelector' } };
const stringList = (description: string): JsonSchema => ({
  type: ['array', 'null'],
  items: { type: 'string', minLength: 1 },
  description,
});

function resource(options: {
  group: string;
  version: string;
  kind: string;
  description: string;
  spec: JsonSchema;
  specRequired: boolean;
  status?: JsonSchema;
  defs: Record<string, JsonSchema>;
}): JsonSchema {
  const apiVersion = options.group === '' ? options.version : `${options.group}/${options.version}`;
  return {
    $schema: DIALECT,
    $id: schemaId(apiVersion, options.kind),
    title: `${options.kind} (${apiVersion})`,
    description: options.description,
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', ...(options.specRequired ? ['spec'] : [])],
    properties: {
      apiVersion: { const: apiVersion },
      kind: { const: options.kind },
      metadata: { $ref: '#/$defs/objectMeta' },
      spec: options.spec,
      status: options.status ?? { type: 'object' },
    },
    additionalProperties: false,
    $defs: { objectMeta, ...options.defs },
  };
}

/** The `$id` of the schema for an apiVersion and kind, e.g. https://lbops.dev/schemas/metallb.io/v1beta1/ipaddresspool.json */
export function schemaId(apiVersion: string, kind: string): string {
  return `${SCHEMA_BASE_URL}/${apiVersion}/${kind.toLowerCase()}.json`;
}

const ipAddressPool = resource({
  group: 'metallb.io',
  version: 'v1beta1',
  kind: 'IPAddressPool',
  description: 'A pool of addresses that LoadBalancer Services are assigned from.',
  specRequired: true,
  spec: {
    type: 'object',
    required: ['addresses'],
    properties: {
      addresses: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', minLength: 1 },
        description:
          'CIDRs (10.0.0.0/24, fd00::/120) or inclusive ranges (10.0.0.10-10.0.0.20); IPv4 and IPv6 may mix.',
      },
      autoAssign: {
        type: 'boolean',
        default: true,
        description: 'false: addresses are only handed out on explicit request.',
      },
      avoidBuggyIPs: {
        type: 'boolean',
        default: false,
        description: 'Skip IPv4 addresses ending in .0 and .255.',
      },
      serviceAllocation: {
        type: ['object', 'null'],
        properties: {
          priority: { type: 'integer', description: 'Lower wins; 0 or unset ranks last.' },
          namespaces: stringList('Namespaces whose Services may use this pool.'),
          namespaceSelectors: selectorList,
          serviceSelectors: selectorList,
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  status: {
    type: 'object',
    properties: {
      assignedIPv4: { type: 'integer', minimum: 0 },
      assignedIPv6: { type: 'integer', minimum: 0 },
      availableIPv4: { type: 'integer', minimum: 0 },
      availableIPv6: { type: 'integer', minimum: 0 },
    },
  },
  defs: { labelSelector },
});

const l2Advertisement = resource({
  group: 'metallb.io',
  version: 'v1beta1',
  kind: 'L2Advertisement',
  description: 'Announces the addresses of the selected pools with ARP (IPv4) and NDP (IPv6).',
  specRequired: false,
  spec: {
    type: ['object', 'null'],
    properties: {
      ipAddressPools: stringList('Names of IPAddressPools to announce; with no selector either, all pools.'),
      ipAddressPoolSelectors: selectorList,
      nodeSelectors: selectorList,
      interfaces: stringList('Interfaces to announce from; empty: all usable interfaces.'),
      serviceSelectors: selectorList,
    },
    additionalProperties: false,
  },
  defs: { labelSelector },
});

const bgpAdvertisement = resource({
  group: 'metallb.io',
  version: 'v1beta1',
  kind: 'BGPAdvertisement',
  description: 'Announces the addresses of the selected pools to BGP peers.',
  specRequired: false,
  spec: {
    type: ['object', 'null'],
    properties: {
      aggregationLength: { type: 'integer', minimum: 0, maximum: 32, default: 32 },
      aggregationLengthV6: { type: 'integer', minimum: 0, maximum: 128, default: 128 },
      localPref: { type: 'integer', minimum: 0, maximum: UINT32_MAX, description: 'LOCAL_PREF, iBGP only.' },
      communities: stringList('Communities: "65000:100", "large:1:2:3", or the name of a Community alias.'),
      ipAddressPools: stringList('Names of IPAddressPools to announce; with no selector either, all pools.'),
      ipAddressPoolSelectors: selectorList,
      nodeSelectors: selectorList,
      peers: stringList('Names of BGPPeers to announce to; empty: all peers.'),
      serviceSelectors: selectorList,
    },
    additionalProperties: false,
  },
  defs: { labelSelector },
});

const asn = (description: string): JsonSchema => ({
  type: 'integer',
  minimum: 0,
  maximum: UINT32_MAX,
  description,
});

function bgpPeerSpec(version: 'v1beta1' | 'v1beta2'): JsonSchema {
  const common: Record<string, JsonSchema> = {
    myASN: asn('The AS number lbops speaks as.'),
    peerASN: asn('The AS number of the peer.'),
    peerAddress: { type: 'string', minLength: 1, description: 'The IP address of the peer.' },
    sourceAddress: { type: 'string', description: 'The local address to connect from.' },
    peerPort: { type: 'integer', minimum: 0, maximum: 16384, default: 179 },
    holdTime: { $ref: '#/$defs/duration', description: 'Hold time (default 90s); 0 or at least 3s.' },
    keepaliveTime: { $ref: '#/$defs/duration', description: 'Keepalive time (default holdTime / 3).' },
    routerID: { type: 'string', description: 'BGP router ID, an IPv4 address.' },
    nodeSelectors: selectorList,
    password: { type: 'string', description: 'TCP MD5 password (RFC 2385).' },
    bfdProfile: { type: 'string', description: 'Name of a BFDProfile.' },
    ebgpMultiHop: {
      type: 'boolean',
      default: false,
      description: 'Allow the eBGP peer to be several hops away.',
    },
    vrf: { type: 'string' },
  };
  const v2: Record<string, JsonSchema> = {
    dynamicASN: {
      enum: ['internal', 'external'],
      description: 'Instead of peerASN: accept any internal or external ASN.',
    },
    interface: {
      type: 'string',
      description: 'Unnumbered BGP: the interface to peer over (instead of peerAddress).',
    },
    connectTime: { $ref: '#/$defs/duration' },
    passwordSecret: {
      type: 'object',
      properties: { name: { type: 'string', minLength: 1 }, namespace: { type: 'string' } },
      required: ['name'],
      description: 'A Secret of type kubernetes.io/basic-auth whose key "password" holds the password.',
    },
    enableGracefulRestart: { type: 'boolean', default: false },
    disableMP: {
      type: 'boolean',
      default: false,
      description: 'Deprecated: separate sessions per address family.',
    },
    dualStackAddressFamily: { type: 'boolean', default: false },
  };
  return {
    type: 'object',
    // v1beta1's CRD requires peerASN and peerAddress; v1beta2 allows dynamicASN and interface instead.
    required: version === 'v1beta1' ? ['myASN', 'peerASN', 'peerAddress'] : ['myASN'],
    properties: version === 'v1beta1' ? common : { ...common, ...v2 },
    additionalProperties: false,
  };
}

const bgpPeer = (version: 'v1beta1' | 'v1beta2'): JsonSchema =>
  resource({
    group: 'metallb.io',
    version,
    kind: 'BGPPeer',
    description: 'A BGP session that the speakers on the selected nodes open.',
    specRequired: true,
    spec: bgpPeerSpec(version),
    defs: { labelSelector, duration },
  });

const community = resource({
  group: 'metallb.io',
  version: 'v1beta1',
  kind: 'Community',
  description: 'Named aliases for BGP communities.',
  specRequired: false,
  spec: {
    type: ['object', 'null'],
    properties: {
      communities: {
        type: ['array', 'null'],
        items: {
          type: 'object',
          required: ['name', 'value'],
          properties: {
            name: { type: 'string', minLength: 1 },
            value: { type: 'string', minLength: 1, description: '"65000:100" or "large:1:2:3".' },
          },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
  defs: {},
});

const interval = (fallback: number, description: string): JsonSchema => ({
  type: 'integer',
  minimum: 10,
  maximum: 60000,
  default: fallback,
  description,
});

const bfdProfileSpec: Record<string, JsonSchema> = {
  receiveInterval: interval(300, 'Minimum receive interval, milliseconds.'),
  transmitInterval: interval(300, 'Minimum transmit interval, milliseconds.'),
  detectMultiplier: { type: 'integer', minimum: 2, maximum: 255, default: 3 },
  echoInterval: interval(50, 'Echo interval, milliseconds.'),
  echoMode: { type: 'boolean', default: false },
  passiveMode: { type: 'boolean', default: false },
  minimumTtl: { type: 'integer', minimum: 1, maximum: 254, default: 254 },
};

const bfdProfile = resource({
  group: 'metallb.io',
  version: 'v1beta1',
  kind: 'BFDProfile',
  description: 'BFD session parameters (RFC 5880) referenced by BGPPeers.',
  specRequired: false,
  spec: { type: ['object', 'null'], properties: bfdProfileSpec, additionalProperties: false },
  defs: {},
});

const legacySelector: JsonSchema = {
  type: 'object',
  properties: {
    'match-labels': { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    'match-expressions': {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string', minLength: 1 },
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: { type: ['array', 'null'], items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

export const LEGACY_CONFIG_ID = `${SCHEMA_BASE_URL}/metallb-legacy-config.json`;

const legacyConfig: JsonSchema = {
  $schema: DIALECT,
  $id: LEGACY_CONFIG_ID,
  title: 'MetalLB legacy configuration (the YAML inside ConfigMap metallb-system/config, key "config")',
  type: 'object',
  properties: {
    peers: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['my-asn', 'peer-asn', 'peer-address'],
        properties: {
          'my-asn': asn('The AS number MetalLB speaks as.'),
          'peer-asn': asn('The AS number of the peer.'),
          'peer-address': { type: 'string', minLength: 1 },
          'peer-port': { type: 'integer', minimum: 0, maximum: 16384, default: 179 },
          'source-address': { type: 'string' },
          'hold-time': { $ref: '#/$defs/duration' },
          'keepalive-time': { $ref: '#/$defs/duration' },
          'router-id': { type: 'string' },
          'node-selectors': { type: ['array', 'null'], items: { $ref: '#/$defs/legacySelector' } },
          password: { type: 'string' },
          'bfd-profile': { type: 'string' },
          'ebgp-multihop': { type: 'boolean' },
        },
        additionalProperties: false,
      },
    },
    'bgp-communities': {
      type: ['object', 'null'],
      additionalProperties: { type: 'string', minLength: 1 },
    },
    'address-pools': {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['name', 'protocol', 'addresses'],
        properties: {
          name: { type: 'string', minLength: 1 },
          protocol: { enum: ['layer2', 'bgp'] },
          addresses: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          'auto-assign': { type: 'boolean', default: true },
          'avoid-buggy-ips': { type: 'boolean', default: false },
          'bgp-advertisements': {
            type: ['array', 'null'],
            items: {
              type: 'object',
              properties: {
                'aggregation-length': { type: 'integer', minimum: 0, maximum: 32 },
                'aggregation-length-v6': { type: 'integer', minimum: 0, maximum: 128 },
                localpref: { type: 'integer', minimum: 0, maximum: UINT32_MAX },
                communities: { type: ['array', 'null'], items: { type: 'string', minLength: 1 } },
              },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    },
    'bfd-profiles': {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          'receive-interval': interval(300, 'Milliseconds.'),
          'transmit-interval': interval(300, 'Milliseconds.'),
          'detect-multiplier': { type: 'integer', minimum: 2, maximum: 255 },
          'echo-interval': interval(50, 'Milliseconds.'),
          'echo-mode': { type: 'boolean' },
          'passive-mode': { type: 'boolean' },
          'minimum-ttl': { type: 'integer', minimum: 1, maximum: 254 },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
  $defs: { duration, legacySelector },
};

const legacyConfigMap: JsonSchema = {
  $schema: DIALECT,
  $id: schemaId('v1', 'ConfigMap-metallb-config'),
  title: 'ConfigMap holding a MetalLB legacy configuration (metallb-system/config)',
  description: 'The YAML inside data.config is described by ' + LEGACY_CONFIG_ID,
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'data'],
  properties: {
    apiVersion: { const: 'v1' },
    kind: { const: 'ConfigMap' },
    metadata: { $ref: '#/$defs/objectMeta' },
    data: {
      type: 'object',
      required: ['config'],
      properties: { config: { type: 'string', description: 'MetalLB legacy configuration, as YAML.' } },
      additionalProperties: { type: 'string' },
    },
  },
  $defs: { objectMeta },
};

/** One schema file: where it is written under schemas/json/ and its content. */
export interface SchemaFile {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly schema: JsonSchema;
}

export const SCHEMA_FILES: readonly SchemaFile[] = [
  {
    file: 'metallb.io/v1beta1/ipaddresspool.json',
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    schema: ipAddressPool,
  },
  {
    file: 'metallb.io/v1beta1/l2advertisement.json',
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    schema: l2Advertisement,
  },
  {
    file: 'metallb.io/v1beta1/bgpadvertisement.json',
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BGPAdvertisement',
    schema: bgpAdvertisement,
  },
  {
    file: 'metallb.io/v1beta1/bgppeer.json',
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BGPPeer',
    schema: bgpPeer('v1beta1'),
  },
  {
    file: 'metallb.io/v1beta2/bgppeer.json',
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    schema: bgpPeer('v1beta2'),
  },
  {
    file: 'metallb.io/v1beta1/community.json',
    apiVersion: 'metallb.io/v1beta1',
    kind: 'Community',
    schema: community,
  },
  {
    file: 'metallb.io/v1beta1/bfdprofile.json',
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BFDProfile',
    schema: bfdProfile,
  },
  { file: 'v1/configmap-metallb-config.json', apiVersion: 'v1', kind: 'ConfigMap', schema: legacyConfigMap },
  { file: 'metallb-legacy-config.json', apiVersion: '', kind: 'MetalLBLegacyConfig', schema: legacyConfig },
];
