// A keyed work queue with client-go's guarantees: a key is queued at most once however many
// events name it (they coalesce), a key is never processed by two workers at once (an add while
// it is processed re-queues it after `done`), and failures back off per key exponentially.

export interface WorkQueueOptions {
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(private readonly options: WorkQueueOptions = {}) {}

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else this.queue.push(key);
  }

  /** Adds the key after `ms`; of several pending delayed adds for a key, the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const due = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending !== undefined) {
      if (pending.due <= due) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { timer, due });
  }

  /** Re-adds after the key's next backoff delay: base * 2^failures, capped. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min(this.options.maxDelayMs ?? 60_000, (this.options.baseDelayMs ?? 50) * 2 ** n);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the key's failure count (after a success or when giving up). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key processed; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  get length(): number {
    return this.queue.length;
  }

  get busy(): number {
    return this.processing.size;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}

/** What a reconciler returns for one key: it never throws for expected failures. */
export type ReconcileResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'retry'; readonly afterMs?: number; readonly reason?: string }
  | { readonly kind: 'reprocess-all' }
  | { readonly kind: 'give-up'; readonly reason: string };

export interface WorkerOptions {
  readonly workers?: number;
  /** Every key the controller knows, for `reprocess-all`. */
  readonly allKeys?: () => Iterable<string>;
  /** Told about thrown errors (bugs) and give-ups. */
  readonly onProblem?: (key: string, problem: unknown) => void;
}

/** Runs workers until the queue shuts down. A thrown error is treated as a retry with backoff. */
export async function runWorkers(
  queue: WorkQueue,
  reconcile: (key: string) => Promise<ReconcileResult>,
  options: WorkerOptions = {},
): Promise<void> {
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await reconcile(key);
        switch (result.kind) {
          case 'done':
            queue.forget(key);
            break;
          case 'retry':
            if (result.afterMs !== undefined) queue.addAfter(key, result.afterMs);
            else queue.addRateLimited(key);
            break;
          case 'reprocess-all':
            queue.forget(key);
            for (const k of options.allKeys?.() ?? []) queue.add(k);
            break;
          case 'give-up':
            queue.forget(key);
            options.onProblem?.(key, result.reason);
            break;
        }
      } catch (e) {
        options.onProblem?.(key, e);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers ?? 1 }, () => worker()));
}
