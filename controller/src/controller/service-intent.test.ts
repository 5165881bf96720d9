import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceIntent, type IntentOptions } from './service-intent.js';
import type { ServiceObject } from '@lbops/kube';

function service(
  overrides: {
    annotations?: Record<string, string>;
    spec?: Record<string, unknown>;
    labels?: Record<string, string>;
  } = {},
): ServiceObject {
  return {
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'uid-web',
      creationTimestamp: new Date('2026-01-02T03:04:05Z'),
      labels: overrides.labels ?? { app: 'web' },
      annotations: overrides.annotations ?? {},
    },
    spec: { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 80 }], ...overrides.spec },
  };
}

interface Row {
  readonly description: string;
  readonly service: ServiceObject;
  readonly options?: IntentOptions;
  readonly expect:
    | { kind: 'ignore'; reason: string }
    | { kind: 'invalid'; messageIncludes: string }
    | { kind: 'request'; fields: Record<string, unknown>; deprecated?: string[] };
}

const rows: Row[] = [
  {
    description: 'a ClusterIP Service is not ours',
    service: service({ spec: { type: 'ClusterIP' } }),
    expect: { kind: 'ignore', reason: 'not-load-balancer' },
  },
  {
    description: 'a plain LoadBalancer Service becomes a request with its ports, labels and creation time',
    service: service(),
    expect: {
      kind: 'request',
      fields: {
        namespace: 'shop',
        name: 'web',
        uid: 'uid-web',
        creationTimestamp: '2026-01-02T03:04:05.000Z',
        serviceLabels: { app: 'web' },
        namespaceLabels: { team: 'payments' },
        requestedIps: [],
        requestedPool: undefined,
        sharingKey: undefined,
        ports: [{ protocol: 'TCP', port: 80 }],
        backendKey: 'Cluster',
      },
      deprecated: [],
    },
  },
  {
    description: 'by default a Service with a loadBalancerClass belongs to another controller',
    service: service({ spec: { loadBalancerClass: 'other.io/lb' } }),
    expect: { kind: 'ignore', reason: 'other-class' },
  },
  {
    description: 'with --lb-class, a Service of that class is ours',
    service: service({ spec: { loadBalancerClass: 'lbops.io/lb' } }),
    options: { loadBalancerClass: 'lbops.io/lb' },
    expect: { kind: 'request', fields: { name: 'web' } },
  },
  {
    description: 'with --lb-class, a Service without a class is not ours',
    service: service(),
    options: { loadBalancerClass: 'lbops.io/lb' },
    expect: { kind: 'ignore', reason: 'other-class' },
  },
  {
    description: 'the loadBalancerIPs annotation is split on commas, one address per family',
    service: service({ annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.5, fd00::5' } }),
    expect: { kind: 'request', fields: { requestedIps: ['10.0.0.5', 'fd00::5'] }, deprecated: [] },
  },
  {
    description: 'spec.loadBalancerIP is honoured',
    service: service({ spec: { loadBalancerIP: '10.0.0.7' } }),
    expect: { kind: 'request', fields: { requestedIps: ['10.0.0.7'] } },
  },
  {
    description: 'spec.loadBalancerIP and the annotation together are an error',
    service: service({
      annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.5' },
      spec: { loadBalancerIP: '10.0.0.7' },
    }),
    expect: { kind: 'invalid', messageIncludes: 'keep only the annotation' },
  },
  {
    description: 'the deprecated prefix is read and reported',
    service: service({
      annotations: {
        'metallb.universe.tf/address-pool': 'gold',
        'metallb.universe.tf/allow-shared-ip': 'k1',
        'metallb.universe.tf/loadBalancerIPs': '10.0.0.9',
      },
    }),
    expect: {
      kind: 'request',
      fields: { requestedPool: 'gold', sharingKey: 'k1', requestedIps: ['10.0.0.9'] },
      deprecated: [
        'metallb.universe.tf/loadBalancerIPs',
        'metallb.universe.tf/address-pool',
        'metallb.universe.tf/allow-shared-ip',
      ],
    },
  },
  {
    description: 'both prefixes with the same value are accepted (with the warning)',
    service: service({
      annotations: { 'metallb.universe.tf/address-pool': 'gold', 'metallb.io/address-pool': 'gold' },
    }),
    expect: {
      kind: 'request',
      fields: { requestedPool: 'gold' },
      deprecated: ['metallb.universe.tf/address-pool'],
    },
  },
  {
    description: 'both prefixes with different values are an error naming both',
    service: service({
      annotations: { 'metallb.universe.tf/address-pool': 'gold', 'metallb.io/address-pool': 'silver' },
    }),
    expect: { kind: 'invalid', messageIncludes: 'metallb.universe.tf/address-pool ("gold") disagree' },
  },
  {
    description: 'an empty address-pool annotation means no pool',
    service: service({ annotations: { 'metallb.io/address-pool': ' ' } }),
    expect: { kind: 'request', fields: { requestedPool: undefined } },
  },
  {
    description: 'ipFamilies and ipFamilyPolicy are translated',
    service: service({ spec: { ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack' } }),
    expect: { kind: 'request', fields: { ipFamilies: ['ipv6', 'ipv4'], ipFamilyPolicy: 'RequireDualStack' } },
  },
  {
    description: 'an unknown family is an error',
    service: service({ spec: { ipFamilies: ['IPv5'] } }),
    expect: { kind: 'invalid', messageIncludes: 'spec.ipFamilies contains "IPv5"' },
  },
  {
    description: 'an unknown policy is an error',
    service: service({ spec: { ipFamilyPolicy: 'Sometimes' } }),
    expect: { kind: 'invalid', messageIncludes: 'spec.ipFamilyPolicy "Sometimes"' },
  },
  {
    description: 'externalTrafficPolicy Local keys the backend by selector; protocols default to TCP',
    service: service({
      spec: {
        externalTrafficPolicy: 'Local',
        selector: { b: '2', a: '1' },
        ports: [{ port: 53 }, { protocol: 'udp', port: 53 }],
      },
    }),
    expect: {
      kind: 'request',
      fields: {
        backendKey: 'Local a=1,b=2',
        ports: [
          { protocol: 'TCP', port: 53 },
          { protocol: 'UDP', port: 53 },
        ],
      },
    },
  },
];

describe('serviceIntent', () => {
  for (const row of rows) {
    it(row.description, () => {
      const intent = serviceIntent(row.service, { team: 'payments' }, row.options ?? {});
      assert.equal(intent.kind, row.expect.kind);
      if (intent.kind === 'ignore' && row.expect.kind === 'ignore')
        assert.equal(intent.reason, row.expect.reason);
      if (intent.kind === 'invalid' && row.expect.kind === 'invalid') {
        assert.ok(intent.message.includes(row.expect.messageIncludes), intent.message);
      }
      if (intent.kind === 'request' && row.expect.kind === 'request') {
        const actual = intent.request as unknown as Record<string, unknown>;
        for (const [field, value] of Object.entries(row.expect.fields)) {
          assert.deepEqual(actual[field], value, field);
        }
        if (row.expect.deprecated !== undefined) assert.deepEqual(intent.deprecated, row.expect.deprecated);
      }
    });
  }
});
