// The BGP finite state machine (RFC 4271 §8) for one peer, without sockets or clocks: the adapter hands it
// connections and bytes, and a Clock gives it timers. It speaks; the Announcer decides what to say.

import { Afi, type Capability, Safi } from './capabilities.js';
import type { Clock } from './clock.js';
import { BgpError, CeaseSubcode, ErrorCode, OpenSubcode } from './errors.js';
import { type Family, parseIpv4 } from './ip.js';
import {
  type BgpMessage,
  type MessageContext,
  MessageFramer,
  decodeMessage,
  serializeMessage,
} from './message.js';
import { AS_TRANS, type OpenMessage, openCapabilities } from './open.js';
import type { UpdateMessage } from './update.js';

export type SessionState = 'idle' | 'connect' | 'active' | 'opensent' | 'openconfirm' | 'established';

export interface SessionConfig {
  /** Names the peer in logs, metrics and errors (MetalLB uses the peer address). */
  name: string;
  localAsn: number;
  /** A number, or MetalLB's dynamicASN: accept any internal (same AS) or external ASN. */
  peerAsn: number | 'internal' | 'external';
  /** Our BGP identifier (RFC 4271 §4.2), an IPv4 address. */
  routerId: string;
  /** Seconds; 0 (no keepalives) or at least 3 (RFC 4271 §4.2). MetalLB's default is 90. */
  holdTime: number;
  /** Seconds; defaults to a third of the negotiated hold time (RFC 4271 §10). */
  keepaliveTime?: number;
  /** Seconds to wait for a TCP connection before giving up on the attempt (MetalLB's connectTime). */
  connectTime?: number;
  /** Only accept connections, never dial (RFC 4271 §8.1.1 PassiveTcpEstablishment). */
  passive?: boolean;
  /** Reconnect delays: the first, doubled after each failure up to the cap. */
  connectRetry?: { initialMs: number; maxMs: number };
  /** Address families to offer (RFC 4760). Defaults to IPv4 and IPv6 unicast. */
  families?: Family[];
  /** Offer graceful restart (RFC 4724) with this restart time in seconds. */
  gracefulRestart?: { restartTime: number };
}

/** What both sides agreed in their OPEN messages. */
export interface Negotiated {
  peerAsn: number;
  peerId: string;
  /** Seconds; 0 means neither keepalives nor hold timer. */
  holdTime: number;
  keepaliveTime: number;
  fourOctetAs: boolean;
  families: Family[];
  routeRefresh: boolean;
  gracefulRestart: boolean;
  internal: boolean;
}

export type DownReason =
  | { kind: 'stopped' }
  | { kind: 'connect-failed'; message: string }
  | { kind: 'connection-lost'; message: string }
  | { kind: 'notification-received'; code: number; subcode: number }
  | { kind: 'notification-sent'; code: number; subcode: number; message: string };

/** A TCP connection as the adapter provides it. */
export interface Connection {
  write(bytes: Uint8Array): void;
  /** Closes after flushing what was written. */
  close(): void;
}

/** What the adapter tells the session about a connection. */
export interface ConnectionEvents {
  connected(): void;
  data(chunk: Uint8Array): void;
  closed(message: string): void;
}

/** Opens a TCP connection to the peer; events arrive later through the given handlers. */
export type Dial = (events: ConnectionEvents) => Connection;

export interface SessionObserver {
  stateChanged?(state: SessionState, previous: SessionState): void;
  established?(negotiated: Negotiated): void;
  down?(reason: DownReason): void;
  /** Any connection that ended with a reason, established or not (for logs: why a session never comes up). */
  connectionClosed?(reason: DownReason): void;
  messageIn?(message: BgpMessage): void;
  messageOut?(message: BgpMessage): void;
  update?(update: UpdateMessage): void;
  routeRefresh?(afi: number, safi: number): void;
}

interface PeerConnection {
  outgoing: boolean;
  state: 'connecting' | 'opensent' | 'openconfirm' | 'established';
  transport: Connection | undefined;
  framer: MessageFramer;
  negotiated?: Negotiated;
  peerId?: number;
  cancelHold?: (() => void) | undefined;
  cancelKeepalive?: (() => void) | undefined;
  cancelConnect?: (() => void) | undefined;
  closed: boolean;
}

const LARGE_HOLD_TIME_S = 240; // RFC 4271 §8.2.2: hold timer in OpenSent ("4 minutes is suggested").

const stateRank: Record<PeerConnection['state'], SessionState> = {
  connecting: 'connect',
  opensent: 'opensent',
  openconfirm: 'openconfirm',
  established: 'established',
};

export class BgpSession {
  private readonly config: Required<
    Omit<SessionConfig, 'keepaliveTime' | 'gracefulRestart' | 'connectTime'>
  > &
    Pick<SessionConfig, 'keepaliveTime' | 'gracefulRestart'> & { connectTime: number };
  private readonly connections = new Set<PeerConnection>();
  private currentState: SessionState = 'idle';
  private running = false;
  private failures = 0;
  private cancelRetry: (() => void) | undefined;
  private establishedConnection: PeerConnection | undefined;

  constructor(
    config: SessionConfig,
    private readonly clock: Clock,
    private readonly dial: Dial | undefined,
    private readonly observer: SessionObserver = {},
  ) {
    if (config.holdTime !== 0 && (config.holdTime < 3 || config.holdTime > 0xffff)) {
      throw new RangeError(`peer ${config.name}: hold time ${config.holdTime} must be 0 or 3..65535 s`);
    }
    if (parseIpv4(config.routerId) === undefined || config.routerId === '0.0.0.0') {
      throw new RangeError(
        `peer ${config.name}: router ID ${config.routerId} is not a non-zero IPv4 address`,
      );
    }
    if (!config.passive && dial === undefined) {
      throw new TypeError(`peer ${config.name}: an active session needs a dialer`);
    }
    this.config = {
      name: config.name,
      localAsn: config.localAsn,
      peerAsn: config.peerAsn,
      routerId: config.routerId,
      holdTime: config.holdTime,
      passive: config.passive ?? false,
      connectRetry: config.connectRetry ?? { initialMs: 1000, maxMs: 120_000 },
      families: config.families ?? ['ipv4', 'ipv6'],
      connectTime: config.connectTime ?? 10,
      ...(config.keepaliveTime !== undefined ? { keepaliveTime: config.keepaliveTime } : {}),
      ...(config.gracefulRestart !== undefined ? { gracefulRestart: config.gracefulRestart } : {}),
    };
  }

  get name(): string {
    return this.config.name;
  }

  get state(): SessionState {
    return this.currentState;
  }

  /** The agreement of the established connection, if any. */
  get negotiated(): Negotiated | undefined {
    return this.establishedConnection?.negotiated;
  }

  /** ManualStart (RFC 4271 §8.1.2): dial at once unless passive. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    if (this.config.passive) this.setState('active');
    else this.connect();
  }

  /** ManualStop: Cease/Administrative Shutdown on open connections (RFC 4486), then idle. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    const wasEstablished = this.establishedConnection !== undefined;
    for (const conn of [...this.connections]) {
      if (conn.state !== 'connecting') {
        this.sendNotification(conn, ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown);
      }
      this.dropConnection(conn);
    }
    this.setState('idle');
    if (wasEstablished) this.observer.down?.({ kind: 'stopped' });
  }

  /** An incoming connection from the peer (the adapter checked its source address). */
  accept(attach: (events: ConnectionEvents) => Connection): void {
    if (!this.running) {
      attach(ignoreEvents).close();
      return;
    }
    const conn = this.newConnection(false);
    conn.transport = attach(this.eventsFor(conn));
    this.opened(conn);
  }

  /** Sends one message on the established connection; false when there is none. */
  send(message: BgpMessage): boolean {
    const conn = this.establishedConnection;
    if (conn?.negotiated === undefined || conn.transport === undefined) return false;
    this.write(conn, message);
    return true;
  }

  /** The encoding context of the established connection (4-octet AS or not). */
  get context(): MessageContext | undefined {
    const n = this.establishedConnection?.negotiated;
    return n === undefined ? undefined : { fourOctetAs: n.fourOctetAs };
  }

  private setState(state: SessionState): void {
    if (state === this.currentState) return;
    const previous = this.currentState;
    this.currentState = state;
    this.observer.stateChanged?.(state, previous);
  }

  /** The session's state is that of its most advanced connection. */
  private refreshState(): void {
    const order: SessionState[] = ['connect', 'opensent', 'openconfirm', 'established'];
    let best: SessionState | undefined;
    for (const conn of this.connections) {
      const s = stateRank[conn.state];
      if (best === undefined || order.indexOf(s) > order.indexOf(best)) best = s;
    }
    this.setState(best ?? (this.running ? 'active' : 'idle'));
  }

  private newConnection(outgoing: boolean): PeerConnection {
    const conn: PeerConnection = {
      outgoing,
      state: 'connecting',
      transport: undefined,
      framer: new MessageFramer(),
      closed: false,
    };
    this.connections.add(conn);
    return conn;
  }

  private eventsFor(conn: PeerConnection): ConnectionEvents {
    return {
      connected: () => {
        if (!conn.closed) this.opened(conn);
      },
      data: (chunk) => {
        if (!conn.closed) this.received(conn, chunk);
      },
      closed: (message) => {
        if (!conn.closed) this.lost(conn, message);
      },
    };
  }

  private connect(): void {
    this.cancelRetry = undefined;
    if (!this.running || this.dial === undefined) return;
    const conn = this.newConnection(true);
    this.setState('connect');
    conn.cancelConnect = this.clock.setTimer(this.config.connectTime * 1000, () => {
      conn.cancelConnect = undefined;
      this.lost(conn, `no TCP connection within ${this.config.connectTime} s`);
    });
    conn.transport = this.dial(this.eventsFor(conn));
  }

  /** Reconnect after a failure: 1 s, doubling, capped (RFC 4271 §8 ConnectRetryTimer, with backoff). */
  private scheduleRetry(): void {
    if (!this.running || this.config.passive || this.cancelRetry !== undefined) return;
    if ([...this.connections].some((c) => c.outgoing)) return;
    const { initialMs, maxMs } = this.config.connectRetry;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    this.cancelRetry = this.clock.setTimer(delay, () => this.connect());
  }

  private opened(conn: PeerConnection): void {
    conn.cancelConnect?.();
    conn.cancelConnect = undefined;
    conn.state = 'opensent';
    this.write(conn, this.openMessage());
    this.restartHold(conn, LARGE_HOLD_TIME_S);
    this.refreshState();
  }

  private openMessage(): OpenMessage {
    const caps: Capability[] = [];
    for (const family of this.config.families) {
      caps.push({ kind: 'multiprotocol', afi: family === 'ipv4' ? Afi.Ipv4 : Afi.Ipv6, safi: Safi.Unicast });
    }
    caps.push({ kind: 'route-refresh' });
    caps.push({ kind: 'four-octet-as', asn: this.config.localAsn });
    if (this.config.gracefulRestart !== undefined) {
      caps.push({
        kind: 'graceful-restart',
        flags: 0,
        restartTime: Math.min(4095, this.config.gracefulRestart.restartTime),
        families: this.config.families.map((f) => ({
          afi: f === 'ipv4' ? Afi.Ipv4 : Afi.Ipv6,
          safi: Safi.Unicast,
          forwardingState: false,
        })),
      });
    }
    return {
      type: 'open',
      version: 4,
      // RFC 6793 §4.1: a 4-octet ASN goes in the capability, AS_TRANS in the 2-octet field.
      myAs: this.config.localAsn > 0xffff ? AS_TRANS : this.config.localAsn,
      holdTime: this.config.holdTime,
      bgpIdentifier: this.config.routerId,
      parameters: [caps],
    };
  }

  private contextOf(conn: PeerConnection): MessageContext {
    return { fourOctetAs: conn.negotiated?.fourOctetAs ?? false };
  }

  private write(conn: PeerConnection, message: BgpMessage): void {
    if (conn.transport === undefined || conn.closed) return;
    conn.transport.write(serializeMessage(message, this.contextOf(conn)));
    this.observer.messageOut?.(message);
  }

  private received(conn: PeerConnection, chunk: Uint8Array): void {
    try {
      for (const frame of conn.framer.push(chunk)) {
        if (conn.closed) return;
        const { value } = decodeMessage(frame, 0, this.contextOf(conn));
        this.observer.messageIn?.(value);
        this.handle(conn, value);
      }
    } catch (error) {
      if (!(error instanceof BgpError)) throw error;
      this.fail(conn, error);
    }
  }

  private handle(conn: PeerConnection, message: BgpMessage): void {
    if (message.type === 'notification') {
      // RFC 4271 §8.2.2: a NOTIFICATION in any state closes the connection.
      this.dropConnection(conn, {
        kind: 'notification-received',
        code: message.code,
        subcode: message.subcode,
      });
      return;
    }
    switch (conn.state) {
      case 'opensent':
        if (message.type !== 'open') throw unexpected(1, message.type);
        this.receivedOpen(conn, message);
        return;
      case 'openconfirm':
        if (message.type !== 'keepalive') throw unexpected(2, message.type);
        this.becomeEstablished(conn);
        return;
      case 'established':
        this.restartHold(conn, conn.negotiated?.holdTime ?? 0);
        if (message.type === 'update') this.observer.update?.(message);
        else if (message.type === 'route-refresh') this.observer.routeRefresh?.(message.afi, message.safi);
        else if (message.type === 'open') throw unexpected(3, message.type);
        return;
      case 'connecting':
        return;
    }
  }

  private receivedOpen(conn: PeerConnection, open: OpenMessage): void {
    const caps = openCapabilities(open);
    const fourOctet = caps.find((c) => c.kind === 'four-octet-as');
    // RFC 6793 §4.1: the capability carries the real ASN.
    const peerAsn = fourOctet?.kind === 'four-octet-as' ? fourOctet.asn : open.myAs;
    const expected = this.config.peerAsn;
    const asnOk =
      expected === 'internal'
        ? peerAsn === this.config.localAsn
        : expected === 'external'
          ? peerAsn !== this.config.localAsn
          : peerAsn === expected;
    if (!asnOk) {
      throw new BgpError(
        ErrorCode.OpenMessage,
        OpenSubcode.BadPeerAs,
        `peer AS ${peerAsn}, expected ${expected}`,
      );
    }
    const internal = peerAsn === this.config.localAsn;
    // RFC 6286 §2.1: within an AS the identifiers must differ.
    if (internal && open.bgpIdentifier === this.config.routerId) {
      throw new BgpError(ErrorCode.OpenMessage, OpenSubcode.BadBgpIdentifier, 'peer uses our BGP identifier');
    }
    const offered = caps.filter((c) => c.kind === 'multiprotocol');
    // RFC 4760 §8: a peer without multiprotocol capabilities speaks IPv4 unicast only.
    const peerFamilies = new Set<Family>(offered.length === 0 ? ['ipv4'] : []);
    for (const c of offered) {
      if (c.kind === 'multiprotocol' && c.safi === Safi.Unicast) {
        if (c.afi === Afi.Ipv4) peerFamilies.add('ipv4');
        if (c.afi === Afi.Ipv6) peerFamilies.add('ipv6');
      }
    }
    const holdTime = Math.min(this.config.holdTime, open.holdTime);
    const keepaliveTime =
      holdTime === 0
        ? 0
        : Math.max(1, Math.min(this.config.keepaliveTime ?? Infinity, Math.floor(holdTime / 3)));
    conn.negotiated = {
      peerAsn,
      peerId: open.bgpIdentifier,
      holdTime,
      keepaliveTime,
      fourOctetAs: fourOctet !== undefined,
      families: this.config.families.filter((f) => peerFamilies.has(f)),
      routeRefresh: caps.some((c) => c.kind === 'route-refresh'),
      gracefulRestart:
        this.config.gracefulRestart !== undefined && caps.some((c) => c.kind === 'graceful-restart'),
      internal,
    };
    conn.peerId = ipv4ToNumber(open.bgpIdentifier);
    if (this.resolveCollision(conn)) return;
    conn.state = 'openconfirm';
    this.write(conn, { type: 'keepalive' });
    this.restartHold(conn, holdTime);
    this.startKeepalives(conn);
    this.refreshState();
  }

  /**
   * RFC 4271 §6.8: with two connections to the same peer, the one opened by the speaker with the higher BGP
   * identifier survives. Returns true when `conn` itself was closed.
   */
  private resolveCollision(conn: PeerConnection): boolean {
    for (const other of this.connections) {
      if (other === conn) continue;
      if (other.state === 'established') {
        this.closeWithCease(conn);
        return true;
      }
      if (other.state !== 'openconfirm') continue;
      const local = ipv4ToNumber(this.config.routerId);
      const remote = conn.peerId ?? 0;
      // Keep the connection initiated by the higher identifier.
      const keepOutgoing = local > remote;
      const loser = conn.outgoing === keepOutgoing ? other : conn;
      this.closeWithCease(loser);
      return loser === conn;
    }
    return false;
  }

  private closeWithCease(conn: PeerConnection): void {
    this.sendNotification(conn, ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution);
    this.dropConnection(conn);
  }

  private becomeEstablished(conn: PeerConnection): void {
    conn.state = 'established';
    this.establishedConnection = conn;
    this.failures = 0;
    this.restartHold(conn, conn.negotiated?.holdTime ?? 0);
    this.refreshState();
    if (conn.negotiated !== undefined) this.observer.established?.(conn.negotiated);
  }

  private startKeepalives(conn: PeerConnection): void {
    conn.cancelKeepalive?.();
    const seconds = conn.negotiated?.keepaliveTime ?? 0;
    if (seconds === 0) return;
    const tick = () => {
      this.write(conn, { type: 'keepalive' });
      conn.cancelKeepalive = this.clock.setTimer(seconds * 1000, tick);
    };
    conn.cancelKeepalive = this.clock.setTimer(seconds * 1000, tick);
  }

  private restartHold(conn: PeerConnection, seconds: number): void {
    conn.cancelHold?.();
    conn.cancelHold = undefined;
    if (seconds === 0) return;
    conn.cancelHold = this.clock.setTimer(seconds * 1000, () => {
      conn.cancelHold = undefined;
      // RFC 4271 §6.5.
      this.fail(conn, new BgpError(ErrorCode.HoldTimerExpired, 0, `no message for ${seconds} s`));
    });
  }

  private sendNotification(
    conn: PeerConnection,
    code: number,
    subcode: number,
    data: Uint8Array = new Uint8Array(0),
  ): void {
    this.write(conn, { type: 'notification', code, subcode, data });
  }

  /** A protocol error on a connection: NOTIFICATION, close, retry later. */
  private fail(conn: PeerConnection, error: BgpError): void {
    this.sendNotification(conn, error.code, error.subcode, error.data);
    this.dropConnection(conn, {
      kind: 'notification-sent',
      code: error.code,
      subcode: error.subcode,
      message: error.message,
    });
  }

  private lost(conn: PeerConnection, message: string): void {
    this.dropConnection(
      conn,
      conn.state === 'connecting'
        ? { kind: 'connect-failed', message }
        : { kind: 'connection-lost', message },
    );
  }

  private dropConnection(conn: PeerConnection, reason?: DownReason): void {
    if (conn.closed) return;
    conn.closed = true;
    conn.cancelHold?.();
    conn.cancelKeepalive?.();
    conn.cancelConnect?.();
    conn.transport?.close();
    this.connections.delete(conn);
    const wasEstablished = this.establishedConnection === conn;
    if (wasEstablished) this.establishedConnection = undefined;
    this.refreshState();
    if (reason !== undefined) this.observer.connectionClosed?.(reason);
    if (wasEstablished && reason !== undefined) this.observer.down?.(reason);
    if (reason !== undefined) this.scheduleRetry();
  }
}

function unexpected(subcode: number, type: string): BgpError {
  // RFC 6608 §4: subcodes 1-3 name the state (OpenSent, OpenConfirm, Established).
  return new BgpError(ErrorCode.FiniteStateMachine, subcode, `unexpected ${type} message`);
}

function ipv4ToNumber(text: string): number {
  const b = parseIpv4(text) ?? new Uint8Array(4);
  return ((b[0] ?? 0) * 0x1000000 + ((b[1] ?? 0) << 16) + ((b[2] ?? 0) << 8) + (b[3] ?? 0)) >>> 0;
}

const ignoreEvents: ConnectionEvents = { connected() {}, data() {}, closed() {} };
