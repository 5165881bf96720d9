/**
 * Address math for IPv4 and IPv6 on bigints, so that an IPv6 /64 (or larger) is as cheap as an IPv4 /24.
 * Pure: parsing, formatting, ranges, CIDRs, overlap finding. Nothing here materialises a range's addresses.
 */

export type IpFamily = 'ipv4' | 'ipv6';

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** An inclusive range of addresses of one family. */
export interface IpRange {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
}

export interface Cidr {
  readonly family: IpFamily;
  /** The network address (host bits cleared). */
  readonly base: bigint;
  readonly prefixLength: number;
}

export function familyBits(family: IpFamily): 32 | 128 {
  return family === 'ipv4' ? 32 : 128;
}

export function familyMax(family: IpFamily): bigint {
  return (1n << BigInt(familyBits(family))) - 1n;
}

const decimalOctet = /^(0|[1-9][0-9]{0,2})$/;
const hexGroup = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4Value(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are refused, as Go's net.ParseIP does since Go 1.17 (they were read as octal by some tools).
    if (!decimalOctet.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6Value(text: string): bigint | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  let head = text;
  let ipv4Tail: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    ipv4Tail = parseIpv4Value(text.slice(lastColon + 1));
    if (ipv4Tail === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (part: string): string[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.every((group) => hexGroup.test(group)) ? groups : undefined;
  };
  const left = toGroups(halves[0] ?? '');
  const right = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  if (left === undefined || right === undefined) return undefined;
  let groups: string[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    // RFC 4291 §2.2: "::" stands for one or more groups of zeros.
    if (missing < 1) return undefined;
    groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(parseInt(group, 16));
  if (ipv4Tail !== undefined) value = (value & ~0xffffffffn) | ipv4Tail;
  return value;
}

/** Parses a textual IPv4 or IPv6 address (no zone, no brackets). Returns undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6Value(text);
    return value === undefined ? undefined : { family: 'ipv6', value };
  }
  const value = parseIpv4Value(text);
  return value === undefined ? undefined : { family: 'ipv4', value };
}

function formatIpv4Value(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** Formats an address; IPv6 in the canonical form of RFC 5952 §4 (lowercase, longest zero run compressed). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 'ipv4') return formatIpv4Value(ip.value);
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (ip.value >> 32n === 0xffffn) return `::ffff:${formatIpv4Value(ip.value & 0xffffffffn)}`;
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((ip.value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8;) {
    if (groups[start] !== 0) {
      start += 1;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end += 1;
    // RFC 5952 §4.2.2: a single zero group is not compressed; §4.2.3: the first of equal runs wins.
    if (end - start > bestLength && end - start >= 2) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family === 'ipv4' ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

export function hostMask(family: IpFamily, prefixLength: number): bigint {
  return (1n << BigInt(familyBits(family) - prefixLength)) - 1n;
}

export function cidrToRange(cidr: Cidr): IpRange {
  return {
    family: cidr.family,
    first: cidr.base,
    last: cidr.base | hostMask(cidr.family, cidr.prefixLength),
  };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.base })}/${cidr.prefixLength}`;
}

export type ParsedCidr =
  | {
      ok: true;
      cidr: Cidr;
      /** The text had host bits set, e.g. 10.0.0.1/24 (accepted, as MetalLB does). */ hostBitsSet: boolean;
    }
  | { ok: false; reason: string };

/** Parses `address/prefix`. Host bits are cleared (Go's net.ParseCIDR, which MetalLB uses, accepts them). */
export function parseCidr(text: string): ParsedCidr {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: `"${text}" is not a CIDR: it has no "/prefix-length"` };
  const address = parseIp(text.slice(0, slash));
  if (address === undefined) return { ok: false, reason: `"${text.slice(0, slash)}" is not an IP address` };
  const prefixText = text.slice(slash + 1);
  const bits = familyBits(address.family);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
    return { ok: false, reason: `"/${prefixText}" is not a prefix length between 0 and ${bits}` };
  }
  const prefixLength = Number(prefixText);
  const base = address.value & ~hostMask(address.family, prefixLength) & familyMax(address.family);
  return {
    ok: true,
    cidr: { family: address.family, base, prefixLength },
    hostBitsSet: base !== address.value,
  };
}

export type ParsedRange =
  { ok: true; range: IpRange; cidr?: Cidr; hostBitsSet?: boolean } | { ok: false; reason: string };

/**
 * Parses one pool entry as MetalLB accepts it: a CIDR (`10.0.0.0/24`, `fd00::/120`) or an inclusive range
 * `first-last` (spaces around the dash allowed), both ends of one family, first <= last.
 */
export function parseAddressRange(text: string): ParsedRange {
  const trimmed = text.trim();
  const dash = trimmed.indexOf('-');
  if (dash < 0) {
    const parsed = parseCidr(trimmed);
    if (!parsed.ok) return parsed;
    return { ok: true, range: cidrToRange(parsed.cidr), cidr: parsed.cidr, hostBitsSet: parsed.hostBitsSet };
  }
  const firstText = trimmed.slice(0, dash).trim();
  const lastText = trimmed.slice(dash + 1).trim();
  const first = parseIp(firstText);
  const last = parseIp(lastText);
  if (first === undefined) return { ok: false, reason: `range start "${firstText}" is not an IP address` };
  if (last === undefined) return { ok: false, reason: `range end "${lastText}" is not an IP address` };
  if (first.family !== last.family) {
    return { ok: false, reason: `range "${trimmed}" mixes IPv4 and IPv6: both ends must be of one family` };
  }
  if (first.value > last.value) {
    return { ok: false, reason: `range "${trimmed}" starts after it ends: write the lower address first` };
  }
  return { ok: true, range: { family: first.family, first: first.value, last: last.value } };
}

export function formatRange(range: IpRange): string {
  const cidrs = rangeToCidrs(range);
  if (cidrs.length === 1 && cidrs[0] !== undefined) return formatCidr(cidrs[0]);
  return `${formatIp({ family: range.family, value: range.first })}-${formatIp({ family: range.family, value: range.last })}`;
}

export function rangeSize(range: IpRange): bigint {
  return range.last - range.first + 1n;
}

export function rangeContains(range: IpRange, ip: IpAddress): boolean {
  return range.family === ip.family && range.first <= ip.value && ip.value <= range.last;
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** The smallest list of CIDRs that covers exactly the range, in address order. */
export function rangeToCidrs(range: IpRange): Cidr[] {
  const bits = familyBits(range.family);
  const cidrs: Cidr[] = [];
  let next = range.first;
  while (next <= range.last) {
    // The largest block aligned at `next` that does not pass `last`.
    let hostBits = 0;
    while (hostBits < bits) {
      const size = 1n << BigInt(hostBits + 1);
      if ((next & (size - 1n)) !== 0n || next + size - 1n > range.last) break;
      hostBits += 1;
    }
    cidrs.push({ family: range.family, base: next, prefixLength: bits - hostBits });
    next += 1n << BigInt(hostBits);
  }
  return cidrs;
}

/** Yields the addresses of a range in order, at most `limit` of them (a /64 must never be walked whole). */
export function* iterateRange(range: IpRange, limit = Number.MAX_SAFE_INTEGER): Generator<IpAddress> {
  let count = 0;
  for (let value = range.first; value <= range.last && count < limit; value += 1n, count += 1) {
    yield { family: range.family, value };
  }
}

export function compareRanges(a: IpRange, b: IpRange): number {
  if (a.family !== b.family) return a.family === 'ipv4' ? -1 : 1;
  if (a.first !== b.first) return a.first < b.first ? -1 : 1;
  return a.last < b.last ? -1 : a.last > b.last ? 1 : 0;
}

export interface TaggedRange<T> {
  readonly range: IpRange;
  readonly tag: T;
}

/**
 * Finds overlapping ranges in O(n log n): sorts by start and sweeps, pairing each range that overlaps an earlier
 * one with the earlier range reaching furthest. Every range that overlaps any other appears in at least one pair.
 */
export function findOverlaps<T>(items: readonly TaggedRange<T>[]): Array<[TaggedRange<T>, TaggedRange<T>]> {
  const sorted = [...items].sort((a, b) => compareRanges(a.range, b.range));
  const pairs: Array<[TaggedRange<T>, TaggedRange<T>]> = [];
  let reach: TaggedRange<T> | undefined;
  for (const item of sorted) {
    if (
      reach !== undefined &&
      reach.range.family === item.range.family &&
      item.range.first <= reach.range.last
    ) {
      pairs.push([reach, item]);
    }
    if (
      reach === undefined ||
      reach.range.family !== item.range.family ||
      item.range.last > reach.range.last
    ) {
      reach = item;
    }
  }
  return pairs;
}

/** MetalLB's `avoidBuggyIPs`: IPv4 addresses ending in .0 or .255, which some old clients mishandle. */
export function isBuggyIp(ip: IpAddress): boolean {
  if (ip.family !== 'ipv4') return false;
  const lastOctet = ip.value & 0xffn;
  return lastOctet === 0n || lastOctet === 255n;
}

/** How many addresses of the range end in .0 or .255 (IPv4 only), computed without walking the range. */
export function countBuggyIps(range: IpRange): bigint {
  if (range.family !== 'ipv4') return 0n;
  // Addresses <= v whose low octet is 0 (resp. 255), for v >= 0.
  const endingIn = (octet: bigint, upTo: bigint): bigint => (upTo < octet ? 0n : (upTo - octet) / 256n + 1n);
  const count = (octet: bigint) => endingIn(octet, range.last) - endingIn(octet, range.first - 1n);
  return count(0n) + count(255n);
}
