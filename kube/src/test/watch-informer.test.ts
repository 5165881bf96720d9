import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Informer } from '../client/informer.js';
import { KubeClient, kubeConfigFor, type KubeObject } from '../client/kube-client.js';
import { startApiServer } from '../server/http-server.js';
import { service, startHarness, svcPath, waitFor } from './harness.js';

interface Seen {
  type: string;
  name: string;
  rv: number;
}

function record(informer: Informer<KubeObject>, seen: Seen[]): void {
  const push = (type: string, o: KubeObject): void => {
    seen.push({ type, name: o.metadata?.name ?? '', rv: Number(o.metadata?.resourceVersion) });
  };
  informer.addHandlers({
    onAdd: (o) => push('ADDED', o),
    onUpdate: (_old, o) => push('MODIFIED', o),
    onDelete: (o) => push('DELETED', o),
  });
}

type RawEvent = { type: string; object: KubeObject & { code?: number } };

/** Collects raw watch events from client-node's Watch until `enough` holds (or a count arrived), 5 s at most. */
async function rawWatch(
  h: Awaited<ReturnType<typeof startHarness>>,
  query: Record<string, string | number | boolean | undefined>,
  enough: number | ((events: readonly RawEvent[]) => boolean),
): Promise<{ type: string; object: KubeObject & { code?: number } }[]> {
  const events: { type: string; object: KubeObject & { code?: number } }[] = [];
  let ended = false;
  const controller = await h.client.watch(
    svcPath('default'),
    query,
    (type, object) => events.push({ type, object: object as KubeObject }),
    () => {
      ended = true;
    },
  );
  try {
    const done = typeof enough === 'number' ? (e: readonly RawEvent[]) => e.length >= enough : enough;
    await waitFor(() => done(events) || ended, 5000, 'watch events');
  } finally {
    controller.abort();
  }
  return events;
}

describe('watch semantics through client-node', () => {
  test('a watch from a resourceVersion replays later changes in order, then streams', async () => {
    const h = await startHarness();
    try {
      const a = await h.client.create<KubeObject>(svcPath('default'), service('a'));
      await h.client.mergePatch(svcPath('default', 'a'), { metadata: { labels: { x: '1' } } });
      await h.client.delete(svcPath('default', 'a'));
      const events = await rawWatch(h, { resourceVersion: a.metadata?.resourceVersion }, 2);
      assert.deepEqual(
        events.map((e) => e.type),
        ['MODIFIED', 'DELETED'],
      );
      const rvs = events.map((e) => Number(e.object.metadata?.resourceVersion));
      assert.ok(rvs[0]! > Number(a.metadata?.resourceVersion) && rvs[1]! > rvs[0]!);
    } finally {
      await h.close();
    }
  });

  test('a version older than the kept history gets an ERROR event with 410 Gone', async () => {
    const h = await startHarness({ historySize: 4 });
    try {
      const first = await h.client.create<KubeObject>(svcPath('default'), service('s0'));
      for (let i = 1; i < 12; i++) await h.client.create(svcPath('default'), service(`s${i}`));
      const events = await rawWatch(h, { resourceVersion: first.metadata?.resourceVersion }, 1);
      assert.equal(events[0]?.type, 'ERROR');
      assert.equal(events[0]?.object.code, 410);
    } finally {
      await h.close();
    }
  });

  test('a selector watch sees an object leave the selection as DELETED; bookmarks arrive', async () => {
    const h = await startHarness({ bookmarkIntervalMs: 50 });
    try {
      await h.client.create(svcPath('default'), service('sel', {}, { app: 'x' }));
      const start = (await h.client.list(svcPath('default'))).metadata?.resourceVersion;
      const pending = rawWatch(
        h,
        { resourceVersion: start, labelSelector: 'app=x', allowWatchBookmarks: true },
        (events) => events.some((e) => e.type === 'BOOKMARK') && events.some((e) => e.type === 'DELETED'),
      );
      await new Promise((r) => setTimeout(r, 100));
      await h.client.mergePatch(svcPath('default', 'sel'), { metadata: { labels: { app: 'y' } } });
      const events = await pending;
      assert.ok(events.some((e) => e.type === 'BOOKMARK'));
      const changes = events.filter((e) => e.type !== 'BOOKMARK');
      assert.deepEqual(
        changes.map((e) => e.type),
        ['DELETED'],
      );
    } finally {
      await h.close();
    }
  });
});

describe('informer', () => {
  test('lists, then sees every change in order', async () => {
    const h = await startHarness();
    const informer = new Informer<KubeObject>(h.client, { path: svcPath('default') });
    const seen: Seen[] = [];
    record(informer, seen);
    try {
      await h.client.create(svcPath('default'), service('pre'));
      informer.start();
      assert.equal(await informer.waitForSync(5000), true);
      await h.client.create(svcPath('default'), service('b'));
      await h.client.mergePatch(svcPath('default', 'b'), { metadata: { labels: { v: '2' } } });
      await h.client.delete(svcPath('default', 'pre'));
      await waitFor(() => seen.length >= 4, 5000, 'four events');
      assert.deepEqual(
        seen.map((s) => `${s.type} ${s.name}`),
        ['ADDED pre', 'ADDED b', 'MODIFIED b', 'DELETED pre'],
      );
      assert.deepEqual(
        informer.list().map((o) => o.metadata?.name),
        ['b'],
      );
    } finally {
      await informer.stop();
      await h.close();
    }
  });

  test('a failing handler leaves the event unhandled: it is delivered again', async () => {
    const h = await startHarness();
    const informer = new Informer<KubeObject>(h.client, {
      path: svcPath('default'),
      backoffInitialMs: 20,
      backoffMaxMs: 50,
    });
    let failuresLeft = 2;
    const added: string[] = [];
    informer.addHandlers({
      onAdd: (o) => {
        if (o.metadata?.name === 'flaky' && failuresLeft-- > 0) throw new Error('handler failed');
        added.push(o.metadata?.name ?? '');
      },
    });
    try {
      informer.start();
      await informer.waitForSync(5000);
      await h.client.create(svcPath('default'), service('flaky'));
      await waitFor(() => added.includes('flaky'), 5000, 'flaky delivered');
      assert.equal(failuresLeft, -1);
      assert.ok(informer.stats.errors >= 2);
      assert.ok(informer.get('default/flaky') !== undefined);
    } finally {
      await informer.stop();
      await h.close();
    }
  });

  test('a dropped watch connection resumes from the last version without a relist', async () => {
    const h = await startHarness();
    const informer = new Informer<KubeObject>(h.client, { path: svcPath('default') });
    const seen: Seen[] = [];
    record(informer, seen);
    try {
      informer.start();
      await informer.waitForSync(5000);
      await h.client.create(svcPath('default'), service('one'));
      await waitFor(() => seen.length === 1);
      h.server.dropWatches();
      await h.client.create(svcPath('default'), service('two'));
      await waitFor(() => seen.length === 2, 5000, 'event after the drop');
      assert.deepEqual(
        seen.map((s) => s.name),
        ['one', 'two'],
      );
      assert.equal(informer.stats.lists, 1);
      assert.ok(informer.stats.watches >= 2);
    } finally {
      await informer.stop();
      await h.close();
    }
  });

  test('a watch sees every change in order across a server restart with --data-dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lbops-kube-data-'));
    const h = await startHarness({ dataDir });
    const informer = new Informer<KubeObject>(h.client, {
      path: svcPath('default'),
      backoffInitialMs: 20,
      backoffMaxMs: 100,
    });
    const seen: Seen[] = [];
    record(informer, seen);
    try {
      informer.start();
      await informer.waitForSync(5000);
      for (let i = 0; i < 5; i++) await h.client.create(svcPath('default'), service(`before-${i}`));
      await waitFor(() => seen.length === 5);
      const rvBefore = h.server.store.resourceVersion;
      await h.restart();
      assert.equal(h.server.store.resourceVersion, rvBefore, 'resourceVersion continues after the restart');
      assert.ok((await h.client.get(svcPath('default', 'before-4'))).metadata?.uid !== undefined);
      for (let i = 0; i < 5; i++) await h.client.create(svcPath('default'), service(`after-${i}`));
      await h.client.delete(svcPath('default', 'before-0'));
      await waitFor(() => seen.length === 11, 10_000, 'events after the restart');
      assert.deepEqual(
        seen.map((s) => `${s.type} ${s.name}`),
        [
          ...[0, 1, 2, 3, 4].map((i) => `ADDED before-${i}`),
          ...[0, 1, 2, 3, 4].map((i) => `ADDED after-${i}`),
          'DELETED before-0',
        ],
      );
      const rvs = seen.map((s) => s.rv);
      assert.deepEqual(
        rvs,
        [...rvs].sort((a, b) => a - b),
        'versions increase',
      );
      assert.ok(rvs[5]! > rvBefore);
      assert.equal(informer.stats.lists, 1, 'resumed by watch, not relisted');
    } finally {
      await informer.stop();
      await h.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('410 Gone after a restart with a short history makes the informer relist and converge', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lbops-kube-data-'));
    const h = await startHarness({ dataDir });
    const informer = new Informer<KubeObject>(h.client, {
      path: svcPath('default'),
      backoffInitialMs: 20,
      backoffMaxMs: 100,
    });
    const seen: Seen[] = [];
    record(informer, seen);
    try {
      informer.start();
      await informer.waitForSync(5000);
      await h.client.create(svcPath('default'), service('keep'));
      await h.client.create(svcPath('default'), service('gone'));
      await waitFor(() => seen.length === 2);
      // Changes while the server is down for this informer (made through another instance on the
      // same data), then a restart that keeps only the last two changes resumable.
      await h.restart({ historySize: 2 }, async () => {
        const other = await startApiServer({ dataDir, port: 0 });
        const client = new KubeClient(kubeConfigFor(other.url, other.token));
        for (let i = 0; i < 6; i++) await client.create(svcPath('default'), service(`x${i}`));
        await client.delete(svcPath('default', 'gone'));
        await other.close();
      });
      await waitFor(
        () => informer.stats.gone >= 1 && informer.list().length === 7,
        10_000,
        'relist after 410',
      );
      assert.equal(informer.stats.lists, 2);
      assert.ok(seen.some((s) => s.type === 'DELETED' && s.name === 'gone'));
      assert.deepEqual(
        informer
          .list()
          .map((o) => o.metadata?.name)
          .sort(),
        ['keep', 'x0', 'x1', 'x2', 'x3', 'x4', 'x5'],
      );
    } finally {
      await informer.stop();
      await h.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('after an in-memory server restart (versions start over) the informer relists and drops what is gone', async () => {
    const h = await startHarness();
    const informer = new Informer<KubeObject>(h.client, {
      path: svcPath('default'),
      backoffInitialMs: 20,
      backoffMaxMs: 100,
    });
    const seen: Seen[] = [];
    record(informer, seen);
    try {
      informer.start();
      await informer.waitForSync(5000);
      for (let i = 0; i < 20; i++) await h.client.create(svcPath('default'), service(`old-${i}`));
      await waitFor(() => seen.length === 20);
      await h.restart();
      await h.client.create(svcPath('default'), service('fresh'));
      await waitFor(() => informer.list().length === 1, 10_000, 'the informer to converge on the new server');
      assert.equal(informer.list()[0]?.metadata?.name, 'fresh');
      assert.equal(seen.filter((s) => s.type === 'DELETED').length, 20);
      assert.ok(informer.stats.gone >= 1);
    } finally {
      await informer.stop();
      await h.close();
    }
  });

  test('periodic resync hands cached objects to onUpdate', async () => {
    const h = await startHarness();
    const informer = new Informer<KubeObject>(h.client, { path: svcPath('default'), resyncPeriodMs: 50 });
    let resyncs = 0;
    informer.addHandlers({ onUpdate: (a, b) => void (a === b && resyncs++) });
    try {
      await h.client.create(svcPath('default'), service('r'));
      informer.start();
      await informer.waitForSync(5000);
      await waitFor(() => resyncs >= 2, 5000, 'resyncs');
    } finally {
      await informer.stop();
      await h.close();
    }
  });
});
