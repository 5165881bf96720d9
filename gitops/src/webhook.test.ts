// The webhook endpoint over real HTTP: GitHub's documented signature example, forged and missing signatures,
// size limit, ping and unknown events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readDelivery, verifySignature, webhookHandler, type PushEvent } from './webhook.js';

test('GitHub\'s documented example: secret "It\'s a Secret to Everybody", payload "Hello, World!"', () => {
  // From docs.github.com, "Validating webhook deliveries" (test values).
  const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
  assert.equal(verifySignature("It's a Secret to Everybody", Buffer.from('Hello, World!'), header), true);
  assert.equal(verifySignature("It's a Secret to Everybody", Buffer.from('Hello, World?'), header), false);
  assert.equal(verifySignature('another secret', Buffer.from('Hello, World!'), header), false);
  assert.equal(
    verifySignature("It's a Secret to Everybody", Buffer.from('Hello, World!'), header.slice(0, 20)),
    false,
  );
  assert.equal(verifySignature("It's a Secret to Everybody", Buffer.from('Hello, World!'), undefined), false);
  assert.equal(
    verifySignature(
      "It's a Secret to Everybody",
      Buffer.from('Hello, World!'),
      header.replace('sha256', 'sha1'),
    ),
    false,
  );
});

const SECRET = 'webhook-test-secret';
const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

test('readDelivery: push, form-encoded push, ping, unknown event, bad JSON', () => {
  const push = JSON.stringify({
    ref: 'refs/heads/main',
    after: 'a'.repeat(40),
    repository: { full_name: 'example/netconf' },
  });
  const headers = (body: string, event: string, type = 'application/json') => ({
    'x-hub-signature-256': sign(body),
    'x-github-event': event,
    'content-type': type,
    'x-github-delivery': 'd-1',
  });
  assert.deepEqual(readDelivery(SECRET, headers(push, 'push'), Buffer.from(push)), {
    kind: 'push',
    event: {
      ref: 'refs/heads/main',
      after: 'a'.repeat(40),
      deleted: false,
      repository: 'example/netconf',
      deliveryId: 'd-1',
    },
  });
  const form = `payload=${encodeURIComponent(push)}`;
  assert.equal(
    readDelivery(SECRET, headers(form, 'push', 'application/x-www-form-urlencoded'), Buffer.from(form)).kind,
    'push',
  );
  assert.equal(readDelivery(SECRET, headers('{}', 'ping'), Buffer.from('{}')).kind, 'ping');
  assert.deepEqual(readDelivery(SECRET, headers('{}', 'issues'), Buffer.from('{}')), {
    kind: 'ignored',
    event: 'issues',
  });
  assert.equal(readDelivery(SECRET, headers('{oops', 'push'), Buffer.from('{oops')).kind, 'refused');
});

test('over HTTP: a forged signature is refused and triggers nothing; a signed push triggers one sync', async () => {
  const pushes: PushEvent[] = [];
  const server = createServer(
    webhookHandler({ secret: SECRET, maxBodyBytes: 4096, onPush: (e) => pushes.push(e) }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: 'b'.repeat(40),
      repository: { full_name: 'example/netconf' },
    });
    const post = (payload: string, headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'application/json', ...headers },
      });
    const forged = await post(body, {
      'x-github-event': 'push',
      'x-hub-signature-256': sign(body, 'guessed-secret'),
    });
    assert.equal(forged.status, 401);
    const unsigned = await post(body, { 'x-github-event': 'push' });
    assert.equal(unsigned.status, 401);
    const tampered = await post(body.replace('main', 'evil'), {
      'x-github-event': 'push',
      'x-hub-signature-256': sign(body),
    });
    assert.equal(tampered.status, 401);
    assert.equal(pushes.length, 0);
    const big = JSON.stringify({
      ref: 'refs/heads/main',
      after: 'c'.repeat(40),
      padding: 'x'.repeat(10_000),
    });
    assert.equal(
      (
        await post(big, { 'x-github-event': 'push', 'x-hub-signature-256': sign(big) }).catch(() => ({
          status: 413,
        }))
      ).status,
      413,
    );
    const issues = await post('{}', { 'x-github-event': 'issues', 'x-hub-signature-256': sign('{}') });
    assert.equal(issues.status, 202);
    assert.equal((await fetch(url)).status, 405);
    const ok = await post(body, { 'x-github-event': 'push', 'x-hub-signature-256': sign(body) });
    assert.equal(ok.status, 202);
    assert.deepEqual(
      pushes.map((p) => p.after),
      ['b'.repeat(40)],
    );
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
