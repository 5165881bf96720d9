// The Git sync: follows a branch (poll + webhook), and for each new commit loads the configuration with the same
// loadConfig as everything else. Valid: server-side apply of its resources (field manager `lbops`, owned by label,
// annotated with the commit), prune owned resources that left Git, then report on the commit's pull request once
// allocation settled. Invalid: apply nothing, keep the last good commit, record why (ConfigurationState, metric,
// log, pull request). Every sync also re-applies the commit in force, which repairs drift.
import {
  applyObject,
  isNotFound,
  patchStatus,
  resourcePath,
  type KubeClient,
  type KubeObject,
} from '@lbops/kube';
import { loadConfig, type Config, type ConfigFile, type Diagnostic } from '@lbops/schemas';
import { Allocator } from '@lbops/controller';
import { configurationStateStatus, evaluateConfig, silentLogger, type Logger } from '@lbops/kube';
import { exportClusterState } from './cluster-state.js';
import {
  COMMIT_ANNOTATION,
  KIND_ORDER,
  KIND_RESOURCES,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  desiredObjects,
  isSubset,
  objectId,
} from './desired-objects.js';
import { readConfigFilesAt } from './git-config-files.js';
import type { GithubClient } from './github.js';
import { recordedFromState } from './recorded.js';
import { renderApplied, renderRefused, SYNC_MARKER, type AppliedReport } from './render-sync.js';
import type { StateFile } from './state-file.js';
import { createSyncMetrics, type SyncMetrics } from './sync-metrics.js';

export const FIELD_MANAGER = 'lbops';
export const CONFIGURATION_STATE_NAME = 'lbops-gitops';

export interface CommitSource {
  /** Fetches and answers the branch's head commit. */
  fetch(): Promise<string>;
  /** The git directory holding the fetched objects. */
  readonly dir: string;
}

export interface SyncOptions {
  readonly source: CommitSource;
  readonly client: KubeClient;
  /** Directory of the configuration inside the repository ('' for all of it). */
  readonly path?: string;
  /** Namespace for documents without one, and of the ConfigurationState. Default metallb-system. */
  readonly namespace?: string;
  /** OWNER/REPO, for reports and links. */
  readonly repository?: string | undefined;
  readonly branch?: string;
  /** Reports on pull requests when given. */
  readonly github?: GithubClient | undefined;
  readonly githubServerUrl?: string;
  readonly metrics?: SyncMetrics;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** How long to wait for the controller to allocate after an apply, before reporting. Default 30 s. */
  readonly settleTimeoutMs?: number;
  readonly settlePollMs?: number;
}

export type SyncResult =
  | {
      readonly result: 'applied';
      readonly commit: string;
      readonly applied: number;
      readonly pruned: readonly string[];
      readonly drift: number;
    }
  | { readonly result: 'unchanged'; readonly commit: string; readonly drift: number }
  | {
      readonly result: 'invalid';
      readonly commit: string;
      readonly errors: readonly Diagnostic[];
      readonly inForce: string | undefined;
    }
  | { readonly result: 'error'; readonly commit: string | undefined; readonly message: string };

interface InForce {
  readonly commit: string;
  readonly files: readonly ConfigFile[];
  readonly config: Config;
  readonly objects: readonly KubeObject[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class GitSync {
  readonly metrics: SyncMetrics;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly namespace: string;
  private inForce: InForce | undefined;
  /** The last commit evaluated (valid or not), so an invalid head is reported once, not at every poll. */
  private lastSeen: string | undefined;
  private running: Promise<SyncResult> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Bumped by start() and pause(): a poll loop of an older generation ends at its next tick. */
  private generation = 0;
  private readonly reports = new Set<Promise<void>>();

  constructor(private readonly options: SyncOptions) {
    this.metrics = options.metrics ?? createSyncMetrics();
    this.logger = (options.logger ?? silentLogger).child({ component: 'gitops-sync' });
    this.now = options.now ?? (() => new Date());
    this.namespace = options.namespace ?? 'metallb-system';
  }

  /** The commit whose configuration is in force in the cluster. */
  get commitInForce(): string | undefined {
    return this.inForce?.commit;
  }

  /**
   * Runs a sync now; concurrent triggers coalesce into one more run after the current one (a webhook burst
   * costs at most two syncs).
   */
  trigger(reason: string): Promise<SyncResult> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<SyncResult> => {
      let result = await this.syncOnce(reason);
      while (this.again && !this.stopped) {
        this.again = false;
        result = await this.syncOnce('coalesced');
      }
      return result;
    };
    this.running = run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Polls every `intervalMs` (and syncs once at once). */
  start(intervalMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const generation = ++this.generation;
    const live = () => !this.stopped && generation === this.generation;
    const tick = () => {
      if (!live()) return;
      void this.trigger('poll').finally(() => {
        if (live()) this.timer = setTimeout(tick, intervalMs);
      });
    };
    tick();
  }

  /**
   * Stops polling (start() resumes) and waits for a sync in progress. Used when leadership is lost; the state
   * kept in memory is forgotten, since another replica may apply commits meanwhile: the next sync recovers the
   * commit in force from the cluster.
   */
  async pause(): Promise<void> {
    this.generation += 1;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    this.inForce = undefined;
    this.lastSeen = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation += 1;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await Promise.allSettled([...this.reports]);
  }

  /** Waits for the pull-request reports started so far (tests). */
  async reportsDone(): Promise<void> {
    await Promise.allSettled([...this.reports]);
  }

  private async syncOnce(reason: string): Promise<SyncResult> {
    const started = this.now();
    const t0 = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
    let commit: string | undefined;
    try {
      commit = await this.options.source.fetch();
      if (this.inForce === undefined) await this.recoverInForce();
      if (commit === this.lastSeen || (this.inForce !== undefined && commit === this.inForce.commit)) {
        // Nothing new: re-apply what is in force, which repairs drift.
        const drift = this.inForce === undefined ? 0 : (await this.apply(this.inForce.objects, false)).drift;
        const result: SyncResult =
          this.inForce?.commit === commit
            ? { result: 'unchanged', commit, drift }
            : { result: 'invalid', commit, errors: [], inForce: this.inForce?.commit };
        this.metrics.recordSync(result.result, seconds(), this.now());
        return result;
      }
      this.lastSeen = commit;
      const { files } = await readConfigFilesAt(this.options.source.dir, commit, this.options.path ?? '');
      const loaded = loadConfig(files);
      const evaluation = evaluateConfig(loaded);
      if (evaluation.accepted === undefined) {
        this.logger.warn('commit refused: invalid configuration, the last good commit stays in force', {
          commit,
          inForce: this.inForce?.commit,
          errors: evaluation.errors.length,
          summary: evaluation.summary,
        });
        await this.writeConfigurationState(evaluation, started);
        if (this.inForce !== undefined) await this.apply(this.inForce.objects, false);
        this.metrics.recordSync('invalid', seconds(), this.now());
        this.report(commit, () =>
          renderRefused(commit as string, evaluation.errors, this.inForce?.commit, this.markdownOptions()),
        );
        return { result: 'invalid', commit, errors: evaluation.errors, inForce: this.inForce?.commit };
      }
      const objects = desiredObjects(files, {
        commit,
        source: this.sourceName(),
        namespace: this.namespace,
      });
      const before = await this.snapshotServices();
      const { applied, drift } = await this.apply(objects, true);
      const pruned = await this.prune(new Set(objects.map(objectId)));
      this.inForce = { commit, files, config: evaluation.accepted, objects };
      await this.writeConfigurationState(evaluation, started);
      this.metrics.setSyncedCommit({
        repository: this.options.repository ?? '',
        branch: this.options.branch ?? '',
        commit,
      });
      this.metrics.recordSync('applied', seconds(), this.now());
      this.logger.info('commit applied', {
        commit,
        reason,
        applied,
        pruned: pruned.length,
        seconds: seconds(),
      });
      const appliedAt = this.now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
      const config = evaluation.accepted;
      this.report(commit, async () =>
        renderApplied(await this.settledReport(commit as string, appliedAt, applied, pruned, before, config)),
      );
      return { result: 'applied', commit, applied, pruned, drift };
    } catch (error) {
      const message = (error as Error).message;
      this.logger.error('sync failed; retried at the next trigger', { commit, reason, error: message });
      this.metrics.recordSync('error', seconds(), this.now());
      // A failed apply is retried: the commit is not marked as seen.
      if (this.lastSeen === commit) this.lastSeen = undefined;
      return { result: 'error', commit, message };
    }
  }

  /**
   * After a restart: the commit in force is the one annotated on the owned objects in the cluster (state lives
   * in the cluster, not in this process), so an invalid head keeps it and drift is still repaired.
   */
  private async recoverInForce(): Promise<void> {
    const commits = new Set<string>();
    for (const kind of KIND_ORDER) {
      const { apiVersion, resource } = KIND_RESOURCES[kind];
      const list = await this.options.client.list<KubeObject>(resourcePath({ apiVersion, resource }), {
        labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
      });
      for (const item of list.items) {
        const commit = item.metadata?.annotations?.[COMMIT_ANNOTATION];
        if (commit !== undefined) commits.add(commit);
      }
    }
    // Several commits (an interrupted apply): none is known to be complete; the next valid commit settles it.
    const [commit] = commits;
    if (commits.size !== 1 || commit === undefined || !/^[0-9a-f]{40}$/.test(commit)) return;
    try {
      const { files } = await readConfigFilesAt(this.options.source.dir, commit, this.options.path ?? '');
      const loaded = loadConfig(files);
      if (loaded.config === undefined) return;
      const objects = desiredObjects(files, { commit, source: this.sourceName(), namespace: this.namespace });
      this.inForce = { commit, files, config: loaded.config, objects };
      this.metrics.setSyncedCommit({
        repository: this.options.repository ?? '',
        branch: this.options.branch ?? '',
        commit,
      });
      this.logger.info('commit in force recovered from the cluster', { commit });
    } catch (error) {
      // The commit is not in the fetched history (force-push): nothing to recover.
      this.logger.info('the commit annotated in the cluster is not in the repository', {
        commit,
        error: (error as Error).message,
      });
    }
  }

  private sourceName(): string {
    return `${this.options.repository ?? 'git'}@${this.options.branch ?? 'main'}`;
  }

  /** Server-side applies each object (force: Git owns these fields); counts objects that had drifted. */
  private async apply(
    objects: readonly KubeObject[],
    countAll: boolean,
  ): Promise<{ applied: number; drift: number }> {
    let drift = 0;
    const driftByKind = new Map<string, number>();
    for (const obj of objects) {
      const path = await this.options.client.pathOf(obj);
      let current: KubeObject | undefined;
      try {
        current = await this.options.client.get<KubeObject>(path);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      const drifted =
        current !== undefined &&
        current.metadata?.annotations?.[COMMIT_ANNOTATION] ===
          obj.metadata?.annotations?.[COMMIT_ANNOTATION] &&
        !isSubset({ ...obj, metadata: { labels: obj.metadata?.labels } }, current);
      const missing = current === undefined && !countAll;
      if (drifted || missing) {
        drift += 1;
        driftByKind.set(obj.kind ?? '', (driftByKind.get(obj.kind ?? '') ?? 0) + 1);
        this.logger.warn('drift: the cluster differs from Git; repairing', { object: objectId(obj) });
      }
      if (countAll || drifted || missing)
        await applyObject(this.options.client, obj, { fieldManager: FIELD_MANAGER, force: true });
    }
    for (const [kind, count] of driftByKind) this.metrics.recordDrift(kind, count);
    return { applied: countAll ? objects.length : 0, drift };
  }

  /** Deletes owned objects that are no longer in Git, advertisements before the pools they refer to. */
  private async prune(keep: ReadonlySet<string>): Promise<string[]> {
    const pruned: string[] = [];
    for (const kind of [...KIND_ORDER].reverse()) {
      const { apiVersion, resource } = KIND_RESOURCES[kind];
      const list = await this.options.client.list<KubeObject>(resourcePath({ apiVersion, resource }), {
        labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
      });
      for (const item of list.items) {
        const id = `${kind}/${item.metadata?.namespace ?? ''}/${item.metadata?.name ?? ''}`;
        if (keep.has(id)) continue;
        try {
          await this.options.client.delete(
            resourcePath({
              apiVersion,
              resource,
              namespace: item.metadata?.namespace,
              name: item.metadata?.name,
            }),
          );
          pruned.push(id);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
    }
    if (pruned.length > 0) this.logger.info('pruned resources that left Git', { pruned });
    return pruned;
  }

  private async writeConfigurationState(
    evaluation: ReturnType<typeof evaluateConfig>,
    now: Date,
  ): Promise<void> {
    const obj: KubeObject = {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'ConfigurationState',
      metadata: {
        name: CONFIGURATION_STATE_NAME,
        namespace: this.namespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      },
    };
    try {
      await applyObject(this.options.client, obj, { fieldManager: FIELD_MANAGER, force: true });
      const path = await this.options.client.pathOf(obj);
      await patchStatus(
        this.options.client,
        path,
        configurationStateStatus(evaluation, this.inForce !== undefined, now),
        FIELD_MANAGER,
      );
    } catch (error) {
      this.logger.warn('cannot write the ConfigurationState', { error: (error as Error).message });
    }
  }

  private async snapshotServices(): Promise<StateFile> {
    return exportClusterState({ client: this.options.client, now: this.now() });
  }

  /** Waits (bounded) until every LoadBalancer Service has an address or a reason, then builds the report. */
  private async settledReport(
    commit: string,
    appliedAt: string,
    applied: number,
    pruned: readonly string[],
    before: StateFile,
    config: Config,
  ): Promise<AppliedReport> {
    const deadline = Date.now() + (this.options.settleTimeoutMs ?? 30_000);
    const pollMs = this.options.settlePollMs ?? 200;
    let after = await this.snapshotServices();
    let previous = '';
    let stable = 0;
    let settled = false;
    // Whether the addresses in the cluster are ones the applied pools allow: right after an apply the controller
    // may not have reacted yet, and a Service of a pruned or shrunk pool still shows its old address, which
    // looks settled but is not.
    const consistent = (state: StateFile) =>
      new Allocator(config.pools).restore(recordedFromState(state)).conflicts.length === 0;
    // Settled: every Service has an address the new pools allow and nothing moved since the last look, or
    // nothing moved for a while (Services that stay pending or keep a conflict). Bounded by the deadline and a
    // count.
    for (let i = 0; i < 10_000 && Date.now() < deadline; i += 1) {
      const fingerprint = JSON.stringify(after.services.map((s) => [s.namespace, s.name, s.ips]));
      stable = fingerprint === previous ? stable + 1 : 0;
      if (
        (stable >= 1 && after.services.every((s) => s.ips.length > 0) && consistent(after)) ||
        stable >= 5
      ) {
        settled = true;
        break;
      }
      previous = fingerprint;
      await sleep(pollMs);
      after = await this.snapshotServices();
    }
    const beforeIps = new Map(before.services.map((s) => [`${s.namespace}/${s.name}`, s.ips]));
    const services = after.services
      .map((s) => ({
        service: `${s.namespace}/${s.name}`,
        before: beforeIps.get(`${s.namespace}/${s.name}`) ?? [],
        after: s.ips,
      }))
      .filter((s) => s.before.join(',') !== s.after.join(','));
    const allocator = new Allocator(config.pools);
    allocator.restore(recordedFromState(after));
    const usage = allocator.stats().flatMap((s) =>
      (['ipv4', 'ipv6'] as const)
        .filter((family) => s[family].total > 0n)
        .map((family) => ({
          pool: s.pool,
          family,
          usage: { size: s[family].total, used: s[family].used, free: s[family].free },
        })),
    );
    return { commit, appliedAt, applied, pruned, usage, services, settled };
  }

  private markdownOptions() {
    const server = (this.options.githubServerUrl ?? 'https://github.com').replace(/\/+$/, '');
    return {
      repositoryUrl:
        this.options.repository === undefined ? undefined : `${server}/${this.options.repository}`,
    };
  }

  /** Posts on the commit's pull request in the background; a GitHub failure is logged, never fails the sync. */
  private report(commit: string, body: () => string | Promise<string>): void {
    const github = this.options.github;
    const [owner, repo] = (this.options.repository ?? '').split('/');
    if (github === undefined || owner === undefined || repo === undefined || owner === '' || repo === '')
      return;
    const task = (async () => {
      try {
        const pr = await github.findPullRequest({ owner, repo, sha: commit });
        if (pr === undefined) {
          this.logger.info('no pull request for the commit; nothing reported', { commit });
          return;
        }
        const result = await github.ensureComment({
          owner,
          repo,
          issueNumber: pr.number,
          marker: SYNC_MARKER,
          body: await body(),
        });
        this.logger.info('reported on the pull request', { commit, pr: pr.number, action: result.action });
      } catch (error) {
        this.logger.warn('cannot report on the pull request', { commit, error: (error as Error).message });
      }
    })();
    this.reports.add(task);
    void task.finally(() => this.reports.delete(task));
  }
}
