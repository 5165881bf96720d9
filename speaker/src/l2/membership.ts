/**
 * SWIM membership among speakers (Das, Gupta, Motivala 2002), as a pure state machine: time is passed in,
 * randomness is injected, and datagrams to send come out as effects. The UDP adapter (membership-udp.ts)
 * encrypts them. Failure detection: each probe interval a member pings one peer (round robin over a shuffled
 * list); without an ack within probeTimeoutMs it asks k others to ping it (indirect probe); without any ack by
 * the end of indirectTimeoutMs the peer becomes suspect, and dead unless it refutes within suspicionTimeoutMs.
 * Refutation uses incarnation numbers: only the member itself raises its own. Updates travel piggybacked on
 * pings and acks, each retransmitted a logarithmic number of times; a suspected member is told directly so it
 * can refute quickly (a Lifeguard-style refinement), which is what keeps false positives rare under loss.
 */

export type MemberState = 'alive' | 'suspect' | 'dead';

export interface MemberUpdate {
  readonly name: string;
  readonly address: string;
  readonly state: MemberState;
  readonly incarnation: number;
}

export type SwimMessage =
  | {
      readonly kind: 'ping';
      readonly seq: number;
      readonly from: string;
      readonly updates: readonly MemberUpdate[];
    }
  | {
      readonly kind: 'ping-req';
      readonly seq: number;
      readonly from: string;
      readonly target: string;
      readonly updates: readonly MemberUpdate[];
    }
  | {
      readonly kind: 'ack';
      readonly seq: number;
      readonly from: string;
      readonly updates: readonly MemberUpdate[];
    }
  /** Updates only: refutations and suspicions are sent straight to those concerned, not only piggybacked. */
  | {
      readonly kind: 'gossip';
      readonly seq: number;
      readonly from: string;
      readonly updates: readonly MemberUpdate[];
    };

export type MembershipEffect =
  | { readonly type: 'send'; readonly to: string; readonly message: SwimMessage }
  /** Others suspected or declared us dead; we raised our incarnation. They may have taken over our work. */
  | { readonly type: 'refuted'; readonly incarnation: number; readonly claimed: 'suspect' | 'dead' }
  | {
      readonly type: 'member';
      readonly name: string;
      readonly state: MemberState;
      readonly previous: MemberState | 'unknown';
      readonly incarnation: number;
    };

export interface MembershipTimings {
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  /** After the direct timeout, how long the indirect probes get before the peer is suspected. */
  readonly indirectTimeoutMs: number;
  readonly suspicionTimeoutMs: number;
  /** Number of members asked to probe indirectly (SWIM's k). */
  readonly indirectProbes: number;
  /** Retransmissions of each update: retransmitMultiplier * ceil(log10(n + 1)). */
  readonly retransmitMultiplier: number;
  readonly maxUpdatesPerMessage: number;
  /** How often a dead member is pinged anyway, so that both sides of a healed partition find each other again. */
  readonly reconnectIntervalMs: number;
}

/** LAN defaults: a dead speaker is declared dead ~250–450 ms after it stops answering. */
export const DEFAULT_MEMBERSHIP_TIMINGS: MembershipTimings = {
  probeIntervalMs: 100,
  probeTimeoutMs: 50,
  indirectTimeoutMs: 50,
  suspicionTimeoutMs: 200,
  indirectProbes: 3,
  retransmitMultiplier: 4,
  maxUpdatesPerMessage: 8,
  reconnectIntervalMs: 1000,
};

interface Member {
  readonly name: string;
  address: string;
  state: MemberState;
  incarnation: number;
  suspectSince: number;
}

interface Probe {
  readonly target: string;
  readonly started: number;
  indirectSent: boolean;
}

interface Relay {
  readonly origin: string;
  readonly originSeq: number;
  readonly until: number;
}

export interface MembershipOptions {
  readonly self: { readonly name: string; readonly address: string };
  readonly timings?: MembershipTimings;
  /** Uniform in [0, 1); injected so tests are reproducible. */
  readonly random?: () => number;
}

export class Membership {
  readonly self: string;
  private readonly timings: MembershipTimings;
  private readonly random: () => number;
  private readonly members = new Map<string, Member>();
  private incarnation = 0;
  private seq = 0;
  private readonly probes = new Map<number, Probe>();
  private readonly relays = new Map<number, Relay>();
  private readonly queue = new Map<string, { update: MemberUpdate; sent: number }>();
  private order: string[] = [];
  private nextProbeAt: number;
  private nextReconnectAt: number;
  private readonly address: string;

  constructor(options: MembershipOptions, now: number) {
    this.self = options.self.name;
    this.address = options.self.address;
    this.timings = options.timings ?? DEFAULT_MEMBERSHIP_TIMINGS;
    this.random = options.random ?? Math.random;
    this.nextProbeAt = now;
    this.nextReconnectAt = now + this.timings.reconnectIntervalMs;
  }

  /** Seeds the member table (the other speakers, from configuration); they start alive at incarnation 0. */
  join(peers: ReadonlyArray<{ readonly name: string; readonly address: string }>): MembershipEffect[] {
    const effects: MembershipEffect[] = [];
    for (const peer of peers) {
      if (peer.name === this.self || this.members.has(peer.name)) continue;
      this.members.set(peer.name, {
        name: peer.name,
        address: peer.address,
        state: 'alive',
        incarnation: 0,
        suspectSince: 0,
      });
      effects.push({ type: 'member', name: peer.name, state: 'alive', previous: 'unknown', incarnation: 0 });
    }
    this.enqueue({ name: this.self, address: this.address, state: 'alive', incarnation: this.incarnation });
    return effects;
  }

  /** Members that count for leader election: alive or merely suspect (SWIM), plus this node. */
  liveMembers(): string[] {
    const live = [this.self];
    for (const member of this.members.values()) if (member.state !== 'dead') live.push(member.name);
    return live.sort();
  }

  stateOf(name: string): MemberState | undefined {
    if (name === this.self) return 'alive';
    return this.members.get(name)?.state;
  }

  incarnationOf(name: string): number | undefined {
    return name === this.self ? this.incarnation : this.members.get(name)?.incarnation;
  }

  nextDeadline(): number {
    let next = Math.min(this.nextProbeAt, this.nextReconnectAt);
    for (const probe of this.probes.values()) {
      const at =
        probe.started +
        (probe.indirectSent
          ? this.timings.probeTimeoutMs + this.timings.indirectTimeoutMs
          : this.timings.probeTimeoutMs);
      if (at < next) next = at;
    }
    for (const member of this.members.values()) {
      if (member.state === 'suspect')
        next = Math.min(next, member.suspectSince + this.timings.suspicionTimeoutMs);
    }
    return next;
  }

  tick(now: number): MembershipEffect[] {
    const effects: MembershipEffect[] = [];
    const { timings } = this;
    for (const [seq, probe] of this.probes) {
      const target = this.members.get(probe.target);
      if (target === undefined || target.state === 'dead') {
        this.probes.delete(seq);
        continue;
      }
      if (!probe.indirectSent && now >= probe.started + timings.probeTimeoutMs) {
        probe.indirectSent = true;
        const helpers = this.pick(
          timings.indirectProbes,
          (m) => m.state === 'alive' && m.name !== probe.target,
        );
        for (const helper of helpers) {
          effects.push(
            this.send(helper.address, {
              kind: 'ping-req',
              seq,
              from: this.self,
              target: probe.target,
              updates: [],
            }),
          );
        }
        // SWIM also retries the target directly alongside the indirect probes.
        effects.push(this.send(target.address, { kind: 'ping', seq, from: this.self, updates: [] }));
      }
      if (probe.indirectSent && now >= probe.started + timings.probeTimeoutMs + timings.indirectTimeoutMs) {
        this.probes.delete(seq);
        if (target.state === 'alive') effects.push(...this.suspect(now, target));
      }
    }
    for (const member of this.members.values()) {
      if (member.state === 'suspect' && now >= member.suspectSince + timings.suspicionTimeoutMs) {
        effects.push(
          ...this.apply(now, {
            name: member.name,
            address: member.address,
            state: 'dead',
            incarnation: member.incarnation,
          }),
        );
      }
    }
    for (const [seq, relay] of this.relays) if (now >= relay.until) this.relays.delete(seq);
    if (now >= this.nextProbeAt) {
      this.nextProbeAt = Math.max(this.nextProbeAt + timings.probeIntervalMs, now);
      const target = this.nextTarget();
      if (target !== undefined) {
        const seq = this.nextSeq();
        this.probes.set(seq, { target: target.name, started: now, indirectSent: false });
        effects.push(this.send(target.address, { kind: 'ping', seq, from: this.self, updates: [] }));
      }
    }
    if (now >= this.nextReconnectAt) {
      this.nextReconnectAt = now + timings.reconnectIntervalMs;
      // A dead member that answers learns it was declared dead (see 'ping' below) and refutes.
      const [dead] = this.pick(1, (m) => m.state === 'dead');
      if (dead !== undefined)
        effects.push(
          this.send(dead.address, { kind: 'ping', seq: this.nextSeq(), from: this.self, updates: [] }),
        );
    }
    return effects;
  }

  receive(now: number, message: SwimMessage): MembershipEffect[] {
    const effects: MembershipEffect[] = [];
    for (const update of message.updates) effects.push(...this.apply(now, update));
    const sender = this.members.get(message.from);
    switch (message.kind) {
      case 'ping': {
        if (sender === undefined) break;
        const ack = this.send(sender.address, {
          kind: 'ack',
          seq: message.seq,
          from: this.self,
          updates: [],
        });
        // A sender we hold as suspect or dead may not know: tell it, so it can refute (raise its incarnation).
        if (sender.state !== 'alive') {
          effects.push({
            type: 'send',
            to: sender.address,
            message: { ...ack.message, updates: [this.recordOf(sender), ...ack.message.updates] },
          });
        } else effects.push(ack);
        break;
      }
      case 'ping-req': {
        const target = this.members.get(message.target);
        if (target === undefined || sender === undefined) break;
        const seq = this.nextSeq();
        this.relays.set(seq, {
          origin: sender.address,
          originSeq: message.seq,
          until: now + this.timings.probeTimeoutMs + this.timings.indirectTimeoutMs,
        });
        effects.push(this.send(target.address, { kind: 'ping', seq, from: this.self, updates: [] }));
        break;
      }
      case 'ack': {
        const relay = this.relays.get(message.seq);
        if (relay !== undefined) {
          this.relays.delete(message.seq);
          effects.push(
            this.send(relay.origin, { kind: 'ack', seq: relay.originSeq, from: this.self, updates: [] }),
          );
        }
        this.probes.delete(message.seq);
        break;
      }
    }
    return effects;
  }

  private recordOf(member: Member): MemberUpdate {
    return {
      name: member.name,
      address: member.address,
      state: member.state,
      incarnation: member.incarnation,
    };
  }

  private suspect(now: number, member: Member): MembershipEffect[] {
    const effects = this.apply(now, {
      name: member.name,
      address: member.address,
      state: 'suspect',
      incarnation: member.incarnation,
    });
    // Tell the suspect directly (it refutes at once if it is alive); the ping doubles as one more probe.
    effects.push(
      this.send(member.address, {
        kind: 'ping',
        seq: this.nextSeq(),
        from: this.self,
        updates: [this.recordOf(member)],
      }),
    );
    return effects;
  }

  /** SWIM's update rules; returns the resulting state change, if any. */
  private apply(now: number, update: MemberUpdate): MembershipEffect[] {
    if (update.name === this.self) {
      if (update.state !== 'alive' && update.incarnation >= this.incarnation) {
        // Refute: only we may raise our incarnation, which overrides every suspect/dead claim at a lower one.
        this.incarnation = update.incarnation + 1;
        this.enqueue({
          name: this.self,
          address: this.address,
          state: 'alive',
          incarnation: this.incarnation,
        });
        // Every member may have started its own suspicion timer: tell them all now, not in a few rounds.
        const refuted: MembershipEffect = {
          type: 'refuted',
          incarnation: this.incarnation,
          claimed: update.state,
        };
        return [
          refuted,
          ...[...this.members.values()].map((member) =>
            this.send(member.address, { kind: 'gossip', seq: 0, from: this.self, updates: [] }),
          ),
        ];
      }
      return [];
    }
    const member = this.members.get(update.name);
    if (member === undefined) {
      this.members.set(update.name, {
        name: update.name,
        address: update.address,
        state: update.state,
        incarnation: update.incarnation,
        suspectSince: now,
      });
      this.enqueue(update);
      return [
        {
          type: 'member',
          name: update.name,
          state: update.state,
          previous: 'unknown',
          incarnation: update.incarnation,
        },
      ];
    }
    const accept =
      update.state === 'alive'
        ? update.incarnation > member.incarnation
        : update.state === 'suspect'
          ? (member.state === 'alive' && update.incarnation >= member.incarnation) ||
            update.incarnation > member.incarnation
          : member.state !== 'dead'
            ? update.incarnation >= member.incarnation
            : update.incarnation > member.incarnation;
    if (!accept) return [];
    const previous = member.state;
    member.incarnation = update.incarnation;
    member.address = update.address;
    if (update.state === 'suspect' && previous !== 'suspect') member.suspectSince = now;
    member.state = update.state;
    this.enqueue(update);
    if (previous === update.state) return [];
    const effects: MembershipEffect[] = [
      { type: 'member', name: member.name, state: update.state, previous, incarnation: update.incarnation },
    ];
    // Whoever learns of a suspicion tells the suspect too: n - 1 independent chances for it to hear and refute.
    if (update.state === 'suspect') {
      effects.push(
        this.send(member.address, {
          kind: 'gossip',
          seq: 0,
          from: this.self,
          updates: [this.recordOf(member)],
        }),
      );
    }
    return effects;
  }

  private enqueue(update: MemberUpdate): void {
    this.queue.set(update.name, { update, sent: 0 });
  }

  /** Attaches the least-sent pending updates (our own record first among equals) and counts the transmission. */
  private send(to: string, message: SwimMessage): Extract<MembershipEffect, { type: 'send' }> {
    const limit =
      this.timings.retransmitMultiplier * Math.max(1, Math.ceil(Math.log10(this.members.size + 2)));
    const pending = [...this.queue.values()]
      .sort((a, b) => a.sent - b.sent)
      .slice(0, this.timings.maxUpdatesPerMessage);
    // Our own record rides on every message, so direct contact alone clears a suspicion of us.
    const updates = [
      ...message.updates,
      { name: this.self, address: this.address, state: 'alive' as const, incarnation: this.incarnation },
    ];
    for (const entry of pending) {
      if (updates.some((u) => u.name === entry.update.name)) continue;
      updates.push(entry.update);
      entry.sent += 1;
      if (entry.sent >= limit) this.queue.delete(entry.update.name);
    }
    return { type: 'send', to, message: { ...message, updates } };
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) % 0x7fffffff;
    return this.seq;
  }

  /** Round robin over a list reshuffled each cycle (SWIM §4.3): every member is probed within a bounded time. */
  private nextTarget(): Member | undefined {
    for (let attempts = 0; attempts < 2; attempts += 1) {
      while (this.order.length > 0) {
        const name = this.order.shift() ?? '';
        const member = this.members.get(name);
        if (member !== undefined && member.state !== 'dead') return member;
      }
      this.order = this.shuffle(
        [...this.members.values()].filter((m) => m.state !== 'dead').map((m) => m.name),
      );
    }
    return undefined;
  }

  private pick(count: number, predicate: (member: Member) => boolean): Member[] {
    return this.shuffle([...this.members.values()].filter(predicate)).slice(0, count);
  }

  private shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.random() * (i + 1));
      const a = items[i] as T;
      items[i] = items[j] as T;
      items[j] = a;
    }
    return items;
  }
}
