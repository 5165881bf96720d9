// The model cannot drift from the schemas: every spec field a schema allows is a field of the model
// (of the same name), and every model field is either a spec field or a listed derived one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCHEMA_FILES } from '../json-schemas.js';
import { loadConfig } from '../load-config.js';
import type { Config } from '../model.js';

const FULL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: p, labels: {a: b}}
spec:
  addresses: [10.0.0.1-10.0.0.9, "fd00::/120"]
  autoAssign: false
  avoidBuggyIPs: true
  serviceAllocation: {priority: 1, namespaces: [x], namespaceSelectors: [{matchLabels: {a: b}}], serviceSelectors: [{}]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: l2}
spec: {ipAddressPools: [p], ipAddressPoolSelectors: [{}], nodeSelectors: [{}], interfaces: [eth0], serviceSelectors: [{}]}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: b}
spec: {aggregationLength: 32, aggregationLengthV6: 128, localPref: 5, communities: ["1:2"], ipAddressPools: [p], ipAddressPoolSelectors: [{}], nodeSelectors: [{}], peers: [r], serviceSelectors: [{}]}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: r}
spec: {myASN: 1, peerASN: 1, peerAddress: 10.1.0.1, sourceAddress: 10.1.0.2, peerPort: 179, holdTime: 9s, keepaliveTime: 3s, connectTime: 5s, routerID: 10.1.0.2, nodeSelectors: [{}], passwordSecret: {name: s}, bfdProfile: f, vrf: red, enableGracefulRestart: true, disableMP: false, dualStackAddressFamily: true}
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: {name: f}
spec: {receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3, echoInterval: 50, echoMode: false, passiveMode: false, minimumTtl: 254}
---
apiVersion: metallb.io/v1beta1
kind: Community
metadata: {name: c}
spec: {communities: [{name: x, value: "1:3"}]}
`;

// Model fields that are not spec fields: identity, provenance and values lbops derives.
const DERIVED = new Set([
  'kind',
  'name',
  'namespace',
  'labels',
  'source',
  'origin',
  'apiVersion',
  'selectedPools',
  'communityRefs',
  'addressTexts',
  'families',
  'isInternal',
]);

test('every schema spec field is a model field, and every model field comes from the schema or is derived', () => {
  const result = loadConfig([{ name: 'full.yaml', content: FULL }]);
  assert.deepEqual(
    result.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const config = result.config as Config;
  const models: Record<string, object | undefined> = {
    IPAddressPool: config.pools[0],
    L2Advertisement: config.l2Advertisements[0],
    BGPAdvertisement: config.bgpAdvertisements[0],
    BGPPeer: config.bgpPeers[0],
    BFDProfile: config.bfdProfiles[0],
  };
  for (const entry of SCHEMA_FILES) {
    const model = models[entry.kind];
    if (model === undefined) continue;
    const spec = (entry.schema['properties'] as Record<string, { properties?: Record<string, unknown> }>)[
      'spec'
    ];
    const specFields = Object.keys(spec?.properties ?? {});
    const modelFields = new Set(Object.keys(model));
    for (const f of specFields)
      assert.ok(modelFields.has(f), `${entry.file}: spec.${f} is missing from the model`);
    for (const f of modelFields) {
      assert.ok(
        DERIVED.has(f) || specFields.includes(f) || entry.kind === 'BGPPeer',
        `${entry.kind} model field ${f} is not in ${entry.file}`,
      );
    }
  }
  // BGPPeer: the model is the union of both versions.
  const peerFields = new Set(
    SCHEMA_FILES.filter((e) => e.kind === 'BGPPeer').flatMap((e) =>
      Object.keys(
        (e.schema['properties'] as Record<string, { properties?: Record<string, unknown> }>)['spec']
          ?.properties ?? {},
      ),
    ),
  );
  for (const f of Object.keys(config.bgpPeers[0] ?? {}))
    assert.ok(DERIVED.has(f) || peerFields.has(f), `BGPPeer model field ${f} is in no schema`);
});
