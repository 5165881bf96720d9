// When to retry a GitHub API call, as GitHub documents it: server errors with exponential backoff; the primary
// rate limit (x-ratelimit-remaining: 0) until x-ratelimit-reset; a secondary rate limit after retry-after, or at
// least a minute without it. Pure: the caller passes the clock and sleeps.

export interface RetryPolicy {
  /** Attempts in all, the first included. Default 4. */
  readonly maxAttempts: number;
  /** First backoff after a 5xx, doubled each attempt (with jitter). Default 1000 ms. */
  readonly baseDelayMs: number;
  /** A secondary rate limit without retry-after waits this long. Default 60 s (GitHub: "at least one minute"). */
  readonly secondaryDefaultMs: number;
  /** Never wait longer than this for one retry; a later reset fails the call instead. Default 15 min. */
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1000,
  secondaryDefaultMs: 60_000,
  maxDelayMs: 15 * 60_000,
};

export interface FailedResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | number | undefined>>;
  /** The error message GitHub returned, if any. */
  readonly message: string;
}

export type RetryDecision =
  | { readonly retry: false }
  | {
      readonly retry: true;
      readonly delayMs: number;
      readonly why: 'server-error' | 'primary-rate-limit' | 'secondary-rate-limit';
    };

const header = (r: FailedResponse, name: string): string | undefined => {
  const v = r.headers[name];
  return v === undefined ? undefined : String(v);
};

/**
 * `attempt` is the number of the attempt that just failed (1 for the first). `random` in [0, 1) jitters the
 * server-error backoff so many clients do not retry in step.
 */
export function retryDecision(
  response: FailedResponse,
  attempt: number,
  nowMs: number,
  policy: RetryPolicy = defaultRetryPolicy,
  random = 0.5,
): RetryDecision {
  if (attempt >= policy.maxAttempts) return { retry: false };
  const within = (
    delayMs: number,
    why: 'server-error' | 'primary-rate-limit' | 'secondary-rate-limit',
  ): RetryDecision =>
    delayMs > policy.maxDelayMs
      ? { retry: false }
      : { retry: true, delayMs: Math.max(0, Math.ceil(delayMs)), why };
  if (response.status === 403 || response.status === 429) {
    const retryAfter = header(response, 'retry-after');
    if (retryAfter !== undefined) {
      const seconds = Number(retryAfter);
      const delay = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - nowMs;
      if (Number.isFinite(delay)) return within(delay, 'secondary-rate-limit');
    }
    if (header(response, 'x-ratelimit-remaining') === '0') {
      const reset = Number(header(response, 'x-ratelimit-reset'));
      if (Number.isFinite(reset)) return within(reset * 1000 - nowMs + 1000, 'primary-rate-limit');
    }
    if (/secondary rate limit|abuse/i.test(response.message))
      return within(policy.secondaryDefaultMs, 'secondary-rate-limit');
    return { retry: false };
  }
  if (response.status >= 500 && response.status <= 599) {
    const delay = policy.baseDelayMs * 2 ** (attempt - 1) * (0.5 + random);
    return within(delay, 'server-error');
  }
  return { retry: false };
}
