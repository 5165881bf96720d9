// lbops plan end to end: a real git repository, a state file, exit codes by policy, and the pull-request
// comment through a fake GitHub that checks requests against GitHub's OpenAPI description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createTestRepo, type TestRepo } from '@lbops/gitops/test/git-repo';
import { l2Yaml, poolYaml, service, state } from '@lbops/gitops/test/fixtures';
import { FakeGithub } from '@lbops/gitops/test/fake-github';
import { KubeClient, kubeConfigFor, patchStatus, startApiServer } from '@lbops/kube';
import { run } from '../run.js';

async function lbops(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await run(args, { stdout, stderr, cwd, env });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

async function withRepo(fn: (repo: TestRepo, dir: string) => Promise<void>) {
  const repo = await createTestRepo();
  const dir = mkdtempSync(path.join(tmpdir(), 'lbops-plan-cli-'));
  try {
    await repo.commit(
      { 'pools/pools.yaml': poolYaml('default', ['192.168.10.10-192.168.10.19']), 'pools/l2.yaml': l2Yaml },
      'base',
    );
    await repo.run(['checkout', '-q', '-b', 'shrink']);
    await repo.commit({ 'pools/pools.yaml': poolYaml('default', ['192.168.10.10-192.168.10.14']) }, 'shrink');
    await repo.run(['checkout', '-q', '-b', 'broken', 'main']);
    await repo.commit({ 'pools/pools.yaml': poolYaml('default', ['192.168.10.300/32']) }, 'broken');
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state([service('web', ['192.168.10.18'])])));
    await fn(repo, dir);
  } finally {
    repo.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('exit codes follow --fail-on: invalid head, renumbering, none', async () => {
  await withRepo(async (repo, dir) => {
    const common = [
      'plan',
      '--repo',
      repo.dir,
      '--path',
      'pools',
      '--base',
      'main',
      '--state',
      path.join(dir, 'state.json'),
    ];
    const broken = await lbops([...common, '--head', 'broken'], dir);
    assert.equal(broken.code, 1, broken.stderr);
    assert.match(broken.stdout, /invalid/);
    assert.equal((await lbops([...common, '--head', 'broken', '--fail-on', 'none'], dir)).code, 0);
    const shrink = await lbops([...common, '--head', 'shrink'], dir);
    assert.equal(shrink.code, 0, 'a valid head passes the default policy');
    assert.match(shrink.stdout, /service shop\/web: changed 192\.168\.10\.18 -> 192\.168\.10\.10/);
    assert.equal((await lbops([...common, '--head', 'shrink', '--fail-on', 'renumber'], dir)).code, 1);
    const json = await lbops([...common, '--head', 'shrink', '--format', 'json'], dir);
    assert.equal((JSON.parse(json.stdout) as { risk: { level: string } }).risk.level, 'high');
  });
});

test('usage errors exit 2 and say what to fix', async () => {
  await withRepo(async (repo, dir) => {
    const noBase = await lbops(['plan', '--repo', repo.dir], dir);
    assert.equal(noBase.code, 2);
    assert.match(noBase.stderr, /--base is required/);
    const badRef = await lbops(['plan', '--repo', repo.dir, '--base', 'main', '--head', 'nope'], dir);
    assert.equal(badRef.code, 2);
    assert.match(badRef.stderr, /cannot resolve "nope"/);
    writeFileSync(path.join(dir, 'bad.json'), '{"format":"lbops.assignments","version":9}');
    const badState = await lbops(
      ['plan', '--repo', repo.dir, '--base', 'main', '--state', path.join(dir, 'bad.json')],
      dir,
    );
    assert.equal(badState.code, 2);
    assert.match(badState.stderr, /version 9 is not supported/);
  });
});

test('--comment upserts one sticky comment; a read-only token writes the job summary instead of failing', async () => {
  const token = 'ghs_' + 'x'.repeat(36);
  const fake = new FakeGithub(token);
  await fake.start();
  try {
    await withRepo(async (repo, dir) => {
      const event = path.join(dir, 'event.json');
      writeFileSync(event, JSON.stringify({ pull_request: { number: 12 } }));
      const summary = path.join(dir, 'summary.md');
      const env = {
        GITHUB_TOKEN: token,
        GITHUB_REPOSITORY: 'example/netconf',
        GITHUB_API_URL: fake.url,
        GITHUB_EVENT_PATH: event,
        GITHUB_STEP_SUMMARY: summary,
      };
      const args = [
        'plan',
        '--repo',
        repo.dir,
        '--path',
        'pools',
        '--base',
        'main',
        '--head',
        'shrink',
        '--state',
        path.join(dir, 'state.json'),
        '--comment',
        '--format',
        'markdown',
      ];
      const first = await lbops(args, dir, env);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /comment created/);
      assert.equal(fake.comments.length, 1);
      assert.match(fake.comments[0]?.body ?? '', /^<!-- lbops:plan -->/);
      const second = await lbops(args, dir, env);
      assert.match(second.stderr, /comment unchanged/);
      assert.equal(fake.requests.filter((r) => r.method !== 'GET').length, 1);
      assert.doesNotMatch(first.stderr + second.stderr + first.stdout, new RegExp(token));

      // A fork's pull request: GitHub answers 403 to the read-only token.
      fake.failures.push({
        operationId: 'issues/list-comments',
        status: 403,
        message: 'Resource not accessible by integration',
      });
      const fork = await lbops(args, dir, env);
      assert.equal(fork.code, 0, 'the check does not fail because it could not comment');
      assert.match(fork.stderr, /job summary/);
      assert.match(readFileSync(summary, 'utf8'), /lbops plan/);
      assert.deepEqual(fake.violations, []);
    });
  } finally {
    await fake.close();
  }
});

test('lbops plan --kubeconfig: assignments read from a cluster (embedded API server, Services holding IPs)', async () => {
  const server = await startApiServer({ port: 0 });
  try {
    await withRepo(async (repo, dir) => {
      const kubeconfig = path.join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, server.kubeconfig());
      const client = new KubeClient(kubeConfigFor(server.url, server.token));
      await client.create('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop' },
      });
      const lb = async (name: string, ip: string | undefined, annotations: Record<string, string> = {}) => {
        await client.create('/api/v1/namespaces/shop/services', {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace: 'shop', annotations },
          spec: { type: 'LoadBalancer', ports: [{ port: 443, protocol: 'TCP' }], selector: { app: name } },
        });
        if (ip !== undefined)
          await patchStatus(client, `/api/v1/namespaces/shop/services/${name}`, {
            loadBalancer: { ingress: [{ ip }] },
          });
      };
      // web sits above the shrunk range (moves to the first free address), api stays (.11 is still in the pool),
      // pinned asks for .19 (no longer allowed), queue is pending.
      await lb('web', '192.168.10.18', { 'metallb.io/ip-allocated-from-pool': 'default' });
      await lb('api', '192.168.10.11', { 'metallb.io/ip-allocated-from-pool': 'default' });
      await lb('pinned', '192.168.10.19', { 'metallb.io/loadBalancerIPs': '192.168.10.19' });
      await lb('queue', undefined);
      const common = ['plan', '--repo', repo.dir, '--path', 'pools', '--base', 'main', '--head', 'shrink'];

      const text = await lbops([...common, '--kubeconfig', kubeconfig], dir);
      assert.equal(text.code, 0, text.stderr);
      // Moved into the shrunk range, not onto api's address.
      assert.match(text.stdout, /service shop\/web: changed 192\.168\.10\.18 -> 192\.168\.10\.1[02-4]\n/);
      assert.match(text.stdout, /shop\/pinned/);
      assert.doesNotMatch(text.stdout, /shop\/api: (changed|lost)/);
      const markdown = await lbops([...common, '--kubeconfig', kubeconfig, '--format', 'markdown'], dir);
      assert.ok(markdown.stdout.includes(`4 Services from ${server.url}`), 'the markdown names the cluster');
      for (const out of [text, markdown])
        assert.ok(!(out.stdout + out.stderr).includes(server.token), 'no credentials in the report');
      assert.equal(
        (await lbops([...common, '--kubeconfig', kubeconfig, '--fail-on', 'renumber'], dir)).code,
        1,
      );

      // The same answer as a state file exported from that cluster by `lbops state export`.
      const exported = await lbops(
        ['state', 'export', '--kubeconfig', kubeconfig, '-o', 'state-live.json'],
        dir,
      );
      assert.equal(exported.code, 0, exported.stderr);
      const fromCluster = await lbops([...common, '--kubeconfig', kubeconfig, '--format', 'json'], dir);
      const fromFile = await lbops([...common, '--state', 'state-live.json', '--format', 'json'], dir);
      const services = (out: string) =>
        (JSON.parse(out) as { services: unknown }).services ?? assert.fail('no services in the JSON plan');
      assert.deepEqual(services(fromCluster.stdout), services(fromFile.stdout));
      const impact = JSON.stringify(services(fromCluster.stdout));
      for (const name of ['web', 'pinned']) assert.match(impact, new RegExp(`shop/${name}|"${name}"`));

      // Usage: both sources, and an unreachable cluster.
      const both = await lbops([...common, '--kubeconfig', kubeconfig, '--state', 'state-live.json'], dir);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /give --state or --kubeconfig, not both/);
      writeFileSync(path.join(dir, 'nowhere'), server.kubeconfig().replace(new URL(server.url).port, '1'));
      const down = await lbops([...common, '--kubeconfig', 'nowhere'], dir);
      assert.equal(down.code, 2, down.stdout);
      assert.match(down.stderr, /cannot read the assignments from the cluster/);
    });
  } finally {
    await server.close();
  }
});
