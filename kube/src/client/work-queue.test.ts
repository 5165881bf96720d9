import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runWorkers, WorkQueue, type ReconcileResult } from './work-queue.js';

describe('WorkQueue', () => {
  test('events for one key coalesce into one item', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
  });

  test('a key added while processed is queued again only after done, never handed out twice at once', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    assert.equal(q.length, 0, 'not queued while in flight');
    q.done(key ?? '');
    assert.equal(q.length, 1);
  });

  test('rate-limited re-adds back off exponentially per key and forget resets', () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
    assert.deepEqual(
      [q.addRateLimited('k'), q.addRateLimited('k'), q.addRateLimited('k'), q.addRateLimited('k')],
      [10, 20, 40, 50],
    );
    assert.equal(q.failuresOf('k'), 4);
    q.forget('k');
    assert.equal(q.addRateLimited('k'), 10);
    q.shutDown();
  });

  test('runWorkers: retry re-runs the key with backoff, give-up and reprocess-all behave', async () => {
    const q = new WorkQueue({ baseDelayMs: 5 });
    const calls: string[] = [];
    const problems: string[] = [];
    let attemptsOfA = 0;
    const reconcile = (key: string): Promise<ReconcileResult> => {
      calls.push(key);
      if (key === 'a') return Promise.resolve(++attemptsOfA < 3 ? { kind: 'retry' } : { kind: 'done' });
      if (key === 'bad') return Promise.resolve({ kind: 'give-up', reason: 'invalid' });
      if (key === 'all' && !calls.includes('x')) return Promise.resolve({ kind: 'reprocess-all' });
      if (key === 'boom') return Promise.reject(new Error('bug'));
      return Promise.resolve({ kind: 'done' });
    };
    const running = runWorkers(q, reconcile, {
      workers: 2,
      allKeys: () => ['x', 'y'],
      onProblem: (key) => problems.push(key),
    });
    for (const k of ['a', 'bad', 'all']) q.add(k);
    const deadline = Date.now() + 3000;
    while ((attemptsOfA < 3 || !calls.includes('y')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    q.shutDown();
    await running;
    assert.equal(attemptsOfA, 3);
    assert.ok(calls.includes('x') && calls.includes('y'));
    assert.deepEqual(problems, ['bad']);
  });
});
