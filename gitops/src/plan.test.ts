// Plans over real git repositories, checked against golden Markdown (LBOPS_UPDATE_GOLDEN=1 rewrites them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { planFromGit } from './plan-from-git.js';
import { renderJson, renderMarkdown, PLAN_MARKER } from './render-plan.js';
import { createTestRepo } from './test/git-repo.js';
import { l2Yaml, poolYaml, service, state } from './test/fixtures.js';
import type { Plan } from './plan.js';

const goldenDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const update = process.env.LBOPS_UPDATE_GOLDEN === '1';
const repositoryUrl = 'https://github.com/example/netconf';

function checkGolden(name: string, actual: string) {
  const file = path.join(goldenDir, name);
  if (update) writeFileSync(file, actual);
  assert.ok(existsSync(file), `golden file golden/${name} is missing; run with LBOPS_UPDATE_GOLDEN=1`);
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from golden/${name}`);
}

async function planOf(
  baseFiles: Record<string, string | null>,
  headFiles: Record<string, string | null>,
  st: Parameters<typeof planFromGit>[0]['state'],
): Promise<{ plan: Plan; markdown: string }> {
  const repo = await createTestRepo();
  try {
    await repo.commit({ 'README.md': 'network config\n', ...baseFiles }, 'base');
    await repo.run(['checkout', '-q', '-b', 'change']);
    await repo.commit(headFiles, 'change');
    // The working tree is left on another branch with an unrelated edit: plan must read only git objects.
    await repo.run(['checkout', '-q', 'main']);
    writeFileSync(path.join(repo.dir, 'pools', 'pools.yaml'), 'garbage: [');
    const plan = await planFromGit({
      repo: repo.dir,
      base: 'main',
      head: 'change',
      path: 'pools',
      state: st,
    });
    return { plan, markdown: renderMarkdown(plan, { repositoryUrl, baseRef: 'main', headRef: 'change' }) };
  } finally {
    repo.cleanup();
  }
}

test('pool shrink: Services outside the new range move, a requested IP becomes invalid (golden)', async () => {
  const { plan, markdown } = await planOf(
    { 'pools/pools.yaml': poolYaml('default', ['192.168.10.10-192.168.10.19']), 'pools/l2.yaml': l2Yaml },
    { 'pools/pools.yaml': poolYaml('default', ['192.168.10.10-192.168.10.14']) },
    state([
      service('web', ['192.168.10.10'], { created: '2025-01-01T00:00:00Z' }),
      service('api', ['192.168.10.11'], { created: '2025-01-02T00:00:00Z' }),
      service('cart', ['192.168.10.17'], { created: '2025-01-03T00:00:00Z' }),
      service('search', ['192.168.10.18'], { created: '2025-01-04T00:00:00Z' }),
      service('pinned', ['192.168.10.19'], {
        created: '2025-01-05T00:00:00Z',
        annotations: { 'metallb.io/loadBalancerIPs': '192.168.10.19' },
      }),
    ]),
  );
  assert.equal(plan.risk.level, 'high');
  const byService = new Map((plan.services ?? []).map((s) => [s.service, s]));
  assert.deepEqual(byService.get('shop/cart')?.after, ['192.168.10.12']);
  assert.deepEqual(byService.get('shop/search')?.after, ['192.168.10.13']);
  assert.equal(byService.get('shop/cart')?.kind, 'changed');
  assert.equal(byService.get('shop/pinned')?.kind, 'requested-invalid');
  assert.equal(byService.has('shop/web'), false, 'unmoved Services are not listed');
  const usage = plan.usage.find((u) => u.pool === 'default');
  assert.equal(usage?.before?.size, 10n);
  assert.equal(usage?.after?.size, 5n);
  assert.equal(usage?.after?.used, 4n);
  assert.ok(markdown.startsWith(PLAN_MARKER));
  checkGolden('plan-pool-shrink.md', markdown);
});

test('pool growth: a pending Service gets an address, nothing moves (golden)', async () => {
  const { plan, markdown } = await planOf(
    { 'pools/pools.yaml': poolYaml('default', ['192.168.10.10-192.168.10.11']), 'pools/l2.yaml': l2Yaml },
    { 'pools/pools.yaml': poolYaml('default', ['192.168.10.10-192.168.10.13']) },
    state([
      service('web', ['192.168.10.10'], { created: '2025-01-01T00:00:00Z' }),
      service('api', ['192.168.10.11'], { created: '2025-01-02T00:00:00Z' }),
      service('cart', [], { created: '2025-01-03T00:00:00Z' }),
    ]),
  );
  assert.equal(plan.risk.level, 'low');
  assert.deepEqual(
    (plan.services ?? []).map((s) => [s.service, s.kind, s.after]),
    [['shop/cart', 'assigned', ['192.168.10.12']]],
  );
  checkGolden('plan-pool-growth.md', markdown);
});

test('new pool: added with its advertisement, sizes shown, no Service affected (golden)', async () => {
  const { plan, markdown } = await planOf(
    { 'pools/pools.yaml': poolYaml('default', ['192.168.10.10-192.168.10.19']), 'pools/l2.yaml': l2Yaml },
    {
      'pools/ipv6.yaml': poolYaml('v6', ['2001:db8:10::/120'], '  autoAssign: false'),
    },
    state([service('web', ['192.168.10.10'])]),
  );
  assert.equal(plan.risk.level, 'low');
  assert.deepEqual(
    plan.resources.map((r) => [r.kind, r.name, r.change]),
    [
      ['IPAddressPool', 'v6', 'added'],
      ['L2Advertisement', 'lan', 'changed'],
    ],
  );
  assert.deepEqual(plan.resources[1]?.selection, { added: ['v6'], removed: [] });
  assert.equal(plan.usage.find((u) => u.pool === 'v6')?.after?.size, 256n);
  checkGolden('plan-new-pool.md', markdown);
});

test('invalid head: errors linked to the lines of the head commit, high risk (golden)', async () => {
  const { plan, markdown } = await planOf(
    { 'pools/pools.yaml': poolYaml('default', ['192.168.10.10-192.168.10.19']), 'pools/l2.yaml': l2Yaml },
    {
      'pools/pools.yaml':
        poolYaml('default', ['192.168.10.10-192.168.10.19']) +
        '---\n' +
        poolYaml('extra', ['192.168.10.15/29', '10.0.0.300/32']),
    },
    state([service('web', ['192.168.10.10'])]),
  );
  assert.equal(plan.head.valid, false);
  assert.equal(plan.risk.level, 'high');
  assert.ok(plan.head.errors.length >= 2);
  assert.match(
    markdown,
    new RegExp(`\\(${repositoryUrl}/blob/${plan.head.commit}/pools/pools\\.yaml#L\\d+\\)`),
  );
  checkGolden('plan-invalid-head.md', markdown);
});

test('no state: pool sizes still shown, Service effect marked unknown, JSON keeps bigints exact', async () => {
  const { plan, markdown } = await planOf(
    { 'pools/pools.yaml': poolYaml('default', ['2001:db8::/64']), 'pools/l2.yaml': l2Yaml },
    { 'pools/pools.yaml': poolYaml('default', ['2001:db8::/96']) },
    undefined,
  );
  assert.equal(plan.services, undefined);
  assert.equal(plan.risk.level, 'medium');
  assert.match(markdown, /effect on Services is not computed/);
  const json = JSON.parse(renderJson(plan)) as { usage: Array<{ before: { size: string } }> };
  assert.equal(json.usage[0]?.before.size, '18446744073709551616');
});

test('unknown ref is a git error naming the ref', async () => {
  const repo = await createTestRepo();
  try {
    await repo.commit({ 'pools/a.yaml': poolYaml('a', ['10.0.0.0/30']) }, 'one');
    await assert.rejects(
      planFromGit({ repo: repo.dir, base: 'main', head: 'no-such-branch' }),
      /no-such-branch/,
    );
  } finally {
    repo.cleanup();
  }
});
