// Bench suite `gitops` (npm run bench -- gitops): plan time for a pool shrink over 10,000 Services (pure and from
// real git), and push-to-applied latency of the sync through the signed webhook against the embedded API server.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeClient, kubeConfigFor, startApiServer } from '@lbops/kube';
import { loadConfig } from '@lbops/schemas';
import { computePlan } from '../plan.js';
import { planFromGit } from '../plan-from-git.js';
import { GitSource } from '../git-source.js';
import { GitSync, type SyncResult } from '../sync.js';
import { webhookHandler } from '../webhook.js';
import { createTestRepo } from '../test/git-repo.js';
import { l2Yaml, poolYaml, service, state } from '../test/fixtures.js';

interface Row {
  name: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

async function planRows(): Promise<Row[]> {
  const services = Array.from({ length: 10_000 }, (_, i) =>
    service(`s${i}`, [`10.0.${Math.floor(i / 256)}.${i % 256}`], {
      created: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    }),
  );
  const st = state(services);
  const baseFiles = [
    { name: 'p.yaml', content: poolYaml('default', ['10.0.0.0/18']) },
    { name: 'l2.yaml', content: l2Yaml },
  ];
  const headFiles = [
    { name: 'p.yaml', content: poolYaml('default', ['10.0.0.0/19', '10.1.0.0/19']) },
    { name: 'l2.yaml', content: l2Yaml },
  ];
  const input = {
    base: { commit: 'a', files: baseFiles, result: loadConfig(baseFiles) },
    head: { commit: 'b', files: headFiles, result: loadConfig(headFiles) },
    state: st,
  };
  computePlan(input);
  const times: number[] = [];
  let moved = 0;
  for (let i = 0; i < 5; i += 1) {
    const t0 = process.hrtime.bigint();
    const plan = computePlan(input);
    times.push(ms(t0));
    moved = (plan.services ?? []).filter((s) => s.kind === 'changed').length;
  }
  const repo = await createTestRepo();
  let gitMs = 0;
  try {
    await repo.commit({ 'pools/p.yaml': baseFiles[0]?.content ?? '', 'pools/l2.yaml': l2Yaml }, 'base');
    await repo.commit({ 'pools/p.yaml': headFiles[0]?.content ?? '' }, 'head');
    const t0 = process.hrtime.bigint();
    await planFromGit({ repo: repo.dir, base: 'HEAD~1', head: 'HEAD', path: 'pools', state: st });
    gitMs = ms(t0);
  } finally {
    repo.cleanup();
  }
  const p50 = percentile(times, 50);
  return [
    {
      name: 'plan: 10,000 Services, pool shrink (pure), p50',
      value: Math.round(p50),
      unit: 'ms',
      target: '< 2000 ms',
      met: p50 < 2000,
    },
    { name: 'plan: Services moved by that shrink', value: moved, unit: 'Services' },
    {
      name: 'plan from git refs (real git) + 10,000 Services',
      value: Math.round(gitMs),
      unit: 'ms',
      target: '< 3000 ms',
      met: gitMs < 3000,
    },
  ];
}

async function syncRows(): Promise<Row[]> {
  const SECRET = 'bench-secret';
  const server = await startApiServer({ port: 0 });
  const client = new KubeClient(kubeConfigFor(server.url, server.token));
  const remote = await createTestRepo({ bare: true });
  const work = await createTestRepo();
  const cache = mkdtempSync(path.join(tmpdir(), 'lbops-bench-sync-'));
  const results = new Map<string, SyncResult>();
  const sync = new GitSync({
    source: new GitSource({ url: remote.dir, branch: 'main', cacheDir: cache }),
    client,
    path: 'pools',
  });
  const hook = createServer(
    webhookHandler({
      secret: SECRET,
      onPush: (e) => void sync.trigger('webhook').then((r) => results.set(e.after, r)),
    }),
  );
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < 12; i += 1) {
      const sha = await work.commit(
        { 'pools/p.yaml': poolYaml('lan', [`10.${i}.0.0/24`]), 'pools/l2.yaml': l2Yaml },
        `c${i}`,
      );
      await work.run(['push', '-q', '-f', remote.dir, 'HEAD:refs/heads/main']);
      const body = JSON.stringify({
        ref: 'refs/heads/main',
        after: sha,
        repository: { full_name: 'bench/net' },
      });
      const t0 = process.hrtime.bigint();
      await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'x-github-event': 'push',
          'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
        },
      });
      const deadline = Date.now() + 10_000;
      while (!results.has(sha) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      if (results.get(sha)?.result === 'applied' && i > 0) latencies.push(ms(t0));
    }
  } finally {
    await sync.stop();
    hook.closeAllConnections();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
    await server.close();
    remote.cleanup();
    work.cleanup();
    rmSync(cache, { recursive: true, force: true });
  }
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  return [
    {
      name: `sync: webhook push to applied, p50 (${latencies.length} pushes)`,
      value: Math.round(p50),
      unit: 'ms',
      target: '< 1000 ms',
      met: p50 < 1000,
    },
    {
      name: 'sync: webhook push to applied, max',
      value: Math.round(p99),
      unit: 'ms',
      target: '< 1000 ms',
      met: p99 < 1000,
    },
  ];
}

export default async (): Promise<Row[]> => [...(await planRows()), ...(await syncRows())];
