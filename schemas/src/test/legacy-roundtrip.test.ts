// Legacy conversion: convert -> loadConfig gives the same model as loading the legacy ConfigMap,
// and the converted resources validate against the metallb.io schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { convertLegacyFiles, loadConfig } from '../load-config.js';
import type { Config } from '../model.js';

function configMap(config: unknown): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace: 'metallb-system', name: 'config' },
    data: { config: stringify(config) },
  });
}

/** The model without where it came from, for comparing two loads of the same meaning. */
function meaning(config: Config | undefined): unknown {
  return JSON.parse(
    JSON.stringify(config, (key, value: unknown) =>
      key === 'source' || key === 'origin' ? undefined : typeof value === 'bigint' ? value.toString() : value,
    ),
  );
}

const TUTORIAL = `apiVersion: v1
kind: ConfigMap
metadata:
  namespace: metallb-system
  name: config
data:
  config: |
    address-pools:
    - name: metallb-ip-space
      protocol: layer2
      addresses:
      - 10.10.95.200-10.10.95.250
`;

test('the tutorial ConfigMap converts to one pool and one L2Advertisement', () => {
  const converted = convertLegacyFiles([{ name: 'tutorial.yaml', content: TUTORIAL }]);
  assert.deepEqual(converted.diagnostics, []);
  assert.equal(converted.legacyConfigs, 1);
  assert.deepEqual(converted.resources, [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'metallb-ip-space', namespace: 'metallb-system' },
      spec: { addresses: ['10.10.95.200-10.10.95.250'] },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'l2advertisement1', namespace: 'metallb-system' },
      spec: { ipAddressPools: ['metallb-ip-space'] },
    },
  ]);
});

test('a bgp pool without advertisements gets one empty BGPAdvertisement; hold time defaults to 90s', () => {
  const content = configMap({
    peers: [{ 'my-asn': 64500, 'peer-asn': 64501, 'peer-address': '10.0.0.1' }],
    'address-pools': [{ name: 'b', protocol: 'bgp', addresses: ['10.1.0.0/24'] }],
  });
  const converted = convertLegacyFiles([{ name: 'c.yaml', content }]);
  assert.deepEqual(
    converted.resources.map((r) => [r.kind, r.metadata.name, r['spec']]),
    [
      ['BGPPeer', 'peer1', { myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1' }],
      ['IPAddressPool', 'b', { addresses: ['10.1.0.0/24'] }],
      ['BGPAdvertisement', 'bgpadvertisement1', { ipAddressPools: ['b'] }],
    ],
  );
  const loaded = loadConfig([{ name: 'c.yaml', content }]);
  assert.equal(loaded.config?.bgpPeers[0]?.holdTime, 90);
  assert.equal(loaded.config?.bgpPeers[0]?.keepaliveTime, 30);
});

test('an invalid legacy config converts to nothing and says why', () => {
  const content = configMap({
    'address-pools': [{ name: 'b', protocol: 'bgp', addresses: ['10.1.0.20-10.1.0.10'] }],
  });
  const converted = convertLegacyFiles([{ name: 'c.yaml', content }]);
  assert.deepEqual(converted.resources, []);
  assert.deepEqual(
    converted.diagnostics.map((d) => [d.code, d.line, d.column]),
    [['address-range-reversed', 12, 13]],
  );
});

const legacyConfig = fc
  .record({
    poolCount: fc.integer({ min: 1, max: 6 }),
    protocols: fc.array(fc.constantFrom('layer2', 'bgp'), { minLength: 6, maxLength: 6 }),
    cidr: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    autoAssign: fc.array(fc.option(fc.boolean()), { minLength: 6, maxLength: 6 }),
    advCount: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
    peerCount: fc.integer({ min: 0, max: 3 }),
    holdTimes: fc.array(fc.option(fc.constantFrom('90s', '3s', '0s', '1m', '2m30s')), {
      minLength: 3,
      maxLength: 3,
    }),
    aliases: fc.boolean(),
    bfd: fc.boolean(),
  })
  .map((g) => {
    const config: Record<string, unknown> = {};
    if (g.aliases) config['bgp-communities'] = { special: '64500:100', big: 'large:64500:1:2' };
    if (g.bfd) config['bfd-profiles'] = [{ name: 'fast', 'receive-interval': 50, 'detect-multiplier': 5 }];
    config['peers'] = Array.from({ length: g.peerCount }, (_, i) => ({
      'my-asn': 64500,
      'peer-asn': 64501 + i,
      'peer-address': `192.168.0.${i + 1}`,
      ...(g.holdTimes[i] !== null && g.holdTimes[i] !== undefined ? { 'hold-time': g.holdTimes[i] } : {}),
      ...(g.bfd && i === 0 ? { 'bfd-profile': 'fast' } : {}),
      'node-selectors': i === 1 ? [{ 'match-labels': { rack: 'a' } }] : undefined,
    })).map((p) => JSON.parse(JSON.stringify(p)) as unknown);
    config['address-pools'] = Array.from({ length: g.poolCount }, (_, i) => {
      const protocol = g.protocols[i] as string;
      const cidr = g.cidr[i] as boolean;
      const pool: Record<string, unknown> = {
        name: `pool-${i}`,
        protocol,
        addresses: [cidr ? `10.${i}.0.0/24` : `10.${i}.1.10-10.${i}.1.20`, `fd00:${i}::/120`],
        'avoid-buggy-ips': true,
      };
      const auto = g.autoAssign[i];
      if (auto !== null && auto !== undefined) pool['auto-assign'] = auto;
      if (protocol === 'bgp' && (g.advCount[i] as number) > 0) {
        pool['bgp-advertisements'] = Array.from({ length: g.advCount[i] as number }, (_, j) => ({
          'aggregation-length': j === 1 && cidr ? 24 : 32,
          // Advertisements sharing an aggregation length must agree on localPref.
          ...(j === 1 && cidr ? {} : { localpref: 100 }),
          communities: g.aliases ? ['special', '65000:1'] : ['65000:1'],
        }));
      }
      return pool;
    });
    return config;
  });

test('convert -> loadConfig gives the same model as loading the legacy ConfigMap (property)', () => {
  fc.assert(
    fc.property(legacyConfig, (config) => {
      const content = configMap(config);
      const original = loadConfig([{ name: 'legacy.yaml', content }]);
      const errors = original.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors, [], 'the generated legacy config is valid');
      const converted = convertLegacyFiles([{ name: 'legacy.yaml', content }]);
      assert.deepEqual(
        converted.diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
      const resources = converted.resources.map((r) => stringify(r)).join('---\n');
      const reloaded = loadConfig([{ name: 'converted.yaml', content: resources }]);
      assert.deepEqual(
        reloaded.diagnostics.filter((d) => d.severity === 'error' || d.code === 'unknown-field'),
        [],
        'the converted resources validate',
      );
      assert.deepEqual(meaning(reloaded.config), meaning(original.config));
    }),
    { numRuns: 100 },
  );
});
