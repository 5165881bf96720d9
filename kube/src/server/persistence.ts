// Write-through persistence for `lbops api --data-dir`: a JSON snapshot plus an append-only log of
// changes (one JSON event per line). Loading replays the log over the snapshot, so the global
// resourceVersion continues after a restart and watchers can resume from versions still in the log.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { isObject, type JsonObject } from './json.js';
import type { StoreEvent, StoreSink, StoreState } from './store.js';

interface Snapshot {
  readonly rv: number;
  readonly objects: Record<string, JsonObject[]>;
}

function objectId(obj: JsonObject): string {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  return `${typeof meta.namespace === 'string' ? meta.namespace : ''}/${typeof meta.name === 'string' ? meta.name : ''}`;
}

export interface LoadedState extends StoreState {
  /** Lines of the log that could not be read (a torn last write), skipped. */
  readonly skippedLines: number;
  readonly logEntries: number;
}

/** Reads the snapshot and the log from `dir`; an empty state when neither exists. */
export function loadDataDir(dir: string): LoadedState {
  mkdirSync(dir, { recursive: true });
  const objects = new Map<string, Map<string, JsonObject>>();
  let rv = 0;
  const snapshotPath = join(dir, 'snapshot.json');
  if (existsSync(snapshotPath)) {
    const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as Snapshot;
    rv = snapshot.rv;
    for (const [key, list] of Object.entries(snapshot.objects)) {
      objects.set(key, new Map(list.map((o) => [objectId(o), o])));
    }
  }
  const history: StoreEvent[] = [];
  let skippedLines = 0;
  const logPath = join(dir, 'log.ndjson');
  if (existsSync(logPath)) {
    for (const line of readFileSync(logPath, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let event: StoreEvent;
      try {
        event = JSON.parse(line) as StoreEvent;
      } catch {
        skippedLines++;
        continue;
      }
      if (event.rv <= rv) continue;
      rv = event.rv;
      const byName = objects.get(event.key) ?? new Map<string, JsonObject>();
      if (event.type === 'DELETED') byName.delete(objectId(event.object));
      else byName.set(objectId(event.object), event.object);
      objects.set(event.key, byName);
      history.push(event);
    }
  }
  return { rv, objects, history, skippedLines, logEntries: history.length };
}

/** Appends every change to the log; compacts into a new snapshot when the log grows long. */
export class DataDirSink implements StoreSink {
  private fd: number;
  private entries: number;

  constructor(
    private readonly dir: string,
    existingEntries: number,
    private readonly compactAfter = 100_000,
    private readonly currentState?: () => StoreState,
  ) {
    this.fd = openSync(join(dir, 'log.ndjson'), 'a');
    this.entries = existingEntries;
  }

  append(event: StoreEvent): void {
    const { type, key, object, rv } = event;
    writeSync(this.fd, `${JSON.stringify({ type, key, object, rv })}\n`);
    this.entries++;
    if (this.entries >= this.compactAfter && this.currentState !== undefined)
      this.compact(this.currentState());
  }

  /** Writes a snapshot of `state` atomically (temp file + rename), then starts an empty log. */
  compact(state: StoreState): void {
    const snapshot: Snapshot = {
      rv: state.rv,
      objects: Object.fromEntries([...state.objects].map(([k, m]) => [k, [...m.values()]])),
    };
    const tmp = join(this.dir, 'snapshot.json.tmp');
    writeFileSync(tmp, JSON.stringify(snapshot));
    renameSync(tmp, join(this.dir, 'snapshot.json'));
    closeSync(this.fd);
    this.fd = openSync(join(this.dir, 'log.ndjson'), 'w');
    this.entries = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}
