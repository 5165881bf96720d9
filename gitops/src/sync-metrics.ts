// The sync's Prometheus metrics, in a Registry passed in (the controller's, when both run in one process).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface SyncMetrics {
  readonly registry: Registry;
  /** 1, labelled with the commit in force: `lbops_gitops_sync_info{commit="…"}`. */
  setSyncedCommit(labels: { repository: string; branch: string; commit: string }): void;
  recordSync(result: 'applied' | 'unchanged' | 'invalid' | 'error', durationSeconds: number, now: Date): void;
  recordDrift(kind: string, count: number): void;
}

export function createSyncMetrics(registry: Registry = new Registry()): SyncMetrics {
  const registers = [registry];
  const info = new Gauge({
    name: 'lbops_gitops_sync_info',
    help: 'The commit in force in the cluster (1, labelled with repository, branch and commit)',
    labelNames: ['repository', 'branch', 'commit'],
    registers,
  });
  const lastTime = new Gauge({
    name: 'lbops_gitops_last_sync_timestamp_seconds',
    help: 'When the last sync finished (Unix time)',
    registers,
  });
  const lastSuccess = new Gauge({
    name: 'lbops_gitops_last_sync_success',
    help: '1 if the last sync applied or confirmed the branch head, 0 if the head was invalid or the sync failed',
    registers,
  });
  const syncs = new Counter({
    name: 'lbops_gitops_syncs_total',
    help: 'Syncs by result',
    labelNames: ['result'],
    registers,
  });
  const duration = new Histogram({
    name: 'lbops_gitops_sync_duration_seconds',
    help: 'Time from the trigger to the cluster matching Git',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const drift = new Counter({
    name: 'lbops_gitops_drift_detected_total',
    help: 'Resources found changed away from Git in the cluster (repaired by the sync), by kind',
    labelNames: ['kind'],
    registers,
  });
  return {
    registry,
    setSyncedCommit(labels) {
      info.reset();
      info.set(labels, 1);
    },
    recordSync(result, seconds, now) {
      syncs.inc({ result });
      duration.observe(seconds);
      lastTime.set(now.getTime() / 1000);
      lastSuccess.set(result === 'applied' || result === 'unchanged' ? 1 : 0);
    },
    recordDrift(kind, count) {
      if (count > 0) drift.inc({ kind }, count);
    },
  };
}
