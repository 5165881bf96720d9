// Lease-based leader election as client-go's leaderelection package does it, split into a pure
// state machine (time passed in) and an adapter that reads and writes the coordination.k8s.io
// Lease. Expiry is judged by when *this* process saw the record change, not by the timestamps in
// it, so clock skew between nodes does not matter (client-go's observedTime).
import { sleep } from './backoff.js';
import { isNotFound, resourcePath, type KubeClient, type KubeObject } from './kube-client.js';

export interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions: number;
}

export interface ElectionTimings {
  /** How long followers wait after the last change they saw before taking over. Default 15 s. */
  readonly leaseDurationMs: number;
  /** How long a leader keeps acting without a successful renewal. Default 10 s. */
  readonly renewDeadlineMs: number;
  /** Interval between attempts to acquire or renew. Default 2 s. */
  readonly retryPeriodMs: number;
}

export const DEFAULT_TIMINGS: ElectionTimings = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

export type ElectionStep =
  | { readonly kind: 'create'; readonly record: LeaseRecord }
  | { readonly kind: 'update'; readonly record: LeaseRecord }
  | { readonly kind: 'wait' };

/** Lease MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function sameRecord(a: LeaseRecord | undefined, b: LeaseRecord | undefined): boolean {
  return (
    a?.holderIdentity === b?.holderIdentity &&
    a?.renewTime === b?.renewTime &&
    a?.leaseTransitions === b?.leaseTransitions &&
    a?.leaseDurationSeconds === b?.leaseDurationSeconds
  );
}

export class LeaderElection {
  private observed: LeaseRecord | undefined;
  private observedAt = Number.NEGATIVE_INFINITY;
  private lastRenew = Number.NEGATIVE_INFINITY;

  constructor(
    readonly identity: string,
    readonly timings: ElectionTimings = DEFAULT_TIMINGS,
  ) {}

  /** After reading the Lease (undefined: it does not exist). */
  observe(now: number, record: LeaseRecord | undefined): void {
    if (!sameRecord(record, this.observed)) {
      this.observed = record;
      this.observedAt = now;
    }
  }

  /** What to write now, if anything. */
  next(now: number): ElectionStep {
    const current = this.observed;
    const seconds = Math.ceil(this.timings.leaseDurationMs / 1000);
    if (current === undefined) {
      return {
        kind: 'create',
        record: {
          holderIdentity: this.identity,
          leaseDurationSeconds: seconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      };
    }
    const mine = current.holderIdentity === this.identity;
    const expired =
      current.holderIdentity === '' || now >= this.observedAt + current.leaseDurationSeconds * 1000;
    if (!mine && !expired) return { kind: 'wait' };
    return {
      kind: 'update',
      record: {
        holderIdentity: this.identity,
        leaseDurationSeconds: seconds,
        acquireTime: mine && current.acquireTime !== undefined ? current.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: mine ? current.leaseTransitions : current.leaseTransitions + 1,
      },
    };
  }

  /** After a successful create or update of `record`. */
  succeeded(now: number, record: LeaseRecord): void {
    this.observed = record;
    this.observedAt = now;
    if (record.holderIdentity === this.identity) this.lastRenew = now;
  }

  /** Leader while the last renewal is younger than the renew deadline and nobody else holds it. */
  isLeader(now: number): boolean {
    return (
      this.observed?.holderIdentity === this.identity && now - this.lastRenew < this.timings.renewDeadlineMs
    );
  }

  /** The record that gives the lease up (client-go's ReleaseOnCancel), or undefined if not leader. */
  release(now: number): LeaseRecord | undefined {
    if (!this.isLeader(now) || this.observed === undefined) return undefined;
    this.lastRenew = Number.NEGATIVE_INFINITY;
    return { ...this.observed, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now) };
  }
}

export interface LeaderElectorOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly timings?: ElectionTimings;
  readonly onStartedLeading?: () => void;
  readonly onStoppedLeading?: () => void;
  readonly onError?: (e: unknown) => void;
  readonly now?: () => number;
}

function recordOf(lease: KubeObject | undefined): LeaseRecord | undefined {
  if (lease === undefined) return undefined;
  const spec = (lease.spec ?? {}) as Partial<LeaseRecord>;
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 15,
    ...(spec.acquireTime !== undefined ? { acquireTime: spec.acquireTime } : {}),
    ...(spec.renewTime !== undefined ? { renewTime: spec.renewTime } : {}),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** The adapter: runs the election against a Lease until stopped. */
export class LeaderElector {
  private readonly election: LeaderElection;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private leading = false;
  private lease: KubeObject | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.election = new LeaderElection(options.identity, options.timings ?? DEFAULT_TIMINGS);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops electing; a leader releases the Lease so that a follower takes over at once. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    const record = this.election.release(this.now());
    if (record !== undefined && this.lease !== undefined) {
      try {
        await this.options.client.replace(this.path(this.options.name), {
          ...this.lease,
          spec: { ...record },
        });
      } catch (e) {
        this.options.onError?.(e);
      }
    }
    this.setLeading(false);
  }

  private path(name?: string): string {
    return resourcePath({
      apiVersion: 'coordination.k8s.io/v1',
      resource: 'leases',
      namespace: this.options.namespace,
      name,
    });
  }

  private setLeading(value: boolean): void {
    if (value === this.leading) return;
    this.leading = value;
    if (value) this.options.onStartedLeading?.();
    else this.options.onStoppedLeading?.();
  }

  private async tryOnce(): Promise<void> {
    const client = this.options.client;
    try {
      this.lease = await client.get(this.path(this.options.name));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.lease = undefined;
    }
    this.election.observe(this.now(), recordOf(this.lease));
    const step = this.election.next(this.now());
    if (step.kind === 'wait') return;
    if (step.kind === 'create') {
      this.lease = await client.create(this.path(), {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.options.name, namespace: this.options.namespace },
        spec: { ...step.record },
      });
    } else {
      // PUT carries the resourceVersion we read: two candidates cannot both win (409 Conflict).
      this.lease = await client.replace(this.path(this.options.name), {
        ...this.lease,
        spec: { ...step.record },
      });
    }
    this.election.succeeded(this.now(), step.record);
  }

  private async loop(): Promise<void> {
    const timings = this.options.timings ?? DEFAULT_TIMINGS;
    while (!this.abort.signal.aborted) {
      try {
        await this.tryOnce();
      } catch (e) {
        this.options.onError?.(e);
      }
      this.setLeading(this.election.isLeader(this.now()));
      await sleep(timings.retryPeriodMs, this.abort.signal);
      if (this.leading && !this.election.isLeader(this.now())) this.setLeading(false);
    }
  }
}
