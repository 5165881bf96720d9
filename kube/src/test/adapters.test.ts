import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyObject } from '../client/apply.js';
import { EventRecorder } from '../client/event-recorder.js';
import type { KubeObject } from '../client/kube-client.js';
import { LeaderElector } from '../client/leader-election.js';
import { setCondition, updateStatus } from '../client/status.js';
import { service, startHarness, svcPath, waitFor } from './harness.js';

describe('adapters against the API server', () => {
  test('the event recorder aggregates repeats into one Event with a count', async () => {
    const h = await startHarness();
    try {
      const svc = await h.client.create<KubeObject>(svcPath('default'), service('ev'));
      const recorder = new EventRecorder(h.client, 'lbops-controller');
      for (let i = 0; i < 3; i++)
        await recorder.record(svc, 'Warning', 'AllocationFailed', 'no available IPs in pool "lan"');
      await recorder.record(svc, 'Normal', 'IPAllocated', 'Assigned IP ["192.0.2.1"]');
      const events = await h.client.list<KubeObject & { reason: string; count: number }>(
        '/api/v1/namespaces/default/events',
      );
      const failed = events.items.filter((e) => e.reason === 'AllocationFailed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]?.count, 3);
      assert.equal(events.items.length, 2);
      // An aggregated Event that disappeared (expired, namespace recreated) is written again.
      await h.client.delete(`/api/v1/namespaces/default/events/${failed[0]?.metadata?.name ?? ''}`);
      await recorder.record(svc, 'Warning', 'AllocationFailed', 'no available IPs in pool "lan"');
      const again = await h.client.list<KubeObject & { reason: string; count: number }>(
        '/api/v1/namespaces/default/events',
        {
          fieldSelector: 'reason=AllocationFailed,involvedObject.name=ev',
        },
      );
      assert.deepEqual(
        again.items.map((e) => e.count),
        [4],
      );
    } finally {
      await h.close();
    }
  });

  test('two electors: one leader; stopping it hands over at once', async () => {
    const h = await startHarness();
    // A long lease: a handover well before it could expire can only come from the release.
    const timings = { leaseDurationMs: 5000, renewDeadlineMs: 3000, retryPeriodMs: 50 };
    const leading: string[] = [];
    const make = (id: string): LeaderElector =>
      new LeaderElector({
        client: h.client,
        namespace: 'metallb-system',
        name: 'lbops-controller',
        identity: id,
        timings,
        onStartedLeading: () => leading.push(id),
      });
    const a = make('a');
    const b = make('b');
    try {
      a.start();
      await waitFor(() => a.isLeader, 5000, 'a leads');
      b.start();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(b.isLeader, false, 'only one leader');
      const started = Date.now();
      await a.stop();
      await waitFor(() => b.isLeader, 5000, 'b takes over');
      assert.ok(Date.now() - started < 2500, 'a released lease is taken long before it would expire');
      assert.deepEqual(leading, ['a', 'b']);
      const lease = await h.client.get<{ spec: { holderIdentity: string; leaseTransitions: number } }>(
        '/apis/coordination.k8s.io/v1/namespaces/metallb-system/leases/lbops-controller',
      );
      assert.equal(lease.spec.holderIdentity, 'b');
      assert.equal(lease.spec.leaseTransitions, 1);
    } finally {
      await a.stop();
      await b.stop();
      await h.close();
    }
  });

  test('a leader that cannot renew (server gone) steps down; the other takes over after expiry', async () => {
    const h = await startHarness();
    const timings = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 50 };
    let aStopped = false;
    const a = new LeaderElector({
      client: h.client,
      namespace: 'default',
      name: 'l',
      identity: 'a',
      timings,
      onStoppedLeading: () => (aStopped = true),
    });
    try {
      a.start();
      await waitFor(() => a.isLeader, 5000, 'a leads');
      await h.restart({}, () => new Promise((r) => setTimeout(r, 600)));
      await waitFor(() => aStopped, 5000, 'a to step down while it could not renew');
    } finally {
      await a.stop();
      await h.close();
    }
  });

  test('applyObject and updateStatus with a condition', async () => {
    const h = await startHarness();
    try {
      const pool = {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'p', namespace: 'metallb-system' },
        spec: { addresses: ['10.1.0.0/28'] },
      };
      const applied = await applyObject<KubeObject>(h.client, pool, { fieldManager: 'lbops-gitops' });
      assert.equal(applied.metadata?.name, 'p');
      const path = '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/p';
      const updated = await updateStatus<
        KubeObject & { status?: { assignedIPv4?: number; conditions?: unknown[] } }
      >(h.client, path, (current) => ({
        ...(current.status ?? {}),
        assignedIPv4: 3,
        conditions: setCondition(
          undefined,
          { type: 'Ready', status: 'True', reason: 'Ok', message: 'fine' },
          new Date(0),
        ),
      }));
      assert.equal(updated?.status?.assignedIPv4, 3);
      const conditions = setCondition(
        updated?.status?.conditions as never,
        { type: 'Ready', status: 'True', reason: 'Ok', message: 'still fine' },
        new Date(5000),
      );
      assert.equal(
        conditions[0]?.lastTransitionTime,
        '1970-01-01T00:00:00Z',
        'no flip, no new transition time',
      );
    } finally {
      await h.close();
    }
  });
});
