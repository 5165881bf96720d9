import { execCommand, inNamespace } from './exec.js';
import { familyOf, type AddressFamily } from './bgp-types.js';
import { toolPath } from './requirements.js';

/** One entry of a namespace's neighbour table (`ip -j neigh`). */
export interface Neighbour {
  readonly ip: string;
  readonly family: AddressFamily;
  readonly dev: string;
  /** Link-layer address; undefined for INCOMPLETE/FAILED entries. */
  readonly mac: string | undefined;
  /** Kernel NUD states, e.g. ["REACHABLE"], ["STALE"], ["PERMANENT"]. */
  readonly state: readonly string[];
  /** The neighbour said it is a router (IPv6 NA R flag). */
  readonly router: boolean;
}

export function parseNeighbours(json: string): Neighbour[] {
  const data = JSON.parse(json === '' ? '[]' : json) as Array<{
    dst?: string;
    dev?: string;
    lladdr?: string;
    state?: string[];
    router?: unknown;
  }>;
  return data.map((entry) => ({
    ip: entry.dst ?? '',
    family: familyOf(entry.dst ?? ''),
    dev: entry.dev ?? '',
    mac: entry.lladdr?.toLowerCase(),
    state: entry.state ?? [],
    router: entry.router !== undefined && entry.router !== false,
  }));
}

/** A namespace's neighbour table, optionally only one family or device. */
export async function neighbours(
  ns: string,
  options: { family?: AddressFamily; dev?: string } = {},
): Promise<Neighbour[]> {
  const family = options.family === undefined ? [] : [options.family === 'ipv4' ? '-4' : '-6'];
  const dev = options.dev === undefined ? [] : ['dev', options.dev];
  const result = await execCommand(inNamespace(ns, ['ip', '-j', ...family, 'neigh', 'show', ...dev]), {
    timeoutMs: 5_000,
  });
  return parseNeighbours(result.stdout);
}

export interface PingResult {
  readonly ok: boolean;
  readonly transmitted: number;
  readonly received: number;
  /** Average round-trip time in milliseconds, when any reply came. */
  readonly averageRttMs: number | undefined;
  readonly output: string;
}

export function parsePing(output: string): Omit<PingResult, 'ok'> {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(output);
  return {
    transmitted: Number(counts?.[1] ?? 0),
    received: Number(counts?.[2] ?? 0),
    averageRttMs: rtt === null ? undefined : Number(rtt[1]),
    output,
  };
}

/** `ping` from a namespace: `count` echo requests (default 1), each waiting up to `waitSeconds` (default 1). */
export async function ping(
  ns: string,
  destination: string,
  options: { count?: number; waitSeconds?: number; intervalSeconds?: number; source?: string } = {},
): Promise<PingResult> {
  const count = options.count ?? 1;
  const wait = options.waitSeconds ?? 1;
  const interval = options.intervalSeconds ?? 0.2;
  const argv = [
    toolPath('ping'),
    '-n',
    '-c',
    String(count),
    '-W',
    String(wait),
    '-i',
    String(interval),
    ...(options.source === undefined ? [] : ['-I', options.source]),
    destination,
  ];
  const result = await execCommand(inNamespace(ns, argv), {
    allowFailure: true,
    timeoutMs: (count * (interval + wait) + 5) * 1_000,
  });
  const parsed = parsePing(result.stdout);
  return { ...parsed, ok: parsed.received > 0 };
}

export interface ArpingReply {
  readonly mac: string;
  readonly ip: string;
  readonly timeMs: number | undefined;
}

export interface ArpingResult {
  readonly replies: readonly ArpingReply[];
  /** Distinct MAC addresses that answered: exactly one when a single host owns the address. */
  readonly macs: readonly string[];
  readonly output: string;
}

export function parseArping(output: string): Omit<ArpingResult, 'output'> {
  const replies = [
    ...output.matchAll(/bytes from ([0-9a-fA-F:]{17}) \(([\d.]+)\)(?:.*?time=([\d.]+) (msec|usec|sec))?/g),
  ].map((match): ArpingReply => {
    const value = match[3] === undefined ? undefined : Number(match[3]);
    const unit = match[4];
    const timeMs =
      value === undefined
        ? undefined
        : unit === 'usec'
          ? value / 1000
          : unit === 'sec'
            ? value * 1000
            : value;
    return { mac: (match[1] ?? '').toLowerCase(), ip: match[2] ?? '', timeMs };
  });
  return { replies, macs: [...new Set(replies.map((reply) => reply.mac))].sort() };
}

/**
 * `arping` (Habets 2.x) from a namespace: `count` ARP requests (default 3) on `dev`, `intervalSeconds` apart
 * (default 0.2), giving up after `deadlineSeconds` (default: the requests' span plus 1 s).
 */
export async function arping(
  ns: string,
  ip: string,
  options: { dev?: string; count?: number; intervalSeconds?: number; deadlineSeconds?: number } = {},
): Promise<ArpingResult> {
  const count = options.count ?? 3;
  const interval = options.intervalSeconds ?? 0.2;
  const deadline = options.deadlineSeconds ?? Math.ceil(count * interval) + 1;
  const argv = [
    toolPath('arping'),
    '-i',
    options.dev ?? 'eth0',
    '-c',
    String(count),
    '-W',
    String(interval),
    '-w',
    String(deadline),
    ip,
  ];
  const result = await execCommand(inNamespace(ns, argv), {
    allowFailure: true,
    timeoutMs: (deadline + 5) * 1_000,
  });
  return { ...parseArping(result.stdout), output: result.stdout };
}

export interface HttpResult {
  /** HTTP status, or undefined when no response came (`error` says why). */
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly error: string | undefined;
}

// Runs inside the namespace with this Node binary: no curl needed, and the result comes back as JSON.
const httpScript = `
const [url, timeout, method, body] = process.argv.slice(1);
const controller = new AbortController();
setTimeout(() => controller.abort(), Number(timeout)).unref();
fetch(url, { method, body: body === '' ? undefined : body, signal: controller.signal })
  .then(async (response) => {
    const text = await response.text();
    process.stdout.write(JSON.stringify({ status: response.status, headers: Object.fromEntries(response.headers), body: text }));
  })
  .catch((error) => process.stdout.write(JSON.stringify({ error: String(error?.cause?.code ?? error?.message ?? error) })));
`;

/** An HTTP request from inside a namespace (curl-like), bounded by `timeoutMs` (default 5 s). */
export async function http(
  ns: string,
  url: string,
  options: { timeoutMs?: number; method?: string; body?: string } = {},
): Promise<HttpResult> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const argv = [
    process.execPath,
    '-e',
    httpScript,
    url,
    String(timeoutMs),
    options.method ?? 'GET',
    options.body ?? '',
  ];
  const result = await execCommand(inNamespace(ns, argv), {
    allowFailure: true,
    timeoutMs: timeoutMs + 5_000,
  });
  try {
    const data = JSON.parse(result.stdout) as {
      status?: number;
      headers?: Record<string, string>;
      body?: string;
      error?: string;
    };
    return { status: data.status, headers: data.headers ?? {}, body: data.body ?? '', error: data.error };
  } catch {
    return { status: undefined, headers: {}, body: '', error: result.stderr.trim() || 'no output' };
  }
}

/** A route in a namespace's kernel table (`ip -j route`), with every next hop of a multipath route. */
export interface KernelRoute {
  readonly dst: string;
  readonly nextHops: readonly string[];
  readonly protocol: string | undefined;
  readonly dev: string | undefined;
}

export function parseKernelRoutes(json: string): KernelRoute[] {
  const data = JSON.parse(json === '' ? '[]' : json) as Array<{
    dst?: string;
    gateway?: string;
    dev?: string;
    protocol?: string;
    nexthops?: Array<{ gateway?: string }>;
  }>;
  return data.map((route) => ({
    dst: route.dst ?? '',
    nextHops: (route.gateway === undefined
      ? (route.nexthops ?? []).map((hop) => hop.gateway ?? '')
      : [route.gateway]
    ).filter((hop) => hop !== ''),
    protocol: route.protocol,
    dev: route.dev,
  }));
}

/** Kernel routes of a namespace for a family, or only the route for `prefix`. */
export async function kernelRoutes(
  ns: string,
  family: AddressFamily,
  prefix?: string,
): Promise<KernelRoute[]> {
  const argv = [
    'ip',
    '-j',
    family === 'ipv4' ? '-4' : '-6',
    'route',
    'show',
    ...(prefix === undefined ? [] : [prefix]),
  ];
  return parseKernelRoutes((await execCommand(inNamespace(ns, argv), { timeoutMs: 5_000 })).stdout);
}
