// The speaker process of one node: informers feed one debounced reconcile, which decides (decide.ts) what
// this node announces, hands it to the protocols (none in dry run) and reports it: ServiceL2Status and
// ServiceBGPStatus objects, Events on the Service, `metallb_speaker_announced`, and a ConfigurationState.
import { createHash } from 'node:crypto';
import {
  configFiles,
  configurationStateStatus,
  evaluateConfig,
  LEGACY_CONFIGMAP_NAME,
  METALLB_CONFIG_RESOURCES,
  silentLogger,
  type Logger,
} from '@lbops/kube';
import {
  EventRecorder,
  Informer,
  isNotFound,
  patchStatus,
  resourcePath,
  type KubeClient,
  type KubeObject,
} from '@lbops/kube';
import { loadConfig, type Config } from '@lbops/schemas';
import { Gauge, Registry } from 'prom-client';
import { type NodeInfo, type ServiceInfo } from './cluster-state.js';
import {
  decide,
  newRankingCache,
  type BgpAnnouncement,
  type Decision,
  type L2Announcement,
  type ProtocolName,
} from './decide.js';
import { endpointsByService, nodeInfo, secretValue, serviceInfo } from './kube-objects.js';
import type { ProtocolHandler, ProtocolProblem, SecretLookup } from './protocol.js';

export const SPEAKER_FIELD_MANAGER = 'lbops-speaker';
/** Labels MetalLB puts on its status objects, so `kubectl get -l` works the same. */
export const NODE_LABEL = 'metallb.io/node';
export const SERVICE_NAME_LABEL = 'metallb.io/service-name';
export const SERVICE_NAMESPACE_LABEL = 'metallb.io/service-namespace';

export interface SpeakerProtocols {
  readonly layer2?: ProtocolHandler<L2Announcement>;
  readonly bgp?: ProtocolHandler<BgpAnnouncement>;
}

export interface SpeakerOptions {
  readonly client: KubeClient;
  readonly node: string;
  readonly namespace?: string;
  /** Only Services of this class (default: only those without one). */
  readonly loadBalancerClass?: string;
  /** No protocols at all: decide and report only. */
  readonly dryRun: boolean;
  /** Built once the first valid configuration is known (not in dry run). */
  readonly protocols?: SpeakerProtocols;
  /** The live speakers (membership); undefined or returning undefined: every node counts as live. */
  readonly liveSpeakers?: () => ReadonlySet<string> | undefined;
  readonly logger?: Logger;
  readonly registry?: Registry;
  readonly now?: () => Date;
  /** Batches bursts of events into one reconcile. Default 20 ms. */
  readonly debounceMs?: number;
}

interface Reported {
  readonly l2: string;
  readonly bgp: string;
}

type Obj = KubeObject;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** The status object name of a Service on a node (deterministic, so a restarted speaker finds its own). */
export function statusObjectName(prefix: 'l2' | 'bgp', node: string, service: string): string {
  return `${prefix}-${shortHash(`${node}/${service}`)}`;
}

export class Speaker {
  readonly registry: Registry;
  readonly namespace: string;
  private readonly client: KubeClient;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly services: Informer<Obj>;
  private readonly slices: Informer<Obj>;
  private readonly nodes: Informer<Obj>;
  private readonly secrets: Informer<Obj>;
  private readonly configMaps: Informer<Obj>;
  private readonly configInformers: Array<Informer<Obj>>;
  private readonly recorder: EventRecorder;
  private readonly announced: Gauge<'service' | 'protocol' | 'node' | 'ip'>;
  private readonly configStale: Gauge;
  private timer: NodeJS.Timeout | undefined;
  private config: Config | undefined;
  private configFingerprint: string | undefined;
  private nodeFingerprint: string | undefined;
  private decision: Decision | undefined;
  private readonly rankingCache = newRankingCache();
  private readonly reported = new Map<string, Reported>();
  private readonly metricLabels = new Map<string, Array<Record<string, string>>>();
  private writes: Promise<void> = Promise.resolve();
  private pendingWrites = 0;
  private reconciles = 0;
  private stopped = false;
  private cleanedUp = false;

  constructor(private readonly options: SpeakerOptions) {
    this.client = options.client;
    this.namespace = options.namespace ?? 'metallb-system';
    this.logger = (options.logger ?? silentLogger).child({ component: 'speaker', node: options.node });
    this.now = options.now ?? (() => new Date());
    this.registry = options.registry ?? new Registry();
    this.announced = new Gauge({
      name: 'metallb_speaker_announced',
      help: 'Services being announced from this node (1 = announced)',
      labelNames: ['service', 'protocol', 'node', 'ip'],
      registers: [this.registry],
    });
    this.configStale = new Gauge({
      name: 'metallb_k8s_client_config_stale_bool',
      help: '1 when the configuration in the cluster is invalid and the last valid one is in force',
      registers: [this.registry],
    });
    const informer = (path: string, fieldSelector?: string): Informer<Obj> =>
      new Informer<Obj>(this.client, {
        path,
        ...(fieldSelector !== undefined ? { fieldSelector } : {}),
        onError: (error) => this.logger.warn('watch failed, retrying', { path, error }),
      });
    this.services = informer('/api/v1/services');
    this.slices = informer('/apis/discovery.k8s.io/v1/endpointslices');
    this.nodes = informer('/api/v1/nodes');
    this.secrets = informer(
      resourcePath({ apiVersion: 'v1', resource: 'secrets', namespace: this.namespace }),
    );
    this.configMaps = informer(
      resourcePath({ apiVersion: 'v1', resource: 'configmaps', namespace: this.namespace }),
      `metadata.name=${LEGACY_CONFIGMAP_NAME}`,
    );
    this.configInformers = Object.values(METALLB_CONFIG_RESOURCES).map((r) =>
      informer(resourcePath({ apiVersion: r.apiVersion, resource: r.resource, namespace: this.namespace })),
    );
    this.recorder = new EventRecorder(this.client, 'metallb-speaker', {
      host: options.node,
      onError: (error) => this.logger.debug('event not recorded', { error }),
    });
  }

  get node(): string {
    return this.options.node;
  }

  /** The last decision (for `lbops up` and tests); undefined before the first reconcile with a valid config. */
  get lastDecision(): Decision | undefined {
    return this.decision;
  }

  start(): void {
    for (const inf of this.informers()) {
      inf.addHandlers({
        onAdd: () => this.schedule(),
        onUpdate: () => this.schedule(),
        onDelete: () => this.schedule(),
      });
      inf.start();
    }
    // Empty lists deliver no event: reconcile once everything is synced, whatever the informers saw.
    void this.afterSync();
    this.logger.info('speaker starting', { namespace: this.namespace, dryRun: this.options.dryRun });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.informers().map((inf) => inf.stop()));
    this.options.protocols?.layer2?.stop();
    this.options.protocols?.bgp?.stop();
    await this.writes;
  }

  /** Health: the informers are synced and a configuration was accepted. */
  readiness(): { ok: boolean; detail: string } {
    const unsynced = this.informers().filter((inf) => !inf.hasSynced()).length;
    if (unsynced > 0) return { ok: false, detail: `${unsynced} informer(s) not synced` };
    if (this.config === undefined) return { ok: false, detail: 'waiting for a valid configuration' };
    return { ok: true, detail: this.options.dryRun ? 'dry run' : '' };
  }

  /** Forces a reconcile (membership changed). */
  poke(): void {
    this.schedule();
  }

  /** Resolves once no reconcile is due and every status write and Event was sent (tests, `lbops up`). */
  async settled(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.timer === undefined && this.pendingWrites === 0 && this.reconciles > 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  private async afterSync(): Promise<void> {
    while (!this.stopped) {
      const synced = await Promise.all(this.informers().map((inf) => inf.waitForSync(5_000)));
      if (synced.every(Boolean)) {
        this.schedule();
        return;
      }
      this.logger.warn('informers not synced yet, still waiting');
    }
  }

  private informers(): Array<Informer<Obj>> {
    return [this.services, this.slices, this.nodes, this.secrets, this.configMaps, ...this.configInformers];
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.reconcile();
      } catch (error) {
        // A bug, not an expected failure: log it and try again later rather than die silently.
        this.logger.error('reconcile failed', { error });
        setTimeout(() => this.schedule(), 1_000).unref();
      }
    }, this.options.debounceMs ?? 20);
  }

  private secretLookup(): SecretLookup {
    return (namespace, name, key) =>
      namespace === this.namespace ? secretValue(this.secrets.get(`${namespace}/${name}`), key) : undefined;
  }

  private reloadConfig(): void {
    const objects = this.configInformers.flatMap((inf) => inf.list());
    const legacy = this.configMaps.get(`${this.namespace}/${LEGACY_CONFIGMAP_NAME}`);
    if (legacy !== undefined) objects.push({ ...legacy, apiVersion: 'v1', kind: 'ConfigMap' });
    const files = configFiles(objects);
    const secretsVersion = this.secrets
      .list()
      .map((s) => `${s.metadata?.name ?? ''}@${s.metadata?.resourceVersion ?? ''}`)
      .join(',');
    const fingerprint = `${JSON.stringify(files)}|${secretsVersion}`;
    if (fingerprint === this.configFingerprint) return;
    this.configFingerprint = fingerprint;
    const evaluation = evaluateConfig(loadConfig(files));
    if (evaluation.accepted !== undefined) {
      this.config = evaluation.accepted;
      this.configStale.set(0);
      for (const protocol of this.protocolList())
        this.reportProblems(protocol.protocol, protocol.setConfig(evaluation.accepted, this.secretLookup()));
      this.logger.info('configuration applied', { summary: evaluation.summary });
    } else {
      this.configStale.set(1);
      this.logger.error(
        this.config !== undefined
          ? 'configuration invalid: the last valid one stays in force'
          : 'configuration invalid: nothing is announced until it is fixed',
        { summary: evaluation.summary },
      );
    }
    this.writeConfigurationState(configurationStateStatus(evaluation, this.config !== undefined, this.now()));
  }

  private protocolList(): Array<ProtocolHandler<L2Announcement> | ProtocolHandler<BgpAnnouncement>> {
    if (this.options.dryRun) return [];
    const { layer2, bgp } = this.options.protocols ?? {};
    return [...(layer2 !== undefined ? [layer2] : []), ...(bgp !== undefined ? [bgp] : [])];
  }

  private reconcile(): void {
    if (this.stopped || !this.informers().every((inf) => inf.hasSynced())) return;
    this.reloadConfig();
    const nodes: NodeInfo[] = this.nodes.list().map(nodeInfo);
    const self = nodes.find((n) => n.name === this.options.node);
    const nodeFingerprint = JSON.stringify(self ?? null);
    if (self !== undefined && nodeFingerprint !== this.nodeFingerprint) {
      for (const protocol of this.protocolList())
        this.reportProblems(protocol.protocol, protocol.setNode(self));
    }
    this.nodeFingerprint = nodeFingerprint;
    const config = this.config;
    if (config === undefined) {
      this.reconciles++;
      return;
    }
    const services = this.services
      .list()
      .map((obj) => serviceInfo(obj, this.options.loadBalancerClass))
      .filter((s): s is ServiceInfo => s !== undefined);
    const decision = decide({
      config,
      node: this.options.node,
      nodes,
      services,
      endpoints: endpointsByService(this.slices.list()),
      liveSpeakers: this.options.liveSpeakers?.(),
      rankingCache: this.rankingCache,
    });
    this.decision = decision;
    this.apply(decision);
    this.reconciles++;
    if (!this.cleanedUp) {
      this.cleanedUp = true;
      this.enqueueWrite(() => this.deleteStaleStatus());
    }
  }

  private apply(decision: Decision): void {
    const l2 = groupBy(decision.layer2);
    const bgp = groupBy(decision.bgp);
    const keys = new Set([...l2.keys(), ...bgp.keys(), ...this.reported.keys()]);
    for (const key of keys) {
      const l2List = l2.get(key) ?? [];
      const bgpList = bgp.get(key) ?? [];
      const next: Reported = { l2: JSON.stringify(l2List), bgp: JSON.stringify(bgpList) };
      const before = this.reported.get(key) ?? { l2: '[]', bgp: '[]' };
      if (next.l2 === before.l2 && next.bgp === before.bgp) continue;
      const [namespace = '', name = ''] = key.split('/');
      if (next.l2 !== before.l2) {
        const handler = this.options.dryRun ? undefined : this.options.protocols?.layer2;
        if (handler !== undefined) {
          if (l2List.length === 0) handler.deleteBalancer(key);
          else this.reportProblems('layer2', handler.setBalancer(key, l2List), key);
        }
        this.reportL2(namespace, name, l2List, before.l2 === '[]');
      }
      if (next.bgp !== before.bgp) {
        const handler = this.options.dryRun ? undefined : this.options.protocols?.bgp;
        if (handler !== undefined) {
          if (bgpList.length === 0) handler.deleteBalancer(key);
          else this.reportProblems('bgp', handler.setBalancer(key, bgpList), key);
        }
        this.reportBgp(namespace, name, bgpList, before.bgp === '[]');
      }
      this.setMetrics(key, l2List, bgpList);
      if (l2List.length === 0 && bgpList.length === 0) this.reported.delete(key);
      else this.reported.set(key, next);
    }
  }

  private setMetrics(key: string, l2: readonly L2Announcement[], bgp: readonly BgpAnnouncement[]): void {
    for (const labels of this.metricLabels.get(key) ?? []) this.announced.remove(labels);
    const labels = [...new Set([...l2.map((a) => `layer2 ${a.ip}`), ...bgp.map((a) => `bgp ${a.ip}`)])].map(
      (entry) => {
        const [protocol = '', ip = ''] = entry.split(' ');
        return { service: key, protocol, node: this.options.node, ip };
      },
    );
    for (const l of labels) this.announced.set(l, 1);
    if (labels.length === 0) this.metricLabels.delete(key);
    else this.metricLabels.set(key, labels);
  }

  private serviceRef(namespace: string, name: string): Obj {
    const obj = this.services.get(`${namespace}/${name}`);
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace,
        ...(obj?.metadata?.uid !== undefined ? { uid: obj.metadata.uid } : {}),
      },
    };
  }

  private event(
    namespace: string,
    name: string,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): void {
    const ref = this.serviceRef(namespace, name);
    this.enqueueWrite(() => this.recorder.record(ref, type, reason, message));
  }

  private reportL2(namespace: string, name: string, list: readonly L2Announcement[], started: boolean): void {
    const key = `${namespace}/${name}`;
    const objectName = statusObjectName('l2', this.options.node, key);
    if (list.length === 0) {
      this.deleteStatus('servicel2statuses', objectName);
      this.logger.info('stopped announcing', { service: key, protocol: 'layer2' });
      return;
    }
    if (started) {
      this.event(
        namespace,
        name,
        'Normal',
        'nodeAssigned',
        `announcing from node "${this.options.node}" with protocol "layer2"`,
      );
      this.logger.info('announcing', { service: key, protocol: 'layer2', ips: list.map((a) => a.ip) });
    }
    const interfaces = [...new Set(list.flatMap((a) => a.interfaces))].sort().map((n) => ({ name: n }));
    this.writeStatus('ServiceL2Status', 'servicel2statuses', objectName, namespace, name, {
      node: this.options.node,
      serviceName: name,
      serviceNamespace: namespace,
      interfaces,
    });
    if (started) this.enqueueWrite(() => this.deleteDeadOwnersStatus(namespace, name));
  }

  /**
   * A takeover: the previous owner's speaker died and cannot delete its ServiceL2Status, so the new owner
   * deletes those of nodes the membership holds dead (live ones withdraw their own).
   */
  private async deleteDeadOwnersStatus(namespace: string, name: string): Promise<void> {
    const live = this.options.liveSpeakers?.();
    if (live === undefined) return;
    const list = await this.client.list(
      resourcePath({
        apiVersion: 'metallb.io/v1beta1',
        resource: 'servicel2statuses',
        namespace: this.namespace,
      }),
      { labelSelector: `${SERVICE_NAME_LABEL}=${name},${SERVICE_NAMESPACE_LABEL}=${namespace}` },
    );
    for (const item of list.items) {
      const node = item.metadata?.labels?.[NODE_LABEL];
      if (node !== undefined && node !== this.options.node && !live.has(node))
        this.deleteStatus('servicel2statuses', item.metadata?.name ?? '');
    }
  }

  private reportBgp(
    namespace: string,
    name: string,
    list: readonly BgpAnnouncement[],
    started: boolean,
  ): void {
    const key = `${namespace}/${name}`;
    const objectName = statusObjectName('bgp', this.options.node, key);
    if (list.length === 0) {
      this.deleteStatus('servicebgpstatuses', objectName);
      this.logger.info('stopped announcing', { service: key, protocol: 'bgp' });
      return;
    }
    if (started) {
      this.event(
        namespace,
        name,
        'Normal',
        'nodeAssigned',
        `announcing from node "${this.options.node}" with protocol "bgp"`,
      );
      this.logger.info('announcing', {
        service: key,
        protocol: 'bgp',
        peers: [...new Set(list.map((a) => a.peer))],
      });
    }
    this.writeStatus('ServiceBGPStatus', 'servicebgpstatuses', objectName, namespace, name, {
      node: this.options.node,
      serviceName: name,
      serviceNamespace: namespace,
      peers: [...new Set(list.map((a) => a.peer))].sort(),
    });
  }

  private reportProblems(
    protocol: ProtocolName,
    problems: readonly ProtocolProblem[],
    service?: string,
  ): void {
    for (const problem of problems) {
      const key = problem.service ?? service;
      this.logger.warn('announcement failed', {
        protocol,
        ...(key !== undefined ? { service: key } : {}),
        ...(problem.peer !== undefined ? { peer: problem.peer } : {}),
        message: problem.message,
      });
      if (key === undefined) continue;
      const [namespace = '', name = ''] = key.split('/');
      this.event(namespace, name, 'Warning', 'announceFailed', `${protocol}: ${problem.message}`);
    }
  }

  /** A Service's conflict or failure found later by a protocol (e.g. an RFC 5227 conflict). */
  announceFailed(service: string, protocol: ProtocolName, message: string): void {
    this.reportProblems(protocol, [{ service, message }]);
  }

  private enqueueWrite(write: () => Promise<void>): void {
    this.pendingWrites++;
    this.writes = this.writes
      .then(write)
      .catch((error: unknown) => this.logger.warn('status not written', { error }))
      .finally(() => {
        this.pendingWrites--;
      });
  }

  private writeStatus(
    kind: string,
    resource: string,
    objectName: string,
    serviceNamespace: string,
    serviceName: string,
    status: Record<string, unknown>,
  ): void {
    const path = resourcePath({
      apiVersion: 'metallb.io/v1beta1',
      resource,
      namespace: this.namespace,
      name: objectName,
    });
    this.enqueueWrite(async () => {
      try {
        await this.client.get(path);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await this.client.create(
          resourcePath({ apiVersion: 'metallb.io/v1beta1', resource, namespace: this.namespace }),
          {
            apiVersion: 'metallb.io/v1beta1',
            kind,
            metadata: {
              name: objectName,
              namespace: this.namespace,
              labels: {
                [NODE_LABEL]: this.options.node,
                [SERVICE_NAME_LABEL]: serviceName,
                [SERVICE_NAMESPACE_LABEL]: serviceNamespace,
              },
            },
          },
          SPEAKER_FIELD_MANAGER,
        );
      }
      await patchStatus(this.client, path, status, SPEAKER_FIELD_MANAGER);
    });
  }

  private deleteStatus(resource: string, objectName: string): void {
    const path = resourcePath({
      apiVersion: 'metallb.io/v1beta1',
      resource,
      namespace: this.namespace,
      name: objectName,
    });
    this.enqueueWrite(async () => {
      try {
        await this.client.delete(path);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    });
  }

  /** Status objects of this node from a previous life that no longer describe anything announced. */
  private async deleteStaleStatus(): Promise<void> {
    for (const [prefix, resource] of [
      ['l2', 'servicel2statuses'],
      ['bgp', 'servicebgpstatuses'],
    ] as const) {
      const list = await this.client.list(
        resourcePath({ apiVersion: 'metallb.io/v1beta1', resource, namespace: this.namespace }),
        { labelSelector: `${NODE_LABEL}=${this.options.node}` },
      );
      const keep = new Set(
        [...this.reported.entries()]
          .filter(([, r]) => (prefix === 'l2' ? r.l2 : r.bgp) !== '[]')
          .map(([key]) => statusObjectName(prefix, this.options.node, key)),
      );
      for (const item of list.items) {
        const objectName = item.metadata?.name ?? '';
        if (!keep.has(objectName)) this.deleteStatus(resource, objectName);
      }
    }
  }

  private writeConfigurationState(status: unknown): void {
    const name = `speaker-${this.options.node}`;
    const path = resourcePath({
      apiVersion: 'metallb.io/v1beta1',
      resource: 'configurationstates',
      namespace: this.namespace,
      name,
    });
    this.enqueueWrite(async () => {
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
              name,
              namespace: this.namespace,
              labels: { 'app.kubernetes.io/component': 'speaker', [NODE_LABEL]: this.options.node },
            },
          },
          SPEAKER_FIELD_MANAGER,
        );
      }
      await patchStatus(this.client, path, status, SPEAKER_FIELD_MANAGER);
    });
  }
}

function groupBy<A extends { readonly service: string }>(list: readonly A[]): Map<string, A[]> {
  const out = new Map<string, A[]>();
  for (const item of list) {
    const group = out.get(item.service) ?? [];
    group.push(item);
    out.set(item.service, group);
  }
  return out;
}
