// What a reconciler tells the work queue. Expected failures are results, never exceptions: the queue owns
// backoff and retries.

export type ReconcileResult =
  | { readonly kind: 'done' }
  /** A transient failure (conflict, API unreachable): retry this key with backoff. */
  | { readonly kind: 'retry'; readonly reason: string }
  /** Something changed that affects every Service (config): requeue all of them. */
  | { readonly kind: 'reprocess-all'; readonly reason: string }
  /** Retrying cannot help until the object itself changes. */
  | { readonly kind: 'give-up'; readonly reason: string };

export const done: ReconcileResult = { kind: 'done' };
export const retry = (reason: string): ReconcileResult => ({ kind: 'retry', reason });
export const reprocessAll = (reason: string): ReconcileResult => ({ kind: 'reprocess-all', reason });
export const giveUp = (reason: string): ReconcileResult => ({ kind: 'give-up', reason });
