// NLRI and withdrawn-routes prefix lists: (length in bits, then the fewest octets that hold them),
// RFC 4271 §4.3 for IPv4 and RFC 4760 §5 for MP-BGP families.

import { BgpError, ErrorCode, UpdateSubcode } from './errors.js';
import { type Family, formatIpv4, formatIpv6, parseIpv4Into, parsePrefix } from './ip.js';

function parseOrThrow(prefix: string, family: Family) {
  const parsed = parsePrefix(prefix);
  if (parsed === undefined || parsed.family !== family) {
    // Encoding a value we built ourselves: a bug in the caller, not a protocol error.
    throw new TypeError(`not an ${family} prefix: ${prefix}`);
  }
  return parsed;
}

export function prefixEncodingLength(prefix: string): number {
  const slash = prefix.lastIndexOf('/');
  return 1 + Math.ceil(Number(prefix.slice(slash + 1)) / 8);
}

export function prefixesEncodingLength(prefixes: readonly string[]): number {
  let total = 0;
  for (const p of prefixes) total += prefixEncodingLength(p);
  return total;
}

const scratch = new Uint8Array(4);

/** The decimal after the slash, or 999 when it is not 1-3 digits. */
function prefixLengthOf(prefix: string, slash: number): number {
  const digits = prefix.length - slash - 1;
  if (slash < 0 || digits < 1 || digits > 3) return 999;
  let value = 0;
  for (let i = slash + 1; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    if (c < 48 || c > 57) return 999;
    value = value * 10 + (c - 48);
  }
  return value;
}

export function encodePrefixes(
  prefixes: readonly string[],
  family: Family,
  buf: Uint8Array,
  offset: number,
): number {
  let at = offset;
  for (const prefix of prefixes) {
    if (family === 'ipv4') {
      // Fast path for the common case (tables of /32s): no intermediate objects.
      const slash = prefix.indexOf('/');
      const length = prefixLengthOf(prefix, slash);
      if (slash > 0 && length <= 32 && parseIpv4Into(prefix, 0, slash, scratch, 0)) {
        const octets = (length + 7) >> 3;
        buf[at++] = length;
        for (let i = 0; i < octets; i++) buf[at++] = scratch[i] ?? 0;
        continue;
      }
    }
    const { bytes, length } = parseOrThrow(prefix, family);
    const octets = Math.ceil(length / 8);
    buf[at++] = length;
    buf.set(bytes.subarray(0, octets), at);
    at += octets;
  }
  return at - offset;
}

/**
 * Decodes the prefixes in buf[offset, end). A length beyond the family's width or running past `end` raises
 * `subcode` (Invalid Network Field for the UPDATE fields, RFC 4271 §6.3; the MP attributes pass their own).
 */
export function decodePrefixes(
  buf: Uint8Array,
  offset: number,
  end: number,
  family: Family,
  subcode: number = UpdateSubcode.InvalidNetworkField,
): string[] {
  const width = family === 'ipv4' ? 4 : 16;
  const out: string[] = [];
  const scratch = new Uint8Array(width);
  let at = offset;
  while (at < end) {
    const length = buf[at++] ?? 0;
    if (length > width * 8) {
      throw new BgpError(ErrorCode.UpdateMessage, subcode, `prefix length ${length} exceeds ${width * 8}`);
    }
    const octets = Math.ceil(length / 8);
    if (at + octets > end) {
      throw new BgpError(ErrorCode.UpdateMessage, subcode, 'prefix runs past the end of its field');
    }
    scratch.fill(0);
    scratch.set(buf.subarray(at, at + octets));
    at += octets;
    out.push(`${family === 'ipv4' ? formatIpv4(scratch) : formatIpv6(scratch)}/${length}`);
  }
  return out;
}
