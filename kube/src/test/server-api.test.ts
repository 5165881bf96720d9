import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KubeApiError, type KubeObject } from '../client/kube-client.js';
import { service, startHarness, svcPath, type Harness } from './harness.js';

async function rejects(p: Promise<unknown>, code: number, reason: string): Promise<KubeApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof KubeApiError, `expected a KubeApiError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.reason, reason, e.message);
    return e;
  }
  assert.fail(`expected ${code} ${reason}`);
}

describe('API server verbs over HTTP', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('create fills uid, creationTimestamp, generation, resourceVersion and Service defaults', async () => {
    const created = await h.client.create<KubeObject>(svcPath('default'), service('web'));
    const meta = created.metadata ?? {};
    assert.match(String(meta.uid), /^[0-9a-f-]{36}$/);
    assert.equal(meta.generation, 1);
    assert.match(String(meta.resourceVersion), /^[0-9]+$/);
    assert.match(String(meta.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const spec = created.spec as {
      clusterIP: string;
      ipFamilies: string[];
      ports: { nodePort: number; protocol: string }[];
    };
    assert.match(spec.clusterIP, /^10\.96\./);
    assert.deepEqual(spec.ipFamilies, ['IPv4']);
    assert.equal(spec.ports[0]?.protocol, 'TCP');
    assert.ok((spec.ports[0]?.nodePort ?? 0) >= 30000);
  });

  test('generateName makes a fresh name; a duplicate name is 409 AlreadyExists', async () => {
    const a = await h.client.create<KubeObject>(svcPath('default'), {
      ...service(''),
      metadata: { generateName: 'gen-' },
    });
    assert.match(String(a.metadata?.name), /^gen-[a-z0-9]{5}$/);
    await rejects(h.client.create(svcPath('default'), service('web')), 409, 'AlreadyExists');
  });

  test('a namespace that does not exist is 404; a bad name is 422 naming metadata.name', async () => {
    await rejects(h.client.create(svcPath('nowhere'), service('x')), 404, 'NotFound');
    const e = await rejects(h.client.create(svcPath('default'), service('Bad_Name')), 422, 'Invalid');
    assert.equal(e.causes[0]?.field, 'metadata.name');
  });

  test('update with a stale resourceVersion is 409 Conflict; a no-op write keeps the version', async () => {
    const current = await h.client.get<KubeObject>(svcPath('default', 'web'));
    const changed = await h.client.replace<KubeObject>(svcPath('default', 'web'), {
      ...current,
      spec: { ...(current.spec as object), sessionAffinity: 'ClientIP' },
    });
    assert.notEqual(changed.metadata?.resourceVersion, current.metadata?.resourceVersion);
    assert.equal(changed.metadata?.generation, 2);
    await rejects(h.client.replace(svcPath('default', 'web'), current), 409, 'Conflict');
    const again = await h.client.replace<KubeObject>(svcPath('default', 'web'), changed);
    assert.equal(again.metadata?.resourceVersion, changed.metadata?.resourceVersion);
  });

  test('the status subresource changes only status, and the main resource ignores status', async () => {
    const withStatus = await h.client.mergePatch<KubeObject>(`${svcPath('default', 'web')}/status`, {
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
      spec: { type: 'ClusterIP' },
    });
    assert.deepEqual(withStatus.status, { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } });
    assert.equal((withStatus.spec as { type: string }).type, 'LoadBalancer');
    const main = await h.client.mergePatch<KubeObject>(svcPath('default', 'web'), {
      status: { loadBalancer: {} },
      metadata: { labels: { a: 'b' } },
    });
    assert.deepEqual(main.status, { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } });
    assert.deepEqual(main.metadata?.labels, { a: 'b' });
  });

  test('JSON patch and strategic merge patch (ports merge by port)', async () => {
    const p = await h.client.jsonPatch<KubeObject>(svcPath('default', 'web'), [
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
    ]);
    assert.equal(p.metadata?.labels?.tier, 'front');
    const s = await h.client.request<KubeObject>('PATCH', svcPath('default', 'web'), {
      body: { spec: { ports: [{ port: 443, name: 'https' }] } },
      contentType: 'application/strategic-merge-patch+json',
    });
    const ports = (s.spec as { ports: { port: number }[] }).ports.map((x) => x.port);
    assert.deepEqual(ports, [80, 443]);
    await rejects(
      h.client.jsonPatch(svcPath('default', 'web'), [{ op: 'test', path: '/spec/type', value: 'NodePort' }]),
      422,
      'Invalid',
    );
  });

  test('label and field selectors (metadata.name, spec.type)', async () => {
    await h.client.create(svcPath('default'), service('internal', { type: 'ClusterIP' }, { tier: 'back' }));
    const byLabel = await h.client.list(svcPath('default'), {
      labelSelector: 'tier in (front,back),tier!=front',
    });
    assert.deepEqual(
      byLabel.items.map((i) => i.metadata?.name),
      ['internal'],
    );
    const byType = await h.client.list(svcPath('default'), { fieldSelector: 'spec.type=LoadBalancer' });
    assert.ok(byType.items.every((i) => (i.spec as { type: string }).type === 'LoadBalancer'));
    assert.ok(byType.items.some((i) => i.metadata?.name === 'web'));
    const byName = await h.client.list('/api/v1/services', {
      fieldSelector: 'metadata.name=web,metadata.namespace=default',
    });
    assert.equal(byName.items.length, 1);
    await rejects(h.client.list(svcPath('default'), { labelSelector: 'a in (' }), 400, 'BadRequest');
  });

  test('limit and continue page through a list in name order', async () => {
    await h.client.create('/api/v1/namespaces', { metadata: { name: 'paged' } });
    for (let i = 0; i < 7; i++)
      await h.client.create('/api/v1/namespaces/paged/configmaps', { metadata: { name: `cm-${i}` } });
    const names: string[] = [];
    let token: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await h.client.request<{
        items: KubeObject[];
        metadata: { continue?: string; remainingItemCount?: number };
      }>('GET', '/api/v1/namespaces/paged/configmaps', { query: { limit: 3, continue: token } });
      names.push(...page.items.map((i) => i.metadata?.name ?? ''));
      token = page.metadata.continue;
      if (token === undefined) break;
      assert.equal(page.metadata.remainingItemCount, 7 - names.length);
    }
    assert.deepEqual(
      names,
      [0, 1, 2, 3, 4, 5, 6].map((i) => `cm-${i}`),
    );
    await rejects(
      h.client.request('GET', '/api/v1/namespaces/paged/configmaps', { query: { continue: '%%%' } }),
      400,
      'BadRequest',
    );
  });

  test('deleting a namespace deletes what is in it', async () => {
    await h.client.create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'doomed' },
    });
    await h.client.create(svcPath('doomed'), service('a'));
    await h.client.create('/api/v1/namespaces/doomed/configmaps', {
      metadata: { name: 'c' },
      data: { k: 'v' },
    });
    await h.client.delete('/api/v1/namespaces/doomed');
    await rejects(h.client.get(svcPath('doomed', 'a')), 404, 'NotFound');
    assert.equal(
      (await h.client.list('/api/v1/configmaps', { fieldSelector: 'metadata.namespace=doomed' })).items
        .length,
      0,
    );
  });

  test('an invalid IPAddressPool is refused with 422 naming the field', async () => {
    const e = await rejects(
      h.client.create('/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools', {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'bad' },
        spec: { addresses: ['10.0.0.0/24', '10.0.0.300/32'] },
      }),
      422,
      'Invalid',
    );
    assert.equal(e.causes[0]?.field, 'spec.addresses[1]');
    assert.match(e.message, /spec\.addresses\[1\]/);
  });

  test('server-side apply records the manager, removes dropped fields and reports conflicts', async () => {
    const path = '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/ssa';
    const pool = (spec: object): KubeObject => ({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'ssa', namespace: 'metallb-system' },
      spec,
    });
    await h.client.apply(path, pool({ addresses: ['10.9.0.0/28'], autoAssign: false }), 'gitops');
    const second = await h.client.apply<KubeObject>(path, pool({ addresses: ['10.9.0.0/28'] }), 'gitops');
    assert.equal((second.spec as { autoAssign?: boolean }).autoAssign, undefined);
    const managers = (second.metadata?.managedFields as { manager: string }[]).map((m) => m.manager);
    assert.deepEqual(managers, ['gitops']);
    const e = await rejects(
      h.client.apply(path, pool({ addresses: ['10.9.0.16/28'] }), 'someone-else'),
      409,
      'Conflict',
    );
    assert.match(e.message, /gitops/);
    const forced = await h.client.apply<KubeObject>(
      path,
      pool({ addresses: ['10.9.0.16/28'] }),
      'someone-else',
      true,
    );
    assert.deepEqual((forced.spec as { addresses: string[] }).addresses, ['10.9.0.16/28']);
  });

  test('discovery lists the groups and the metallb.io kinds', async () => {
    const groups = await h.client.request<{
      groups: { name: string; preferredVersion: { version: string } }[];
    }>('GET', '/apis');
    const metallb = groups.groups.find((g) => g.name === 'metallb.io');
    assert.equal(metallb?.preferredVersion.version, 'v1beta2');
    const v1beta1 = await h.client.request<{ resources: { name: string }[] }>(
      'GET',
      '/apis/metallb.io/v1beta1',
    );
    for (const r of [
      'ipaddresspools',
      'l2advertisements',
      'bgpadvertisements',
      'bgppeers',
      'communities',
      'bfdprofiles',
      'servicel2statuses',
      'servicebgpstatuses',
      'configurationstates',
    ]) {
      assert.ok(
        v1beta1.resources.some((x) => x.name === r),
        r,
      );
    }
    const v = await h.client.request<{ gitVersion: string }>('GET', '/version');
    assert.match(v.gitVersion, /^v1\.32/);
  });

  test('a wrong bearer token is 401', async () => {
    const res = await fetch(`${h.server.url}/api/v1/namespaces`, {
      headers: { Authorization: 'Bearer wrong' },
    });
    assert.equal(res.status, 401);
  });
});
