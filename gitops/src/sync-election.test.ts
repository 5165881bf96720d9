// Two `lbops sync` replicas against one embedded API server and one bare remote: exactly one leads (holds the
// Lease) and applies; the follower never fetches nor applies and ignores webhook triggers; when the leader stops it
// releases the Lease, the follower takes over, recovers the commit in force from the cluster and applies the next
// push.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeClient, kubeConfigFor, startApiServer, type KubeObject } from '@lbops/kube';
import { GitSource } from './git-source.js';
import { GitSync, type CommitSource } from './sync.js';
import { ElectedSync, SYNC_LEASE_NAME } from './sync-election.js';
import { COMMIT_ANNOTATION } from './desired-objects.js';
import { createTestRepo } from './test/git-repo.js';
import { l2Yaml, poolYaml } from './test/fixtures.js';

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000; i += 1) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

test('two sync replicas: one leader applies, the follower stays idle, and takes over when the leader stops', async (t) => {
  const server = await startApiServer({ port: 0 });
  const client = new KubeClient(kubeConfigFor(server.url, server.token));
  const remote = await createTestRepo({ bare: true });
  const work = await createTestRepo();
  const dir = mkdtempSync(path.join(tmpdir(), 'lbops-sync-election-'));
  const replicas: ElectedSync[] = [];
  t.after(async () => {
    await Promise.allSettled(replicas.map((r) => r.stop()));
    await server.close();
    remote.cleanup();
    work.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const push = async (files: Record<string, string>, message: string) => {
    const sha = await work.commit(files, message);
    await work.run(['push', '-q', remote.dir, 'HEAD:refs/heads/main']);
    return sha;
  };
  const c1 = await push(
    { 'pools/pools.yaml': poolYaml('lan', ['10.3.0.0/29']), 'pools/l2.yaml': l2Yaml },
    'c1',
  );

  const fetches = new Map<string, number>();
  const syncs = new Map<string, GitSync>();
  const byName = new Map<string, ElectedSync>();
  for (const identity of ['sync-a', 'sync-b']) {
    const git = new GitSource({ url: remote.dir, branch: 'main', cacheDir: path.join(dir, identity) });
    fetches.set(identity, 0);
    const counted: CommitSource = {
      dir: git.dir,
      fetch: () => {
        fetches.set(identity, (fetches.get(identity) ?? 0) + 1);
        return git.fetch();
      },
    };
    const sync = new GitSync({ source: counted, client, path: 'pools', branch: 'main' });
    const elected = new ElectedSync({
      sync,
      client,
      namespace: 'metallb-system',
      identity,
      intervalMs: 150,
      // Short, but the lease (3 s) is long against the renewal (every 100 ms), so a loaded machine does not
      // make the leader lose it by accident.
      timings: { leaseDurationMs: 3_000, renewDeadlineMs: 2_500, retryPeriodMs: 100 },
    });
    syncs.set(identity, sync);
    byName.set(identity, elected);
    replicas.push(elected);
  }
  for (const r of replicas) r.start();

  const poolPath = '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/lan';
  const poolAt = async (commit: string) => {
    try {
      const pool = await client.get<KubeObject>(poolPath);
      return pool.metadata?.annotations?.[COMMIT_ANNOTATION] === commit ? pool : undefined;
    } catch {
      return undefined;
    }
  };
  await waitFor('c1 applied', () => poolAt(c1));
  const leaderName = await waitFor('one leader', () => {
    const leaders = [...byName].filter(([, r]) => r.isLeader).map(([n]) => n);
    return leaders.length === 1 ? leaders[0] : undefined;
  });
  const followerName = leaderName === 'sync-a' ? 'sync-b' : 'sync-a';
  const leader = byName.get(leaderName) as ElectedSync;
  const follower = byName.get(followerName) as ElectedSync;
  const lease = await client.get<KubeObject & { spec: { holderIdentity: string } }>(
    `/apis/coordination.k8s.io/v1/namespaces/metallb-system/leases/${SYNC_LEASE_NAME}`,
  );
  assert.equal(lease.spec.holderIdentity, leaderName);

  // A webhook push reaching either replica: only the leader syncs.
  const c2 = await push({ 'pools/pools.yaml': poolYaml('lan', ['10.3.0.0/28']) }, 'c2');
  assert.equal(follower.trigger('webhook'), undefined);
  const result = await leader.trigger('webhook');
  assert.ok(result !== undefined);
  assert.ok(result.commit === c2, JSON.stringify(result));
  await waitFor('c2 applied', () => poolAt(c2));
  // Several poll intervals later the follower still has not fetched, and both still agree on who leads.
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(fetches.get(followerName), 0, 'the follower fetched');
  assert.ok((fetches.get(leaderName) ?? 0) >= 3, 'the leader polls');
  assert.equal(leader.isLeader, true);
  assert.equal(follower.isLeader, false);
  assert.equal(syncs.get(followerName)?.commitInForce, undefined);

  // The leader stops (releases the Lease): the follower takes over well before the lease would have expired,
  // recovers c2 as the commit in force from the cluster, and applies the next push by polling.
  const stoppedAt = Date.now();
  await leader.stop();
  await waitFor('takeover', () => (follower.isLeader ? true : undefined), 2_500);
  assert.ok(Date.now() - stoppedAt < 2_500);
  await waitFor('c2 recovered by the new leader', () =>
    syncs.get(followerName)?.commitInForce === c2 ? true : undefined,
  );
  const c3 = await push({ 'pools/pools.yaml': poolYaml('lan', ['10.3.0.0/27']) }, 'c3');
  const pool = (await waitFor('c3 applied by the new leader', () => poolAt(c3))) as KubeObject & {
    spec: { addresses: string[] };
  };
  assert.deepEqual(pool.spec.addresses, ['10.3.0.0/27']);
  const after = await client.get<KubeObject & { spec: { holderIdentity: string; leaseTransitions: number } }>(
    `/apis/coordination.k8s.io/v1/namespaces/metallb-system/leases/${SYNC_LEASE_NAME}`,
  );
  assert.equal(after.spec.holderIdentity, followerName);
  assert.ok(after.spec.leaseTransitions >= 1);
});
