/**
 * Which links the layer 2 responder may answer on. Pure: the adapter feeds it the output of `ip -j -d link`.
 * The exclusions follow MetalLB: links that are down, NOARP (cannot resolve addresses), bond slaves (the bond
 * answers), and by default lo, veth*, cali*, docker* (pod and container plumbing, never the LAN).
 */
import { isMac } from './link-address.js';

export interface LinkInfo {
  readonly name: string;
  readonly index: number;
  readonly mac: string;
  readonly up: boolean;
  readonly noarp: boolean;
  readonly loopback: boolean;
  /** The kind of master this link is enslaved to, e.g. 'bond' or 'bridge' (`linkinfo.info_slave_kind`). */
  readonly slaveKind?: string;
}

export type InterfaceSkipReason =
  | 'down'
  | 'noarp'
  | 'bond-slave'
  | 'loopback'
  | 'excluded-name'
  | 'not-in-allow-list'
  | 'no-ethernet-address';

export const DEFAULT_EXCLUDED_PREFIXES: readonly string[] = ['lo', 'veth', 'cali', 'docker'];

export interface InterfaceSelection {
  readonly usable: readonly LinkInfo[];
  readonly skipped: ReadonlyArray<{ readonly name: string; readonly reason: InterfaceSkipReason }>;
}

export interface InterfaceFilterOptions {
  /** L2Advertisement.interfaces: when non-empty only these names are used, and they win over the name exclusions. */
  readonly allowList?: readonly string[];
  readonly excludedPrefixes?: readonly string[];
}

export function skipReason(
  link: LinkInfo,
  options: InterfaceFilterOptions = {},
): InterfaceSkipReason | undefined {
  const allowList = options.allowList ?? [];
  if (allowList.length > 0 && !allowList.includes(link.name)) return 'not-in-allow-list';
  if (link.loopback) return 'loopback';
  if (!link.up) return 'down';
  if (link.noarp) return 'noarp';
  if (link.slaveKind === 'bond') return 'bond-slave';
  if (!isMac(link.mac) || link.mac === '00:00:00:00:00:00') return 'no-ethernet-address';
  const excluded = options.excludedPrefixes ?? DEFAULT_EXCLUDED_PREFIXES;
  if (allowList.length === 0 && excluded.some((prefix) => link.name.startsWith(prefix)))
    return 'excluded-name';
  return undefined;
}

export function selectInterfaces(
  links: readonly LinkInfo[],
  options: InterfaceFilterOptions = {},
): InterfaceSelection {
  const usable: LinkInfo[] = [];
  const skipped: Array<{ name: string; reason: InterfaceSkipReason }> = [];
  for (const link of links) {
    const reason = skipReason(link, options);
    if (reason === undefined) usable.push(link);
    else skipped.push({ name: link.name, reason });
  }
  return { usable, skipped };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Parses `ip -j -d link show`; entries it cannot understand are left out rather than guessed at. */
export function parseIpLinkJson(text: string): LinkInfo[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  const links: LinkInfo[] = [];
  for (const entry of parsed) {
    if (!isRecord(entry) || typeof entry['ifname'] !== 'string' || typeof entry['ifindex'] !== 'number')
      continue;
    const flags = Array.isArray(entry['flags'])
      ? entry['flags'].filter((flag): flag is string => typeof flag === 'string')
      : [];
    const operstate = typeof entry['operstate'] === 'string' ? entry['operstate'] : 'UNKNOWN';
    const linkinfo = isRecord(entry['linkinfo']) ? entry['linkinfo'] : {};
    const slaveKind =
      typeof linkinfo['info_slave_kind'] === 'string' ? linkinfo['info_slave_kind'] : undefined;
    links.push({
      name: entry['ifname'],
      index: entry['ifindex'],
      mac: typeof entry['address'] === 'string' ? entry['address'].toLowerCase() : '',
      // Administratively up with a carrier; UNKNOWN is what drivers without operstate support report.
      up: flags.includes('UP') && (operstate === 'UP' || operstate === 'UNKNOWN'),
      noarp: flags.includes('NOARP'),
      loopback: flags.includes('LOOPBACK') || entry['link_type'] === 'loopback',
      ...(slaveKind === undefined ? {} : { slaveKind }),
    });
  }
  return links;
}
