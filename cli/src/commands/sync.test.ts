// lbops sync --once against the embedded API server, following a bare repository that real pushes update.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { startApiServer, KubeClient, kubeConfigFor, type KubeObject } from '@lbops/kube';
import { createTestRepo } from '@lbops/gitops/test/git-repo';
import { startGitHttpServer } from '@lbops/gitops/test/git-http-server';
import { l2Yaml, poolYaml } from '@lbops/gitops/test/fixtures';
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

test('lbops sync --once applies a valid head (exit 0) and refuses an invalid one (exit 1, nothing changes)', async () => {
  const server = await startApiServer({ port: 0 });
  const remote = await createTestRepo({ bare: true });
  const work = await createTestRepo();
  const dir = mkdtempSync(path.join(tmpdir(), 'lbops-sync-cli-'));
  try {
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig());
    const client = new KubeClient(kubeConfigFor(server.url, server.token));
    const push = async (files: Record<string, string | null>) => {
      const sha = await work.commit(files, 'change');
      await work.run(['push', '-q', remote.dir, 'HEAD:refs/heads/main']);
      return sha;
    };
    const args = [
      'sync',
      '--once',
      '--git-url',
      remote.dir,
      '--git-path',
      'pools',
      '--kubeconfig',
      kubeconfig,
      '--cache-dir',
      path.join(dir, 'cache'),
      '--log-level',
      'error',
    ];
    const good = await push({
      'pools/pools.yaml': poolYaml('lan', ['10.1.0.0/29']),
      'pools/l2.yaml': l2Yaml,
    });
    const first = await lbops(args, dir);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`applied ${good.slice(0, 12)}`));
    const poolPath = '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/lan';
    assert.deepEqual(
      (await client.get<KubeObject & { spec: { addresses: string[] } }>(poolPath)).spec.addresses,
      ['10.1.0.0/29'],
    );
    await push({ 'pools/pools.yaml': poolYaml('lan', ['10.1.0.0/33']) });
    const second = await lbops(args, dir);
    assert.equal(second.code, 1, second.stdout + second.stderr);
    assert.match(second.stdout, /invalid/);
    assert.deepEqual(
      (await client.get<KubeObject & { spec: { addresses: string[] } }>(poolPath)).spec.addresses,
      ['10.1.0.0/29'],
    );
    // A new process with the head still invalid: the commit in force is recovered from the cluster's
    // annotations, so the ConfigurationState says it is kept and drift is still repaired.
    await client.mergePatch(poolPath, { spec: { addresses: ['10.1.0.0/32'] } });
    const third = await lbops(args, dir);
    assert.equal(third.code, 1);
    assert.deepEqual(
      (await client.get<KubeObject & { spec: { addresses: string[] } }>(poolPath)).spec.addresses,
      ['10.1.0.0/29'],
    );
    const state = await client.get<KubeObject & { status?: { conditions?: Array<{ reason?: string }> } }>(
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/configurationstates/lbops-gitops',
    );
    assert.equal(state.status?.conditions?.[0]?.reason, 'LastGoodConfigKept');
    const usage = await lbops(['sync', '--once'], dir);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--git-url is required/);
  } finally {
    await server.close();
    remote.cleanup();
    work.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lbops sync --git-credentials-secret: HTTPS credentials read from a Secret through the API, never printed', async () => {
  const TOKEN = 'ghs_' + 'C'.repeat(36);
  const WRONG = 'not-the-token-5678';
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const server = await startApiServer({ port: 0 });
  const dir = mkdtempSync(path.join(tmpdir(), 'lbops-sync-secret-'));
  const remote = await createTestRepo({ bare: true, dir: path.join(dir, 'repos', 'net.git') });
  const work = await createTestRepo();
  const http = await startGitHttpServer({
    root: path.join(dir, 'repos'),
    username: 'x-access-token',
    password: TOKEN,
  });
  try {
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig());
    const client = new KubeClient(kubeConfigFor(server.url, server.token));
    const sha = await work.commit(
      { 'pools/pools.yaml': poolYaml('lan', ['10.2.0.0/29']), 'pools/l2.yaml': l2Yaml },
      'pools',
    );
    await work.run(['push', '-q', remote.dir, 'HEAD:refs/heads/main']);
    const args = (secret: string) => [
      'sync',
      '--once',
      '--git-url',
      `${http.url}/net.git`,
      '--git-path',
      'pools',
      '--git-credentials-secret',
      secret,
      '--kubeconfig',
      kubeconfig,
      '--cache-dir',
      path.join(dir, 'cache'),
      '--log-level',
      'error',
    ];
    const secrets = '/api/v1/namespaces/metallb-system/secrets';
    // Missing Secret: exit 2 with a message naming it. $LBOPS_GIT_TOKEN (right) is not used instead.
    const missing = await lbops(args('metallb-system/git-credentials'), dir, { LBOPS_GIT_TOKEN: TOKEN });
    assert.equal(missing.code, 2, missing.stdout + missing.stderr);
    assert.match(missing.stdout + missing.stderr, /Secret metallb-system\/git-credentials does not exist/);
    await client.create(secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'git-credentials', namespace: 'metallb-system' },
      data: { token: b64(WRONG) },
    });
    const refused = await lbops(args('metallb-system/git-credentials'), dir);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /error: cannot fetch main/);
    for (const leaked of [WRONG, b64(`x-access-token:${WRONG}`), TOKEN])
      assert.ok(!(refused.stdout + refused.stderr).includes(leaked), 'a credential was printed');
    await client.mergePatch(`${secrets}/git-credentials`, { data: { token: b64(`${TOKEN}\n`) } });
    const ok = await lbops(args('metallb-system/git-credentials'), dir);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, new RegExp(`applied ${sha.slice(0, 12)}`));
    assert.ok(!(ok.stdout + ok.stderr).includes(TOKEN));
    assert.equal(http.authorizations.at(-1), `Basic ${b64(`x-access-token:${TOKEN}`)}`);
    const pool = await client.get<KubeObject & { spec: { addresses: string[] } }>(
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/lan',
    );
    assert.deepEqual(pool.spec.addresses, ['10.2.0.0/29']);
    const bad = await lbops([...args('metallb-system/Git_Creds')], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--git-credentials-secret wants NAMESPACE\/NAME/);
    const both = await lbops([...args('metallb-system/git-credentials'), '--git-ssh-key', 'id'], dir);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /cannot be combined/);
  } finally {
    await http.close();
    await server.close();
    remote.cleanup();
    work.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
