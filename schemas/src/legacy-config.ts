// MetalLB's legacy configuration (the `config` key of ConfigMap metallb-system/config, MetalLB <= 0.12)
// converted into metallb.io resources with the mapping of MetalLB's own converter: each layer2 pool
// gets one L2Advertisement, each bgp pool one BGPAdvertisement per bgp-advertisements entry (or one
// empty BGPAdvertisement), peers become BGPPeers named peer1, peer2, ..., aliases one Community.

/** A Kubernetes object as plain JS, ready to be written as YAML. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; [key: string]: unknown };
};

/** A converted resource and, for diagnostics, where each of its fields came from in the legacy config. */
export interface ConvertedResource {
  readonly object: KubeObject;
  /** Maps a JSON pointer inside `object` to the JSON pointer of its origin inside the legacy config. */
  readonly origin: (pointer: string) => string;
}

export const DEFAULT_NAMESPACE = 'metallb-system';

const PEER_KEYS: Readonly<Record<string, string>> = {
  'my-asn': 'myASN',
  'peer-asn': 'peerASN',
  'peer-address': 'peerAddress',
  'peer-port': 'peerPort',
  'source-address': 'sourceAddress',
  'hold-time': 'holdTime',
  'keepalive-time': 'keepaliveTime',
  'router-id': 'routerID',
  password: 'password',
  'bfd-profile': 'bfdProfile',
  'ebgp-multihop': 'ebgpMultiHop',
};
const SELECTOR_KEYS: Readonly<Record<string, string>> = {
  'node-selectors': 'nodeSelectors',
  'match-labels': 'matchLabels',
  'match-expressions': 'matchExpressions',
};
const POOL_KEYS: Readonly<Record<string, string>> = {
  'auto-assign': 'autoAssign',
  'avoid-buggy-ips': 'avoidBuggyIPs',
};
const ADV_KEYS: Readonly<Record<string, string>> = {
  'aggregation-length': 'aggregationLength',
  'aggregation-length-v6': 'aggregationLengthV6',
  localpref: 'localPref',
  communities: 'communities',
};
const BFD_KEYS: Readonly<Record<string, string>> = {
  'receive-interval': 'receiveInterval',
  'transmit-interval': 'transmitInterval',
  'detect-multiplier': 'detectMultiplier',
  'echo-interval': 'echoInterval',
  'echo-mode': 'echoMode',
  'passive-mode': 'passiveMode',
  'minimum-ttl': 'minimumTtl',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function invert(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [v, k]));
}

function escape(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Builds the origin mapper of one resource: `/metadata/...` maps to `namePointer`, `/spec/...` to
 * `base` with camelCase keys renamed back to the legacy kebab-case, and `overrides` (longest
 * prefix first) win over both.
 */
function originMapper(
  base: string,
  namePointer: string,
  rename: Readonly<Record<string, string>>,
  overrides: Array<[string, string]> = [],
): (pointer: string) => string {
  const back = invert(rename);
  return (pointer) => {
    for (const [prefix, target] of overrides) {
      if (pointer === prefix || pointer.startsWith(`${prefix}/`)) return target;
    }
    if (pointer.startsWith('/metadata')) return namePointer;
    if (pointer === '/spec' || pointer.startsWith('/spec/')) {
      const rest = pointer
        .slice('/spec'.length)
        .split('/')
        .slice(1)
        .map((s) => back[s] ?? s);
      return base + rest.map((s) => `/${s}`).join('');
    }
    return base;
  };
}

function renameKeys(
  source: Record<string, unknown>,
  map: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) {
    const target = map[k];
    if (target !== undefined && v !== undefined && v !== null) out[target] = v;
  }
  return out;
}

function convertSelector(raw: unknown): Record<string, unknown> {
  if (!isRecord(raw)) return {};
  const out: Record<string, unknown> = {};
  if (isRecord(raw['match-labels'])) out['matchLabels'] = { ...raw['match-labels'] };
  if (Array.isArray(raw['match-expressions']))
    out['matchExpressions'] = (raw['match-expressions'] as unknown[]).map((e) =>
      isRecord(e) ? { ...e } : e,
    );
  return out;
}

function meta(name: string, namespace: string): KubeObject['metadata'] {
  return { name, namespace };
}

/**
 * Converts a parsed legacy configuration (already validated against metallb-legacy-config.json)
 * into metallb.io resources. BGPPeers are emitted as metallb.io/v1beta2 (the version MetalLB's
 * converter writes and stores); everything else as metallb.io/v1beta1.
 */
export function convertLegacyConfig(
  config: unknown,
  namespace: string = DEFAULT_NAMESPACE,
): ConvertedResource[] {
  const out: ConvertedResource[] = [];
  if (!isRecord(config)) return out;

  list(config['bfd-profiles']).forEach((raw, i) => {
    if (!isRecord(raw) || typeof raw['name'] !== 'string') return;
    const base = `/bfd-profiles/${i}`;
    out.push({
      object: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BFDProfile',
        metadata: meta(raw['name'], namespace),
        spec: renameKeys(raw, BFD_KEYS),
      },
      origin: originMapper(base, `${base}/name`, BFD_KEYS),
    });
  });

  list(config['peers']).forEach((raw, i) => {
    if (!isRecord(raw)) return;
    const base = `/peers/${i}`;
    const spec = renameKeys(raw, PEER_KEYS);
    const selectors = list(raw['node-selectors']);
    if (selectors.length > 0) spec['nodeSelectors'] = selectors.map(convertSelector);
    out.push({
      object: {
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: meta(`peer${i + 1}`, namespace),
        spec,
      },
      origin: originMapper(base, base, { ...PEER_KEYS, ...SELECTOR_KEYS }),
    });
  });

  const aliases = isRecord(config['bgp-communities']) ? Object.entries(config['bgp-communities']) : [];
  if (aliases.length > 0) {
    const overrides: Array<[string, string]> = aliases.map(([name], k) => [
      `/spec/communities/${k}`,
      `/bgp-communities/${escape(name)}`,
    ]);
    out.push({
      object: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'Community',
        metadata: meta('communities', namespace),
        spec: { communities: aliases.map(([name, value]) => ({ name, value })) },
      },
      origin: originMapper('/bgp-communities', '/bgp-communities', {}, overrides),
    });
  }

  let l2Count = 0;
  let bgpCount = 0;
  list(config['address-pools']).forEach((raw, i) => {
    if (!isRecord(raw) || typeof raw['name'] !== 'string') return;
    const base = `/address-pools/${i}`;
    const name = raw['name'];
    const spec: Record<string, unknown> = { addresses: list(raw['addresses']) };
    if (typeof raw['auto-assign'] === 'boolean') spec['autoAssign'] = raw['auto-assign'];
    if (typeof raw['avoid-buggy-ips'] === 'boolean') spec['avoidBuggyIPs'] = raw['avoid-buggy-ips'];
    out.push({
      object: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: meta(name, namespace),
        spec,
      },
      origin: originMapper(base, `${base}/name`, POOL_KEYS),
    });
    const protocolPointer = `${base}/protocol`;
    if (raw['protocol'] === 'layer2') {
      l2Count += 1;
      out.push({
        object: {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'L2Advertisement',
          metadata: meta(`l2advertisement${l2Count}`, namespace),
          spec: { ipAddressPools: [name] },
        },
        origin: () => protocolPointer,
      });
    } else if (raw['protocol'] === 'bgp') {
      const advs = list(raw['bgp-advertisements']);
      if (advs.length === 0) {
        bgpCount += 1;
        out.push({
          object: {
            apiVersion: 'metallb.io/v1beta1',
            kind: 'BGPAdvertisement',
            metadata: meta(`bgpadvertisement${bgpCount}`, namespace),
            spec: { ipAddressPools: [name] },
          },
          origin: () => protocolPointer,
        });
      }
      advs.forEach((adv, j) => {
        bgpCount += 1;
        const advBase = `${base}/bgp-advertisements/${j}`;
        const advSpec = isRecord(adv) ? renameKeys(adv, ADV_KEYS) : {};
        out.push({
          object: {
            apiVersion: 'metallb.io/v1beta1',
            kind: 'BGPAdvertisement',
            metadata: meta(`bgpadvertisement${bgpCount}`, namespace),
            spec: { ...advSpec, ipAddressPools: [name] },
          },
          origin: originMapper(advBase, advBase, ADV_KEYS, [['/spec/ipAddressPools', `${base}/name`]]),
        });
      });
    }
  });
  return out;
}

/** Whether a parsed YAML value looks like a legacy MetalLB configuration (a bare `config` payload). */
export function looksLikeLegacyConfig(value: unknown): boolean {
  if (!isRecord(value) || 'apiVersion' in value || 'kind' in value) return false;
  return ['address-pools', 'peers', 'bgp-communities', 'bfd-profiles'].some((k) => k in value);
}
