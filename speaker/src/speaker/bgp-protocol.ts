// BGP behind the protocol interface: one session per BGPPeer that selects this node, and on each the routes
// of every Service announced to that peer. Sessions are replaced when their settings change; routes are
// handed to the peer, which sends only the difference (announcer.ts).
import {
  formatIp,
  matchesLabelSelector,
  type BgpCommunity,
  type BgpPeer as PeerConfig,
  type Config,
} from '@lbops/schemas';
import type { LargeCommunity } from '../bgp/attributes.js';
import type { Route } from '../bgp/announcer.js';
import { systemClock, type Clock } from '../bgp/clock.js';
import type { BgpMetrics } from '../bgp/metrics.js';
import type { PeerObserver } from '../bgp/peer.js';
import { BgpPeer } from '../bgp/peer.js';
import type { Dial, SessionConfig } from '../bgp/session.js';
import { tcpDialer } from '../bgp/tcp.js';
import type { NodeInfo } from './cluster-state.js';
import type { BgpAnnouncement } from './decide.js';
import type { ProtocolHandler, ProtocolProblem, SecretLookup } from './protocol.js';

/** The part of `BgpPeer` the adapter uses (a fake in tests). */
export interface PeerHandle {
  start(): void;
  stop(): void;
  setRoutes(routes: readonly Route[]): Array<{ prefix: string; reason: string }>;
}

export interface PeerSettings {
  readonly session: SessionConfig;
  readonly address: string;
  readonly port: number;
  readonly sourceAddress: string | undefined;
  readonly password: string | undefined;
  readonly ebgpMultiHop: boolean;
}

export interface BgpProtocolOptions {
  /** Namespace of Secrets referenced without one. */
  readonly namespace: string;
  readonly clock?: Clock;
  /** Builds a peer (default: a BgpPeer dialling over TCP); may throw (e.g. no TCP MD5 support). */
  readonly createPeer?: (settings: PeerSettings) => PeerHandle;
  readonly observer?: (peer: string) => PeerObserver;
  /** Session, update and prefix metrics of every peer the default factory creates. */
  readonly metrics?: BgpMetrics;
}

function communityNumber(c: BgpCommunity & { type: 'standard' }): number {
  // RFC 1997: the high 16 bits are the ASN.
  return ((c.asn << 16) | c.value) >>> 0;
}

export function routeOf(announcement: BgpAnnouncement, nextHop: string): Route {
  const standard = announcement.communities.filter((c) => c.type === 'standard').map(communityNumber);
  const large: LargeCommunity[] = announcement.communities.flatMap((c) =>
    c.type === 'large' ? [[c.globalAdmin, c.localData1, c.localData2] as const] : [],
  );
  return {
    prefix: announcement.prefix,
    nextHop,
    ...(standard.length > 0 ? { communities: standard } : {}),
    ...(large.length > 0 ? { largeCommunities: large } : {}),
    ...(announcement.localPref !== undefined ? { localPref: announcement.localPref } : {}),
  };
}

/** Routes of several announcements of one peer sharing a prefix (aggregation) become one, communities merged. */
export function mergeRoutes(routes: readonly Route[]): Route[] {
  const byPrefix = new Map<string, Route>();
  for (const route of routes) {
    const seen = byPrefix.get(route.prefix);
    if (seen === undefined) {
      byPrefix.set(route.prefix, route);
      continue;
    }
    const communities = [...new Set([...(seen.communities ?? []), ...(route.communities ?? [])])];
    const large = [...(seen.largeCommunities ?? [])];
    for (const c of route.largeCommunities ?? [])
      if (!large.some((l) => l.every((v, i) => v === c[i]))) large.push(c);
    const localPref =
      seen.localPref === undefined ? route.localPref : Math.max(seen.localPref, route.localPref ?? 0);
    byPrefix.set(route.prefix, {
      prefix: route.prefix,
      nextHop: seen.nextHop,
      ...(communities.length > 0 ? { communities } : {}),
      ...(large.length > 0 ? { largeCommunities: large } : {}),
      ...(localPref !== undefined ? { localPref } : {}),
    });
  }
  return [...byPrefix.values()];
}

function defaultCreatePeer(
  clock: Clock,
  observer: BgpProtocolOptions['observer'],
  metrics: BgpMetrics | undefined,
) {
  return (settings: PeerSettings): PeerHandle => {
    const dial: Dial = tcpDialer({
      address: settings.address,
      port: settings.port,
      name: settings.session.name,
      ...(settings.sourceAddress !== undefined ? { localAddress: settings.sourceAddress } : {}),
      ...(settings.password !== undefined ? { password: settings.password } : {}),
      // MetalLB's ebgpMultiHop: the peer may be several hops away, so do not send with TTL 1.
      ...(settings.ebgpMultiHop ? { ttl: 255 } : {}),
    });
    const name = settings.session.name;
    const peer = new BgpPeer(
      settings.session,
      clock,
      dial,
      observer?.(name) ?? metrics?.observer(name) ?? {},
    );
    metrics?.track(peer);
    return {
      start: () => peer.start(),
      stop: () => {
        peer.stop();
        metrics?.untrack(name);
      },
      setRoutes: (routes) => peer.setRoutes(routes),
    };
  };
}

export class BgpProtocol implements ProtocolHandler<BgpAnnouncement> {
  readonly protocol = 'bgp' as const;
  private config: Config | undefined;
  private secrets: SecretLookup = () => undefined;
  private node: NodeInfo | undefined;
  private readonly peers = new Map<string, { handle: PeerHandle; fingerprint: string; nextHops: string[] }>();
  private readonly balancers = new Map<string, readonly BgpAnnouncement[]>();
  private readonly createPeer: (settings: PeerSettings) => PeerHandle;

  constructor(private readonly options: BgpProtocolOptions) {
    this.createPeer =
      options.createPeer ??
      defaultCreatePeer(options.clock ?? systemClock, options.observer, options.metrics);
  }

  /** Names of the peers with a session (tests, status). */
  get peerNames(): string[] {
    return [...this.peers.keys()].sort();
  }

  setConfig(config: Config, secrets: SecretLookup): ProtocolProblem[] {
    this.config = config;
    this.secrets = secrets;
    return this.syncPeers();
  }

  setNode(node: NodeInfo): ProtocolProblem[] {
    this.node = node;
    return this.syncPeers();
  }

  setBalancer(service: string, announcements: readonly BgpAnnouncement[]): ProtocolProblem[] {
    if (announcements.length === 0) this.balancers.delete(service);
    else this.balancers.set(service, announcements);
    const touched = new Set(announcements.map((a) => a.peer));
    return this.pushRoutes(touched, service);
  }

  deleteBalancer(service: string): void {
    const previous = this.balancers.get(service) ?? [];
    this.balancers.delete(service);
    this.pushRoutes(new Set(previous.map((a) => a.peer)), service);
  }

  stop(): void {
    for (const { handle } of this.peers.values()) handle.stop();
    this.peers.clear();
  }

  private syncPeers(): ProtocolProblem[] {
    const problems: ProtocolProblem[] = [];
    const wanted = new Map<string, PeerSettings>();
    if (this.config !== undefined && this.node !== undefined) {
      // Peers were already filtered by node selectors in decide(); sessions exist for every peer selecting
      // this node, routes or not, so that a first announcement does not wait for a session.
      for (const peer of this.config.bgpPeers) {
        if (!selectsNode(peer, this.node)) continue;
        const settings = this.settingsOf(peer, this.node, problems);
        if (settings !== undefined) wanted.set(peer.name, settings);
      }
    }
    for (const [name, entry] of this.peers) {
      const settings = wanted.get(name);
      if (settings === undefined || fingerprintOf(settings) !== entry.fingerprint) {
        entry.handle.stop();
        this.peers.delete(name);
      }
    }
    for (const [name, settings] of wanted) {
      if (this.peers.has(name)) continue;
      let handle: PeerHandle;
      try {
        handle = this.createPeer(settings);
      } catch (error) {
        problems.push({ peer: name, message: error instanceof Error ? error.message : String(error) });
        continue;
      }
      const nextHops =
        settings.sourceAddress !== undefined ? [settings.sourceAddress] : [...(this.node?.addresses ?? [])];
      this.peers.set(name, { handle, fingerprint: fingerprintOf(settings), nextHops });
      handle.start();
    }
    problems.push(...this.pushRoutes(new Set(this.peers.keys()), undefined));
    return problems;
  }

  private settingsOf(
    peer: PeerConfig,
    node: NodeInfo,
    problems: ProtocolProblem[],
  ): PeerSettings | undefined {
    if (peer.peerAddress === undefined) {
      problems.push({
        peer: peer.name,
        message: `BGPPeer ${peer.name}: unnumbered peering is not supported`,
      });
      return undefined;
    }
    let password = peer.password;
    if (peer.passwordSecret !== undefined) {
      const ns = peer.passwordSecret.namespace ?? this.options.namespace;
      password = this.secrets(ns, peer.passwordSecret.name, 'password');
      if (password === undefined) {
        problems.push({
          peer: peer.name,
          message: `BGPPeer ${peer.name}: Secret ${ns}/${peer.passwordSecret.name} has no key "password"`,
        });
        return undefined;
      }
    }
    const routerId = peer.routerID ?? node.addresses.find((a) => !a.includes(':'));
    if (routerId === undefined) {
      problems.push({
        peer: peer.name,
        message: `BGPPeer ${peer.name}: no routerID and node ${node.name} has no IPv4 address to use as one`,
      });
      return undefined;
    }
    const session: SessionConfig = {
      name: peer.name,
      localAsn: peer.myASN,
      peerAsn: peer.peerASN ?? peer.dynamicASN ?? 'external',
      routerId,
      holdTime: peer.holdTime,
      keepaliveTime: peer.keepaliveTime,
      ...(peer.connectTime !== undefined ? { connectTime: peer.connectTime } : {}),
      ...(peer.enableGracefulRestart ? { gracefulRestart: { restartTime: 120 } } : {}),
    };
    return {
      session,
      address: formatIp(peer.peerAddress),
      port: peer.peerPort,
      sourceAddress: peer.sourceAddress !== undefined ? formatIp(peer.sourceAddress) : undefined,
      password,
      ebgpMultiHop: peer.ebgpMultiHop,
    };
  }

  private pushRoutes(peers: ReadonlySet<string>, service: string | undefined): ProtocolProblem[] {
    const problems: ProtocolProblem[] = [];
    for (const name of peers) {
      const entry = this.peers.get(name);
      if (entry === undefined) continue;
      const routes: Route[] = [];
      for (const announcements of this.balancers.values()) {
        for (const a of announcements) {
          if (a.peer !== name) continue;
          const v6 = a.ip.includes(':');
          // NEXT_HOP is our address of the route's family (RFC 4271 §5.1.3, RFC 2545 §3).
          const nextHop = entry.nextHops.find((h) => h.includes(':') === v6);
          if (nextHop === undefined) {
            problems.push({
              service: a.service,
              ip: a.ip,
              peer: name,
              message: `no ${v6 ? 'IPv6' : 'IPv4'} address on this node to use as next hop towards ${name}`,
            });
            continue;
          }
          routes.push(routeOf(a, nextHop));
        }
      }
      for (const problem of entry.handle.setRoutes(mergeRoutes(routes)))
        problems.push({
          ...(service !== undefined ? { service } : {}),
          peer: name,
          message: `${problem.prefix}: ${problem.reason}`,
        });
    }
    return problems;
  }
}

function selectsNode(peer: PeerConfig, node: NodeInfo): boolean {
  return (
    peer.nodeSelectors.length === 0 || peer.nodeSelectors.some((s) => matchesLabelSelector(s, node.labels))
  );
}

function fingerprintOf(settings: PeerSettings): string {
  // The password is part of the identity of the session but must never be printed: only compared.
  return JSON.stringify(settings);
}
