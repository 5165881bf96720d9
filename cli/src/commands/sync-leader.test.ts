// Two `lbops sync --leader-elect` processes against the embedded API server, following one bare repository:
// one holds the Lease, applies and is ready; the other waits, not ready. SIGTERM to the leader releases the
// Lease; the other takes over and applies the next push.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer, KubeClient, kubeConfigFor, type KubeObject } from '@lbops/kube';
import { createTestRepo } from '@lbops/gitops/test/git-repo';
import { l2Yaml, poolYaml } from '@lbops/gitops/test/fixtures';

const main = fileURLToPath(new URL('../main.js', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000; i += 1) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

test(
  'lbops sync --leader-elect: two processes, one leads and is ready, the other takes over on SIGTERM',
  { timeout: 90_000 },
  async () => {
    const server = await startApiServer({ port: 0 });
    const client = new KubeClient(kubeConfigFor(server.url, server.token));
    const remote = await createTestRepo({ bare: true });
    const work = await createTestRepo();
    const dir = mkdtempSync(path.join(tmpdir(), 'lbops-sync-leader-'));
    const children = new Map<
      string,
      { child: ChildProcess; port: number; log: () => string; exited: Promise<number | null> }
    >();
    try {
      const kubeconfig = path.join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, server.kubeconfig());
      const push = async (files: Record<string, string>, message: string) => {
        const sha = await work.commit(files, message);
        await work.run(['push', '-q', remote.dir, 'HEAD:refs/heads/main']);
        return sha;
      };
      const c1 = await push(
        { 'pools/pools.yaml': poolYaml('lan', ['10.4.0.0/29']), 'pools/l2.yaml': l2Yaml },
        'c1',
      );
      for (const name of ['replica-a', 'replica-b']) {
        const port = await freePort();
        const child = spawn(
          process.execPath,
          [
            main,
            'sync',
            '--git-url',
            remote.dir,
            '--git-path',
            'pools',
            '--kubeconfig',
            kubeconfig,
            '--interval',
            '1s',
            '--leader-elect',
            '--metrics-listen',
            `127.0.0.1:${port}`,
            '--cache-dir',
            path.join(dir, `cache-${name}`),
          ],
          { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POD_NAME: name } },
        );
        let log = '';
        child.stdout?.setEncoding('utf8').on('data', (c: string) => (log += c));
        child.stderr?.setEncoding('utf8').on('data', (c: string) => (log += c));
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        children.set(name, { child, port, log: () => log, exited });
      }
      const leasePath = '/apis/coordination.k8s.io/v1/namespaces/metallb-system/leases/lbops-gitops-sync';
      const holder = async () => {
        try {
          return (await client.get<KubeObject & { spec: { holderIdentity?: string } }>(leasePath)).spec
            .holderIdentity;
        } catch {
          return undefined;
        }
      };
      const poolAt = async (commit: string) => {
        try {
          const pool = await client.get<KubeObject>(
            '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/lan',
          );
          return pool.metadata?.annotations?.['lbops.io/git-commit'] === commit ? pool : undefined;
        } catch {
          return undefined;
        }
      };
      const ready = async (name: string) => {
        try {
          return (
            await fetch(`http://127.0.0.1:${children.get(name)?.port}/readyz`, {
              signal: AbortSignal.timeout(2_000),
            })
          ).status;
        } catch {
          return 0;
        }
      };
      const leader = await waitFor('a lease holder', async () => {
        const h = await holder();
        return h === 'replica-a' || h === 'replica-b' ? h : undefined;
      });
      const follower = leader === 'replica-a' ? 'replica-b' : 'replica-a';
      await waitFor('c1 applied', () => poolAt(c1));
      await waitFor('the leader ready', async () => ((await ready(leader)) === 200 ? true : undefined));
      assert.notEqual(await ready(follower), 200, 'the follower must not be ready');
      assert.match(children.get(follower)?.log() ?? '', /"msg":"following"|following/);
      assert.doesNotMatch(children.get(follower)?.log() ?? '', /commit applied/);

      children.get(leader)?.child.kill('SIGTERM');
      assert.equal(await children.get(leader)?.exited, 0, children.get(leader)?.log());
      await waitFor('the follower holds the Lease', async () =>
        (await holder()) === follower ? true : undefined,
      );
      const c2 = await push({ 'pools/pools.yaml': poolYaml('lan', ['10.4.0.0/28']) }, 'c2');
      await waitFor('c2 applied by the new leader', () => poolAt(c2));
      await waitFor('the new leader ready', async () => ((await ready(follower)) === 200 ? true : undefined));
      // The log line follows the apply (and the pipe): waited for, not read at once.
      const applied = new RegExp(`"msg":"commit applied".*"commit":"${c2}"`);
      await waitFor('the new leader logs the apply', () =>
        Promise.resolve(applied.test(children.get(follower)?.log() ?? '') ? true : undefined),
      );
    } finally {
      for (const { child, exited } of children.values()) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await server.close();
      remote.cleanup();
      work.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
