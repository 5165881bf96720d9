/**
 * A layer 2 speaker process for the lab and the failover bench: membership over UDP, leader per IP, ARP/NDP
 * answering. Configuration is one JSON argument (see `Layer2NodeConfig`); it logs JSON lines to stdout with
 * wall-clock times so tests can line events up with what a client observed. The full speaker (issue 10) wires
 * the same parts to Kubernetes instead.
 */
import { Registry } from 'prom-client';
import { Layer2Runtime } from './layer2-runtime.js';
import { leaderFor } from './leader.js';
import { DEFAULT_MEMBERSHIP_TIMINGS, Membership, type MembershipTimings } from './membership.js';
import { UdpMembership } from './membership-udp.js';
import { createLayer2Metrics } from './metrics.js';
import { DEFAULT_RESPONDER_TIMINGS, type ResponderTimings } from './responder.js';

export interface Layer2NodeConfig {
  readonly node: string;
  readonly ips: ReadonlyArray<{ readonly ip: string; readonly interfaces?: readonly string[] }>;
  /** RFC 5227 probe before first announcing (a takeover from a dead leader skips it). */
  readonly probe: boolean;
  readonly membership: {
    readonly bind: string;
    readonly peers: ReadonlyArray<{ readonly name: string; readonly address: string }>;
    readonly keyHex: string;
    readonly timings?: Partial<MembershipTimings>;
  };
  readonly responder?: Partial<ResponderTimings>;
  /**
   * Time after start during which this node announces nothing: the others still hold it dead from a previous
   * life; until they have heard its refutation, the old owner answers our probe and we would see a conflict.
   */
  readonly startupGraceMs?: number;
  readonly allowList?: readonly string[];
}

function log(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: Date.now(), ...event })}\n`);
}

export async function runLayer2Node(config: Layer2NodeConfig): Promise<() => void> {
  const registry = new Registry();
  const metrics = createLayer2Metrics(registry);
  const runtime = new Layer2Runtime({
    timings: { ...DEFAULT_RESPONDER_TIMINGS, ...config.responder },
    ...(config.allowList === undefined ? {} : { filter: { allowList: config.allowList } }),
    metrics,
    observe: (effect) => {
      if (effect.type === 'status' || effect.type === 'conflict') log({ event: effect.type, ...effect });
    },
  });
  const membership = new Membership(
    {
      self: { name: config.node, address: config.membership.bind },
      timings: { ...DEFAULT_MEMBERSHIP_TIMINGS, ...config.membership.timings },
    },
    Date.now(),
  );
  membership.join(config.membership.peers);
  const leaders = new Map<string, string | undefined>();
  const graceMs = config.startupGraceMs ?? 500;
  let inGrace = graceMs > 0;
  const reconcile = (): void => {
    const live = membership.liveMembers();
    metrics.membershipSize.set(live.length);
    for (const { ip, interfaces } of config.ips) {
      const leader = leaderFor(ip, live);
      const previous = leaders.get(ip);
      if (!inGrace) leaders.set(ip, leader);
      // A takeover from a speaker the membership declared dead needs no probe: the address was the cluster's a
      // moment ago, and probing would only delay the failover. First announcements and handovers are probed.
      const takeover =
        previous !== undefined && previous !== config.node && membership.stateOf(previous) === 'dead';
      runtime.setIp(ip, {
        leader: leader === config.node && !inGrace,
        probe: config.probe && !takeover,
        ...(interfaces === undefined ? {} : { interfaces }),
      });
    }
  };
  const udp = new UdpMembership({
    membership,
    bind: config.membership.bind,
    key: Buffer.from(config.membership.keyHex, 'hex'),
    clock: () => Date.now(),
    onEffect: (effect) => {
      if (effect.type === 'refuted') {
        // We were suspected or declared dead (frozen, partitioned): another node may have announced our IPs,
        // so clients must be told again that they are here.
        log({ event: 'refuted', incarnation: effect.incarnation, claimed: effect.claimed });
        reconcile();
        runtime.reannounce();
        return;
      }
      log({ event: 'member', ...effect });
      if (effect.state === 'dead' && effect.previous !== 'unknown') metrics.failuresDetected.inc();
      reconcile();
      // A member back from the dead (restart, healed partition) may have announced IPs we still lead.
      if (effect.state === 'alive' && effect.previous === 'dead') runtime.reannounce();
    },
    onRejected: () => log({ event: 'rejected-datagram' }),
  });
  await runtime.start();
  log({ event: 'interfaces', interfaces: runtime.interfaces() });
  await udp.start();
  reconcile();
  const graceTimer = setTimeout(() => {
    inGrace = false;
    reconcile();
  }, graceMs);
  log({ event: 'started', node: config.node });
  return () => {
    clearTimeout(graceTimer);
    udp.stop();
    runtime.stop();
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const config = JSON.parse(process.argv[2] ?? '{}') as Layer2NodeConfig;
  runLayer2Node(config).then(
    (stop) => {
      const shutdown = (): void => {
        stop();
        process.exit(0);
      };
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
    },
    (error: unknown) => {
      process.stderr.write(
        `layer 2 node failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
