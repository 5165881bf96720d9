// Several `lbops sync` replicas, one active: a coordination.k8s.io Lease elects the leader with the kube adapter's
// LeaderElector (client-go's algorithm, the one the controller uses). Only the leader polls, fetches and applies;
// webhook pushes reaching a follower are acknowledged and left to the leader (its readiness routes the webhook
// Service to it, and its next poll picks the commit up regardless).
import { LeaderElector, type ElectionTimings, type KubeClient } from '@lbops/kube';
import { silentLogger, type Logger } from '@lbops/kube';
import type { GitSync, SyncResult } from './sync.js';

export const SYNC_LEASE_NAME = 'lbops-gitops-sync';

export interface ElectedSyncOptions {
  readonly sync: GitSync;
  readonly client: KubeClient;
  /** Namespace of the Lease. */
  readonly namespace: string;
  readonly name?: string;
  readonly identity: string;
  /** Polling interval while leading; 0: sync once on becoming leader, then only on webhooks. */
  readonly intervalMs: number;
  readonly timings?: ElectionTimings;
  readonly logger?: Logger;
}

export class ElectedSync {
  private readonly elector: LeaderElector;
  private readonly logger: Logger;
  private leading = false;
  /** Leadership changes are applied in order (a pause finishes before a later start). */
  private transitions: Promise<void> = Promise.resolve();

  constructor(private readonly options: ElectedSyncOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'gitops-election' });
    this.elector = new LeaderElector({
      client: options.client,
      namespace: options.namespace,
      name: options.name ?? SYNC_LEASE_NAME,
      identity: options.identity,
      ...(options.timings !== undefined ? { timings: options.timings } : {}),
      onStartedLeading: () => this.transition(true),
      onStoppedLeading: () => this.transition(false),
      onError: (error) =>
        this.logger.warn('leader election: Lease not read or written', { error: (error as Error).message }),
    });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private transition(leading: boolean): void {
    this.transitions = this.transitions.then(async () => {
      if (leading === this.leading) return;
      this.leading = leading;
      if (leading) {
        this.logger.info('leading: following the branch', { identity: this.options.identity });
        if (this.options.intervalMs > 0) this.options.sync.start(this.options.intervalMs);
        else void this.options.sync.trigger('leader');
      } else {
        this.logger.info('not leading: sync paused', { identity: this.options.identity });
        await this.options.sync.pause();
      }
    });
  }

  start(): void {
    this.elector.start();
  }

  /** A webhook push: synced by the leader; a follower answers undefined (the leader will pick it up). */
  trigger(reason: string): Promise<SyncResult> | undefined {
    return this.leading ? this.options.sync.trigger(reason) : undefined;
  }

  /** Releases the Lease (a follower takes over at once) and stops the sync. */
  async stop(): Promise<void> {
    await this.options.sync.pause();
    await this.elector.stop();
    await this.transitions;
    await this.options.sync.stop();
  }
}
