import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DataDirSink, loadDataDir } from './persistence.js';
import { ObjectStore } from './store.js';

describe('data dir persistence', () => {
  test('objects, versions and resumable history survive a reload; a torn last line is skipped; compaction keeps state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lbops-persist-'));
    try {
      const sink = new DataDirSink(dir, 0);
      const store = new ObjectStore({ sink });
      store.put('/services', { metadata: { name: 'a', namespace: 'default' } });
      store.put('/services', { metadata: { name: 'b', namespace: 'default' } });
      store.delete('/services', 'default', 'a');
      sink.close();
      appendFileSync(join(dir, 'log.ndjson'), '{"type":"ADDED","ke');
      const loaded = loadDataDir(dir);
      assert.equal(loaded.rv, 3);
      assert.equal(loaded.skippedLines, 1);
      const again = new ObjectStore({ initial: loaded });
      assert.deepEqual(
        again.list('/services').map((o) => (o.metadata as { name: string }).name),
        ['b'],
      );
      assert.deepEqual(
        again.eventsSince(1)?.map((e) => e.type),
        ['ADDED', 'DELETED'],
      );

      const holder: { store?: ObjectStore } = {};
      const sink2 = new DataDirSink(dir, loaded.logEntries, 2, () => holder.store?.state() ?? again.state());
      const store2 = new ObjectStore({ sink: sink2, initial: loaded });
      holder.store = store2;
      store2.put('/services', { metadata: { name: 'c', namespace: 'default' } });
      sink2.close();
      const compacted = loadDataDir(dir);
      assert.equal(compacted.rv, 4);
      assert.equal(compacted.objects.get('/services')?.size, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
