// GitHub's own example webhook payloads (the `push` and `ping` examples of `@octokit/webhooks-examples`, which
// collects the payloads documented on docs.github.com "Webhook events and payloads") delivered over real HTTP
// the way GitHub delivers them: raw JSON body (or form-encoded `payload=`), HMAC-SHA256 in X-Hub-Signature-256,
// the legacy SHA-1 X-Hub-Signature alongside. The sync follows `master` (the branch of the examples) or `main`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { readDelivery, webhookHandler, type PushEvent, type WebhookOutcome } from './webhook.js';

interface Example {
  readonly ref?: string;
  readonly after?: string;
  readonly before?: string;
  readonly deleted?: boolean;
  readonly created?: boolean;
  readonly repository?: { readonly full_name?: string };
  readonly zen?: string;
  readonly [key: string]: unknown;
}

const require = createRequire(import.meta.url);
const catalogue = JSON.parse(
  readFileSync(require.resolve('@octokit/webhooks-examples'), 'utf8'),
) as ReadonlyArray<{ name: string; examples: Example[] }>;
const examplesOf = (name: string): Example[] => catalogue.find((e) => e.name === name)?.examples ?? [];
const pushes = examplesOf('push');
const pings = examplesOf('ping');

const SECRET = "It's a Secret to Everybody";
const hmac = (algorithm: 'sha256' | 'sha1', body: string | Buffer, secret = SECRET) =>
  `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;

/** Independent of the code under test: what a delivery of this payload must do to a sync following `branch`. */
const shouldSync = (p: Example, branch: string) =>
  p.ref === `refs/heads/${branch}` && p.deleted !== true && !/^0+$/.test(p.after ?? '');

async function withEndpoint(
  branch: string,
  body: (post: Post, seen: { pushes: PushEvent[]; outcomes: WebhookOutcome[] }) => Promise<void>,
): Promise<void> {
  const seen = { pushes: [] as PushEvent[], outcomes: [] as WebhookOutcome[] };
  const server = createServer(
    webhookHandler({
      secret: SECRET,
      branch,
      onPush: (e) => seen.pushes.push(e),
      onOutcome: (o) => seen.outcomes.push(o),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payload`;
  try {
    await body(async (event, raw, headers = {}) => {
      const response = await fetch(url, {
        method: 'POST',
        body: raw,
        signal: AbortSignal.timeout(5_000),
        headers: {
          'user-agent': 'GitHub-Hookshot/044aadd',
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': randomUUID(),
          'x-github-hook-id': '109948940',
          'x-hub-signature': hmac('sha1', raw),
          'x-hub-signature-256': hmac('sha256', raw),
          ...headers,
        },
      });
      return { status: response.status, text: await response.text() };
    }, seen);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

type Post = (
  event: string,
  raw: string,
  headers?: Record<string, string>,
) => Promise<{ status: number; text: string }>;

test('the package holds push examples that move a branch and that do not, and ping examples', () => {
  // Guards the tests below against passing vacuously if a later version of the package drops examples.
  assert.ok(pushes.length >= 5, `push examples: ${pushes.length}`);
  assert.ok(pings.length >= 1, `ping examples: ${pings.length}`);
  assert.ok(pushes.some((p) => shouldSync(p, 'master')));
  assert.ok(pushes.some((p) => p.ref?.startsWith('refs/tags/') === true));
  assert.ok(pushes.some((p) => p.deleted === true));
});

test('every push example, signed, is parsed like its payload says (pure)', () => {
  for (const [i, payload] of pushes.entries()) {
    const raw = Buffer.from(JSON.stringify(payload));
    const headers = {
      'x-github-event': 'push',
      'x-github-delivery': `d-${i}`,
      'content-type': 'application/json',
      'x-hub-signature-256': hmac('sha256', raw),
    };
    const outcome = readDelivery(SECRET, headers, raw);
    assert.equal(outcome.kind, 'push', `example ${i}`);
    if (outcome.kind !== 'push') continue;
    assert.deepEqual(outcome.event, {
      ref: payload.ref,
      after: payload.after,
      deleted: payload.deleted === true,
      repository: payload.repository?.full_name,
      deliveryId: `d-${i}`,
    });
    const following = readDelivery(SECRET, headers, raw, { branch: 'master' });
    assert.equal(following.kind, shouldSync(payload, 'master') ? 'push' : 'ignored', `example ${i}`);
  }
});

for (const branch of ['master', 'main']) {
  test(`over HTTP, following ${branch}: each push example is accepted, and only pushes moving ${branch} trigger a sync`, async () => {
    await withEndpoint(branch, async (post, seen) => {
      const expected: string[] = [];
      for (const [i, payload] of pushes.entries()) {
        // Pretty-printed as well as compact: the signature covers the raw bytes, whatever their layout.
        for (const raw of [JSON.stringify(payload), JSON.stringify(payload, null, 2)]) {
          const before = seen.pushes.length;
          const answer = await post('push', raw);
          assert.equal(answer.status, 202, `example ${i}: ${answer.text}`);
          if (shouldSync(payload, branch)) {
            expected.push(payload.after ?? '');
            assert.match(answer.text, /sync scheduled/);
            assert.equal(seen.pushes.length, before + 1, `example ${i} must trigger a sync`);
          } else {
            assert.match(answer.text, /ignored/, `example ${i}`);
            assert.equal(seen.pushes.length, before, `example ${i} (${payload.ref}) must not trigger a sync`);
          }
        }
        // GitHub's other content type for the same hook: application/x-www-form-urlencoded, payload=<json>.
        const form = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
        const before = seen.pushes.length;
        const answer = await post('push', form, {
          'content-type': 'application/x-www-form-urlencoded',
          'x-hub-signature-256': hmac('sha256', form),
        });
        assert.equal(answer.status, 202, answer.text);
        if (shouldSync(payload, branch)) expected.push(payload.after ?? '');
        assert.equal(seen.pushes.length, before + (shouldSync(payload, branch) ? 1 : 0));
      }
      assert.deepEqual(
        seen.pushes.map((p) => p.after),
        expected,
      );
      if (branch === 'master') assert.ok(expected.length > 0);
      assert.ok(seen.pushes.every((p) => p.ref === `refs/heads/${branch}` && !p.deleted));
    });
  });
}

test('over HTTP: the followed branch deleted (after = 0…0) or pushed to another branch does not trigger a sync', async () => {
  // Derived from the example that creates refs/heads/master: the same push mirrored into a deletion (GitHub sends
  // before = the old head, after = the null id, deleted: true), once without the `deleted` flag, once to a
  // branch that is not followed.
  const created = pushes.find((p) => shouldSync(p, 'master'));
  assert.ok(created !== undefined);
  const deleted = {
    ...created,
    before: created.after,
    after: '0'.repeat(40),
    created: false,
    deleted: true,
    head_commit: null,
    commits: [],
  };
  const nullOnly = { ...deleted, deleted: false };
  const otherBranch = { ...created, ref: 'refs/heads/feature/pools' };
  const masterTag = { ...created, ref: 'refs/tags/master' };
  await withEndpoint('master', async (post, seen) => {
    for (const payload of [deleted, nullOnly, otherBranch, masterTag]) {
      const answer = await post('push', JSON.stringify(payload));
      assert.equal(answer.status, 202, answer.text);
      assert.match(answer.text, /ignored/);
    }
    assert.equal(seen.pushes.length, 0);
    assert.match(
      seen.outcomes.map((o) => (o.kind === 'ignored' ? (o.reason ?? '') : o.kind)).join('\n'),
      /refs\/heads\/master deleted/,
    );
    // The unmodified example still triggers (the endpoint is not refusing everything).
    assert.equal((await post('push', JSON.stringify(created))).status, 202);
    assert.equal(seen.pushes.length, 1);
  });
});

test('over HTTP: each ping example is answered pong and triggers nothing', async () => {
  await withEndpoint('master', async (post, seen) => {
    for (const [i, payload] of pings.entries()) {
      const answer = await post('ping', JSON.stringify(payload));
      assert.equal(answer.status, 200, `ping example ${i}`);
      assert.match(answer.text, /pong/);
    }
    assert.equal(seen.pushes.length, 0);
  });
});

test('over HTTP: the same example bodies with a forged signature are refused and trigger nothing', async () => {
  await withEndpoint('master', async (post, seen) => {
    for (const [i, payload] of [...pushes, ...pings].entries()) {
      const event = i < pushes.length ? 'push' : 'ping';
      const raw = JSON.stringify(payload);
      const forgeries: Array<Record<string, string>> = [
        { 'x-hub-signature-256': hmac('sha256', raw, 'guessed secret') },
        // Signed for the compact body, sent pretty-printed: the bytes differ.
        { 'x-hub-signature-256': hmac('sha256', JSON.stringify(JSON.parse(raw) as unknown, null, 1)) },
        // Only the legacy SHA-1 signature (correct): not accepted.
        { 'x-hub-signature-256': '' },
        { 'x-hub-signature-256': hmac('sha1', raw) },
        // The right signature with trailing garbage: hex decoding alone would stop at it and accept.
        { 'x-hub-signature-256': `${hmac('sha256', raw)}0` },
        { 'x-hub-signature-256': `${hmac('sha256', raw)}zz` },
        { 'x-hub-signature-256': `${hmac('sha256', raw)},sha256=00` },
      ];
      for (const headers of forgeries) {
        const answer = await post(event, raw, headers);
        assert.equal(answer.status, 401, `${event} example ${i}: ${JSON.stringify(headers)}`);
      }
      // The payload tampered with after signing: keys appended (the last one wins in JSON) that would make it a
      // push moving the followed branch.
      const tampered = `${raw.slice(0, -1)},"ref":"refs/heads/master","after":"${'f'.repeat(40)}","deleted":false}`;
      assert.equal((await post(event, tampered, { 'x-hub-signature-256': hmac('sha256', raw) })).status, 401);
    }
    assert.equal(seen.pushes.length, 0);
    assert.ok(seen.outcomes.every((o) => o.kind === 'refused'));
  });
});
