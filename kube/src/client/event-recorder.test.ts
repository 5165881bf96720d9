import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventCorrelator, type EventInput } from './event-recorder.js';

const svc = { apiVersion: 'v1', kind: 'Service', name: 'web', namespace: 'default', uid: 'u1' };
const event = (message: string, reason = 'AllocationFailed'): EventInput => ({
  object: svc,
  type: 'Warning',
  reason,
  message,
});

describe('EventCorrelator (client-go aggregation)', () => {
  test('identical events within the window update one Event with a growing count', () => {
    const c = new EventCorrelator('lbops-controller');
    const first = c.decide(event('pool exhausted'), 1000);
    assert.equal(first.action, 'create');
    const second = c.decide(event('pool exhausted'), 2000);
    const third = c.decide(event('pool exhausted'), 3000);
    assert.equal(second.action, 'update');
    assert.equal(third.action, 'update');
    if (first.action === 'create' && third.action === 'update') {
      assert.equal(third.name, first.name);
      assert.equal(third.count, 3);
      assert.equal(third.firstTimestamp, 1000);
    }
  });

  test('after the window a repeat is a new Event', () => {
    const c = new EventCorrelator('x', { windowMs: 100 });
    c.decide(event('m'), 0);
    assert.equal(c.decide(event('m'), 500).action, 'create');
  });

  test('more than maxSimilar messages of one reason combine into one Event', () => {
    const c = new EventCorrelator('x', { maxSimilar: 3 });
    const actions = [1, 2, 3, 4, 5].map((i) => c.decide(event(`attempt ${i}`), i));
    assert.deepEqual(
      actions.map((a) => a.action),
      ['create', 'create', 'create', 'create', 'update'],
    );
    const fourth = actions[3];
    assert.ok(
      fourth?.action === 'create' && fourth.message.startsWith('(combined from similar events): attempt 4'),
    );
  });

  test('a flood of distinct events about one object is rate limited', () => {
    const c = new EventCorrelator('x', { burst: 3, maxSimilar: 100 });
    const actions = [1, 2, 3, 4].map((i) => c.decide(event(`m${i}`, `R${i}`), 0).action);
    assert.deepEqual(actions, ['create', 'create', 'create', 'drop']);
  });
});
