/**
 * The layer 2 responder as a pure state machine: which IPs this node owns on which interfaces, what to answer,
 * what to drop and why, when to probe (RFC 5227) and when to send gratuitous announcements. Time comes in as an
 * argument; frames to transmit go out as effects, which the adapter sends through the link layer.
 */
import { arpAnnouncement, arpProbe, arpReply, isArpProbe, isGratuitousArp } from './arp.js';
import type { ArpFrame, L2Frame, NdpFrame } from './frame.js';
import { NDP_HOP_LIMIT } from './frame.js';
import {
  ALL_NODES_IPV6,
  BROADCAST_MAC,
  canonicalIp,
  ipv6MulticastMac,
  solicitedNodeAddress,
  UNSPECIFIED_IPV4,
  UNSPECIFIED_IPV6,
} from './link-address.js';
import { linkLayerOption, ndpMessage, type NdpMessage } from './ndp.js';

export interface ResponderTimings {
  /** RFC 5227 PROBE_NUM: probes sent before first announcing an address (0 disables probing). */
  readonly probeCount: number;
  /** Gap between probes (RFC 5227 uses 1–2 s; on a LAN a reply arrives within milliseconds). */
  readonly probeIntervalMs: number;
  /** RFC 5227 ANNOUNCE_WAIT: quiet time after the last probe before the address is ours. */
  readonly announceWaitMs: number;
  /** Offsets from taking ownership at which gratuitous announcements go out: at once, then for a few seconds. */
  readonly gratuitousOffsetsMs: readonly number[];
  /** After a conflict found while probing, probe again this much later (the other host may have gone). */
  readonly conflictRetryMs: number;
}

export const DEFAULT_RESPONDER_TIMINGS: ResponderTimings = {
  probeCount: 3,
  probeIntervalMs: 150,
  announceWaitMs: 200,
  gratuitousOffsetsMs: [0, 250, 1000, 2000, 3000, 5000],
  conflictRetryMs: 10_000,
};

export interface ResponderInterface {
  readonly name: string;
  readonly mac: string;
}

/** standby: the IP is assigned and ours to know about, but another node is its leader. */
export type IpStatus = 'standby' | 'probing' | 'announcing' | 'conflict';

export type DropReason =
  | 'not-ours'
  | 'not-leader'
  | 'wrong-interface'
  | 'unknown-interface'
  | 'probing'
  | 'conflict'
  | 'gratuitous'
  | 'not-a-request'
  | 'own-frame'
  | 'malformed';

export const DROP_REASONS: readonly DropReason[] = [
  'not-ours',
  'not-leader',
  'wrong-interface',
  'unknown-interface',
  'probing',
  'conflict',
  'gratuitous',
  'not-a-request',
  'own-frame',
  'malformed',
];

export type SendPurpose = 'reply' | 'gratuitous' | 'probe';

export type ResponderEffect =
  | {
      readonly type: 'send';
      readonly purpose: SendPurpose;
      readonly ip: string;
      readonly interface: string;
      readonly frame: L2Frame;
    }
  | { readonly type: 'request'; readonly ip: string; readonly interface: string }
  | { readonly type: 'drop'; readonly reason: DropReason; readonly interface: string; readonly ip?: string }
  | {
      readonly type: 'status';
      readonly ip: string;
      readonly status: IpStatus;
      readonly previous: IpStatus | 'absent';
    }
  | {
      readonly type: 'conflict';
      readonly ip: string;
      readonly interface: string;
      /** The foreign host's MAC address, as seen in the frame. */
      readonly mac: string;
      readonly phase: 'probing' | 'announcing';
    };

export interface IpAssignment {
  /** This node is the elected leader for the IP and should answer for it. */
  readonly leader: boolean;
  /** Probe before announcing (RFC 5227). The caller skips it on a takeover from a speaker known to be dead. */
  readonly probe: boolean;
  /** L2Advertisement.interfaces for this IP; empty or absent means every usable interface. */
  readonly interfaces?: readonly string[];
}

interface IpState {
  readonly ip: string;
  readonly family: 'ipv4' | 'ipv6';
  status: IpStatus;
  interfaces: readonly string[];
  /** Probes sent in the current probing round, or gratuitous rounds sent while announcing. */
  step: number;
  /** When the current phase started (for offsets) and when the next action is due. */
  phaseStart: number;
  nextAt: number | undefined;
}

export class Layer2Responder {
  private readonly ips = new Map<string, IpState>();
  private interfaces = new Map<string, ResponderInterface>();

  constructor(private readonly timings: ResponderTimings = DEFAULT_RESPONDER_TIMINGS) {}

  /** Replaces the usable interfaces; announcing IPs start a fresh gratuitous round so new links learn them. */
  setInterfaces(now: number, interfaces: readonly ResponderInterface[]): ResponderEffect[] {
    const before = [...this.interfaces.keys()].sort().join(',');
    this.interfaces = new Map(
      interfaces.map((entry) => [entry.name, { name: entry.name, mac: entry.mac.toLowerCase() }]),
    );
    if ([...this.interfaces.keys()].sort().join(',') !== before) {
      for (const state of this.ips.values())
        if (state.status === 'announcing') this.startPhase(state, 'announcing', now);
    }
    return this.tick(now);
  }

  /**
   * Starts a fresh gratuitous round for every IP we announce, without a status change. For when others may have
   * taken our IPs meanwhile: we were frozen or partitioned and refuted our death, or a partition healed.
   */
  reannounce(now: number): ResponderEffect[] {
    for (const state of this.ips.values()) {
      if (state.status === 'announcing') this.startPhase(state, 'announcing', now);
    }
    return this.tick(now);
  }

  setIp(now: number, ipText: string, assignment: IpAssignment): ResponderEffect[] {
    const ip = canonicalIp(ipText);
    if (ip === undefined) throw new Error(`layer 2 responder: "${ipText}" is not an IP address`);
    const existing = this.ips.get(ip);
    const interfaces = [...(assignment.interfaces ?? [])];
    const effects: ResponderEffect[] = [];
    const state: IpState = existing ?? {
      ip,
      family: ip.includes(':') ? 'ipv6' : 'ipv4',
      status: 'standby',
      interfaces,
      step: 0,
      phaseStart: now,
      nextAt: undefined,
    };
    state.interfaces = interfaces;
    if (existing === undefined) {
      this.ips.set(ip, state);
      effects.push({ type: 'status', ip, status: 'standby', previous: 'absent' });
    }
    if (!assignment.leader) {
      if (state.status !== 'standby') effects.push(this.startPhase(state, 'standby', now));
    } else if (state.status === 'standby') {
      const probe = assignment.probe && this.timings.probeCount > 0;
      effects.push(this.startPhase(state, probe ? 'probing' : 'announcing', now));
    }
    return [...effects, ...this.tick(now)];
  }

  removeIp(ip: string): ResponderEffect[] {
    const key = canonicalIp(ip) ?? ip;
    if (!this.ips.delete(key)) return [];
    return [];
  }

  status(ip: string): IpStatus | undefined {
    return this.ips.get(canonicalIp(ip) ?? ip)?.status;
  }

  ownedIps(): string[] {
    return [...this.ips.values()].filter((state) => state.status === 'announcing').map((state) => state.ip);
  }

  /** The earliest time at which `tick` has something to do, for the adapter's timer. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const state of this.ips.values()) {
      if (state.nextAt !== undefined && (next === undefined || state.nextAt < next)) next = state.nextAt;
    }
    return next;
  }

  tick(now: number): ResponderEffect[] {
    const effects: ResponderEffect[] = [];
    for (const state of this.ips.values()) {
      // Bounded: each pass either sends the due step and advances, or changes phase; phases are finite.
      for (let guard = 0; guard < 64 && state.nextAt !== undefined && state.nextAt <= now; guard += 1) {
        effects.push(...this.advance(state, now));
      }
    }
    return effects;
  }

  receive(now: number, interfaceName: string, frame: L2Frame): ResponderEffect[] {
    const local = this.interfaces.get(interfaceName);
    if (local === undefined) return [{ type: 'drop', reason: 'unknown-interface', interface: interfaceName }];
    if (this.isOwnMac(frame.ethernet.source))
      return [{ type: 'drop', reason: 'own-frame', interface: interfaceName }];
    const effects = this.detectConflict(now, interfaceName, frame);
    if (frame.kind === 'arp') effects.push(...this.decideArp(interfaceName, local, frame));
    else effects.push(...this.decideNdp(interfaceName, local, frame));
    return effects;
  }

  private isOwnMac(mac: string): boolean {
    for (const entry of this.interfaces.values()) if (entry.mac === mac) return true;
    return false;
  }

  private startPhase(state: IpState, status: IpStatus, now: number): ResponderEffect {
    const previous = state.status;
    state.status = status;
    state.step = 0;
    state.phaseStart = now;
    if (status === 'probing') state.nextAt = now;
    else if (status === 'announcing') state.nextAt = now + (this.timings.gratuitousOffsetsMs[0] ?? 0);
    else if (status === 'conflict') state.nextAt = now + this.timings.conflictRetryMs;
    else state.nextAt = undefined;
    if (status === 'announcing' && this.timings.gratuitousOffsetsMs.length === 0) state.nextAt = undefined;
    return { type: 'status', ip: state.ip, status, previous };
  }

  private advance(state: IpState, now: number): ResponderEffect[] {
    const { timings } = this;
    switch (state.status) {
      case 'probing': {
        if (state.step >= timings.probeCount) return [this.startPhase(state, 'announcing', now)];
        const effects = this.targets(state).map((local): ResponderEffect => ({
          type: 'send',
          purpose: 'probe',
          ip: state.ip,
          interface: local.name,
          frame: probeFrame(state, local.mac),
        }));
        state.step += 1;
        state.nextAt =
          now + (state.step >= timings.probeCount ? timings.announceWaitMs : timings.probeIntervalMs);
        return effects;
      }
      case 'announcing': {
        const effects: ResponderEffect[] = [];
        for (const local of this.targets(state)) {
          for (const frame of gratuitousFrames(state, local.mac)) {
            effects.push({ type: 'send', purpose: 'gratuitous', ip: state.ip, interface: local.name, frame });
          }
        }
        state.step += 1;
        const offset = timings.gratuitousOffsetsMs[state.step];
        state.nextAt = offset === undefined ? undefined : Math.max(now, state.phaseStart + offset);
        return effects;
      }
      case 'conflict':
        return [this.startPhase(state, 'probing', now)];
      case 'standby':
        state.nextAt = undefined;
        return [];
    }
  }

  private targets(state: IpState): ResponderInterface[] {
    return [...this.interfaces.values()].filter(
      (local) => state.interfaces.length === 0 || state.interfaces.includes(local.name),
    );
  }

  /** RFC 5227 §2.1.1 (while probing) and §2.4 (while announcing): a foreign host claiming one of our addresses. */
  private detectConflict(now: number, interfaceName: string, frame: L2Frame): ResponderEffect[] {
    let claimed: string | undefined;
    let mac = frame.ethernet.source;
    if (frame.kind === 'arp') {
      const { arp } = frame;
      mac = arp.senderHardwareAddress;
      if (arp.senderProtocolAddress !== UNSPECIFIED_IPV4) claimed = arp.senderProtocolAddress;
      // A simultaneous probe from another host for an address we are still probing is a conflict too.
      else if (isArpProbe(arp) && this.ips.get(arp.targetProtocolAddress)?.status === 'probing')
        claimed = arp.targetProtocolAddress;
    } else {
      const { message, ipv6 } = frame;
      if (message.type === 'neighbor-advertisement') {
        claimed = message.target;
        mac = linkLayerOption(message.options, 'target-link-layer-address') ?? mac;
      } else if (ipv6.source === UNSPECIFIED_IPV6) {
        if (this.ips.get(message.target)?.status === 'probing') claimed = message.target;
      } else {
        claimed = ipv6.source;
        mac = linkLayerOption(message.options, 'source-link-layer-address') ?? mac;
      }
    }
    if (claimed === undefined || this.isOwnMac(mac)) return [];
    const state = this.ips.get(claimed);
    if (state === undefined || (state.status !== 'probing' && state.status !== 'announcing')) return [];
    const phase = state.status;
    const effects: ResponderEffect[] = [
      { type: 'conflict', ip: claimed, interface: interfaceName, mac, phase },
    ];
    // While probing the address is not ours yet: give it up (RFC 5227 §2.1.1). While announcing we are the
    // elected owner; we keep answering and report, so the operator can find the other host.
    if (phase === 'probing') effects.push(this.startPhase(state, 'conflict', now));
    return effects;
  }

  private checkOwned(ip: string, interfaceName: string): DropReason | undefined {
    const state = this.ips.get(ip);
    if (state === undefined) return 'not-ours';
    if (state.status === 'standby') return 'not-leader';
    if (state.status === 'conflict') return 'conflict';
    if (state.status === 'probing') return 'probing';
    if (state.interfaces.length > 0 && !state.interfaces.includes(interfaceName)) return 'wrong-interface';
    return undefined;
  }

  private decideArp(interfaceName: string, local: ResponderInterface, frame: ArpFrame): ResponderEffect[] {
    const { arp } = frame;
    const ip = arp.targetProtocolAddress;
    if (arp.operation !== 'request')
      return [{ type: 'drop', reason: 'not-a-request', interface: interfaceName, ip }];
    // A gratuitous request announces the sender's own address; nobody expects an answer (RFC 5227 §2.3).
    if (isGratuitousArp(arp)) return [{ type: 'drop', reason: 'gratuitous', interface: interfaceName, ip }];
    const effects: ResponderEffect[] = [];
    if (this.ips.has(ip)) effects.push({ type: 'request', ip, interface: interfaceName });
    const reason = this.checkOwned(ip, interfaceName);
    if (reason !== undefined) return [...effects, { type: 'drop', reason, interface: interfaceName, ip }];
    // RFC 826: the reply carries the MAC of the interface the request came in on, unicast to the requester.
    const reply: L2Frame = {
      kind: 'arp',
      ethernet: { destination: frame.ethernet.source, source: local.mac, etherType: 0x0806 },
      arp: arpReply(arp, local.mac),
    };
    return [...effects, { type: 'send', purpose: 'reply', ip, interface: interfaceName, frame: reply }];
  }

  private decideNdp(interfaceName: string, local: ResponderInterface, frame: NdpFrame): ResponderEffect[] {
    const { message, ipv6 } = frame;
    const ip = message.target;
    if (message.type !== 'neighbor-solicitation')
      return [{ type: 'drop', reason: 'not-a-request', interface: interfaceName, ip }];
    const effects: ResponderEffect[] = [];
    if (this.ips.has(ip)) effects.push({ type: 'request', ip, interface: interfaceName });
    const reason = this.checkOwned(ip, interfaceName);
    if (reason !== undefined) return [...effects, { type: 'drop', reason, interface: interfaceName, ip }];
    // RFC 4861 §7.2.4: answer a DAD solicitation (source ::) to all-nodes with S=0; otherwise unicast with S=1.
    const dad = ipv6.source === UNSPECIFIED_IPV6;
    const destination = dad ? ALL_NODES_IPV6 : ipv6.source;
    const destinationMac = dad
      ? ipv6MulticastMac(ALL_NODES_IPV6)
      : (linkLayerOption(message.options, 'source-link-layer-address') ?? frame.ethernet.source);
    const advertisement: NdpMessage = {
      type: 'neighbor-advertisement',
      router: false,
      solicited: !dad,
      override: true,
      target: ip,
      options: [{ type: 'target-link-layer-address', mac: local.mac }],
    };
    const reply = ndpFrameOf(local.mac, destinationMac, ip, destination, advertisement);
    return [...effects, { type: 'send', purpose: 'reply', ip, interface: interfaceName, frame: reply }];
  }
}

function ndpFrameOf(
  sourceMac: string,
  destinationMac: string,
  source: string,
  destination: string,
  message: NdpMessage,
): NdpFrame {
  return {
    kind: 'ndp',
    ethernet: { destination: destinationMac, source: sourceMac, etherType: 0x86dd },
    // The source is the target address itself: some tools (ndisc6) ignore advertisements from other sources.
    ipv6: {
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: ndpMessage.encodingLength(message),
      nextHeader: 58,
      hopLimit: NDP_HOP_LIMIT,
      source,
      destination,
    },
    message,
  };
}

function probeFrame(state: IpState, mac: string): L2Frame {
  if (state.family === 'ipv4') {
    return {
      kind: 'arp',
      ethernet: { destination: BROADCAST_MAC, source: mac, etherType: 0x0806 },
      arp: arpProbe(mac, state.ip),
    };
  }
  // RFC 4862 §5.4.2: a DAD solicitation from ::, to the solicited-node group, without a source link-layer option.
  const group = solicitedNodeAddress(state.ip);
  return ndpFrameOf(mac, ipv6MulticastMac(group), UNSPECIFIED_IPV6, group, {
    type: 'neighbor-solicitation',
    target: state.ip,
    options: [],
  });
}

function gratuitousFrames(state: IpState, mac: string): L2Frame[] {
  if (state.family === 'ipv4') {
    return (['request', 'reply'] as const).map((operation) => ({
      kind: 'arp' as const,
      ethernet: { destination: BROADCAST_MAC, source: mac, etherType: 0x0806 },
      arp: arpAnnouncement(mac, state.ip, operation),
    }));
  }
  // RFC 4861 §7.2.6: unsolicited advertisement to all-nodes, Override set so caches switch to our MAC.
  return [
    ndpFrameOf(mac, ipv6MulticastMac(ALL_NODES_IPV6), state.ip, ALL_NODES_IPV6, {
      type: 'neighbor-advertisement',
      router: false,
      solicited: false,
      override: true,
      target: state.ip,
      options: [{ type: 'target-link-layer-address', mac }],
    }),
  ];
}
