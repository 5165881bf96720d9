// The controller process: informers feed a keyed work queue; the leader rebuilds the allocator from Service
// status, then reconciles each Service through the pure intent/decision functions and writes the result.
// Configuration goes through loadConfig; an invalid one keeps the last good one and is reported.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  EventRecorder,
  Informer,
  LeaderElector,
  WorkQueue,
  isNotFound,
  patchStatus,
  resourcePath,
  runWorkers,
  type ElectionTimings,
  type KubeClient,
  type KubeObject,
  type ReconcileResult,
  configFiles,
  LEGACY_CONFIGMAP_NAME,
  METALLB_CONFIG_RESOURCES,
  configurationStateStatus,
  evaluateConfig,
  type ConfigEvaluation,
  type HealthCheck,
  silentLogger,
  type Logger,
  ingressIps,
} from '@lbops/kube';
import { loadConfig, type Config } from '@lbops/schemas';
import { Allocator, type AllocationResult, type RecordedAssignment } from '../allocator/index.js';
import { EventSink } from './event-sink.js';
import { createControllerMetrics, type ControllerMetrics } from './metrics.js';
import { poolStatus, samePoolStatus, type PoolStatus } from './pool-status.js';
import { decideService, type ServiceDecision, type ServiceOutcome } from './service-decision.js';
import { serviceIntent, type ServiceIntent } from './service-intent.js';

export const FIELD_MANAGER = 'lbops-controller';
export const DEFAULT_NAMESPACE = 'metallb-system';
export const LEASE_NAME = 'lbops-controller';
/** The ConfigurationState this component writes (MetalLB names the controller's one `controller`). */
export const CONFIGURATION_STATE_NAME = 'controller';

export interface ControllerOptions {
  readonly client: KubeClient;
  /** Where the configuration lives. Default metallb-system. */
  readonly namespace?: string;
  /** Handle only Services of this loadBalancerClass (default: only Services without one). */
  readonly loadBalancerClass?: string | undefined;
  /** This replica's name in the Lease and in Events. Default hostname-random. */
  readonly identity?: string;
  readonly logger?: Logger;
  readonly metrics?: ControllerMetrics;
  readonly now?: () => Date;
  /** Concurrent reconciles. Default 16. */
  readonly workers?: number;
  /** false: act as leader at once (single replica, tests). Default: elect through a Lease. */
  readonly leaderElection?: boolean;
  readonly electionTimings?: ElectionTimings;
  /** Delay that batches pool status and gauge updates. Default 500 ms. */
  readonly statusDelayMs?: number;
  /** Periodic resync of the informers (repairs missed work). Default 10 min; 0 disables. */
  readonly resyncPeriodMs?: number;
}

type Obj = KubeObject;

export class Controller {
  readonly identity: string;
  readonly namespace: string;
  readonly metrics: ControllerMetrics;
  private readonly client: KubeClient;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly services: Informer<Obj>;
  private readonly namespaces: Informer<Obj>;
  private readonly nodes: Informer<Obj>;
  private readonly configInformers: Array<Informer<Obj>>;
  private readonly configMaps: Informer<Obj>;
  private readonly recorder: EventRecorder;
  private readonly events: EventSink;
  private readonly elector: LeaderElector | undefined;

  private active = false;
  private generation = 0;
  private queue: WorkQueue | undefined;
  private workersDone: Promise<void> | undefined;
  private allocator: Allocator | undefined;
  private config: Config | undefined;
  private lastConfigFingerprint: string | undefined;
  private configTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private configStateWrite: Promise<void> = Promise.resolve();
  /** Why a Service's address was taken away by a config change or a restore conflict, until reconciled. */
  private readonly cleared = new Map<string, string>();
  /** Pending Services and their reason, for the gauge. */
  private readonly pending = new Map<string, string>();
  /** `uid annotation` pairs already warned about. */
  private readonly warned = new Set<string>();
  private readonly writtenPoolStatus = new Map<string, PoolStatus>();
  private readonly serviceObjects = new Map<string, Obj>();
  /**
   * The resourceVersion of our first write when a reconcile wrote twice (annotation, then status): the
   * event for it shows half of our change, and the event for the second write follows.
   */
  private readonly intermediateVersions = new Map<string, string>();
  private readonly namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  private stopped = false;

  constructor(private readonly options: ControllerOptions) {
    this.client = options.client;
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.identity = options.identity ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
    this.logger = (options.logger ?? silentLogger).child({
      component: 'controller',
      identity: this.identity,
    });
    this.metrics = options.metrics ?? createControllerMetrics();
    this.now = options.now ?? (() => new Date());
    const resyncPeriodMs = options.resyncPeriodMs ?? 600_000;
    const onError = (what: string) => (error: unknown) =>
      this.logger.warn('watch failed, retrying', { what, error });
    const informer = (
      path: string,
      extra: { fieldSelector?: string; resync?: boolean } = {},
    ): Informer<Obj> =>
      new Informer<Obj>(this.client, {
        path,
        onError: onError(path),
        ...(extra.fieldSelector !== undefined ? { fieldSelector: extra.fieldSelector } : {}),
        ...(extra.resync === true ? { resyncPeriodMs } : {}),
      });
    this.services = informer('/api/v1/services', { resync: true });
    this.namespaces = informer('/api/v1/namespaces');
    // Nodes are watched for the node-related config checks to come; allocation does not depend on them.
    this.nodes = informer('/api/v1/nodes');
    this.configInformers = Object.values(METALLB_CONFIG_RESOURCES).map((r) =>
      informer(resourcePath({ apiVersion: r.apiVersion, resource: r.resource, namespace: this.namespace })),
    );
    this.configMaps = informer(
      resourcePath({ apiVersion: 'v1', resource: 'configmaps', namespace: this.namespace }),
      {
        fieldSelector: `metadata.name=${LEGACY_CONFIGMAP_NAME}`,
      },
    );
    this.recorder = new EventRecorder(this.client, 'metallb-controller', {
      host: this.identity,
      onError: (error) => this.logger.debug('event not recorded', { error }),
    });
    this.events = new EventSink(this.recorder, {
      busy: () => this.queue !== undefined && this.queue.length > 0,
    });
    if (options.leaderElection !== false) {
      this.elector = new LeaderElector({
        client: this.client,
        namespace: this.namespace,
        name: LEASE_NAME,
        identity: this.identity,
        ...(options.electionTimings !== undefined ? { timings: options.electionTimings } : {}),
        onStartedLeading: () => this.activate(),
        onStoppedLeading: () => void this.deactivate(),
        onError: (error) => this.logger.warn('leader election: Lease not read or written', { error }),
      });
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------

  start(): void {
    // The informer updates its cache only after the handlers return, so the controller keeps its own view,
    // current as of the event it enqueued for.
    const serviceSeen = (obj: Obj): void => {
      this.serviceObjects.set(keyOf(obj), obj);
      this.enqueue(keyOf(obj));
    };
    this.services.addHandlers({
      onAdd: serviceSeen,
      onUpdate: (_old, obj) => serviceSeen(obj),
      onDelete: (obj) => {
        this.serviceObjects.delete(keyOf(obj));
        this.enqueue(keyOf(obj));
      },
    });
    const namespaceSeen = (obj: Obj): void => {
      const name = obj.metadata?.name ?? '';
      const before = this.namespaceLabels.get(name);
      const labels = obj.metadata?.labels ?? {};
      this.namespaceLabels.set(name, labels);
      if (before === undefined || JSON.stringify(before) !== JSON.stringify(labels))
        this.enqueueNamespace(name);
    };
    this.namespaces.addHandlers({
      onAdd: namespaceSeen,
      onUpdate: (_old, obj) => namespaceSeen(obj),
      onDelete: (obj) => {
        this.namespaceLabels.delete(obj.metadata?.name ?? '');
      },
    });
    const configChanged = (): void => this.scheduleConfig();
    for (const inf of [...this.configInformers, this.configMaps]) {
      inf.addHandlers({ onAdd: configChanged, onUpdate: configChanged, onDelete: configChanged });
    }
    for (const inf of this.informers()) inf.start();
    this.logger.info('controller starting', {
      namespace: this.namespace,
      loadBalancerClass: this.options.loadBalancerClass ?? null,
      leaderElection: this.elector !== undefined,
    });
    if (this.elector !== undefined) this.elector.start();
    else this.activate();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.deactivate();
    await this.elector?.stop();
    await Promise.all(this.informers().map((inf) => inf.stop()));
    await this.events.idle();
    this.logger.info('controller stopped');
  }

  get isLeader(): boolean {
    return this.active;
  }

  /** The allocator in force (for tests and `lbops status`); undefined before the first restore. */
  get currentAllocator(): Allocator | undefined {
    return this.allocator;
  }

  readiness(): HealthCheck {
    const unsynced = this.informers().filter((inf) => !inf.hasSynced()).length;
    if (unsynced > 0) return { ok: false, detail: `${unsynced} informer(s) not synced` };
    if (!this.active) return { ok: true, detail: 'standby (another replica holds the Lease)' };
    if (this.allocator === undefined)
      return { ok: false, detail: 'leader, waiting for a valid configuration' };
    return { ok: true, detail: 'leader' };
  }

  /** Resolves once nothing is queued or processing and every Event was sent (tests, benches). */
  async settled(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const q = this.queue;
      if (this.allocator !== undefined && q !== undefined && q.length === 0 && q.busy === 0) {
        await this.events.idle();
        if (q.length === 0 && q.busy === 0) return true;
      }
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private informers(): Array<Informer<Obj>> {
    return [this.services, this.namespaces, this.nodes, ...this.configInformers, this.configMaps];
  }

  private activate(): void {
    if (this.active || this.stopped) return;
    this.active = true;
    this.generation++;
    this.metrics.leader.set(1);
    this.logger.info('leading: rebuilding from Service status before allocating');
    this.queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 30_000 });
    const generation = this.generation;
    void this.waitForSync(generation).then((synced) => {
      if (synced) this.reloadConfig();
    });
  }

  private async deactivate(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.metrics.leader.set(0);
    this.queue?.shutDown();
    await this.workersDone;
    this.queue = undefined;
    this.workersDone = undefined;
    // A replica that leads again rebuilds from the cluster: nothing it remembered is trusted.
    this.allocator = undefined;
    this.config = undefined;
    this.lastConfigFingerprint = undefined;
    this.cleared.clear();
    this.pending.clear();
    this.intermediateVersions.clear();
    this.writtenPoolStatus.clear();
    if (this.configTimer !== undefined) clearTimeout(this.configTimer);
    if (this.statusTimer !== undefined) clearTimeout(this.statusTimer);
    this.logger.info('not leading any more: stopped reconciling');
  }

  private async waitForSync(generation: number): Promise<boolean> {
    for (;;) {
      const results = await Promise.all(this.informers().map((inf) => inf.waitForSync(5_000)));
      if (!this.active || generation !== this.generation) return false;
      if (results.every(Boolean)) return true;
      this.logger.warn('informers not synced yet, still waiting', {
        unsynced: this.informers().filter((inf) => !inf.hasSynced()).length,
      });
    }
  }

  // ---- configuration ------------------------------------------------------------------------------------

  private scheduleConfig(): void {
    if (!this.active || this.configTimer !== undefined) return;
    // Batches the burst of events of one `kubectl apply -f dir/` into one loadConfig.
    this.configTimer = setTimeout(() => {
      this.configTimer = undefined;
      this.reloadConfig();
    }, 50);
  }

  private configObjects(): Obj[] {
    const objects = this.configInformers.flatMap((inf) => inf.list());
    const legacy = this.configMaps.get(`${this.namespace}/${LEGACY_CONFIGMAP_NAME}`);
    if (legacy !== undefined) objects.push({ ...legacy, apiVersion: 'v1', kind: 'ConfigMap' });
    return objects;
  }

  private reloadConfig(): void {
    // Every informer, not only the configuration's: the first valid config triggers the restore, which must
    // see every Service's recorded addresses (a partial list hands their IPs to others: MetalLB #1774).
    if (!this.active || !this.informers().every((inf) => inf.hasSynced())) return;
    const files = configFiles(this.configObjects());
    const fingerprint = JSON.stringify(files);
    if (fingerprint === this.lastConfigFingerprint) return;
    this.lastConfigFingerprint = fingerprint;
    const evaluation = evaluateConfig(loadConfig(files));
    this.metrics.configUpdates.inc();
    if (evaluation.accepted !== undefined) {
      this.applyConfig(evaluation.accepted, evaluation);
    } else {
      this.metrics.configUpdateErrors.inc();
      this.metrics.configStale.set(1);
      this.logger.error(
        this.config !== undefined
          ? 'configuration invalid: the last valid one stays in force'
          : 'configuration invalid: no Service gets an address until it is fixed',
        { errors: evaluation.errors.length, summary: evaluation.summary },
      );
    }
    this.writeConfigurationState(evaluation);
  }

  private applyConfig(config: Config, evaluation: ConfigEvaluation): void {
    this.config = config;
    // Pools may have been recreated or removed: compare with the cluster again.
    this.writtenPoolStatus.clear();
    this.metrics.configLoaded.set(1);
    this.metrics.configStale.set(0);
    for (const warning of evaluation.warnings) {
      this.logger.warn('configuration warning', {
        file: warning.file,
        line: warning.line,
        path: warning.path,
        message: warning.message,
      });
    }
    if (this.allocator === undefined) {
      this.restore(config);
      return;
    }
    const change = this.allocator.setPools(config.pools);
    for (const invalidation of change.invalidated) {
      this.cleared.set(invalidation.service, invalidation.message);
      this.logger.warn('address no longer allowed by the configuration: moving the Service', {
        service: invalidation.service,
        addresses: invalidation.assignment.addresses,
        reason: invalidation.failure.reason,
      });
    }
    this.logger.info('configuration applied', {
      pools: config.pools.length,
      moved: change.invalidated.length,
      repooled: change.repooled.length,
    });
    this.countAllocations(change.allocations);
    this.enqueueAll();
    this.scheduleStatus();
  }

  /** Rebuilds the allocator from the addresses in Service status, before anything new is allocated. */
  private restore(config: Config): void {
    const allocator = new Allocator(config.pools);
    const recorded: RecordedAssignment[] = [];
    for (const svc of this.serviceObjects.values()) {
      const intent = this.intentOf(svc);
      if (intent.kind === 'request') recorded.push({ request: intent.request, ips: ingressIps(svc) });
    }
    const started = Date.now();
    const result = allocator.restore(recorded);
    for (const conflict of result.conflicts) {
      this.cleared.set(conflict.service, conflict.message);
      this.logger.warn('recorded address not kept on restore', {
        service: conflict.service,
        addresses: conflict.ips,
        contested: conflict.contested,
        reason: conflict.failure.reason,
      });
    }
    this.allocator = allocator;
    this.countAllocations(result.allocations);
    this.logger.info('restored from Service status', {
      services: recorded.length,
      kept: result.restored.length,
      conflicts: result.conflicts.length,
      ms: Date.now() - started,
    });
    this.enqueueAll();
    this.startWorkers();
    this.scheduleStatus();
  }

  private countAllocations(results: readonly AllocationResult[]): void {
    for (const r of results) if (r.ok && r.change !== 'unchanged') this.metrics.allocations.inc();
  }

  private writeConfigurationState(evaluation: ConfigEvaluation): void {
    const status = configurationStateStatus(evaluation, this.config !== undefined, this.now());
    const path = resourcePath({
      apiVersion: 'metallb.io/v1beta1',
      resource: 'configurationstates',
      namespace: this.namespace,
      name: CONFIGURATION_STATE_NAME,
    });
    this.configStateWrite = this.configStateWrite.then(async () => {
      try {
        try {
          await this.client.get(path);
        } catch (error) {
          if (!isNotFound(error)) throw error;
          await this.client.create(
            resourcePath({
              apiVersion: 'metallb.io/v1beta1',
              resource: 'configurationstates',
              namespace: this.namespace,
            }),
            {
              apiVersion: 'metallb.io/v1beta1',
              kind: 'ConfigurationState',
              metadata: {
                name: CONFIGURATION_STATE_NAME,
                namespace: this.namespace,
                labels: { 'app.kubernetes.io/component': 'controller' },
              },
            },
            FIELD_MANAGER,
          );
        }
        await patchStatus(this.client, path, status, FIELD_MANAGER);
      } catch (error) {
        this.logger.warn('ConfigurationState not written', { error });
      }
    });
  }

  // ---- Services -----------------------------------------------------------------------------------------

  private enqueue(key: string): void {
    if (this.active) this.queue?.add(key);
  }

  private enqueueAll(): void {
    for (const svc of this.serviceObjects.values()) this.enqueue(keyOf(svc));
  }

  private enqueueNamespace(namespace: string): void {
    for (const svc of this.serviceObjects.values())
      if (svc.metadata?.namespace === namespace) this.enqueue(keyOf(svc));
  }

  private enqueuePending(): void {
    for (const key of this.pending.keys()) this.enqueue(key);
  }

  private startWorkers(): void {
    const queue = this.queue;
    if (queue === undefined) return;
    this.workersDone = runWorkers(queue, (key) => this.timedReconcile(key), {
      workers: this.options.workers ?? 16,
      allKeys: () => [...this.serviceObjects.keys()],
      onProblem: (key, problem) => this.logger.error('reconcile failed', { service: key, problem }),
    });
  }

  private intentOf(svc: Obj): ServiceIntent {
    const namespaceLabels = this.namespaceLabels.get(svc.metadata?.namespace ?? '');
    return serviceIntent(svc, namespaceLabels, { loadBalancerClass: this.options.loadBalancerClass });
  }

  private async timedReconcile(key: string): Promise<ReconcileResult> {
    const started = process.hrtime.bigint();
    const result = await this.reconcile(key);
    this.metrics.reconcileDuration.observe(
      { result: result.kind },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    return result;
  }

  /** Brings one Service to what the allocator decides. Never throws for expected failures. */
  private async reconcile(key: string): Promise<ReconcileResult> {
    const allocator = this.allocator;
    if (!this.active || allocator === undefined) return { kind: 'retry', reason: 'not ready' };
    const svc = this.serviceObjects.get(key);
    if (svc === undefined) {
      this.pending.delete(key);
      this.cleared.delete(key);
      this.intermediateVersions.delete(key);
      if (allocator.release(key) !== undefined) {
        this.metrics.releases.inc();
        this.logger.info('Service deleted: address released', { service: key });
        this.afterRelease();
      }
      return { kind: 'done' };
    }
    const version = svc.metadata?.resourceVersion;
    const intermediate = this.intermediateVersions.get(key);
    if (intermediate !== undefined) {
      this.intermediateVersions.delete(key);
      if (intermediate === version) return { kind: 'done' };
    }
    const intent = this.intentOf(svc);
    let outcome: ServiceOutcome;
    let released = false;
    if (intent.kind === 'request') {
      const result = allocator.allocate(intent.request);
      outcome = { kind: 'allocated', result };
      if (result.ok && result.change !== 'unchanged') this.metrics.allocations.inc();
      if (result.previous !== undefined) released = true;
    } else {
      released = allocator.release(key) !== undefined;
      if (released) this.metrics.releases.inc();
      outcome = intent.kind === 'ignore' ? intent : { kind: 'invalid', message: intent.message };
    }
    const deprecated = intent.kind === 'ignore' ? [] : this.newDeprecations(svc, intent.deprecated);
    const decision = decideService(svc, outcome, {
      now: this.now(),
      cleared: this.cleared.get(key),
      deprecated,
    });
    if (decision.pendingReason !== undefined) this.pending.set(key, decision.pendingReason);
    else this.pending.delete(key);
    if (released) this.afterRelease();
    const written = await this.write(svc, decision);
    if (written.kind !== 'done') return written;
    this.cleared.delete(key);
    this.emit(svc, decision);
    if (decision.events.length > 0 || decision.patches.status !== undefined) this.scheduleStatus();
    return { kind: 'done' };
  }

  private newDeprecations(svc: Obj, deprecated: readonly string[]): string[] {
    const uid = svc.metadata?.uid ?? keyOf(svc);
    const fresh = deprecated.filter((annotation) => !this.warned.has(`${uid} ${annotation}`));
    for (const annotation of fresh) this.warned.add(`${uid} ${annotation}`);
    return fresh;
  }

  private afterRelease(): void {
    // A freed address may be what a pending Service waits for.
    this.enqueuePending();
    this.scheduleStatus();
  }

  private async write(svc: Obj, decision: ServiceDecision): Promise<ReconcileResult> {
    const path = resourcePath({
      apiVersion: 'v1',
      resource: 'services',
      namespace: svc.metadata?.namespace,
      name: svc.metadata?.name,
    });
    try {
      let first: Obj | undefined;
      if (decision.patches.metadata !== undefined) {
        first = await this.client.mergePatch(path, decision.patches.metadata, FIELD_MANAGER);
      }
      if (decision.patches.status !== undefined) {
        await this.client.mergePatch(`${path}/status`, decision.patches.status, FIELD_MANAGER);
        const version = first?.metadata?.resourceVersion;
        if (version !== undefined) this.intermediateVersions.set(keyOf(svc), version);
      }
      return { kind: 'done' };
    } catch (error) {
      // Deleted meanwhile: the delete event releases the address.
      if (isNotFound(error)) return { kind: 'done' };
      this.logger.warn('Service not updated, retrying', { service: keyOf(svc), error });
      return { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  private emit(svc: Obj, decision: ServiceDecision): void {
    if (decision.events.length === 0) return;
    const object = {
      apiVersion: 'v1',
      kind: 'Service',
      name: svc.metadata?.name ?? '',
      namespace: svc.metadata?.namespace ?? '',
      ...(svc.metadata?.uid !== undefined ? { uid: svc.metadata.uid } : {}),
    };
    for (const event of decision.events) {
      this.events.push(object, event);
      const fields = { service: keyOf(svc), reason: event.reason, message: event.message };
      if (event.type === 'Warning') this.logger.warn('service event', fields);
      else this.logger.info('service event', fields);
    }
  }

  // ---- pool status and gauges ---------------------------------------------------------------------------

  private scheduleStatus(): void {
    if (!this.active || this.statusTimer !== undefined) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      void this.flushStatus();
    }, this.options.statusDelayMs ?? 500);
  }

  private async flushStatus(): Promise<void> {
    const allocator = this.allocator;
    const config = this.config;
    if (!this.active || allocator === undefined || config === undefined) return;
    const stats = allocator.stats();
    this.metrics.setPoolStats(stats);
    const counts = new Map<string, number>();
    for (const reason of this.pending.values()) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    this.metrics.setPending(counts);
    const poolsInCluster = this.configInformers[0];
    for (const pool of config.pools) {
      if (pool.origin !== 'crd') continue;
      const s = stats.find((entry) => entry.pool === pool.name);
      if (s === undefined) continue;
      const status = poolStatus(s);
      const current =
        this.writtenPoolStatus.get(pool.name) ??
        ((poolsInCluster?.get(`${pool.namespace}/${pool.name}`)?.status ?? undefined) as
          Partial<PoolStatus> | undefined);
      if (samePoolStatus(current, status)) continue;
      try {
        await patchStatus(
          this.client,
          resourcePath({
            apiVersion: 'metallb.io/v1beta1',
            resource: 'ipaddresspools',
            namespace: pool.namespace,
            name: pool.name,
          }),
          status,
          FIELD_MANAGER,
        );
        this.writtenPoolStatus.set(pool.name, status);
      } catch (error) {
        this.logger.warn('pool status not written, retrying', { pool: pool.name, error });
        this.scheduleStatus();
      }
    }
  }
}

function keyOf(obj: Obj): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}
