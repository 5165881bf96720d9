// One BGP peer: a session plus what we announce on it. On every (re-)establishment the whole desired set is
// sent again, since the peer dropped our routes with the old session (RFC 4271 §8, §9.2).

import {
  type PeerView,
  type Route,
  type RouteProblem,
  endOfRib,
  planUpdates,
  validateRoutes,
} from './announcer.js';
import type { Clock } from './clock.js';
import type { BgpMessage } from './message.js';
import {
  BgpSession,
  type Dial,
  type Negotiated,
  type SessionConfig,
  type SessionObserver,
} from './session.js';

export interface PeerObserver extends SessionObserver {
  /** After each batch of UPDATEs handed to the connection. */
  announced?(counts: { updates: number; announced: number; withdrawn: number }): void;
}

export class BgpPeer {
  readonly session: BgpSession;
  private desired: Route[] = [];
  private sent = new Map<string, string>();
  private view: PeerView | undefined;

  constructor(
    private readonly config: SessionConfig,
    clock: Clock,
    dial: Dial | undefined,
    private readonly observer: PeerObserver = {},
  ) {
    this.session = new BgpSession(config, clock, dial, {
      ...observer,
      established: (negotiated) => {
        observer.established?.(negotiated);
        this.onEstablished(negotiated);
      },
      down: (reason) => {
        this.view = undefined;
        this.sent = new Map();
        observer.down?.(reason);
      },
      routeRefresh: (afi, safi) => {
        observer.routeRefresh?.(afi, safi);
        // RFC 2918 §4: re-advertise the Adj-RIB-Out.
        this.sent = new Map();
        this.flush();
      },
    });
  }

  get name(): string {
    return this.config.name;
  }

  start(): void {
    this.session.start();
  }

  stop(): void {
    this.session.stop();
  }

  /** Replaces the desired routes; sends the difference at once when established. Bad routes are returned. */
  setRoutes(routes: readonly Route[]): RouteProblem[] {
    const { valid, problems } = validateRoutes(routes);
    this.desired = valid;
    this.flush();
    return problems;
  }

  /** Prefixes the peer holds from us now. */
  get announcedCount(): number {
    return this.sent.size;
  }

  /** Desired prefixes not (yet) announced as desired: session down, family not negotiated, or unsent. */
  get pendingCount(): number {
    return this.desired.length - this.desired.filter((r) => this.sent.has(r.prefix)).length;
  }

  private onEstablished(negotiated: Negotiated): void {
    this.view = {
      localAsn: this.config.localAsn,
      internal: negotiated.internal,
      fourOctetAs: negotiated.fourOctetAs,
      families: negotiated.families,
    };
    this.sent = new Map();
    this.flush();
    // RFC 4724 §2: the initial update is complete.
    if (negotiated.gracefulRestart) {
      for (const family of negotiated.families) this.session.send(endOfRib(family));
    }
  }

  private flush(): void {
    if (this.view === undefined) return;
    const plan = planUpdates(this.sent, this.desired, this.view);
    for (const update of plan.updates) {
      if (!this.session.send(update satisfies BgpMessage)) return;
    }
    this.sent = plan.sent;
    if (plan.updates.length > 0) {
      this.observer.announced?.({
        updates: plan.updates.length,
        announced: plan.announced,
        withdrawn: plan.withdrawn,
      });
    }
  }
}
