// The GitHub webhook endpoint of the sync: `push` events wake it up at once instead of at the next poll.
// The signature (X-Hub-Signature-256, HMAC-SHA256 of the raw body with the shared secret) is checked in constant
// time before the body is parsed; bodies are size-limited; other events are acknowledged and ignored.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * GitHub caps payloads at 25 MB; a push payload lists at most 20 commits with their changed paths, so 5 MiB is
 * ample. A refused (too large) delivery is not lost: the next poll picks the commit up.
 */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Whether `header` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under `secret`. Constant time. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  // Exactly 64 hex digits: Buffer.from(hex) silently stops at the first non-hex character and drops an odd
  // trailing digit, which would let `sha256=<right digest>garbage` through.
  if (header === undefined || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface PushEvent {
  /** refs/heads/main */
  readonly ref: string;
  /** The new head commit SHA (all zeros when the branch was deleted). */
  readonly after: string;
  /** The push deleted the ref (`deleted: true`, or `after` all zeros): there is nothing to sync to. */
  readonly deleted: boolean;
  /** OWNER/REPO */
  readonly repository: string;
  readonly deliveryId: string;
}

export type WebhookOutcome =
  | { readonly kind: 'push'; readonly event: PushEvent }
  | { readonly kind: 'ping' }
  | { readonly kind: 'ignored'; readonly event: string; readonly reason?: string }
  | { readonly kind: 'refused'; readonly status: number; readonly reason: string };

/** A deleted ref's `after`: the null object id (40 hex digits for SHA-1 repositories, 64 for SHA-256). */
const NULL_OID = /^(?:0{40}|0{64})$/;

/**
 * Whether a push moves the followed branch to a commit. Tags, other branches and the deletion of the branch
 * itself do not: GitHub sends all of them to the same hook (the documented examples include tag creation and
 * deletion), and a deleted branch has no commit to apply (the last good commit stays in force).
 */
export function pushMovesBranch(event: PushEvent, branch: string): boolean {
  return event.ref === `refs/heads/${branch}` && !event.deleted;
}

export interface ReadDeliveryOptions {
  /** The followed branch: pushes that do not move it are acknowledged and ignored. */
  readonly branch?: string | undefined;
}

/** Pure: decides on one delivery from its headers and raw body. */
export function readDelivery(
  secret: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Buffer,
  options: ReadDeliveryOptions = {},
): WebhookOutcome {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  if (!verifySignature(secret, body, header('x-hub-signature-256')))
    return { kind: 'refused', status: 401, reason: 'missing or wrong X-Hub-Signature-256' };
  const event = header('x-github-event') ?? '';
  if (event === 'ping') return { kind: 'ping' };
  if (event !== 'push') return { kind: 'ignored', event };
  let payload: unknown;
  try {
    // GitHub sends application/json, or form-encoded `payload=<json>` when the hook is set up that way.
    const text = body.toString('utf8');
    payload = JSON.parse(
      (header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')
        ? (new URLSearchParams(text).get('payload') ?? '')
        : text,
    );
  } catch {
    return { kind: 'refused', status: 400, reason: 'the push payload is not JSON' };
  }
  const p = (payload ?? {}) as {
    ref?: unknown;
    after?: unknown;
    deleted?: unknown;
    repository?: { full_name?: unknown } | null;
  };
  if (typeof p.ref !== 'string' || typeof p.after !== 'string')
    return { kind: 'refused', status: 400, reason: 'the push payload has no ref or after' };
  const push: PushEvent = {
    ref: p.ref,
    after: p.after,
    deleted: p.deleted === true || NULL_OID.test(p.after),
    repository: typeof p.repository?.full_name === 'string' ? p.repository.full_name : '',
    deliveryId: header('x-github-delivery') ?? '',
  };
  if (options.branch !== undefined && !pushMovesBranch(push, options.branch))
    return {
      kind: 'ignored',
      event: 'push',
      reason: push.deleted
        ? `${push.ref} deleted`
        : `${push.ref} is not the followed branch refs/heads/${options.branch}`,
    };
  return { kind: 'push', event: push };
}

export interface WebhookHandlerOptions {
  readonly secret: string;
  /** Only pushes that move this branch reach `onPush`; others are answered 202 and ignored. */
  readonly branch?: string | undefined;
  readonly maxBodyBytes?: number;
  readonly onPush: (event: PushEvent) => void;
  readonly onOutcome?: (outcome: WebhookOutcome) => void;
}

/** An HTTP handler for POST deliveries; answers at once (the sync runs after the answer). */
export function webhookHandler(
  options: WebhookHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const answer = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end(`${message}\n`);
  };
  return (req, res) => {
    if (req.method !== 'POST') return answer(res, 405, 'POST GitHub webhook deliveries here');
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      options.onOutcome?.({ kind: 'refused', status: 413, reason: 'body too large' });
      answer(res, 413, `body larger than ${limit} bytes`);
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      if (aborted) return;
      size += chunk.length;
      if (size > limit) {
        aborted = true;
        options.onOutcome?.({ kind: 'refused', status: 413, reason: 'body too large' });
        answer(res, 413, `body larger than ${limit} bytes`);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (aborted) return;
      const outcome = readDelivery(options.secret, req.headers, Buffer.concat(chunks), {
        branch: options.branch,
      });
      options.onOutcome?.(outcome);
      switch (outcome.kind) {
        case 'refused':
          return answer(res, outcome.status, outcome.reason);
        case 'ping':
          return answer(res, 200, 'pong');
        case 'ignored':
          return answer(
            res,
            202,
            outcome.reason === undefined
              ? `event "${outcome.event}" ignored`
              : `event "${outcome.event}" ignored: ${outcome.reason}`,
          );
        case 'push':
          answer(res, 202, 'sync scheduled');
          options.onPush(outcome.event);
      }
    });
  };
}
