import { setTimeout as sleep } from 'node:timers/promises';
import { LabTimeoutError } from './errors.js';

export interface WaitOptions {
  /** Give up after this long; default 10 s. */
  readonly timeoutMs?: number;
  /** Pause between attempts; default 50 ms. */
  readonly intervalMs?: number;
  /** Named in the timeout error. */
  readonly description?: string;
}

/**
 * Polls `predicate` until it returns a value other than `undefined`, `false` or `null`, and returns that value.
 * Errors thrown by the predicate count as "not yet" (a daemon's socket may not exist yet); the last one is
 * reported if time runs out. Bounded in time and therefore in attempts.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Exclude<T, false | null | undefined>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      const value = await predicate();
      if (value !== undefined && value !== null && value !== false)
        return value as Exclude<T, false | null | undefined>;
      last = value;
    } catch (error) {
      last = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    await sleep(Math.min(intervalMs, remaining));
  }
  const what = options.description ?? 'condition';
  const lastText = last instanceof Error ? last.message : JSON.stringify(last);
  throw new LabTimeoutError(
    `lab: timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${what}; last: ${lastText}`,
  );
}
