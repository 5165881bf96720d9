// Restart safety: a controller starting over 10,000 Services that an earlier controller addressed changes no
// IP, writes nothing to them, gives new Services addresses nobody holds, and settles a contested address in
// favour of the older Service (with a ClearAssignment Event for the younger one).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '@lbops/kube';
import type { Controller } from './controller.js';
import {
  createObject,
  eventsFor,
  ingressOf,
  poolObject,
  seedServices,
  servicePath,
  startController,
  startHarness,
  waitFor,
  type Harness,
  type SeededService,
} from './harness.test-support.js';

const COUNT = 10_000;

/** A scrambled but collision-free address for Service i inside 10.60.0.0/16 (7 is coprime with 65,536). */
const addressOf = (i: number): string => {
  const n = (i * 7 + 11) % 65_536;
  return `10.60.${n >> 8}.${n & 255}`;
};

describe(`restart with ${COUNT.toLocaleString('en-US')} Services`, () => {
  let harness: Harness;
  let controller: Controller | undefined;
  const seeded: SeededService[] = Array.from({ length: COUNT }, (_, i) => ({
    namespace: 'default',
    name: `svc-${i}`,
    ips: [addressOf(i)],
    pool: 'main',
  }));

  before(async () => {
    harness = await startHarness();
    await createObject(harness.client, poolObject('main', ['10.60.0.0/16']));
    seedServices(harness.server, seeded);
    // Two Services recorded with the same address (what MetalLB #1774 produced): the older must keep it.
    seedServices(harness.server, [
      { namespace: 'default', name: 'contested-old', ips: ['10.60.255.250'], pool: 'main' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    seedServices(harness.server, [
      { namespace: 'default', name: 'contested-new', ips: ['10.60.255.250'], pool: 'main' },
      { namespace: 'default', name: 'fresh-1' },
      { namespace: 'default', name: 'fresh-2' },
    ]);
  });

  after(async () => {
    await controller?.stop();
    await harness.close();
  });

  const snapshot = async (): Promise<Map<string, KubeObject>> => {
    const list = await harness.client.list(servicePath('default'));
    return new Map(list.items.map((s) => [s.metadata?.name ?? '', s]));
  };

  it('keeps every recorded address and writes nothing to those Services', { timeout: 60_000 }, async () => {
    const before = await snapshot();
    const started = Date.now();
    controller = startController(harness.client);
    await waitFor('the restore', () => controller?.currentAllocator, 30_000);
    assert.ok(await controller.settled(40_000), 'the controller settles');
    const elapsed = Date.now() - started;
    const after = await snapshot();
    let changed = 0;
    let written = 0;
    for (const s of seeded) {
      const now = after.get(s.name);
      assert.ok(now !== undefined);
      if (ingressOf(now)[0] !== s.ips?.[0]) changed++;
      if (now.metadata?.resourceVersion !== before.get(s.name)?.metadata?.resourceVersion) written++;
    }
    assert.equal(changed, 0, 'no recorded address changed');
    assert.equal(written, 0, 'no Service with a kept address was written');
    assert.ok(elapsed < 45_000, `restart took ${elapsed} ms`);
  });

  it('the older of two Services recorded with one address keeps it; the younger moves with ClearAssignment', async () => {
    const { client } = harness;
    const old = await client.get(servicePath('default', 'contested-old'));
    assert.deepEqual(ingressOf(old), ['10.60.255.250']);
    const moved = await client.get(servicePath('default', 'contested-new'));
    const [ip] = ingressOf(moved);
    assert.ok(ip !== undefined && ip !== '10.60.255.250', `contested-new got ${String(ip)}`);
    const events = await waitFor('ClearAssignment for contested-new', async () => {
      const list = await eventsFor(client, 'default', 'contested-new');
      return list.some((e) => e.reason === 'ClearAssignment') ? list : undefined;
    });
    assert.match(events.find((e) => e.reason === 'ClearAssignment')?.message ?? '', /10\.60\.255\.250/);
  });

  it('Services without an address get ones nobody else holds', async () => {
    const taken = new Set(seeded.map((s) => s.ips?.[0]));
    taken.add('10.60.255.250');
    const fresh = await Promise.all(
      ['fresh-1', 'fresh-2', 'contested-new'].map(
        async (name) => ingressOf(await harness.client.get(servicePath('default', name)))[0],
      ),
    );
    for (const ip of fresh) {
      assert.ok(ip !== undefined && !taken.has(ip), `${String(ip)} was already held`);
      taken.add(ip);
    }
  });
});
