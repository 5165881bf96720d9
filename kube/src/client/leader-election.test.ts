import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaderElection, type ElectionTimings } from './leader-election.js';

const timings: ElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

describe('LeaderElection (pure, injected clock)', () => {
  test('rows in sequence: a creates, b waits, a renews, a stops renewing, b takes over after the lease duration', () => {
    const a = new LeaderElection('a', timings);
    const b = new LeaderElection('b', timings);
    a.observe(0, undefined);
    const create = a.next(0);
    assert.equal(create.kind, 'create');
    if (create.kind !== 'create') return;
    a.succeeded(0, create.record);
    assert.equal(a.isLeader(1), true);

    b.observe(1000, create.record);
    assert.equal(b.next(1000).kind, 'wait', 'b waits while the lease is fresh');

    const renew = a.next(2000);
    assert.equal(renew.kind, 'update');
    if (renew.kind !== 'update') return;
    assert.equal(renew.record.acquireTime, create.record.acquireTime, 'a renewal keeps acquireTime');
    a.succeeded(2000, renew.record);
    b.observe(3000, renew.record);
    assert.equal(b.next(17_999).kind, 'wait', 'b judges expiry from when it saw the change (3000 + 15000)');
    assert.equal(a.isLeader(11_999), true);
    assert.equal(a.isLeader(12_000), false, 'a steps down after the renew deadline without renewals');
    const takeover = b.next(18_000);
    assert.equal(takeover.kind, 'update');
    if (takeover.kind !== 'update') return;
    assert.equal(takeover.record.holderIdentity, 'b');
    assert.equal(takeover.record.leaseTransitions, 1);
  });

  test('a released lease is taken at once', () => {
    const a = new LeaderElection('a', timings);
    a.observe(0, undefined);
    const step = a.next(0);
    if (step.kind === 'wait') assert.fail('expected a write');
    a.succeeded(0, step.record);
    const released = a.release(100);
    assert.equal(released?.holderIdentity, '');
    const b = new LeaderElection('b', timings);
    b.observe(200, released);
    assert.equal(b.next(200).kind, 'update');
    assert.equal(a.isLeader(300), false);
  });
});
