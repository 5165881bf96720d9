// Which Services a controller takes (--lb-class) and how namespace labels pin pools, over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Controller } from './controller.js';
import {
  createObject,
  ensureNamespace,
  ingressOf,
  poolObject,
  serviceObject,
  servicePath,
  startController,
  startHarness,
  waitFor,
  waitForIngress,
  type Harness,
} from './harness.test-support.js';

describe('--lb-class and namespace selectors', () => {
  let harness: Harness;
  let controller: Controller;

  before(async () => {
    harness = await startHarness();
    const { client } = harness;
    await createObject(client, poolObject('general', ['10.70.0.0/29']));
    await createObject(
      client,
      poolObject('payments', ['10.71.0.0/29'], {
        serviceAllocation: { priority: 10, namespaceSelectors: [{ matchLabels: { team: 'payments' } }] },
      }),
    );
    await ensureNamespace(client, 'pay', { team: 'payments' });
    await ensureNamespace(client, 'other');
    controller = startController(client, { loadBalancerClass: 'lbops.io/lb' });
  });

  after(async () => {
    await controller.stop();
    await harness.close();
  });

  it('with --lb-class, only Services of that class are served', async () => {
    const { client } = harness;
    await createObject(
      client,
      serviceObject('other', 'mine', { spec: { loadBalancerClass: 'lbops.io/lb' } }),
    );
    await createObject(client, serviceObject('other', 'classless'));
    assert.deepEqual(await waitForIngress(client, 'other', 'mine'), ['10.70.0.0']);
    assert.ok(await controller.settled(5_000));
    assert.deepEqual(ingressOf(await client.get(servicePath('other', 'classless'))), []);
  });

  it('a namespace labelled for a pinned pool gets its addresses from that pool first; relabelling moves it', async () => {
    const { client } = harness;
    await createObject(
      client,
      serviceObject('pay', 'checkout', { spec: { loadBalancerClass: 'lbops.io/lb' } }),
    );
    assert.deepEqual(await waitForIngress(client, 'pay', 'checkout'), ['10.71.0.0']);
    await client.mergePatch('/api/v1/namespaces/pay', { metadata: { labels: { team: null } } });
    const moved = await waitFor('checkout to move to the general pool', async () => {
      const ips = ingressOf(await client.get(servicePath('pay', 'checkout')));
      return ips[0]?.startsWith('10.70.') === true ? ips : undefined;
    });
    assert.match(moved[0] ?? '', /^10\.70\.0\.\d$/);
  });
});
