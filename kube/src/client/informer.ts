// A typed informer on client-node: list, then watch from the list's resourceVersion. What
// client-go's reflector does and what a controller relies on:
// - a 410 Gone (ERROR event or response) relists at once; other failures restart with backoff;
// - an event counts as handled only once its handler succeeded: the local cache and the
//   resourceVersion the next watch resumes from move only then, so a failing handler makes the
//   informer relist and deliver the change again (as an add/update/delete from the diff);
// - a periodic resync hands every cached object to onUpdate(old === new) to repair missed work;
// - a watch the server ends normally resumes from the last handled version without a relist.
import { Backoff, sleep } from './backoff.js';
import { KubeApiError, type KubeClient, type KubeObject } from './kube-client.js';

export interface InformerHandlers<T extends KubeObject> {
  onAdd?(obj: T): void | Promise<void>;
  onUpdate?(oldObj: T, newObj: T): void | Promise<void>;
  onDelete?(obj: T): void | Promise<void>;
}

export interface InformerOptions {
  /** Collection path, e.g. `/api/v1/services` or `/apis/metallb.io/v1beta1/namespaces/x/ipaddresspools`. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** 0 disables resync. Default 0. */
  readonly resyncPeriodMs?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Server-side timeout of each watch request; the informer then re-watches. Default 300 s. */
  readonly watchTimeoutSeconds?: number;
  /** Told about every failure the informer recovers from (for logs and metrics). */
  readonly onError?: (error: unknown) => void;
}

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns === undefined || ns === '' ? name : `${ns}/${name}`;
}

class GoneError extends Error {}

/** A handler failed: the change must be delivered again, which only a relist guarantees. */
export class HandlerError extends Error {
  constructor(readonly underlying: unknown) {
    super(
      `an informer handler failed: ${underlying instanceof Error ? underlying.message : String(underlying)}`,
    );
  }
}

interface WatchEvent {
  readonly type: string;
  readonly object: unknown;
}

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion = '';
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private abort = new AbortController();
  private running: Promise<void> | undefined;
  private activeWatch: AbortController | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Counters for tests and metrics. */
  readonly stats = { lists: 0, watches: 0, gone: 0, errors: 0, events: 0 };

  constructor(
    private readonly client: KubeClient,
    private readonly options: InformerOptions,
  ) {}

  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  start(): void {
    if (this.running !== undefined) return;
    this.abort = new AbortController();
    this.running = this.run();
    const period = this.options.resyncPeriodMs ?? 0;
    if (period > 0) {
      this.resyncTimer = setInterval(() => {
        this.serialize(() => this.resync()).catch((e: unknown) => this.report(e));
      }, period);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.activeWatch?.abort();
    if (this.resyncTimer !== undefined) clearInterval(this.resyncTimer);
    await this.running;
    await this.queue;
    this.running = undefined;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list was handled, false after `timeoutMs`. */
  waitForSync(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** The cached objects (the state as of the last handled event). */
  list(): T[] {
    return [...this.cache.values()];
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** The version the next watch resumes from. */
  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  /**
   * Lists, watch events and resyncs all run through one chain, so handlers are never called
   * concurrently and always see changes in order.
   */
  private serialize<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.queue.then(fn);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private report(error: unknown): void {
    this.stats.errors++;
    this.options.onError?.(error);
  }

  private async run(): Promise<void> {
    const backoff = new Backoff(this.options.backoffInitialMs ?? 200, this.options.backoffMaxMs ?? 30_000);
    let needList = true;
    while (!this.abort.signal.aborted) {
      try {
        if (needList) {
          await this.serialize(() => this.listAndReplace());
          needList = false;
        }
        await this.watchOnce();
        backoff.reset();
      } catch (e) {
        if (this.abort.signal.aborted) break;
        if (e instanceof GoneError || (e instanceof KubeApiError && e.code === 410)) {
          this.stats.gone++;
          needList = true;
          continue;
        }
        // Connection failures resume the watch from the last handled version (every change is
        // still delivered, in order); only a failed handler or list forces a relist.
        if (e instanceof HandlerError) needList = true;
        this.report(e);
        await sleep(backoff.next(), this.abort.signal);
      }
    }
  }

  private async listAndReplace(): Promise<void> {
    this.stats.lists++;
    const list = await this.client.list<T>(this.options.path, {
      ...(this.options.labelSelector !== undefined ? { labelSelector: this.options.labelSelector } : {}),
      ...(this.options.fieldSelector !== undefined ? { fieldSelector: this.options.fieldSelector } : {}),
    });
    const apiVersion = list.apiVersion;
    const kind = list.kind?.replace(/List$/, '');
    const seen = new Set<string>();
    for (const item of list.items) {
      if (item.apiVersion === undefined && apiVersion !== undefined) item.apiVersion = apiVersion;
      if (item.kind === undefined && kind !== undefined) item.kind = kind;
      const key = objectKey(item);
      seen.add(key);
      const old = this.cache.get(key);
      if (old === undefined) await this.deliver('ADDED', item, undefined);
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion)
        await this.deliver('MODIFIED', item, old);
    }
    for (const [key, old] of [...this.cache]) {
      if (!seen.has(key)) await this.deliver('DELETED', old, old);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** Calls the handlers, then (only on success) updates the cache. */
  private async deliver(type: string, obj: T, old: T | undefined): Promise<void> {
    for (const h of this.handlers) {
      if (type === 'ADDED') await h.onAdd?.(obj);
      else if (type === 'MODIFIED') await h.onUpdate?.(old ?? obj, obj);
      else if (type === 'DELETED') await h.onDelete?.(obj);
    }
    this.stats.events++;
    if (type === 'DELETED') this.cache.delete(objectKey(obj));
    else this.cache.set(objectKey(obj), obj);
  }

  private async resync(): Promise<void> {
    for (const obj of this.cache.values()) {
      for (const h of this.handlers) await h.onUpdate?.(obj, obj);
    }
  }

  private watchOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let failed: unknown;
      let pending: Promise<void> = Promise.resolve();
      const fail = (e: unknown): void => {
        if (failed === undefined) failed = e;
        this.activeWatch?.abort();
      };
      const handle = async (event: WatchEvent): Promise<void> => {
        if (failed !== undefined || this.abort.signal.aborted) return;
        const obj = event.object as T & { code?: number; message?: string };
        if (event.type === 'ERROR') {
          if (obj.code === 410) throw new GoneError(obj.message ?? 'resource version too old');
          throw new KubeApiError(
            obj.code ?? 500,
            'WatchError',
            obj.message ?? 'watch error',
            'GET',
            this.options.path,
            obj,
          );
        }
        const rv = obj.metadata?.resourceVersion;
        if (event.type === 'BOOKMARK') {
          if (rv !== undefined) this.resourceVersion = rv;
          return;
        }
        const key = objectKey(obj);
        try {
          await this.deliver(event.type, obj, this.cache.get(key));
        } catch (e) {
          throw new HandlerError(e);
        }
        if (rv !== undefined) this.resourceVersion = rv;
      };
      this.stats.watches++;
      this.client
        .watch(
          this.options.path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
            labelSelector: this.options.labelSelector,
            fieldSelector: this.options.fieldSelector,
          },
          (type, object) => {
            // Events are handled one at a time, in order; the chain is the informer's queue.
            pending = this.serialize(() => handle({ type, object })).catch(fail);
          },
          (err) => {
            void pending.then(() => {
              const code = (err as { statusCode?: number } | null)?.statusCode;
              if (failed !== undefined) reject(asError(failed));
              else if (code === 410) reject(new GoneError('resource version too old'));
              else if (err !== null && err !== undefined && !this.abort.signal.aborted && !isAbort(err))
                reject(asError(err));
              else resolve();
            });
          },
        )
        .then((controller) => {
          this.activeWatch = controller;
          if (this.abort.signal.aborted) controller.abort();
        })
        .catch(reject);
    });
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.message.includes('aborted'));
}
