import { BgpDaemon, type ResolvedDaemonSpec, type ResolvedPeer } from './bgp-daemon.js';
import {
  normalizeState,
  prefixFamily,
  type AddressFamily,
  type BgpRoute,
  type BgpSession,
  type StaticRoute,
} from './bgp-types.js';
import { LabCommandError } from './errors.js';
import { toolPath } from './requirements.js';

/** BIRD 2 configuration for the lab router (pure). */
export function birdConfig(input: {
  routerId: string;
  asn: number;
  port: number;
  peers: readonly ResolvedPeer[];
  staticRoutes: readonly StaticRoute[];
  /** Install BGP routes in the namespace's kernel table (ECMP merged), so the router forwards to Service IPs. */
  kernel: boolean;
  extraConfig: string;
}): string {
  const lines: string[] = [
    `router id ${input.routerId};`,
    'protocol device { scan time 10; }',
    // Connected routes let BIRD resolve next hops of multihop sessions (recursive gateways); never exported.
    'protocol direct { ipv4; ipv6; }',
  ];
  if (input.kernel) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      lines.push(
        `protocol kernel kernel_${family} {`,
        `  ${family} { import none; export where source = RTS_BGP; };`,
        // Several next hops for one prefix (two nodes announcing it) become one multipath kernel route.
        '  merge paths on;',
        '}',
      );
    }
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    const routes = input.staticRoutes.filter((route) => prefixFamily(route.prefix) === family);
    if (routes.length === 0) continue;
    lines.push(
      `protocol static static_${family} {`,
      `  ${family};`,
      ...routes.map((route) => {
        const tuple = (text: string): string => `(${text.split(':').join(',')})`;
        const attributes = [
          ...(route.communities ?? []).map((c: string) => `bgp_community.add(${tuple(c)});`),
          ...(route.largeCommunities ?? []).map((c: string) => `bgp_large_community.add(${tuple(c)});`),
        ];
        return `  route ${route.prefix} blackhole${attributes.length === 0 ? '' : ` { ${attributes.join(' ')} }`};`;
      }),
      '}',
    );
  }
  for (const peer of input.peers) {
    lines.push(
      `protocol bgp ${peer.name} {`,
      `  local port ${input.port} as ${input.asn};`,
      `  neighbor ${peer.address} port ${peer.port} as ${peer.asn};`,
      `  hold time ${peer.holdTime};`,
      `  keepalive time ${peer.keepaliveTime};`,
      // Defaults (5 s connect delay, 60 s error wait) make tests wait; 1 s is enough on a LAN.
      '  connect delay time 1;',
      '  connect retry time 1;',
      '  error wait time 1, 5;',
      `  graceful restart ${peer.gracefulRestart === true ? 'on' : 'off'};`,
      // BIRD treats iBGP as multihop by default, leaving next hops unresolved without an IGP; lab peers are on
      // the LAN, so say so (gateway direct) unless multihop was asked for.
      ...(peer.multihop === undefined ? ['  direct;'] : [`  multihop ${peer.multihop};`]),
      ...(peer.passive === true ? ['  passive on;'] : []),
      ...(peer.password === undefined ? [] : [`  password "${peer.password.replaceAll('"', '\\"')}";`]),
      ...peer.families.map(
        (family) => `  ${family} { import all; export where source ~ [RTS_BGP, RTS_STATIC]; };`,
      ),
      ...(peer.extraConfig === undefined ? [] : [peer.extraConfig]),
      '}',
    );
  }
  if (input.extraConfig !== '') lines.push(input.extraConfig);
  return `${lines.join('\n')}\n`;
}

function stripBanner(text: string): string[] {
  return text.split('\n').filter((line) => !/^BIRD [\d.]+ ready\.$/.test(line.trim()));
}

/** Parses `birdc show protocols all` into the BGP sessions (other protocols are skipped). */
export function parseBirdProtocols(text: string): BgpSession[] {
  const sessions: BgpSession[] = [];
  let current:
    { name: string; isBgp: boolean; fields: Map<string, string>; received: number | undefined } | undefined;
  const flush = (): void => {
    if (current === undefined || !current.isBgp) return;
    const state = normalizeState(current.fields.get('BGP state') ?? 'Unknown');
    const asText = current.fields.get('Neighbor AS');
    sessions.push({
      name: current.name,
      neighborAddress: current.fields.get('Neighbor address') ?? '',
      neighborAs: asText === undefined ? undefined : Number(asText),
      state,
      established: state === 'Established',
      prefixesReceived: current.received,
      lastError: current.fields.get('Last error'),
    });
  };
  for (const line of stripBanner(text)) {
    if (line.startsWith('Name ') || line.trim() === '') continue;
    const header = /^(\S+)\s+(\S+)\s+/.exec(line);
    if (header !== null && !line.startsWith(' ')) {
      flush();
      current = { name: header[1] ?? '', isBgp: header[2] === 'BGP', fields: new Map(), received: undefined };
      continue;
    }
    const field = /^\s+([A-Za-z][A-Za-z ]*?):\s+(.*)$/.exec(line);
    if (current === undefined || field === null) continue;
    const key = field[1] ?? '';
    const value = (field[2] ?? '').trim();
    if (key === 'Routes') {
      const imported = /(\d+) imported/.exec(value);
      if (imported !== null) current.received = (current.received ?? 0) + Number(imported[1]);
    } else if (!current.fields.has(key)) {
      current.fields.set(key, value);
    }
  }
  flush();
  return sessions;
}

function parseAsPath(value: string): number[] {
  return value
    .replace(/[{}]/g, ' ')
    .split(/\s+/)
    .filter((part) => /^\d+$/.test(part))
    .map(Number);
}

/** `(65000,1) (65000,2)` -> ["65000:1", "65000:2"]; also large communities `(1, 2, 3)`. */
function parseTuples(value: string): string[] {
  return [...value.matchAll(/\(([^)]*)\)/g)].map((match) =>
    (match[1] ?? '')
      .split(',')
      .map((part) => part.trim())
      .join(':'),
  );
}

/** Parses `birdc show route all` (one entry per path; a merged multipath path has several next hops). */
export function parseBirdRoutes(text: string): BgpRoute[] {
  const routes: BgpRoute[] = [];
  interface Draft {
    prefix: string;
    best: boolean;
    protocol: string;
    nextHops: string[];
    attributes: Map<string, string>;
  }
  let prefix = '';
  let draft: Draft | undefined;
  const flush = (): void => {
    if (draft === undefined) return;
    const a = draft.attributes;
    const bgpNextHop = a.get('BGP.next_hop')?.split(/\s+/)[0];
    const nextHops =
      draft.nextHops.length > 0 ? draft.nextHops : bgpNextHop === undefined ? [] : [bgpNextHop];
    const type = a.get('Type') ?? '';
    routes.push({
      prefix: draft.prefix,
      family: prefixFamily(draft.prefix),
      nextHops,
      best: draft.best,
      multipath: draft.nextHops.length > 1,
      from: type.startsWith('BGP') ? draft.protocol : undefined,
      asPath: parseAsPath(a.get('BGP.as_path') ?? ''),
      localPref: a.has('BGP.local_pref') ? Number(a.get('BGP.local_pref')) : undefined,
      med: a.has('BGP.med') ? Number(a.get('BGP.med')) : undefined,
      origin: a.get('BGP.origin'),
      communities: parseTuples(a.get('BGP.community') ?? ''),
      largeCommunities: parseTuples(a.get('BGP.large_community') ?? ''),
    });
    draft = undefined;
  };
  for (const line of stripBanner(text)) {
    if (line.startsWith('Table ') || line.trim() === '') continue;
    // A path line: "PREFIX  unicast [proto time] * (pref) ..." or, for further paths, the same without PREFIX.
    const path = /^(\S+)?\s+(?:unicast|blackhole|unreachable|prohibited)\s+\[(\S+)[^\]]*\]\s*(\*)?/.exec(
      line,
    );
    if (path !== null && !line.startsWith('\t')) {
      flush();
      if (path[1] !== undefined) prefix = path[1];
      draft = { prefix, best: path[3] === '*', protocol: path[2] ?? '', nextHops: [], attributes: new Map() };
      continue;
    }
    if (draft === undefined) continue;
    const via = /^\s+via\s+(\S+)/.exec(line);
    if (via !== null) {
      draft.nextHops.push(via[1] ?? '');
      continue;
    }
    const attribute = /^\s+([A-Za-z][\w.]*):\s*(.*)$/.exec(line);
    if (attribute !== null) draft.attributes.set(attribute[1] ?? '', (attribute[2] ?? '').trim());
  }
  flush();
  return routes;
}

function tableOf(family: AddressFamily): string {
  return family === 'ipv4' ? 'master4' : 'master6';
}

/** BIRD 2 in a lab namespace, controlled through its socket with `birdc`. */
export class BirdDaemon extends BgpDaemon {
  readonly kind = 'bird' as const;
  /** Install BGP routes in the kernel (true for the router). */
  kernel = true;

  get socket(): string {
    return `${this.dir}/ctl`;
  }

  controlCommand(): string[] {
    return ['birdc', '-s', this.socket];
  }

  protected writeConfig(): void {
    this.writeFile(
      'bird.conf',
      birdConfig({
        routerId: this.spec.routerId,
        asn: this.spec.asn,
        port: this.spec.port,
        peers: this.spec.peers,
        staticRoutes: this.spec.staticRoutes,
        kernel: this.kernel,
        extraConfig: this.spec.extraConfig,
      }),
    );
  }

  protected command(): string[] {
    return [
      toolPath('bird'),
      '-f',
      '-c',
      `${this.dir}/bird.conf`,
      '-s',
      this.socket,
      '-P',
      `${this.dir}/bird.pid`,
    ];
  }

  protected async ready(): Promise<boolean> {
    return (await this.birdc(['show', 'status'], { allowFailure: true })).includes('Daemon is up');
  }

  /** Runs a `birdc` command and returns its output. */
  async birdc(args: readonly string[], options: { allowFailure?: boolean } = {}): Promise<string> {
    const result = await this.exec([toolPath('birdc'), '-s', this.socket, ...args], options);
    return result.stdout;
  }

  async sessions(): Promise<BgpSession[]> {
    return parseBirdProtocols(await this.birdc(['show', 'protocols', 'all']));
  }

  async routes(family?: AddressFamily): Promise<BgpRoute[]> {
    const table = family === undefined ? [] : ['table', tableOf(family)];
    return parseBirdRoutes(await this.birdc(['show', 'route', 'all', ...table]));
  }

  /** The paths of one prefix only (exact match), cheap even with a large table. */
  override async paths(prefix: string): Promise<BgpRoute[]> {
    const argv = [
      toolPath('birdc'),
      '-s',
      this.socket,
      'show',
      'route',
      prefix,
      'table',
      tableOf(prefixFamily(prefix)),
      'all',
    ];
    const result = await this.exec(argv, { allowFailure: true });
    // birdc exits 1 with "Network not found" for an absent prefix: that is an answer, not a failure.
    if (!result.ok) {
      if (result.stdout.includes('Network not found')) return [];
      throw new LabCommandError(
        argv,
        result.code,
        result.signal,
        result.stdout,
        result.stderr,
        result.timedOut,
      );
    }
    return parseBirdRoutes(result.stdout).filter((route) => route.prefix === prefix);
  }

  /** Number of routes and networks in a table (`show route count`), for large tables such as benchmarks. */
  async count(family: AddressFamily): Promise<{ routes: number; networks: number }> {
    const output = await this.birdc(['show', 'route', 'count', 'table', tableOf(family)]);
    const match = /(\d+) of (\d+) routes for (\d+) networks/.exec(output);
    if (match === null) throw new Error(`bird: unexpected 'show route count' output: ${output.trim()}`);
    return { routes: Number(match[2]), networks: Number(match[3]) };
  }

  /** Applies a new configuration with `birdc configure`: sessions whose settings did not change stay up. */
  override async apply(spec: ResolvedDaemonSpec): Promise<void> {
    this.spec = spec;
    if (this.process?.running === true) await this.reconfigure();
    else await this.start();
  }

  /** Re-reads the (rewritten) config without restarting: `birdc configure`. */
  async reconfigure(): Promise<void> {
    this.writeConfig();
    const output = await this.birdc(['configure']);
    if (!/Reconfigur|Reconfiguration in progress|Reconfigured/i.test(output))
      throw new Error(`bird: configure failed: ${output}`);
  }
}
