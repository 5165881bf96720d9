/**
 * BGP metrics. The four `metallb_bgp_*` names and their `peer` label are MetalLB's, so existing dashboards keep
 * working; the `lbops_bgp_*` ones are ours. The Registry is passed in: the speaker owns one and serves it.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PeerObserver } from './peer.js';

/** What the gauges read from a peer at scrape time. */
export interface TrackedPeer {
  readonly name: string;
  readonly announcedCount: number;
  readonly pendingCount: number;
}

export class BgpMetrics {
  readonly sessionUp: Gauge<'peer'>;
  readonly updates: Counter<'peer'>;
  readonly announcedPrefixes: Gauge<'peer'>;
  readonly pendingPrefixes: Gauge<'peer'>;
  readonly messages: Counter<'peer' | 'direction' | 'type'>;
  readonly notifications: Counter<'peer' | 'direction' | 'code' | 'subcode'>;
  readonly flaps: Counter<'peer'>;
  private readonly tracked = new Map<string, TrackedPeer>();

  constructor(registry: Registry) {
    const registers = [registry];
    const tracked = this.tracked;
    this.sessionUp = new Gauge({
      name: 'metallb_bgp_session_up',
      help: 'BGP session state (1 is up, 0 is down)',
      labelNames: ['peer'],
      registers,
    });
    this.updates = new Counter({
      name: 'metallb_bgp_updates_total',
      help: 'Number of BGP UPDATE messages sent',
      labelNames: ['peer'],
      registers,
    });
    this.announcedPrefixes = new Gauge({
      name: 'metallb_bgp_announced_prefixes_total',
      help: 'Number of prefixes currently being advertised on the BGP session',
      labelNames: ['peer'],
      registers,
      collect() {
        for (const peer of tracked.values()) this.set({ peer: peer.name }, peer.announcedCount);
      },
    });
    this.pendingPrefixes = new Gauge({
      name: 'metallb_bgp_pending_prefixes_total',
      help: 'Number of prefixes that should be advertised on the BGP session but are not yet',
      labelNames: ['peer'],
      registers,
      collect() {
        for (const peer of tracked.values()) this.set({ peer: peer.name }, peer.pendingCount);
      },
    });
    this.messages = new Counter({
      name: 'lbops_bgp_messages_total',
      help: 'BGP messages by direction (in, out) and type (open, update, notification, keepalive, route-refresh)',
      labelNames: ['peer', 'direction', 'type'],
      registers,
    });
    this.notifications = new Counter({
      name: 'lbops_bgp_notifications_total',
      help: 'BGP NOTIFICATION messages by direction and error code/subcode (RFC 4271 §4.5)',
      labelNames: ['peer', 'direction', 'code', 'subcode'],
      registers,
    });
    this.flaps = new Counter({
      name: 'lbops_bgp_session_flaps_total',
      help: 'Times an Established BGP session went down',
      labelNames: ['peer'],
      registers,
    });
  }

  /** Reads announced and pending prefix counts from the peer at each scrape. */
  track(peer: TrackedPeer): void {
    this.tracked.set(peer.name, peer);
    this.sessionUp.set({ peer: peer.name }, 0);
  }

  /** Forgets a removed peer and its series. */
  untrack(name: string): void {
    this.tracked.delete(name);
    for (const metric of [this.sessionUp, this.announcedPrefixes, this.pendingPrefixes])
      metric.remove({ peer: name });
  }

  /** Session hooks that count for `peer`; pass to BgpPeer (combine with others via `combineObservers`). */
  observer(peer: string): PeerObserver {
    const count =
      (direction: 'in' | 'out') => (message: { type: string; code?: number; subcode?: number }) => {
        this.messages.inc({ peer, direction, type: message.type });
        if (message.type === 'update' && direction === 'out') this.updates.inc({ peer });
        if (message.type === 'notification') {
          this.notifications.inc({
            peer,
            direction,
            code: String(message.code ?? 0),
            subcode: String(message.subcode ?? 0),
          });
        }
      };
    return {
      messageIn: count('in'),
      messageOut: count('out'),
      stateChanged: (state) => this.sessionUp.set({ peer }, state === 'established' ? 1 : 0),
      down: () => this.flaps.inc({ peer }),
    };
  }
}

/** Calls every observer's hook in turn. */
export function combineObservers(...observers: PeerObserver[]): PeerObserver {
  const keys = new Set(observers.flatMap((o) => Object.keys(o))) as Set<keyof PeerObserver>;
  const combined: Record<string, (...args: never[]) => void> = {};
  for (const key of keys) {
    combined[key] = (...args: never[]) => {
      for (const o of observers) (o[key] as ((...a: never[]) => void) | undefined)?.(...args);
    };
  }
  return combined;
}
