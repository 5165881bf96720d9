import { clone, isObject, type JsonObject } from './json.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, numbered by the global resourceVersion it produced. */
export interface StoreEvent {
  readonly type: WatchEventType;
  /** Storage key `<group>/<resource>`. */
  readonly key: string;
  readonly object: JsonObject;
  readonly rv: number;
  /** The state before a MODIFIED event (not persisted): lets selector watches see objects leave. */
  readonly previous?: JsonObject;
}

/** Where the store writes each change before announcing it (write-through persistence). */
export interface StoreSink {
  append(event: StoreEvent): void;
}

export interface StoreState {
  readonly rv: number;
  readonly objects: ReadonlyMap<string, ReadonlyMap<string, JsonObject>>;
  /** Events still replayable to watchers, oldest first. */
  readonly history: readonly StoreEvent[];
}

function objectKey(obj: JsonObject): string {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  const name = typeof meta.name === 'string' ? meta.name : '';
  return `${ns}/${name}`;
}

/**
 * All objects of all kinds, one global monotonically increasing resourceVersion, and a bounded
 * history of changes so that watches can resume from a recent version. Stored objects are never
 * mutated: every write stores a fresh copy, so readers and the history can share them.
 */
export class ObjectStore {
  private rv: number;
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private history: StoreEvent[];
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  constructor(
    private readonly options: { historySize?: number; sink?: StoreSink; initial?: StoreState } = {},
  ) {
    this.rv = options.initial?.rv ?? 0;
    for (const [key, byName] of options.initial?.objects ?? []) this.objects.set(key, new Map(byName));
    this.history = [...(options.initial?.history ?? [])].slice(-this.historySize);
  }

  private get historySize(): number {
    return this.options.historySize ?? 50_000;
  }

  /** The latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest version a watch can start from without missing events. */
  get oldestResumableVersion(): number {
    const first = this.history[0];
    return first === undefined ? this.rv : first.rv - 1;
  }

  get(key: string, namespace: string, name: string): JsonObject | undefined {
    return this.objects.get(key)?.get(`${namespace}/${name}`);
  }

  list(key: string, namespace?: string): JsonObject[] {
    const byName = this.objects.get(key);
    if (byName === undefined) return [];
    const all = [...byName.values()];
    if (namespace === undefined) return all;
    return all.filter((o) => isObject(o.metadata) && o.metadata.namespace === namespace);
  }

  /** Stores a copy of `obj` under the next resourceVersion and returns the stored copy. */
  put(key: string, obj: JsonObject): JsonObject {
    const stored = clone(obj);
    const id = objectKey(stored);
    const byName = this.objects.get(key) ?? new Map<string, JsonObject>();
    const previous = byName.get(id);
    const type: WatchEventType = previous !== undefined ? 'MODIFIED' : 'ADDED';
    this.rv += 1;
    const meta = isObject(stored.metadata) ? stored.metadata : {};
    meta.resourceVersion = String(this.rv);
    stored.metadata = meta;
    byName.set(id, stored);
    this.objects.set(key, byName);
    this.record(
      previous !== undefined
        ? { type, key, object: stored, rv: this.rv, previous }
        : { type, key, object: stored, rv: this.rv },
    );
    return stored;
  }

  /** Removes an object; the DELETED event carries its last state under a new resourceVersion. */
  delete(key: string, namespace: string, name: string): JsonObject | undefined {
    const byName = this.objects.get(key);
    const id = `${namespace}/${name}`;
    const existing = byName?.get(id);
    if (byName === undefined || existing === undefined) return undefined;
    byName.delete(id);
    this.rv += 1;
    const gone = clone(existing);
    if (isObject(gone.metadata)) gone.metadata.resourceVersion = String(this.rv);
    this.record({ type: 'DELETED', key, object: gone, rv: this.rv });
    return gone;
  }

  /**
   * Events after `rv`, or undefined when the client must relist (410 Gone): some of them are no
   * longer kept, or `rv` was never handed out here (a client of an in-memory server that restarted
   * holds versions from before; resuming would silently keep its stale cache).
   */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv > this.rv) return undefined;
    if (rv === this.rv) return [];
    if (rv < this.oldestResumableVersion) return undefined;
    const first = this.history.findIndex((e) => e.rv > rv);
    return first < 0 ? [] : this.history.slice(first);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Everything a persistence snapshot needs. */
  state(): StoreState {
    return { rv: this.rv, objects: this.objects, history: this.history };
  }

  private record(event: StoreEvent): void {
    this.options.sink?.append(event);
    this.history.push(event);
    // Trim in batches so that a full history costs O(1) amortised per write.
    if (this.history.length > this.historySize * 1.25) this.history = this.history.slice(-this.historySize);
    for (const listener of this.listeners) listener(event);
  }
}
