/**
 * The layer 2 runtime: drives the pure `Layer2Responder` with real time, the link layer (`cap`), solicited-node
 * group membership (`raw-socket`) and link-change notifications (`ip monitor link`). Everything it does is
 * reported as responder effects, which feed the metrics and an optional observer.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { L2CodecError } from './codec-error.js';
import { encodeFrame, l2Frame } from './frame.js';
import {
  parseIpLinkJson,
  selectInterfaces,
  type InterfaceFilterOptions,
  type LinkInfo,
} from './interfaces.js';
import { openLinkLayer, type LinkLayerPort } from './link-layer.js';
import type { Layer2Metrics } from './metrics.js';
import { SolicitedNodeGroups } from './ndp-groups.js';
import {
  DEFAULT_RESPONDER_TIMINGS,
  Layer2Responder,
  type IpAssignment,
  type IpStatus,
  type ResponderEffect,
  type ResponderTimings,
} from './responder.js';

const execFileAsync = promisify(execFile);

export interface Layer2RuntimeOptions {
  readonly timings?: ResponderTimings;
  readonly filter?: InterfaceFilterOptions;
  readonly metrics?: Layer2Metrics;
  readonly clock?: () => number;
  /** Sees every effect (sends, drops, status changes, conflicts), e.g. for logs and Events. */
  readonly observe?: (effect: ResponderEffect) => void;
  readonly listLinks?: () => Promise<LinkInfo[]>;
  readonly openPort?: (interfaceName: string, onFrame: (frame: Uint8Array) => void) => LinkLayerPort;
  /** Follow link changes with `ip monitor link` (default true). */
  readonly watchLinks?: boolean;
  /** Join solicited-node groups through raw-socket (default true). */
  readonly joinGroups?: boolean;
}

async function listLinksWithIp(): Promise<LinkInfo[]> {
  const { stdout } = await execFileAsync('ip', ['-j', '-d', 'link', 'show'], { timeout: 5_000 });
  return parseIpLinkJson(stdout);
}

interface Port {
  readonly link: LinkInfo;
  readonly port: LinkLayerPort;
  readonly groups: SolicitedNodeGroups | undefined;
}

const ACTIVE: ReadonlySet<IpStatus> = new Set<IpStatus>(['probing', 'announcing']);

export class Layer2Runtime {
  readonly responder: Layer2Responder;
  private readonly ports = new Map<string, Port>();
  private readonly activeIpv6 = new Set<string>();
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private monitor: ChildProcess | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: Layer2RuntimeOptions = {}) {
    this.responder = new Layer2Responder(options.timings ?? DEFAULT_RESPONDER_TIMINGS);
    this.clock = options.clock ?? (() => performance.timeOrigin + performance.now());
  }

  async start(): Promise<void> {
    await this.rescan();
    if (this.options.watchLinks ?? true) {
      const monitor = spawn('ip', ['monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
      monitor.on('error', () => undefined);
      // Coalesce bursts of link events (a bond flap emits several) into one rescan.
      monitor.stdout?.on('data', () => {
        if (this.stopped || this.rescanTimer !== undefined) return;
        this.rescanTimer = setTimeout(() => {
          this.rescanTimer = undefined;
          this.rescan().catch(() => undefined);
        }, 100);
      });
      this.monitor = monitor;
    }
  }

  interfaces(): string[] {
    return [...this.ports.keys()];
  }

  /** Re-reads the links; opens captures on new usable ones, closes those that went away or became unusable. */
  async rescan(): Promise<void> {
    const links = await (this.options.listLinks ?? listLinksWithIp)();
    if (this.stopped) return;
    const { usable } = selectInterfaces(links, this.options.filter ?? {});
    const wanted = new Map(usable.map((link) => [link.name, link]));
    for (const [name, port] of this.ports) {
      const link = wanted.get(name);
      if (link === undefined || link.mac !== port.link.mac || link.index !== port.link.index)
        this.closePort(name);
    }
    for (const link of usable) if (!this.ports.has(link.name)) this.openPort(link);
    const interfaces = [...this.ports.values()].map(({ link }) => ({ name: link.name, mac: link.mac }));
    this.apply(this.responder.setInterfaces(this.clock(), interfaces));
  }

  setIp(ip: string, assignment: IpAssignment): void {
    this.apply(this.responder.setIp(this.clock(), ip, assignment));
  }

  reannounce(): void {
    this.apply(this.responder.reannounce(this.clock()));
  }

  removeIp(ip: string): void {
    this.apply(this.responder.setIp(this.clock(), ip, { leader: false, probe: false }));
    this.responder.removeIp(ip);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.rescanTimer);
    this.monitor?.kill('SIGTERM');
    for (const name of [...this.ports.keys()]) this.closePort(name);
  }

  private openPort(link: LinkInfo): void {
    try {
      const port = (this.options.openPort ?? openLinkLayer)(link.name, (bytes) =>
        this.onFrame(link.name, bytes),
      );
      let groups: SolicitedNodeGroups | undefined;
      if (this.options.joinGroups ?? true) {
        try {
          groups = new SolicitedNodeGroups(link.index);
          for (const ip of this.activeIpv6) groups.join(ip);
        } catch {
          // Without the group the capture (promiscuous) still sees solicitations; the metric shows the failure.
          this.options.metrics?.sendFailures.inc({ interface: link.name });
        }
      }
      this.ports.set(link.name, { link, port, groups });
    } catch {
      this.options.metrics?.sendFailures.inc({ interface: link.name });
    }
  }

  private closePort(name: string): void {
    const entry = this.ports.get(name);
    if (entry === undefined) return;
    this.ports.delete(name);
    entry.port.close();
    entry.groups?.close();
  }

  private onFrame(interfaceName: string, bytes: Uint8Array): void {
    if (this.stopped) return;
    let frame;
    try {
      frame = l2Frame.decode(bytes, 0).value;
    } catch (error) {
      if (!(error instanceof L2CodecError)) throw error;
      // Not ours to judge further (e.g. unsupported options); counted so a flood of bad frames is visible.
      this.apply([{ type: 'drop', reason: 'malformed', interface: interfaceName }]);
      return;
    }
    this.apply(this.responder.receive(this.clock(), interfaceName, frame));
  }

  private apply(effects: readonly ResponderEffect[]): void {
    const { metrics, observe } = this.options;
    for (const effect of effects) {
      switch (effect.type) {
        case 'send': {
          const port = this.ports.get(effect.interface);
          try {
            port?.port.send(encodeFrame(effect.frame));
          } catch {
            metrics?.sendFailures.inc({ interface: effect.interface });
            break;
          }
          if (effect.purpose === 'reply') metrics?.responsesSent.inc({ ip: effect.ip });
          else if (effect.purpose === 'gratuitous') metrics?.gratuitousSent.inc({ ip: effect.ip });
          else metrics?.probesSent.inc({ ip: effect.ip });
          break;
        }
        case 'request':
          metrics?.requestsReceived.inc({ ip: effect.ip });
          break;
        case 'drop':
          metrics?.droppedRequests.inc({ reason: effect.reason });
          break;
        case 'conflict':
          metrics?.conflicts.inc({ ip: effect.ip, phase: effect.phase });
          break;
        case 'status':
          metrics?.ownershipChanges.inc({ ip: effect.ip, status: effect.status });
          this.updateGroups(effect.ip, effect.status);
          break;
      }
      observe?.(effect);
    }
    this.schedule();
  }

  private updateGroups(ip: string, status: IpStatus): void {
    if (!ip.includes(':')) return;
    const active = ACTIVE.has(status);
    if (active === this.activeIpv6.has(ip)) return;
    if (active) this.activeIpv6.add(ip);
    else this.activeIpv6.delete(ip);
    for (const { groups, link } of this.ports.values()) {
      try {
        if (active) groups?.join(ip);
        else groups?.leave(ip);
      } catch {
        this.options.metrics?.sendFailures.inc({ interface: link.name });
      }
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const next = this.responder.nextDeadline();
    if (next === undefined) return;
    this.timer = setTimeout(
      () => this.apply(this.responder.tick(this.clock())),
      Math.max(0, next - this.clock()),
    );
  }
}
