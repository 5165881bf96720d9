// GitHub over real HTTP against a fake that checks each request with GitHub's OpenAPI description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GithubClient, GithubError, redact } from './github.js';
import { retryDecision, defaultRetryPolicy } from './github-retry.js';
import { FakeGithub } from './test/fake-github.js';
import { PLAN_MARKER } from './render-plan.js';

const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';

async function withGithub(run: (fake: FakeGithub, client: GithubClient, sleeps: number[]) => Promise<void>) {
  const fake = new FakeGithub(TOKEN);
  await fake.start();
  const sleeps: number[] = [];
  const client = new GithubClient({
    token: TOKEN,
    baseUrl: fake.url,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    now: () => Date.parse('2026-01-01T00:00:00Z'),
    random: () => 0.5,
  });
  try {
    await run(fake, client, sleeps);
    assert.deepEqual(fake.violations, [], "every request and answer matches GitHub's OpenAPI description");
  } finally {
    await fake.close();
  }
}

const target = { owner: 'example', repo: 'netconf', issueNumber: 7, marker: PLAN_MARKER };

test('ensureComment creates the comment once, then edits it in place, and is a no-op when unchanged', async () => {
  await withGithub(async (fake, client) => {
    const first = await client.ensureComment({ ...target, body: `${PLAN_MARKER}\nplan v1` });
    assert.equal(first.action, 'created');
    const again = await client.ensureComment({ ...target, body: `${PLAN_MARKER}\nplan v1` });
    assert.equal(again.action, 'unchanged');
    assert.equal(again.id, first.id);
    const writesBefore = fake.requests.filter((r) => r.method !== 'GET').length;
    const edited = await client.ensureComment({ ...target, body: `${PLAN_MARKER}\nplan v2` });
    assert.equal(edited.action, 'updated');
    assert.equal(edited.id, first.id);
    assert.equal(fake.requests.filter((r) => r.method !== 'GET').length, writesBefore + 1);
    assert.equal(fake.comments.length, 1);
    assert.equal(fake.comments[0]?.body, `${PLAN_MARKER}\nplan v2`);
    // The no-op wrote nothing: one POST, one PATCH in all.
    assert.deepEqual(
      fake.requests.filter((r) => r.method !== 'GET').map((r) => r.operationId),
      ['issues/create-comment', 'issues/update-comment'],
    );
  });
});

test('ensureComment finds its marker on a later page (pagination through Link headers)', async () => {
  await withGithub(async (fake, client) => {
    for (let i = 0; i < 230; i += 1)
      fake.comments.push({
        id: i + 1,
        issue: 'example/netconf#7',
        body: `chatter ${i}`,
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
      });
    fake.comments.push({
      id: 999,
      issue: 'example/netconf#7',
      body: `${PLAN_MARKER}\nold`,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    });
    const result = await client.ensureComment({ ...target, body: `${PLAN_MARKER}\nnew` });
    assert.equal(result.action, 'updated');
    assert.equal(result.id, 999);
    const pages = fake.requests
      .filter((r) => r.operationId === 'issues/list-comments')
      .map((r) => new URLSearchParams(r.path.split('?')[1]).get('page') ?? '1');
    assert.deepEqual(pages, ['1', '2', '3']);
    assert.equal(fake.comments.filter((c) => c.body.includes(PLAN_MARKER)).length, 1);
  });
});

test('a 502 is retried with backoff and the call succeeds', async () => {
  await withGithub(async (fake, client, sleeps) => {
    fake.failures.push({ operationId: 'issues/create-comment', status: 502, message: 'Server Error' });
    fake.failures.push({ operationId: 'issues/create-comment', status: 502, message: 'Server Error' });
    const result = await client.ensureComment({ ...target, body: 'hello' });
    assert.equal(result.action, 'created');
    assert.equal(fake.comments.length, 1, 'the retries created one comment, not three');
    assert.equal(sleeps.length, 2);
    assert.deepEqual(sleeps, [1000, 2000], 'exponential backoff (jitter fixed at its middle)');
  });
});

test('a secondary rate limit waits retry-after seconds, then succeeds', async () => {
  await withGithub(async (fake, client, sleeps) => {
    fake.failures.push({
      operationId: 'issues/list-comments',
      status: 403,
      headers: { 'retry-after': '7' },
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    });
    const result = await client.ensureComment({ ...target, body: 'hello' });
    assert.equal(result.action, 'created');
    assert.deepEqual(sleeps, [7000]);
  });
});

test('a primary rate limit waits until x-ratelimit-reset', async () => {
  await withGithub(async (fake, client, sleeps) => {
    const reset = Date.parse('2026-01-01T00:00:00Z') / 1000 + 30;
    fake.failures.push({
      operationId: 'issues/list-comments',
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      message: 'API rate limit exceeded for installation ID 1.',
    });
    await client.ensureComment({ ...target, body: 'hello' });
    assert.deepEqual(sleeps, [31_000]);
  });
});

test('a persistent failure gives up after maxAttempts and the error never holds the token', async () => {
  await withGithub(async (fake, client, sleeps) => {
    for (let i = 0; i < 10; i += 1) fake.failures.push({ status: 503, message: `upstream said ${TOKEN}` });
    const error = await client.ensureComment({ ...target, body: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof GithubError);
    assert.equal(error.status, 503);
    assert.equal(sleeps.length, defaultRetryPolicy.maxAttempts - 1);
    assert.doesNotMatch(error.message, new RegExp(TOKEN));
    assert.doesNotMatch(JSON.stringify(error), new RegExp(TOKEN));
    assert.match(error.message, /\[REDACTED\]/);
  });
});

test('bad credentials are not retried and say what to check', async () => {
  const fake = new FakeGithub('another-token-entirely');
  await fake.start();
  try {
    const client = new GithubClient({ token: TOKEN, baseUrl: fake.url, sleep: () => Promise.resolve() });
    await assert.rejects(
      client.ensureComment({ ...target, body: 'x' }),
      (e: unknown) =>
        e instanceof GithubError &&
        e.status === 401 &&
        /invalid or expired/.test(e.message) &&
        !e.message.includes(TOKEN),
    );
    assert.equal(fake.requests.length, 1);
  } finally {
    await fake.close();
  }
});

test('findPullRequest prefers the pull request whose head or merge commit the SHA is', async () => {
  await withGithub(async (fake, client) => {
    const sha = 'a'.repeat(40);
    fake.pullsByCommit.set(sha, [
      { number: 3, state: 'closed', headSha: 'b'.repeat(40) },
      { number: 5, state: 'closed', headSha: 'c'.repeat(40), mergeSha: sha },
    ]);
    const pr = await client.findPullRequest({ owner: 'example', repo: 'netconf', sha });
    assert.equal(pr?.number, 5);
    assert.equal(pr?.merged, true);
    assert.equal(
      await client.findPullRequest({ owner: 'example', repo: 'netconf', sha: 'd'.repeat(40) }),
      undefined,
    );
  });
});

test('retryDecision: table of GitHub answers', () => {
  const now = 1_000_000_000_000;
  const rows: Array<[string, Parameters<typeof retryDecision>[0], number, ReturnType<typeof retryDecision>]> =
    [
      ['404 is final', { status: 404, headers: {}, message: 'Not Found' }, 1, { retry: false }],
      ['422 is final', { status: 422, headers: {}, message: 'Validation Failed' }, 1, { retry: false }],
      [
        '500 first retry',
        { status: 500, headers: {}, message: '' },
        1,
        { retry: true, delayMs: 1000, why: 'server-error' },
      ],
      [
        '502 third retry doubles twice',
        { status: 502, headers: {}, message: '' },
        3,
        { retry: true, delayMs: 4000, why: 'server-error' },
      ],
      ['last attempt is final', { status: 502, headers: {}, message: '' }, 4, { retry: false }],
      [
        '403 plain is final (permissions)',
        { status: 403, headers: {}, message: 'Resource not accessible by integration' },
        1,
        { retry: false },
      ],
      [
        'secondary without retry-after waits a minute',
        { status: 403, headers: {}, message: 'You have exceeded a secondary rate limit' },
        1,
        { retry: true, delayMs: 60_000, why: 'secondary-rate-limit' },
      ],
      [
        '429 retry-after',
        { status: 429, headers: { 'retry-after': '2' }, message: '' },
        1,
        { retry: true, delayMs: 2000, why: 'secondary-rate-limit' },
      ],
      [
        'reset too far away is final',
        {
          status: 403,
          headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 3600) },
          message: '',
        },
        1,
        { retry: false },
      ],
    ];
  for (const [name, response, attempt, expected] of rows)
    assert.deepEqual(retryDecision(response, attempt, now, defaultRetryPolicy, 0.5), expected, name);
});

test('redact removes the token and token-shaped strings', () => {
  assert.equal(redact(`Authorization: token ${TOKEN}`, [TOKEN]), 'Authorization: token [REDACTED]');
  assert.equal(
    redact('leaked github_pat_11ABCDEFG0123456789_abcdefghijklmnop here', []),
    'leaked [REDACTED] here',
  );
});

test('the fake catches requests GitHub would not accept (so the checks above can fail)', async () => {
  const fake = new FakeGithub(TOKEN);
  await fake.start();
  try {
    const headers = {
      authorization: `token ${TOKEN}`,
      accept: 'application/vnd.github+json',
      'user-agent': 't',
    };
    await fetch(`${fake.url}/repos/o/r/issues/7/comments`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ text: 'no body field' }),
    });
    await fetch(`${fake.url}/repos/o/r/issues/seven/comments?per_page=100`, { headers });
    await fetch(`${fake.url}/repos/o/r/issues/7/comments?color=red`, { headers });
    await fetch(`${fake.url}/repos/o/r/issues/7/lock`, { method: 'PUT', headers });
    assert.equal(fake.violations.length, 4, fake.violations.join('\n'));
    assert.match(fake.violations[0] ?? '', /request body.*required property 'body'/);
    assert.match(fake.violations[1] ?? '', /issue_number/);
    assert.match(fake.violations[2] ?? '', /unknown query parameter color/);
    assert.match(fake.violations[3] ?? '', /not an operation/);
  } finally {
    await fake.close();
  }
});
