import { BgpDaemon, type ResolvedPeer } from './bgp-daemon.js';
import {
  normalizeState,
  prefixFamily,
  type AddressFamily,
  type BgpRoute,
  type BgpSession,
} from './bgp-types.js';
import { toolPath } from './requirements.js';

const quote = (value: string): string => JSON.stringify(value);

/** gobgpd TOML configuration (pure). */
export function gobgpConfig(input: {
  routerId: string;
  asn: number;
  port: number;
  localAddresses: readonly string[];
  peers: readonly ResolvedPeer[];
  extraConfig: string;
}): string {
  const lines: string[] = [
    '[global.config]',
    `  as = ${input.asn}`,
    `  router-id = ${quote(input.routerId)}`,
    `  port = ${input.port}`,
    `  local-address-list = [${input.localAddresses.map(quote).join(', ')}]`,
  ];
  for (const peer of input.peers) {
    lines.push(
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = ${quote(peer.address)}`,
      `    peer-as = ${peer.asn}`,
      ...(peer.password === undefined ? [] : [`    auth-password = ${quote(peer.password)}`]),
      '  [neighbors.transport.config]',
      `    remote-port = ${peer.port}`,
      ...(peer.passive === true ? ['    passive-mode = true'] : []),
      '  [neighbors.timers.config]',
      '    connect-retry = 1',
      `    hold-time = ${peer.holdTime}`,
      `    keepalive-interval = ${peer.keepaliveTime}`,
      // Default 30 s before reconnecting after a reset; tests restart peers.
      '    idle-hold-time-after-reset = 1',
      ...(peer.multihop === undefined
        ? []
        : [
            '  [neighbors.ebgp-multihop.config]',
            '    enabled = true',
            `    multihop-ttl = ${peer.multihop}`,
          ]),
      ...(peer.gracefulRestart === true
        ? ['  [neighbors.graceful-restart.config]', '    enabled = true', '    restart-time = 30']
        : []),
      ...peer.families.flatMap((family) => [
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        `      afi-safi-name = "${family}-unicast"`,
      ]),
      ...(peer.extraConfig === undefined ? [] : [peer.extraConfig]),
    );
  }
  if (input.extraConfig !== '') lines.push(input.extraConfig);
  return `${lines.join('\n')}\n`;
}

interface GobgpNeighbor {
  conf?: { neighbor_address?: string; peer_asn?: number; peer_as?: number };
  state?: {
    neighbor_address?: string;
    peer_asn?: number;
    session_state?: number | string;
    admin_state?: number | string;
  };
  afi_safis?: Array<{ state?: { accepted?: number; received?: number } }>;
}

/** Parses `gobgp neighbor -j`. */
export function parseGobgpNeighbors(json: string): BgpSession[] {
  const data = JSON.parse(json === '' ? '[]' : json) as GobgpNeighbor[] | null;
  return (data ?? []).map((neighbor) => {
    const address = neighbor.state?.neighbor_address ?? neighbor.conf?.neighbor_address ?? '';
    const state = normalizeState(neighbor.state?.session_state ?? 'Unknown');
    const counters = (neighbor.afi_safis ?? []).map(
      (family) => family.state?.accepted ?? family.state?.received ?? 0,
    );
    return {
      name: address,
      neighborAddress: address,
      neighborAs: neighbor.state?.peer_asn ?? neighbor.conf?.peer_asn ?? neighbor.conf?.peer_as,
      state,
      established: state === 'Established',
      prefixesReceived: counters.length === 0 ? undefined : counters.reduce((a, b) => a + b, 0),
      lastError: undefined,
    };
  });
}

interface GobgpAttribute {
  type?: number;
  value?: unknown;
  nexthop?: string;
  as_paths?: Array<{ asns?: number[] }>;
  communities?: number[];
  value_list?: unknown;
}

interface GobgpPath {
  nlri?: { prefix?: string };
  best?: boolean;
  'neighbor-ip'?: string;
  source_id?: string;
  attrs?: GobgpAttribute[];
}

/** Path attribute type codes (RFC 4271 §5, RFC 1997, RFC 4760, RFC 8092). */
const attr = {
  origin: 1,
  asPath: 2,
  nextHop: 3,
  med: 4,
  localPref: 5,
  communities: 8,
  mpReach: 14,
  large: 32,
} as const;
const origins = ['IGP', 'EGP', 'incomplete'];

function largeOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    // gobgp 3.x prints {ASN, LocalData1, LocalData2}; older versions used snake_case names.
    const entry = item as Record<string, number | undefined>;
    const global = entry['ASN'] ?? entry['global_admin'];
    const local1 = entry['LocalData1'] ?? entry['local_data1'];
    const local2 = entry['LocalData2'] ?? entry['local_data2'];
    return `${global}:${local1}:${local2}`;
  });
}

/** Parses `gobgp global rib -a ipv4 -j`: an object from prefix to paths. */
export function parseGobgpRib(json: string): BgpRoute[] {
  const data = JSON.parse(json === '' ? '{}' : json) as Record<string, GobgpPath[]> | null;
  return Object.entries(data ?? {}).flatMap(([prefix, paths]) =>
    paths.map((path): BgpRoute => {
      const attrs = path.attrs ?? [];
      const find = (type: number): GobgpAttribute | undefined => attrs.find((a) => a.type === type);
      const nextHop = find(attr.nextHop)?.nexthop ?? find(attr.mpReach)?.nexthop;
      const neighbor = path['neighbor-ip'];
      const origin = find(attr.origin)?.value;
      const localPref = find(attr.localPref)?.value;
      const med = find(attr.med)?.value;
      return {
        prefix,
        family: prefixFamily(prefix),
        nextHops: nextHop === undefined ? [] : [nextHop],
        best: path.best === true,
        multipath: false,
        from: neighbor === undefined || neighbor === '<nil>' || neighbor === '0.0.0.0' ? undefined : neighbor,
        asPath: (find(attr.asPath)?.as_paths ?? []).flatMap((segment) => segment.asns ?? []),
        localPref: typeof localPref === 'number' ? localPref : undefined,
        med: typeof med === 'number' ? med : undefined,
        origin: typeof origin === 'number' ? origins[origin] : undefined,
        communities: (find(attr.communities)?.communities ?? []).map(
          (c) => `${Math.floor(c / 65536)}:${c % 65536}`,
        ),
        largeCommunities: largeOf(find(attr.large)?.value),
      };
    }),
  );
}

/** GoBGP (gobgpd) in a lab namespace, queried with the `gobgp` client over its gRPC port. */
export class GobgpDaemon extends BgpDaemon {
  readonly kind = 'gobgp' as const;
  /** gRPC API port inside the namespace (loopback only). */
  readonly apiPort = 50051;

  controlCommand(): string[] {
    return ['gobgp', '-p', String(this.apiPort)];
  }

  protected writeConfig(): void {
    this.writeFile(
      'gobgpd.toml',
      gobgpConfig({ ...this.spec, localAddresses: [this.host.ipv4, this.host.ipv6] }),
    );
  }

  protected command(): string[] {
    return [
      toolPath('gobgpd'),
      '-f',
      `${this.dir}/gobgpd.toml`,
      '-p', // plain log lines
      `--api-hosts=127.0.0.1:${this.apiPort}`,
      '--pprof-disable',
    ];
  }

  protected async ready(): Promise<boolean> {
    return (
      await this.exec([toolPath('gobgp'), '-p', String(this.apiPort), 'global'], { allowFailure: true })
    ).ok;
  }

  protected override async afterStart(): Promise<void> {
    // The TOML has no static routes: originate through the API, next hop ourselves (GoBGP rejects loopback).
    for (const route of this.spec.staticRoutes) {
      const family = prefixFamily(route.prefix);
      await this.gobgp([
        'global',
        'rib',
        'add',
        '-a',
        family,
        route.prefix,
        'nexthop',
        family === 'ipv4' ? this.ipv4 : this.ipv6,
        ...(route.communities === undefined || route.communities.length === 0
          ? []
          : ['community', route.communities.join(',')]),
        ...(route.largeCommunities === undefined || route.largeCommunities.length === 0
          ? []
          : ['large-community', route.largeCommunities.join(',')]),
      ]);
    }
  }

  /** Runs the `gobgp` client against this daemon and returns its output. */
  async gobgp(args: readonly string[]): Promise<string> {
    return (await this.exec([toolPath('gobgp'), '-p', String(this.apiPort), ...args])).stdout;
  }

  async sessions(): Promise<BgpSession[]> {
    return parseGobgpNeighbors(await this.gobgp(['neighbor', '-j']));
  }

  async routes(family?: AddressFamily): Promise<BgpRoute[]> {
    const families = family === undefined ? (['ipv4', 'ipv6'] as const) : [family];
    const all = await Promise.all(
      families.map(async (f) => parseGobgpRib(await this.gobgp(['global', 'rib', '-a', f, '-j']))),
    );
    return all.flat();
  }

  /** The paths of one prefix only (exact match). */
  override async paths(prefix: string): Promise<BgpRoute[]> {
    const output = await this.gobgp(['global', 'rib', '-a', prefixFamily(prefix), prefix, '-j']);
    return parseGobgpRib(output).filter((route) => route.prefix === prefix);
  }
}
