import { mkdirSync, writeFileSync } from 'node:fs';
import type { ExecOptions, ExecResult } from './exec.js';
import type { Lab } from './lab.js';
import type { Host } from './plan.js';
import type { LabProcess } from './processes.js';
import {
  familyOf,
  prefixFamily,
  type AddressFamily,
  type BgpDaemonKind,
  type BgpPeerSpec,
  type BgpRoute,
  type BgpSession,
  type StaticRoute,
} from './bgp-types.js';
import { waitFor, type WaitOptions } from './wait-for.js';

/** A peer with every default filled in. */
export interface ResolvedPeer extends BgpPeerSpec {
  /** Identifier usable in configs (BIRD protocol names). */
  readonly name: string;
  readonly port: number;
  readonly families: readonly AddressFamily[];
  readonly holdTime: number;
  readonly keepaliveTime: number;
}

export interface ResolvedDaemonSpec {
  readonly asn: number;
  readonly port: number;
  readonly routerId: string;
  readonly peers: readonly ResolvedPeer[];
  readonly staticRoutes: readonly StaticRoute[];
  readonly extraConfig: string;
}

export function resolvePeer(peer: BgpPeerSpec, index: number): ResolvedPeer {
  return {
    ...peer,
    name: `peer${index + 1}`,
    port: peer.port ?? 179,
    families: peer.families ?? [familyOf(peer.address)],
    holdTime: peer.holdTime ?? 9,
    keepaliveTime: peer.keepaliveTime ?? 3,
  };
}

/**
 * One BGP daemon in its namespace: config in `<run dir>/<kind>/`, output in `<run dir>/logs/<kind>.log`.
 * Subclasses write the config, start the process and read sessions and routes back.
 */
export abstract class BgpDaemon {
  abstract readonly kind: BgpDaemonKind;
  /** Directory for config, sockets and pid file. */
  readonly dir: string;
  process: LabProcess | undefined;

  constructor(
    protected readonly lab: Lab,
    /** The daemon's namespace and addresses. */
    readonly host: Host,
    /** The applied configuration; change it with `apply` (or `lab.reconfigure`). */
    public spec: ResolvedDaemonSpec,
    kind: BgpDaemonKind,
  ) {
    this.dir = lab.path(kind);
    mkdirSync(this.dir, { recursive: true });
  }

  get ns(): string {
    return this.host.ns;
  }
  get asn(): number {
    return this.spec.asn;
  }
  get port(): number {
    return this.spec.port;
  }
  get ipv4(): string {
    return this.host.ipv4;
  }
  get ipv6(): string {
    return this.host.ipv6;
  }
  get log(): string {
    return this.lab.path('logs', `${this.kind}.log`);
  }

  /** Writes the config and starts the daemon; resolves once its control interface answers (bounded). */
  async start(options: WaitOptions = {}): Promise<void> {
    if (this.process?.running === true) return;
    this.writeConfig();
    this.process = await this.lab.spawn(this.ns, this.command(), { name: this.kind, log: this.log });
    await waitFor(
      async () => {
        if (this.process?.running !== true) {
          throw new Error(`${this.kind} exited (${JSON.stringify(this.process?.exit)}); see ${this.log}`);
        }
        return this.ready();
      },
      {
        timeoutMs: 10_000,
        intervalMs: 20,
        description: `${this.kind} to answer on its control interface`,
        ...options,
      },
    );
    await this.afterStart();
  }

  /** Stops the daemon (SIGTERM, then SIGKILL). */
  async stop(): Promise<void> {
    await this.process?.stop(2_000);
  }

  /** Kills the daemon without a clean shutdown (no NOTIFICATION is sent to its peers). */
  async kill(): Promise<void> {
    this.process?.signal('SIGKILL');
    await this.process?.exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Applies a new configuration: rewrites the config and restarts the daemon (BIRD reloads in place). */
  async apply(spec: ResolvedDaemonSpec): Promise<void> {
    this.spec = spec;
    if (this.process?.running === true) await this.restart();
    else await this.start();
  }

  protected writeFile(name: string, text: string): string {
    const path = `${this.dir}/${name}`;
    writeFileSync(path, text);
    return path;
  }

  protected exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.lab.exec(this.ns, argv, { timeoutMs: 10_000, ...options });
  }

  /** The command line that queries this daemon (inside its namespace), for humans. */
  abstract controlCommand(): string[];

  protected abstract writeConfig(): void;
  protected abstract command(): string[];
  protected abstract ready(): Promise<boolean>;
  protected async afterStart(): Promise<void> {}

  /** The daemon's BGP sessions. */
  abstract sessions(): Promise<BgpSession[]>;
  /** The daemon's BGP table for a family (every path, best or not). */
  abstract routes(family?: AddressFamily): Promise<BgpRoute[]>;

  /** Every path of one prefix, with all attributes the daemon reports. */
  async paths(prefix: string): Promise<BgpRoute[]> {
    return (await this.routes(prefixFamily(prefix))).filter((route) => route.prefix === prefix);
  }

  /** Waits until the session with `neighborAddress` (or every configured session) is Established. */
  async waitEstablished(neighborAddress?: string, options: WaitOptions = {}): Promise<BgpSession[]> {
    return waitFor(
      async () => {
        const sessions = await this.sessions();
        const relevant = sessions.filter(
          (session) => neighborAddress === undefined || session.neighborAddress === neighborAddress,
        );
        const ok = relevant.length > 0 && relevant.every((session) => session.established);
        return ok ? sessions : undefined;
      },
      {
        timeoutMs: 15_000,
        intervalMs: 100,
        description: `${this.kind} sessions Established (${neighborAddress ?? 'all'})`,
        ...options,
      },
    );
  }

  /**
   * Waits until the paths of `prefix` satisfy `predicate` (default: at least one path) and returns them.
   * For a withdrawal, pass `(paths) => paths.length === 0`.
   */
  async waitRoute(
    prefix: string,
    predicate: (paths: BgpRoute[]) => boolean = (paths) => paths.length > 0,
    options: WaitOptions = {},
  ): Promise<BgpRoute[]> {
    let last: BgpRoute[] = [];
    await waitFor(
      async () => {
        last = await this.paths(prefix);
        return predicate(last);
      },
      { timeoutMs: 15_000, intervalMs: 100, description: `${this.kind} route ${prefix}`, ...options },
    );
    return last;
  }
}
