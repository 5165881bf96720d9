import type { BgpDaemon } from './bgp-daemon.js';
import type { AddressFamily, BgpDaemonKind, BgpDaemonSpec } from './bgp-types.js';
import { resolveDaemonSpec, type DaemonSpecs } from './daemons.js';
import { startCapture, type Capture } from './capture.js';
import {
  arping,
  http,
  kernelRoutes,
  neighbours,
  ping,
  type ArpingResult,
  type HttpResult,
  type KernelRoute,
  type Neighbour,
  type PingResult,
} from './probes.js';
import type { BirdDaemon } from './bird.js';
import type { FrrDaemon } from './frr.js';
import type { GobgpDaemon } from './gobgp.js';
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execCommand, execCommandSync, inNamespace, type ExecOptions, type ExecResult } from './exec.js';
import {
  planLab,
  randomRunId,
  runIdPattern,
  type Host,
  type LabPlan,
  type NodePlan,
  type RouterPlan,
} from './plan.js';
import type { LabProcess } from './processes.js';
import { namespacePids, spawnInNamespace, terminate, terminateNamespacesSync } from './processes.js';
import { assertPrerequisites, type ToolName } from './requirements.js';
import { registerLive, unregisterLive } from './signals.js';
import { allocateSlot, createRunDir, releaseSlots, stateRoot } from './state.js';

export interface LabSpec {
  /** Number of node namespaces on the LAN (default 2, at most 64). */
  readonly nodes?: number;
  /** Fixed run id (5 chars of [a-z0-9]); random by default. */
  readonly runId?: string;
  /** Tear down on SIGINT/SIGTERM/SIGHUP and on exit (default true). */
  readonly handleSignals?: boolean;
  /** A lab for `lbops lab up`: processes outlive this process; `sweep` leaves it alone unless asked. */
  readonly manual?: boolean;
  /** Extra tools the caller will use (checked up front with an install hint). */
  readonly tools?: readonly ToolName[];
}

export interface LabSpawnOptions {
  /** Log file path; default `<run dir>/logs/<name>.log`. */
  readonly log?: string;
  /** Unique name within the lab; default derived from the namespace and program. */
  readonly name?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface TeardownOptions {
  /** Copy logs, configs and captures to the artifacts directory before removing the run folder. */
  readonly keepArtifacts?: boolean;
}

/** The lab's two clients: one on the LAN, one behind the router on the routed subnet. */
export interface Clients {
  readonly lan: Host;
  readonly external: Host;
}

/** Where kept artifacts go: `$LBOPS_LAB_ARTIFACTS` or `<tmpdir>/lbops-lab-artifacts`. */
export function artifactsRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['LBOPS_LAB_ARTIFACTS'] ?? join(tmpdir(), 'lbops-lab-artifacts');
}

/** A running lab. Create with `createLab`; always `teardown()` (or use `withLab`). */
export class Lab {
  readonly runId: string;
  readonly plan: LabPlan;
  /** The run folder: configs, logs, sockets, pid files. */
  readonly dir: string;
  readonly stateRoot: string;
  readonly nodes: readonly NodePlan[];
  readonly router: RouterPlan;
  readonly clients: Clients;
  /** Path of the kept artifacts after `teardown({ keepArtifacts: true })`. */
  artifactsDir: string | undefined;
  readonly #processes = new Set<LabProcess>();
  readonly #namespaces: string[] = [];
  readonly #rootLinks: string[] = [];
  readonly #cleanups: Array<() => Promise<void>> = [];
  #teardown: Promise<void> | undefined;
  #names = new Map<string, number>();
  #daemons = new Map<BgpDaemonKind, BgpDaemon>();
  #daemonSpecs: DaemonSpecs = {};
  #manual = false;

  /** @internal use `createLab`. */
  constructor(plan: LabPlan, root: string, dir: string) {
    this.runId = plan.runId;
    this.plan = plan;
    this.stateRoot = root;
    this.dir = dir;
    this.nodes = plan.nodes;
    this.router = plan.router;
    this.clients = { lan: plan.client, external: plan.external };
  }

  /** @internal */
  setDaemons(daemons: Map<BgpDaemonKind, BgpDaemon>, specs: DaemonSpecs): void {
    this.#daemons = daemons;
    this.#daemonSpecs = { ...specs };
  }

  /**
   * Changes a daemon's peers, routes or options (peers by role are resolved as in `createLab`), e.g. to peer
   * BIRD with a speaker that started later. BIRD reloads in place; FRR and GoBGP restart.
   */
  async reconfigure(kind: BgpDaemonKind, spec: BgpDaemonSpec): Promise<void> {
    const daemon = this.#daemon(kind);
    this.#daemonSpecs = { ...this.#daemonSpecs, [kind]: spec };
    await daemon.apply(resolveDaemonSpec(this.plan, this.#daemonSpecs, kind, spec));
    this.writeDescription();
  }

  #daemon(kind: BgpDaemonKind): BgpDaemon {
    const daemon = this.#daemons.get(kind);
    if (daemon === undefined)
      throw new Error(`lab: ${kind} is not running in this lab; pass \`${kind}: {...}\` in the lab spec`);
    return daemon;
  }

  /** BIRD on the router (throws when the spec had `bird: false`). */
  get bird(): BirdDaemon {
    return this.#daemon('bird') as BirdDaemon;
  }

  /** FRR bgpd (throws unless the spec had `frr`). */
  get frr(): FrrDaemon {
    return this.#daemon('frr') as FrrDaemon;
  }

  /** GoBGP (throws unless the spec had `gobgp`). */
  get gobgp(): GobgpDaemon {
    return this.#daemon('gobgp') as GobgpDaemon;
  }

  /** The daemons that run, by kind. */
  get daemons(): ReadonlyMap<BgpDaemonKind, BgpDaemon> {
    return this.#daemons;
  }

  /** Every namespace of this lab (the LAN's first). */
  get namespaces(): readonly string[] {
    return this.#namespaces;
  }

  /** Processes started with `spawn` that have not been stopped. */
  get processes(): readonly LabProcess[] {
    return [...this.#processes];
  }

  /** Runs a command inside a namespace to completion (bounded, default 10 s); throws on failure unless `allowFailure`. */
  exec(ns: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return execCommand(inNamespace(ns, argv), options);
  }

  /** Starts a long-running process inside a namespace; output goes to a log file; killed on teardown. */
  async spawn(ns: string, argv: readonly string[], options: LabSpawnOptions = {}): Promise<LabProcess> {
    const name = this.#uniqueName(
      options.name ??
        `${ns.slice(this.plan.prefix.length)}-${(argv[0] ?? 'process').split('/').pop() ?? 'process'}`,
    );
    const log = options.log ?? join(this.dir, 'logs', `${name}.log`);
    const child = await spawnInNamespace(
      ns,
      argv,
      {
        name,
        log,
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        // Only a manual lab's processes may outlive this one; a test awaits its children's exits.
        detached: this.manual,
      },
      this.dir,
    );
    this.#processes.add(child);
    void child.exited.then(() => {
      // Keep stopped processes out of the teardown list; their logs stay.
      if (!this.manual) this.#processes.delete(child);
    });
    return child;
  }

  /**
   * Cuts (`up: false`) or restores a host's LAN link at its bridge port, as if its cable were pulled: the
   * host's `eth0` loses carrier and nothing reaches it over the LAN.
   */
  async setLanLink(host: Host, up: boolean): Promise<void> {
    if (host.lanPort === undefined) throw new Error(`lab: ${host.name} is not on the LAN`);
    await this.exec(this.plan.lan.ns, ['ip', 'link', 'set', host.lanPort, up ? 'up' : 'down']);
  }

  /** The neighbour table of a namespace (`ip -j neigh`). */
  neighbours(ns: string, options: { family?: AddressFamily; dev?: string } = {}): Promise<Neighbour[]> {
    return neighbours(ns, options);
  }

  /** Pings from a namespace (bounded); `ok` when any reply came. */
  ping(ns: string, destination: string, options: Parameters<typeof ping>[2] = {}): Promise<PingResult> {
    return ping(ns, destination, options);
  }

  /** ARP-pings an IPv4 address from a namespace; `macs` lists who answered. */
  arping(ns: string, ip: string, options: Parameters<typeof arping>[2] = {}): Promise<ArpingResult> {
    return arping(ns, ip, options);
  }

  /** An HTTP request from a namespace (curl-like). */
  http(ns: string, url: string, options: Parameters<typeof http>[2] = {}): Promise<HttpResult> {
    return http(ns, url, options);
  }

  /** Kernel routes of a namespace (the router's show what BIRD installed, ECMP next hops included). */
  kernelRoutes(ns: string, family: AddressFamily, prefix?: string): Promise<KernelRoute[]> {
    return kernelRoutes(ns, family, prefix);
  }

  /** Starts a packet capture (pcap in the run folder, kept with the artifacts when a test fails). */
  capture(ns: string, options: Parameters<typeof startCapture>[2] = {}): Promise<Capture> {
    return startCapture(this, ns, options);
  }

  /** Registers work for teardown (run before processes are killed, in reverse order of registration). */
  onTeardown(cleanup: () => Promise<void>): void {
    this.#cleanups.push(cleanup);
  }

  /** A path inside the run folder. */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Made by `lbops lab up`: its processes outlive this process and only `sweep` removes it. */
  get manual(): boolean {
    return this.#manual;
  }

  /** @internal */
  setManual(manual: boolean): void {
    this.#manual = manual;
  }

  #uniqueName(base: string): string {
    const clean = base.replace(/[^a-zA-Z0-9_.-]/g, '_');
    const count = this.#names.get(clean) ?? 0;
    this.#names.set(clean, count + 1);
    return count === 0 ? clean : `${clean}-${count + 1}`;
  }

  /** @internal namespaces are recorded before they exist, so a half-built lab is torn down completely. */
  trackNamespace(ns: string): void {
    this.#namespaces.push(ns);
  }

  /** @internal */
  trackRootLink(name: string): void {
    this.#rootLinks.push(name);
  }

  /** Stops every process and removes every namespace, link and file of the run. Idempotent, bounded. */
  teardown(options: TeardownOptions = {}): Promise<void> {
    this.#teardown ??= this.#doTeardown(options);
    return this.#teardown;
  }

  async #doTeardown(options: TeardownOptions): Promise<void> {
    const errors: unknown[] = [];
    for (const cleanup of [...this.#cleanups].reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    await Promise.allSettled([...this.#processes].map((child) => child.stop(1_000)));
    this.#processes.clear();
    // Anything else still inside (a test's own children, daemons' forks) goes too.
    const pids = (await Promise.all(this.#namespaces.map((ns) => namespacePids(ns)))).flat();
    if (pids.length > 0) await terminate(pids, 500);
    await Promise.allSettled(
      this.#rootLinks.map((link) =>
        execCommand(['ip', 'link', 'del', link], { allowFailure: true, timeoutMs: 5_000 }),
      ),
    );
    await Promise.allSettled(
      this.#namespaces.map((ns) =>
        execCommand(['ip', 'netns', 'del', ns], { allowFailure: true, timeoutMs: 5_000 }),
      ),
    );
    if (options.keepArtifacts === true) this.artifactsDir = this.#keepArtifacts();
    rmSync(this.dir, { recursive: true, force: true });
    releaseSlots(this.stateRoot, this.runId);
    unregisterLive(this);
    if (errors.length > 0) throw new AggregateError(errors, `lab ${this.runId}: teardown hooks failed`);
  }

  #keepArtifacts(): string | undefined {
    const target = join(artifactsRoot(), this.runId);
    try {
      mkdirSync(target, { recursive: true });
      cpSync(this.dir, target, {
        recursive: true,
        // Sockets and pid files are useless after the run.
        filter: (source) => {
          try {
            const stat = statSync(source);
            return (stat.isDirectory() || stat.isFile()) && !source.endsWith('.pid');
          } catch {
            return false;
          }
        },
      });
      return target;
    } catch {
      return undefined;
    }
  }

  /** Best-effort synchronous teardown for `process.on('exit')`. */
  teardownSync(): void {
    for (const child of this.#processes) child.signal('SIGKILL');
    terminateNamespacesSync(this.#namespaces);
    for (const link of this.#rootLinks) execCommandSync(['ip', 'link', 'del', link]);
    for (const ns of this.#namespaces) execCommandSync(['ip', 'netns', 'del', ns]);
    rmSync(this.dir, { recursive: true, force: true });
    releaseSlots(this.stateRoot, this.runId);
    unregisterLive(this);
  }

  /** A plain-data description (written to `<run dir>/lab.json` for `lbops lab status`). */
  describe(): LabDescription {
    return {
      runId: this.runId,
      dir: this.dir,
      namespaces: [...this.#namespaces],
      plan: this.plan,
      manual: this.manual,
      daemons: [...this.#daemons.values()].map((daemon) => ({
        kind: daemon.kind,
        ns: daemon.ns,
        ipv4: daemon.ipv4,
        ipv6: daemon.ipv6,
        asn: daemon.asn,
        port: daemon.port,
        control: daemon.controlCommand().join(' '),
        peers: daemon.spec.peers.map((peer) => `${peer.address} AS${peer.asn}`),
      })),
    };
  }

  /** @internal writes `<run dir>/lab.json`, read by `lbops lab status`. */
  writeDescription(): void {
    writeFileSync(join(this.dir, 'lab.json'), `${JSON.stringify(this.describe(), null, 2)}\n`);
  }
}

export interface DaemonDescription {
  readonly kind: BgpDaemonKind;
  readonly ns: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly asn: number;
  readonly port: number;
  /** The command that queries it, run inside its namespace. */
  readonly control: string;
  readonly peers: readonly string[];
}

export interface LabDescription {
  readonly daemons: readonly DaemonDescription[];
  readonly runId: string;
  readonly dir: string;
  readonly namespaces: readonly string[];
  readonly plan: LabPlan;
  readonly manual: boolean;
}

function ipBatch(ns: string | undefined, lines: readonly string[]): Promise<ExecResult> {
  const argv = ns === undefined ? ['ip', '-b', '-'] : ['ip', '-n', ns, '-b', '-'];
  return execCommand(argv, { input: `${lines.join('\n')}\n`, timeoutMs: 10_000 });
}

/** Sysctls for what the tests observe (see shared/reference/lab.md). */
function sysctlScript(forwarding: boolean): string {
  const settings: Array<[string, string]> = [
    ['net/ipv6/conf/all/accept_dad', '0'],
    ['net/ipv6/conf/default/accept_dad', '0'],
    ['net/ipv6/conf/all/accept_ra', '0'],
    ['net/ipv6/conf/default/accept_ra', '0'],
    // Keep IPv6 addresses when a link goes down, so a cut link can be restored by setting it up again.
    ['net/ipv6/conf/all/keep_addr_on_down', '1'],
    ['net/ipv6/conf/default/keep_addr_on_down', '1'],
    // A gratuitous ARP creates a neighbour entry (with 0 only existing entries are updated).
    ['net/ipv4/conf/all/arp_accept', '1'],
    ['net/ipv4/conf/default/arp_accept', '1'],
    // An unsolicited NA creates an entry only with forwarding=1 and accept_untracked_na=1.
    ['net/ipv6/conf/all/accept_untracked_na', '1'],
    ['net/ipv6/conf/default/accept_untracked_na', '1'],
    ['net/ipv4/conf/all/rp_filter', '0'],
    ['net/ipv4/conf/default/rp_filter', '0'],
  ];
  if (forwarding) {
    settings.push(
      ['net/ipv4/ip_forward', '1'],
      ['net/ipv6/conf/all/forwarding', '1'],
      ['net/ipv6/conf/default/forwarding', '1'],
    );
  }
  return [...settings.map(([key, value]) => `echo ${value} > /proc/sys/${key}`), 'ip link set lo up'].join(
    ' && ',
  );
}

/**
 * Per-interface settings, once the interfaces exist. `neigh/default` is not present in a non-initial namespace,
 * so the neighbour locktime is set per interface: its default of 1 s would make a second update within a
 * second be ignored, hiding fast failovers.
 */
function interfaceScript(ifnames: readonly string[]): string {
  return ifnames
    .flatMap((ifname) => [
      `echo 0 > /proc/sys/net/ipv4/neigh/${ifname}/locktime`,
      `echo 0 > /proc/sys/net/ipv6/neigh/${ifname}/locktime`,
      `echo 1 > /proc/sys/net/ipv4/conf/${ifname}/arp_accept`,
      `echo 1 > /proc/sys/net/ipv6/conf/${ifname}/accept_untracked_na`,
    ])
    .join(' && ');
}

/**
 * Builds the lab's namespaces and links. Daemons are started by the caller (`createLab` in index) once the
 * network is up. On any failure the half-built lab is torn down before the error propagates.
 */
export async function buildLab(spec: LabSpec, needed: readonly ToolName[]): Promise<Lab> {
  assertPrerequisites([...needed, ...(spec.tools ?? [])]);
  const root = stateRoot();
  const runId = spec.runId ?? randomRunId();
  if (!runIdPattern.test(runId)) throw new Error(`lab: run id '${runId}' must be 5 characters of [a-z0-9]`);
  const dir = createRunDir(root, runId, spec.manual === true);
  let slot: number;
  try {
    slot = allocateSlot(root, runId);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const plan = planLab(runId, slot, spec.nodes ?? 2);
  const lab = new Lab(plan, root, dir);
  lab.setManual(spec.manual === true);
  registerLive(lab, spec.handleSignals ?? spec.manual !== true);
  try {
    await buildNetwork(lab, plan);
    lab.writeDescription();
  } catch (error) {
    await lab.teardown({ keepArtifacts: true });
    throw error;
  }
  return lab;
}

async function buildNetwork(lab: Lab, plan: LabPlan): Promise<void> {
  const lanHosts: Host[] = [plan.router, plan.frr, plan.gobgp, plan.client, ...plan.nodes];
  const all = [plan.lan.ns, ...lanHosts.map((host) => host.ns), plan.external.ns];
  for (const ns of all) lab.trackNamespace(ns);
  await Promise.all(all.map((ns) => execCommand(['ip', 'netns', 'add', ns])));
  const forwarding = new Set([plan.router.ns, plan.client.ns, plan.external.ns]);
  await Promise.all(all.map((ns) => lab.exec(ns, ['sh', '-c', sysctlScript(forwarding.has(ns))])));
  // Multicast snooping off: NDP's solicited-node multicast must reach every port, joined or not.
  await ipBatch(plan.lan.ns, [
    `link add ${plan.lan.bridge} type bridge mcast_snooping 0`,
    `link set ${plan.lan.bridge} up`,
  ]);

  for (const node of plan.nodes) lab.trackRootLink(node.mgmt.hostIfname);
  await Promise.all([
    ...lanHosts.map((host) =>
      execCommand([
        'ip',
        '-n',
        plan.lan.ns,
        'link',
        'add',
        host.lanPort ?? '',
        'type',
        'veth',
        'peer',
        'name',
        host.ifname,
        'address',
        host.mac,
        'netns',
        host.ns,
      ]),
    ),
    execCommand([
      'ip',
      '-n',
      plan.router.ns,
      'link',
      'add',
      plan.router.routed.ifname,
      'address',
      plan.router.routed.mac,
      'type',
      'veth',
      'peer',
      'name',
      plan.external.ifname,
      'address',
      plan.external.mac,
      'netns',
      plan.external.ns,
    ]),
    ...plan.nodes.map((node) =>
      execCommand([
        'ip',
        'link',
        'add',
        node.mgmt.hostIfname,
        'type',
        'veth',
        'peer',
        'name',
        node.mgmt.ifname,
        'address',
        node.mgmt.mac,
        'netns',
        node.ns,
      ]),
    ),
  ]);
  await ipBatch(
    plan.lan.ns,
    lanHosts.flatMap((host) => [
      `link set ${host.lanPort} master ${plan.lan.bridge}`,
      `link set ${host.lanPort} up`,
    ]),
  );
  const hostLines = (host: Host): string[] => [
    `addr add ${host.ipv4}/${host.ipv4PrefixLength} dev ${host.ifname}`,
    `addr add ${host.ipv6}/${host.ipv6PrefixLength} dev ${host.ifname} nodad`,
    `link set ${host.ifname} up`,
    ...(host.gateway === undefined
      ? []
      : [`route add default via ${host.gateway.ipv4}`, `route add ::/0 via ${host.gateway.ipv6}`]),
  ];
  const interfaces = new Map<string, string[]>([
    [plan.router.ns, [plan.router.ifname, plan.router.routed.ifname]],
    [plan.external.ns, [plan.external.ifname]],
    ...[plan.frr, plan.gobgp, plan.client].map((host): [string, string[]] => [host.ns, [host.ifname]]),
    ...plan.nodes.map((node): [string, string[]] => [node.ns, [node.ifname, node.mgmt.ifname]]),
  ]);
  await Promise.all(
    [...interfaces].map(([ns, ifnames]) => lab.exec(ns, ['sh', '-c', interfaceScript(ifnames)])),
  );
  await Promise.all([
    ipBatch(plan.router.ns, [
      ...hostLines(plan.router),
      `addr add ${plan.router.routed.ipv4}/24 dev ${plan.router.routed.ifname}`,
      `addr add ${plan.router.routed.ipv6}/64 dev ${plan.router.routed.ifname} nodad`,
      `link set ${plan.router.routed.ifname} up`,
    ]),
    ipBatch(plan.external.ns, hostLines(plan.external)),
    ...[plan.frr, plan.gobgp, plan.client].map((host) => ipBatch(host.ns, hostLines(host))),
    ...plan.nodes.map((node) =>
      ipBatch(node.ns, [
        ...hostLines(node),
        `addr add ${node.mgmt.ipv4}/31 dev ${node.mgmt.ifname}`,
        `addr add ${node.mgmt.ipv6}/64 dev ${node.mgmt.ifname} nodad`,
        `link set ${node.mgmt.ifname} up`,
      ]),
    ),
    plan.nodes.length === 0
      ? Promise.resolve()
      : ipBatch(
          undefined,
          plan.nodes.flatMap((node) => [
            `addr add ${node.mgmt.hostIpv4}/31 dev ${node.mgmt.hostIfname}`,
            `addr add ${node.mgmt.hostIpv6}/64 dev ${node.mgmt.hostIfname} nodad`,
            `link set ${node.mgmt.hostIfname} up`,
          ]),
        ),
  ]);
}
