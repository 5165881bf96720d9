// The controller against the embedded API server over HTTP: what a user sees with kubectl.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resourcePath, type KubeObject } from '@lbops/kube';
import type { Controller } from './controller.js';
import { ALLOCATED_FROM_POOL_ANNOTATION } from './service-intent.js';
import {
  createObject,
  ensureNamespace,
  eventsFor,
  ingressOf,
  poolObject,
  poolPath,
  serviceObject,
  servicePath,
  startController,
  startHarness,
  waitFor,
  waitForIngress,
  type Harness,
} from './harness.test-support.js';

const conditionOf = (svc: KubeObject) =>
  (
    svc.status as
      { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } | undefined
  )?.conditions?.find((c) => c.type === 'lbops.io/IPAllocated');

const metric = async (controller: Controller, name: string): Promise<string> =>
  (await controller.metrics.registry.metrics())
    .split('\n')
    .filter((line) => line.startsWith(name))
    .join('\n');

describe('controller against the embedded API', () => {
  let harness: Harness;
  let controller: Controller;

  before(async () => {
    // No admission: a cluster without MetalLB's webhooks, so that an invalid config reaches the controller.
    harness = await startHarness({ admission: () => [] });
    const { client } = harness;
    await createObject(client, poolObject('main', ['10.10.0.0/29']));
    await createObject(client, poolObject('reserved', ['10.20.0.0/30'], { autoAssign: false }));
    await createObject(client, poolObject('dual', ['10.30.0.0/30', 'fd00:30::/126'], { autoAssign: false }));
    await ensureNamespace(client, 'shop');
    controller = startController(client);
  });

  after(async () => {
    await controller.stop();
    await harness.close();
  });

  it('a new LoadBalancer Service gets an address, the pool annotation, a True condition and IPAllocated', async () => {
    const { client } = harness;
    await createObject(client, serviceObject('shop', 'web'));
    const [ip] = await waitForIngress(client, 'shop', 'web');
    assert.ok(ip?.startsWith('10.10.0.'), ip);
    const svc = await client.get(servicePath('shop', 'web'));
    assert.equal(svc.metadata?.annotations?.[ALLOCATED_FROM_POOL_ANNOTATION], 'main');
    assert.equal(conditionOf(svc)?.status, 'True');
    const events = await waitFor('IPAllocated event', async () => {
      const list = await eventsFor(client, 'shop', 'web');
      return list.some((e) => e.reason === 'IPAllocated') ? list : undefined;
    });
    assert.match(
      events.find((e) => e.reason === 'IPAllocated')?.message ?? '',
      /Assigned IP \["10\.10\.0\.\d"\]/,
    );
  });

  it('loadBalancerIPs and address-pool annotations pick the address and the pool (autoAssign: false pools too)', async () => {
    const { client } = harness;
    await createObject(
      client,
      serviceObject('shop', 'fixed', { annotations: { 'metallb.io/loadBalancerIPs': '10.20.0.2' } }),
    );
    await createObject(
      client,
      serviceObject('shop', 'pooled', { annotations: { 'metallb.io/address-pool': 'reserved' } }),
    );
    await createObject(client, serviceObject('shop', 'legacy-ip', { spec: { loadBalancerIP: '10.10.0.6' } }));
    assert.deepEqual(await waitForIngress(client, 'shop', 'fixed'), ['10.20.0.2']);
    assert.deepEqual(await waitForIngress(client, 'shop', 'pooled'), ['10.20.0.0']);
    assert.deepEqual(await waitForIngress(client, 'shop', 'legacy-ip'), ['10.10.0.6']);
  });

  it('deprecated metallb.universe.tf annotations work, with a deprecatedAnnotation Warning', async () => {
    const { client } = harness;
    await createObject(
      client,
      serviceObject('shop', 'old', { annotations: { 'metallb.universe.tf/address-pool': 'reserved' } }),
    );
    assert.deepEqual(await waitForIngress(client, 'shop', 'old'), ['10.20.0.1']);
    const events = await waitFor('deprecatedAnnotation event', async () => {
      const list = await eventsFor(client, 'shop', 'old');
      return list.some((e) => e.reason === 'deprecatedAnnotation') ? list : undefined;
    });
    assert.equal(events.find((e) => e.reason === 'deprecatedAnnotation')?.type, 'Warning');
  });

  it('loadBalancerIP together with the annotation is refused with LoadBalancerFailed and a False condition', async () => {
    const { client } = harness;
    await createObject(
      client,
      serviceObject('shop', 'both', {
        annotations: { 'metallb.io/loadBalancerIPs': '10.10.0.5' },
        spec: { loadBalancerIP: '10.10.0.5' },
      }),
    );
    const svc = await waitFor('InvalidService condition', async () => {
      const s = await client.get(servicePath('shop', 'both'));
      return conditionOf(s)?.reason === 'InvalidService' ? s : undefined;
    });
    assert.deepEqual(ingressOf(svc), []);
    assert.ok((await eventsFor(client, 'shop', 'both')).some((e) => e.reason === 'LoadBalancerFailed'));
  });

  it('sharing: same key and other ports share one address; a port clash is refused with the reason', async () => {
    const { client } = harness;
    const share = { 'metallb.io/allow-shared-ip': 'dns', 'metallb.io/loadBalancerIPs': '10.10.0.4' };
    await createObject(
      client,
      serviceObject('shop', 'dns-tcp', {
        annotations: share,
        spec: { ports: [{ protocol: 'TCP', port: 53 }] },
      }),
    );
    await createObject(
      client,
      serviceObject('shop', 'dns-udp', {
        annotations: share,
        spec: { ports: [{ protocol: 'UDP', port: 53 }] },
      }),
    );
    await createObject(
      client,
      serviceObject('shop', 'dns-clash', {
        annotations: share,
        spec: { ports: [{ protocol: 'UDP', port: 53 }] },
      }),
    );
    assert.deepEqual(await waitForIngress(client, 'shop', 'dns-tcp'), ['10.10.0.4']);
    assert.deepEqual(await waitForIngress(client, 'shop', 'dns-udp'), ['10.10.0.4']);
    const clash = await waitFor('dns-clash pending with IPInUse', async () => {
      const s = await client.get(servicePath('shop', 'dns-clash'));
      return conditionOf(s)?.reason === 'IPInUse' ? s : undefined;
    });
    assert.match(conditionOf(clash)?.message ?? '', /shop\/dns-(tcp|udp)/);
    assert.ok((await eventsFor(client, 'shop', 'dns-clash')).some((e) => e.reason === 'AllocationFailed'));
  });

  it('dual-stack: RequireDualStack gets one address per family from one pool', async () => {
    const { client } = harness;
    await createObject(
      client,
      serviceObject('shop', 'ds', {
        annotations: { 'metallb.io/address-pool': 'dual' },
        spec: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'] },
      }),
    );
    assert.deepEqual(await waitForIngress(client, 'shop', 'ds', 2), ['fd00:30::', '10.30.0.0']);
  });

  it('loadBalancerClass: a Service of another class is left alone', async () => {
    const { client } = harness;
    await createObject(
      client,
      serviceObject('shop', 'classy', { spec: { loadBalancerClass: 'example.com/other' } }),
    );
    await createObject(client, serviceObject('shop', 'after-classy'));
    await waitForIngress(client, 'shop', 'after-classy');
    assert.ok(await controller.settled(5_000));
    const classy = await client.get(servicePath('shop', 'classy'));
    assert.deepEqual(ingressOf(classy), []);
    assert.equal(conditionOf(classy), undefined);
  });

  it('a Service that stops being LoadBalancer loses its address, which a pending Service then gets', async () => {
    const { client } = harness;
    // Fill the main pool (8 addresses; some are taken above), then one more waits.
    const names = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8'];
    for (const name of names) await createObject(client, serviceObject('shop', name));
    const waiting = await waitFor('a Service pending with PoolExhausted', async () => {
      for (const name of names) {
        const s = await client.get(servicePath('shop', name));
        if (conditionOf(s)?.reason === 'PoolExhausted') return s;
      }
      return undefined;
    });
    assert.match(conditionOf(waiting)?.message ?? '', /"main" \(ipv4, 8 addresses\)/);
    const assigned = await waitFor('the others assigned', async () => {
      for (const name of names) {
        const s = await client.get(servicePath('shop', name));
        if (ingressOf(s).length === 1) return s;
      }
      return undefined;
    });
    const freed = ingressOf(assigned)[0];
    await client.mergePatch(servicePath('shop', assigned.metadata?.name ?? ''), {
      spec: { type: 'ClusterIP', allocateLoadBalancerNodePorts: null },
    });
    const name = waiting.metadata?.name ?? '';
    assert.deepEqual(await waitForIngress(client, 'shop', name), [freed]);
    const cleared = await client.get(servicePath('shop', assigned.metadata?.name ?? ''));
    assert.deepEqual(ingressOf(cleared), []);
    assert.equal(cleared.metadata?.annotations?.[ALLOCATED_FROM_POOL_ANNOTATION], undefined);
  });

  it('pool status and metrics follow the allocations', async () => {
    const { client } = harness;
    assert.ok(await controller.settled(5_000));
    const pool = await waitFor('pool status', async () => {
      const p = await client.get(poolPath('reserved'));
      const status = p.status as { assignedIPv4?: number } | undefined;
      return status?.assignedIPv4 === 3 ? p : undefined;
    });
    assert.deepEqual(pool.status, { assignedIPv4: 3, assignedIPv6: 0, availableIPv4: 1, availableIPv6: 0 });
    await waitFor('in-use gauge', async () =>
      (await metric(controller, 'metallb_allocator_addresses_in_use_total{pool="reserved"}')).endsWith(' 3')
        ? true
        : undefined,
    );
    assert.match(await metric(controller, 'metallb_allocator_addresses_total{pool="dual"}'), / 8$/);
    assert.match(await metric(controller, 'metallb_k8s_client_config_loaded_bool'), / 1$/);
  });

  it('a pool change moves the Services it no longer allows, each with ClearAssignment, and a new address', async () => {
    const { client } = harness;
    await createObject(client, poolObject('moving', ['10.40.0.0/30'], { autoAssign: false }));
    await createObject(
      client,
      serviceObject('shop', 'mover', { annotations: { 'metallb.io/address-pool': 'moving' } }),
    );
    assert.deepEqual(await waitForIngress(client, 'shop', 'mover'), ['10.40.0.0']);
    await client.mergePatch(poolPath('moving'), { spec: { addresses: ['10.40.0.2/31'] } });
    await waitFor('mover moved', async () => {
      const ips = ingressOf(await client.get(servicePath('shop', 'mover')));
      return ips[0] === '10.40.0.2' ? ips : undefined;
    });
    const events = await waitFor('ClearAssignment event', async () => {
      const list = await eventsFor(client, 'shop', 'mover');
      return list.some((e) => e.reason === 'ClearAssignment') ? list : undefined;
    });
    assert.match(events.find((e) => e.reason === 'ClearAssignment')?.message ?? '', /10\.40\.0\.0/);
  });

  it('an invalid config keeps the last good one, sets the stale metric and writes ConfigurationState', async () => {
    const { client } = harness;
    const statePath = resourcePath({
      apiVersion: 'metallb.io/v1beta1',
      resource: 'configurationstates',
      namespace: 'metallb-system',
      name: 'controller',
    });
    // Overlaps the main pool: MetalLB refuses the whole configuration.
    await createObject(client, poolObject('overlap', ['10.10.0.0/30']));
    const state = await waitFor('ConfigurationState Invalid', async () => {
      const s = await client.get(statePath);
      return (s.status as { result?: string } | undefined)?.result === 'Invalid' ? s : undefined;
    });
    const summary = (state.status as { errorSummary?: string }).errorSummary ?? '';
    assert.match(summary, /IPAddressPool\/metallb-system\/(main|overlap):\d+:\d+ \/spec\/addresses/);
    assert.match(await metric(controller, 'metallb_k8s_client_config_stale_bool'), / 1$/);
    // The old config still allocates: a new Service gets an address from "reserved".
    await createObject(
      client,
      serviceObject('shop', 'during-invalid', { annotations: { 'metallb.io/address-pool': 'reserved' } }),
    );
    assert.deepEqual(await waitForIngress(client, 'shop', 'during-invalid'), ['10.20.0.3']);
    // The "overlap" pool is not in force.
    assert.equal(controller.currentAllocator?.statsFor('overlap'), undefined);
    await client.delete(poolPath('overlap'));
    await waitFor('ConfigurationState Valid again', async () => {
      const s = await client.get(statePath);
      return (s.status as { result?: string } | undefined)?.result === 'Valid' ? s : undefined;
    });
    assert.match(await metric(controller, 'metallb_k8s_client_config_stale_bool'), / 0$/);
  });

  it('deleting a Service releases its address', async () => {
    const { client } = harness;
    await client.delete(servicePath('shop', 'fixed'));
    await waitFor('10.20.0.2 released', () =>
      controller.currentAllocator?.holdersOf('10.20.0.2').length === 0 ? true : undefined,
    );
  });
});
