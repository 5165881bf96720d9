// `lbops state export` against the embedded API server, then a plan from the exported file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient, kubeConfigFor, patchStatus, startApiServer } from '@lbops/kube';
import { loadConfig } from '@lbops/schemas';
import { exportClusterState } from './cluster-state.js';
import { parseStateFile } from './state-file.js';
import { computePlan } from './plan.js';
import { l2Yaml, poolYaml } from './test/fixtures.js';

test('state export reads LoadBalancer Services, their IPs and namespace labels; plan runs on the file', async () => {
  const server = await startApiServer({ port: 0 });
  try {
    const client = new KubeClient(kubeConfigFor(server.url, server.token));
    await client.create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', labels: { team: 'web' } },
    });
    const svc = (name: string, annotations: Record<string, string> = {}, type = 'LoadBalancer') => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace: 'shop',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', ...annotations },
      },
      spec: { type, ports: [{ port: 80, protocol: 'TCP' }], selector: { app: name } },
    });
    await client.create(
      '/api/v1/namespaces/shop/services',
      svc('web', { 'metallb.io/ip-allocated-from-pool': 'default' }),
    );
    await client.create('/api/v1/namespaces/shop/services', svc('api'));
    await client.create('/api/v1/namespaces/shop/services', svc('internal', {}, 'ClusterIP'));
    await patchStatus(client, '/api/v1/namespaces/shop/services/web', {
      loadBalancer: { ingress: [{ ip: '192.168.10.17' }] },
    });

    const state = await exportClusterState({ client, now: new Date('2026-01-01T00:00:00.123Z') });
    assert.equal(state.exportedAt, '2026-01-01T00:00:00Z');
    assert.equal(state.source, server.url);
    assert.doesNotMatch(JSON.stringify(state), new RegExp(server.token), 'no credentials in the file');
    assert.deepEqual(
      state.services.map((s) => [s.name, s.ips, s.pool]),
      [
        ['api', [], undefined],
        ['web', ['192.168.10.17'], 'default'],
      ],
    );
    assert.deepEqual(
      state.services[1]?.annotations,
      { 'metallb.io/ip-allocated-from-pool': 'default' },
      'only MetalLB annotations are kept',
    );
    assert.equal(state.namespaces['shop']?.['team'], 'web');
    const reparsed = parseStateFile(JSON.stringify(state));
    assert.ok(reparsed.ok);

    const base = [
      { name: 'p.yaml', content: poolYaml('default', ['192.168.10.10-192.168.10.19']) },
      { name: 'l2.yaml', content: l2Yaml },
    ];
    const head = [
      { name: 'p.yaml', content: poolYaml('default', ['192.168.10.10-192.168.10.14']) },
      { name: 'l2.yaml', content: l2Yaml },
    ];
    const plan = computePlan({
      base: { commit: 'a', files: base, result: loadConfig(base) },
      head: { commit: 'b', files: head, result: loadConfig(head) },
      state: reparsed.state,
    });
    const impacts = new Map((plan.services ?? []).map((s) => [s.service, s]));
    assert.equal(impacts.get('shop/web')?.kind, 'changed');
    // api has no address yet although the base pool has room: the controller has not caught up (drift), so the
    // plan does not blame this change for it.
    assert.deepEqual(plan.drift, ['shop/api']);
    assert.equal(impacts.get('shop/api'), undefined);
  } finally {
    await server.close();
  }
});

test('parseStateFile says what is wrong', () => {
  const cases: Array<[string, RegExp]> = [
    ['{', /not JSON/],
    ['{"format":"other"}', /"format" must be/],
    ['{"format":"lbops.assignments","version":2}', /version 2 is not supported/],
    [
      '{"format":"lbops.assignments","version":1,"namespaces":{},"services":[{"namespace":"a"}]}',
      /services\[0\]\.name/,
    ],
  ];
  for (const [text, expected] of cases) {
    const parsed = parseStateFile(text);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.problem, expected);
  }
});
