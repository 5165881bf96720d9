import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventRecorder } from '@lbops/kube';
import { EventSink } from './event-sink.js';
import type { ServiceEvent } from './service-decision.js';

/** A recorder whose writes stay in flight until released; records the most in flight at once. */
function fakeRecorder(): {
  recorder: EventRecorder;
  inFlight: () => number;
  peak: () => number;
  sent: string[];
  releaseAll: () => void;
} {
  const pending: Array<() => void> = [];
  const sent: string[] = [];
  let inFlight = 0;
  let peak = 0;
  const recorder = {
    record: (object: { name: string }) =>
      new Promise<void>((resolve) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        pending.push(() => {
          inFlight--;
          sent.push(object.name);
          resolve();
        });
      }),
  } as unknown as EventRecorder;
  return {
    recorder,
    inFlight: () => inFlight,
    peak: () => peak,
    sent,
    releaseAll: () => {
      for (const release of pending.splice(0)) release();
    },
  };
}

const object = (name: string) => ({ apiVersion: 'v1', kind: 'Service', name, namespace: 'default' });
const event: ServiceEvent = { type: 'Normal', reason: 'IPAllocated', message: 'x' };

/** Releases the writes in flight until every Event was sent; bounded. */
async function drain(fake: ReturnType<typeof fakeRecorder>, total: number): Promise<void> {
  for (let i = 0; i < 1000 && fake.sent.length < total; i++) {
    fake.releaseAll();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('while reconciles wait, one Event is written at a time; afterwards the senders come back', async () => {
  const fake = fakeRecorder();
  let busy = true;
  const sink = new EventSink(fake.recorder, { concurrency: 4, busy: () => busy });
  for (let i = 0; i < 20; i++) sink.push(object(`s${i}`), event);
  assert.equal(fake.inFlight(), 1);
  for (let i = 0; i < 5; i++) {
    fake.releaseAll();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(fake.inFlight() <= 1, `in flight while busy: ${fake.inFlight()}`);
  }
  assert.equal(fake.peak(), 1);
  busy = false;
  fake.releaseAll();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fake.inFlight(), 4);
  await drain(fake, 20);
  await sink.idle();
  assert.deepEqual([...fake.sent].sort(), Array.from({ length: 20 }, (_, i) => `s${i}`).sort());
});

test('senders busy again after a quiet spell shrink back to one without losing Events', async () => {
  const fake = fakeRecorder();
  let busy = false;
  const sink = new EventSink(fake.recorder, { concurrency: 4, busy: () => busy });
  for (let i = 0; i < 30; i++) sink.push(object(`s${i}`), event);
  assert.equal(fake.inFlight(), 4);
  busy = true;
  fake.releaseAll();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fake.inFlight(), 1);
  await drain(fake, 30);
  await sink.idle();
  assert.equal(fake.sent.length, 30);
  assert.equal(new Set(fake.sent).size, 30);
});

test('beyond the limit of queued Events new ones are dropped', async () => {
  const fake = fakeRecorder();
  const sink = new EventSink(fake.recorder, { concurrency: 1, limit: 3 });
  for (let i = 0; i < 10; i++) sink.push(object(`s${i}`), event);
  // s0 is in flight at once; s1 to s3 fill the queue; the rest are dropped.
  await drain(fake, 4);
  await sink.idle();
  assert.deepEqual(fake.sent, ['s0', 's1', 's2', 's3']);
});
