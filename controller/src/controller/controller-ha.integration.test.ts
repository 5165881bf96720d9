// Two replicas, one Lease: only the leader writes; when it stops, the other takes over within the lease
// timings and keeps every address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resourcePath } from '@lbops/kube';
import { LEASE_NAME, type Controller } from './controller.js';
import {
  createObject,
  poolObject,
  serviceObject,
  startController,
  startHarness,
  waitFor,
  waitForIngress,
  type Harness,
} from './harness.test-support.js';

const timings = { leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 200 };

describe('leader election: two replicas', () => {
  let harness: Harness;
  let replicas: Controller[] = [];

  before(async () => {
    harness = await startHarness();
    await createObject(harness.client, poolObject('main', ['10.50.0.0/28']));
    replicas = ['replica-a', 'replica-b'].map((identity) =>
      startController(harness.client, { leaderElection: true, electionTimings: timings, identity }),
    );
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await harness.close();
  });

  it('exactly one replica leads, the Lease names it, and only it allocates', async () => {
    const { client } = harness;
    const leader = await waitFor('a leader', () => replicas.find((r) => r.isLeader));
    const lease = await client.get(
      resourcePath({
        apiVersion: 'coordination.k8s.io/v1',
        resource: 'leases',
        namespace: 'metallb-system',
        name: LEASE_NAME,
      }),
    );
    assert.equal((lease.spec as { holderIdentity?: string }).holderIdentity, leader.identity);
    assert.equal(replicas.filter((r) => r.isLeader).length, 1);
    const follower = replicas.find((r) => r !== leader);
    assert.ok(follower !== undefined);
    assert.match(
      (await follower.metrics.registry.metrics())
        .split('\n')
        .find((l) => l.startsWith('lbops_controller_leader')) ?? '',
      / 0$/,
    );
    const readiness = await waitFor('the follower to sync', () =>
      follower.readiness().ok ? follower.readiness() : undefined,
    );
    assert.equal(readiness.detail, 'standby (another replica holds the Lease)');

    await createObject(client, serviceObject('default', 'one'));
    const [ip] = await waitForIngress(client, 'default', 'one');
    assert.equal(ip, '10.50.0.0');
    assert.equal(follower.currentAllocator, undefined);
  });

  it('when the leader stops, the other takes over within the lease timings and keeps every address', async () => {
    const { client } = harness;
    const leader = replicas.find((r) => r.isLeader);
    assert.ok(leader !== undefined);
    const follower = replicas.find((r) => r !== leader);
    assert.ok(follower !== undefined);
    const stopped = Date.now();
    await leader.stop();
    await waitFor('the follower to lead', () => (follower.isLeader ? true : undefined), 5_000);
    const failover = Date.now() - stopped;
    assert.ok(
      failover < timings.leaseDurationMs + 2 * timings.retryPeriodMs + 1_000,
      `failover took ${failover} ms`,
    );
    await createObject(client, serviceObject('default', 'two'));
    assert.deepEqual(await waitForIngress(client, 'default', 'two'), ['10.50.0.1']);
    // The first Service kept its address across the failover.
    assert.deepEqual(await waitForIngress(client, 'default', 'one'), ['10.50.0.0']);
    assert.deepEqual(follower.currentAllocator?.holdersOf('10.50.0.0'), ['default/one']);
  });

  it('a crashed leader (Lease never released) is replaced once its lease expires', async () => {
    const { client } = harness;
    await Promise.all(replicas.map((r) => r.stop()));
    const leasePath = resourcePath({
      apiVersion: 'coordination.k8s.io/v1',
      resource: 'leases',
      namespace: 'metallb-system',
      name: LEASE_NAME,
    });
    const lease = await client.get(leasePath);
    // A replica that died while leading: its last renewal stays in the Lease.
    await client.replace(leasePath, {
      ...lease,
      spec: {
        holderIdentity: 'crashed-replica',
        leaseDurationSeconds: 2,
        renewTime: new Date().toISOString(),
        leaseTransitions: 5,
      },
    });
    const started = Date.now();
    const survivor = startController(client, {
      leaderElection: true,
      electionTimings: timings,
      identity: 'replica-c',
    });
    replicas = [survivor];
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(survivor.isLeader, false, "it waits while the crashed leader's lease runs");
    await waitFor('replica-c to lead', () => (survivor.isLeader ? true : undefined), 6_000);
    const took = Date.now() - started;
    assert.ok(took >= 2_000 && took < 2_000 + 4 * timings.retryPeriodMs + 1_500, `takeover after ${took} ms`);
    assert.deepEqual(await waitForIngress(client, 'default', 'one'), ['10.50.0.0']);
    assert.deepEqual(await waitForIngress(client, 'default', 'two'), ['10.50.0.1']);
  });
});
