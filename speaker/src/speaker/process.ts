// The edges of one speaker: the layer 2 runtime (raw frames), BGP sessions, membership over UDP, and the HTTP
// endpoints, around the Speaker. In dry run none of the network parts is started. Shared by `lbops speaker`
// and `lbops up`.
import { parseListen, silentLogger, startHttpEndpoints, type HttpEndpoints, type Logger } from '@lbops/kube';
import { isNotFound, resourcePath, type KubeClient, type KubeObject } from '@lbops/kube';
import { Registry } from 'prom-client';
import { BgpMetrics } from '../bgp/metrics.js';
import { Layer2Runtime } from '../l2/layer2-runtime.js';
import { rankNodes } from '../l2/leader.js';
import { DEFAULT_MEMBERSHIP_TIMINGS, Membership } from '../l2/membership.js';
import { UdpMembership } from '../l2/membership-udp.js';
import { createLayer2Metrics } from '../l2/metrics.js';
import { DEFAULT_RESPONDER_TIMINGS } from '../l2/responder.js';
import { BgpProtocol } from './bgp-protocol.js';
import { nodeInfo, secretValue } from './kube-objects.js';
import { Layer2Protocol } from './layer2-protocol.js';
import { Speaker } from './speaker.js';

/** MetalLB's Secret with the memberlist key (key `secretkey`). */
export const MEMBERLIST_SECRET = 'memberlist';
export const DEFAULT_MEMBERLIST_PORT = 7946;
/** How long a starting speaker announces nothing over layer 2 (node-main.ts uses the same default). */
export const STARTUP_GRACE_MS = 500;
export const CONFLICT_RETRY_MS = 1_000;

export interface SpeakerProcessOptions {
  readonly client: KubeClient;
  readonly node: string;
  readonly namespace: string;
  readonly dryRun: boolean;
  /** HOST:PORT for /metrics, /healthz, /readyz; undefined: no HTTP server (lbops up runs several). */
  readonly metricsListen: string | undefined;
  readonly loadBalancerClass?: string;
  readonly memberlistPort?: number;
  readonly logger?: Logger;
}

export interface SpeakerProcess {
  readonly speaker: Speaker;
  readonly endpoints: HttpEndpoints | undefined;
  stop(): Promise<void>;
}

async function getOptional(client: KubeClient, path: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function startSpeakerProcess(options: SpeakerProcessOptions): Promise<SpeakerProcess> {
  const logger = options.logger ?? silentLogger;
  const registry = new Registry();
  const listen = options.metricsListen === undefined ? undefined : parseListen(options.metricsListen);
  if (options.metricsListen !== undefined && listen === undefined)
    throw new Error(`--metrics-listen wants HOST:PORT, got "${options.metricsListen}"`);
  const stops: Array<() => void> = [];
  // The layer 2 and membership callbacks need the speaker, which needs the protocols: a late reference.
  const ref: { speaker?: Speaker } = {};
  let liveSpeakers: (() => ReadonlySet<string>) | undefined;
  let protocols = {};

  if (!options.dryRun) {
    const layer2Metrics = createLayer2Metrics(registry);
    const runtime = new Layer2Runtime({
      // A probe conflict is most often a handover race: the previous owner (alive, ranked lower) answers until
      // it has seen the membership change, a few hundred ms. Probing again after 1 s instead of 10 s keeps that
      // race from silencing the address; a real foreign host is still never announced over, and reported.
      timings: { ...DEFAULT_RESPONDER_TIMINGS, conflictRetryMs: CONFLICT_RETRY_MS },
      metrics: layer2Metrics,
      observe: (effect) => {
        if (effect.type !== 'conflict') return;
        // RFC 5227: another host answers for the address; say so on every Service using it.
        for (const a of ref.speaker?.lastDecision?.layer2 ?? []) {
          if (a.ip === effect.ip)
            ref.speaker?.announceFailed(
              a.service,
              'layer2',
              `${effect.ip} is also claimed by ${effect.mac} on ${effect.interface} (${effect.phase})`,
            );
        }
      },
    });
    await runtime.start();
    stops.push(() => runtime.stop());
    const bgpMetrics = new BgpMetrics(registry);
    const bgp = new BgpProtocol({
      namespace: options.namespace,
      metrics: bgpMetrics,
    });
    stops.push(() => bgp.stop());
    let takeover: ((ip: string) => boolean) | undefined;
    const layer2 = new Layer2Protocol(runtime, { probe: (ip) => !(takeover?.(ip) ?? false) });
    protocols = { layer2, bgp };

    // Liveness among speakers needs the shared key; without it every node counts as live (and the operator
    // is told), which is right as long as every node runs a speaker.
    const secret = await getOptional(
      options.client,
      resourcePath({
        apiVersion: 'v1',
        resource: 'secrets',
        namespace: options.namespace,
        name: MEMBERLIST_SECRET,
      }),
    );
    const key = secretValue(secret, 'secretkey');
    const self = nodeInfo(await options.client.get(`/api/v1/nodes/${options.node}`));
    const ownAddress = self.addresses[0];
    if (key === undefined || ownAddress === undefined) {
      logger.warn(
        key === undefined
          ? `no Secret ${options.namespace}/${MEMBERLIST_SECRET} with key secretkey: every node counts as live`
          : `node ${options.node} has no InternalIP: no membership, every node counts as live`,
      );
    } else {
      const port = options.memberlistPort ?? DEFAULT_MEMBERLIST_PORT;
      const hostPort = (ip: string): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
      const membership = new Membership(
        { self: { name: options.node, address: hostPort(ownAddress) }, timings: DEFAULT_MEMBERSHIP_TIMINGS },
        Date.now(),
      );
      const joined = new Set<string>();
      const joinNodes = async (): Promise<void> => {
        const nodes = (await options.client.list('/api/v1/nodes')).items.map(nodeInfo);
        const fresh = nodes.filter(
          (n) => n.name !== options.node && !joined.has(n.name) && n.addresses[0] !== undefined,
        );
        for (const n of fresh) joined.add(n.name);
        membership.join(fresh.map((n) => ({ name: n.name, address: hostPort(n.addresses[0] ?? '') })));
      };
      await joinNodes();
      const udp = new UdpMembership({
        membership,
        bind: hostPort(ownAddress),
        key: Buffer.from(key, 'utf8'),
        onEffect: (effect) => {
          logger.info('membership', { ...effect });
          ref.speaker?.poke();
        },
      });
      await udp.start();
      // New nodes join the member table; failures to list are retried at the next tick.
      const timer = setInterval(() => void joinNodes().catch(() => undefined), 10_000);
      stops.push(() => {
        clearInterval(timer);
        udp.stop();
      });
      // Until the others have heard from us (a restart: they may hold us dead and another node announces our
      // IPs), we claim nothing; otherwise our RFC 5227 probe meets the interim owner and backs off for seconds.
      const graceUntil = Date.now() + STARTUP_GRACE_MS;
      liveSpeakers = () => {
        const live = new Set(membership.liveMembers());
        if (Date.now() < graceUntil) live.delete(options.node);
        return live;
      };
      const graceTimer = setTimeout(() => ref.speaker?.poke(), STARTUP_GRACE_MS);
      stops.push(() => clearTimeout(graceTimer));
      // Taking over when a node ranked before us for the IP is dead: it was the owner.
      takeover = (ip) => {
        const ranked = rankNodes(ip, [options.node, ...joined]);
        return ranked
          .slice(0, ranked.indexOf(options.node))
          .some((name) => membership.stateOf(name) === 'dead');
      };
    }
  }

  const running = new Speaker({
    client: options.client,
    node: options.node,
    namespace: options.namespace,
    dryRun: options.dryRun,
    protocols,
    registry,
    logger,
    ...(liveSpeakers !== undefined ? { liveSpeakers } : {}),
    ...(options.loadBalancerClass !== undefined ? { loadBalancerClass: options.loadBalancerClass } : {}),
  });
  ref.speaker = running;
  const endpoints =
    listen === undefined
      ? undefined
      : await startHttpEndpoints({
          host: listen.host,
          port: listen.port,
          registry,
          ready: () => running.readiness(),
        });
  running.start();
  return {
    speaker: running,
    endpoints,
    stop: async () => {
      await running.stop();
      for (const stop of stops.reverse()) stop();
      await endpoints?.close();
    },
  };
}
