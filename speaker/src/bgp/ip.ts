// IP address and prefix text <-> bytes, for NLRI and next hops. Kept local to the BGP codec because it must
// format exactly what it parsed (RFC 5952 text for IPv6) so that decode(encode(x)) = x.

export type Family = 'ipv4' | 'ipv6';

/** Parses a dotted-quad IPv4 address; undefined when the text is not one. */
export function parseIpv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  return parseIpv4Into(text, 0, text.length, out, 0) ? out : undefined;
}

/**
 * Parses the dotted quad in text[start, end) into out[at..at+3]; false when it is not one. A character loop,
 * not split/regex: the announcer parses every prefix of 100,000-route tables with it.
 */
export function parseIpv4Into(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else if (c === 46 && digits > 0 && part < 3) {
      out[at + part++] = value;
      value = 0;
      digits = 0;
    } else return false;
  }
  if (part !== 3 || digits === 0) return false;
  out[at + 3] = value;
  return true;
}

/** Parses an IPv6 address (with optional embedded IPv4 tail); undefined when the text is not one. */
export function parseIpv6(text: string): Uint8Array | undefined {
  let head = text;
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (left === undefined || right === undefined) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...left, ...new Array<number>(missing).fill(0), ...right];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (tail !== undefined) out.set(tail, 12);
  return out;
}

export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** RFC 5952 §4: lower case, no leading zeros, the longest run (>= 2) of zero groups shortened to "::". */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLength))}`;
}

export function parseIp(text: string): { family: Family; bytes: Uint8Array } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 'ipv4', bytes: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { family: 'ipv6', bytes: v6 };
  return undefined;
}

export interface ParsedPrefix {
  family: Family;
  bytes: Uint8Array;
  length: number;
}

/** Parses "a.b.c.d/len" or "x::y/len"; undefined when malformed. */
export function parsePrefix(text: string): ParsedPrefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,3}$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > (ip.family === 'ipv4' ? 32 : 128)) return undefined;
  return { family: ip.family, bytes: ip.bytes, length };
}

export function prefixFamily(text: string): Family {
  return text.includes(':') ? 'ipv6' : 'ipv4';
}
