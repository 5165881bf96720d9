// UPDATE path attributes (RFC 4271 §4.3, §5) and their error handling: RFC 7606 decides, per attribute,
// whether a malformed one resets the session, makes the UPDATE "treat-as-withdraw" or is discarded.

import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { Afi, Safi } from './capabilities.js';
import { BgpError, ErrorCode, UpdateSubcode } from './errors.js';
import { type Family, formatIpv4, formatIpv6, parseIp } from './ip.js';
import { decodePrefixes, encodePrefixes, prefixesEncodingLength } from './nlri.js';

export const AttributeType = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  MultiExitDisc: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8,
  MpReachNlri: 14,
  MpUnreachNlri: 15,
  As4Path: 17,
  As4Aggregator: 18,
  LargeCommunity: 32,
} as const;

const OPTIONAL = 0x80;
const TRANSITIVE = 0x40;
const PARTIAL = 0x20;
const EXTENDED_LENGTH = 0x10;

export const Origin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;

/** AS_PATH segment types: RFC 4271 §4.3 (1, 2) and RFC 5065 §3 (3, 4). */
export const SegmentType = { AsSet: 1, AsSequence: 2, ConfedSequence: 3, ConfedSet: 4 } as const;

export interface AsPathSegment {
  type: number;
  asns: number[];
}

export type LargeCommunity = readonly [globalAdmin: number, local1: number, local2: number];

export type PathAttribute = (
  | { type: 'origin'; origin: number }
  | { type: 'as-path'; segments: AsPathSegment[] }
  | { type: 'next-hop'; nextHop: string }
  | { type: 'med'; med: number }
  | { type: 'local-pref'; localPref: number }
  | { type: 'atomic-aggregate' }
  | { type: 'aggregator'; asn: number; address: string }
  /** RFC 1997: each community is one 32-bit value (high 16 bits the ASN). */
  | { type: 'communities'; communities: number[] }
  /** RFC 4760 §3; only IPv4/IPv6 unicast are decoded, other families stay `unknown`. */
  | { type: 'mp-reach'; afi: number; safi: number; nextHops: string[]; nlri: string[] }
  | { type: 'mp-unreach'; afi: number; safi: number; withdrawn: string[] }
  /** RFC 6793 §3: always 4-octet ASNs. */
  | { type: 'as4-path'; segments: AsPathSegment[] }
  | { type: 'as4-aggregator'; asn: number; address: string }
  /** RFC 8092. */
  | { type: 'large-communities'; communities: LargeCommunity[] }
  /** Unrecognized optional attributes, kept with their flags (RFC 4271 §5: pass on transitive ones). */
  | { type: 'unknown'; flags: number; code: number; value: Uint8Array }
) & {
  /** Set when the peer used the extended length flag for a value that fits one octet, to re-encode the same. */
  extendedLength?: true;
};

export interface AttributeContext {
  /** Both sides advertised the 4-octet AS capability: AS_PATH and AGGREGATOR carry 4-octet ASNs. */
  fourOctetAs: boolean;
}

/** What RFC 7606 says to do with a malformed attribute that does not reset the session. */
export interface AttributeProblem {
  action: 'treat-as-withdraw' | 'attribute-discard';
  attributeType: number;
  reason: string;
}

const typeCode: Record<Exclude<PathAttribute['type'], 'unknown'>, number> = {
  origin: AttributeType.Origin,
  'as-path': AttributeType.AsPath,
  'next-hop': AttributeType.NextHop,
  med: AttributeType.MultiExitDisc,
  'local-pref': AttributeType.LocalPref,
  'atomic-aggregate': AttributeType.AtomicAggregate,
  aggregator: AttributeType.Aggregator,
  communities: AttributeType.Communities,
  'mp-reach': AttributeType.MpReachNlri,
  'mp-unreach': AttributeType.MpUnreachNlri,
  'as4-path': AttributeType.As4Path,
  'as4-aggregator': AttributeType.As4Aggregator,
  'large-communities': AttributeType.LargeCommunity,
};

/** The optional/transitive bits each known attribute must carry (RFC 4271 §5, 4760, 6793, 1997, 8092). */
const expectedFlags: Record<number, number> = {
  [AttributeType.Origin]: TRANSITIVE,
  [AttributeType.AsPath]: TRANSITIVE,
  [AttributeType.NextHop]: TRANSITIVE,
  [AttributeType.MultiExitDisc]: OPTIONAL,
  [AttributeType.LocalPref]: TRANSITIVE,
  [AttributeType.AtomicAggregate]: TRANSITIVE,
  [AttributeType.Aggregator]: OPTIONAL | TRANSITIVE,
  [AttributeType.Communities]: OPTIONAL | TRANSITIVE,
  [AttributeType.MpReachNlri]: OPTIONAL,
  [AttributeType.MpUnreachNlri]: OPTIONAL,
  [AttributeType.As4Path]: OPTIONAL | TRANSITIVE,
  [AttributeType.As4Aggregator]: OPTIONAL | TRANSITIVE,
  [AttributeType.LargeCommunity]: OPTIONAL | TRANSITIVE,
};

export function attributeTypeCode(attr: PathAttribute): number {
  return attr.type === 'unknown' ? attr.code : typeCode[attr.type];
}

export function familyOf(afi: number, safi: number): Family | undefined {
  if (safi !== Safi.Unicast) return undefined;
  if (afi === Afi.Ipv4) return 'ipv4';
  if (afi === Afi.Ipv6) return 'ipv6';
  return undefined;
}

function segmentsLength(segments: readonly AsPathSegment[], asnSize: number): number {
  let total = 0;
  for (const s of segments) total += 2 + asnSize * s.asns.length;
  return total;
}

function nextHopLength(nextHops: readonly string[]): number {
  let total = 0;
  for (const n of nextHops) total += n.includes(':') ? 16 : 4;
  return total;
}

function valueLength(attr: PathAttribute, ctx: AttributeContext): number {
  const asnSize = ctx.fourOctetAs ? 4 : 2;
  switch (attr.type) {
    case 'origin':
      return 1;
    case 'as-path':
      return segmentsLength(attr.segments, asnSize);
    case 'as4-path':
      return segmentsLength(attr.segments, 4);
    case 'next-hop':
    case 'med':
    case 'local-pref':
      return 4;
    case 'atomic-aggregate':
      return 0;
    case 'aggregator':
      return asnSize + 4;
    case 'as4-aggregator':
      return 8;
    case 'communities':
      return 4 * attr.communities.length;
    case 'large-communities':
      return 12 * attr.communities.length;
    case 'mp-reach':
      return 2 + 1 + 1 + nextHopLength(attr.nextHops) + 1 + prefixesEncodingLength(attr.nlri);
    case 'mp-unreach':
      return 3 + prefixesEncodingLength(attr.withdrawn);
    case 'unknown':
      return attr.value.length;
  }
}

function usesExtendedLength(attr: PathAttribute, length: number): boolean {
  return length > 255 || attr.extendedLength === true;
}

export function attributeEncodingLength(attr: PathAttribute, ctx: AttributeContext): number {
  const length = valueLength(attr, ctx);
  return (usesExtendedLength(attr, length) ? 4 : 3) + length;
}

function writeAddress(text: string, buf: Uint8Array, at: number): number {
  const ip = parseIp(text);
  if (ip === undefined) throw new TypeError(`not an IP address: ${text}`);
  buf.set(ip.bytes, at);
  return ip.bytes.length;
}

function writeSegments(segments: readonly AsPathSegment[], size: number, buf: Uint8Array, at: number): void {
  for (const s of segments) {
    buf[at] = s.type;
    buf[at + 1] = s.asns.length;
    at += 2;
    for (const asn of s.asns) {
      if (size === 4) writeU32(buf, at, asn);
      else writeU16(buf, at, asn);
      at += size;
    }
  }
}

export function encodeAttribute(
  attr: PathAttribute,
  ctx: AttributeContext,
  buf: Uint8Array,
  offset: number,
): number {
  const length = valueLength(attr, ctx);
  const extended = usesExtendedLength(attr, length);
  const code = attributeTypeCode(attr);
  const flags =
    attr.type === 'unknown' ? attr.flags & ~EXTENDED_LENGTH : (expectedFlags[code] ?? OPTIONAL | TRANSITIVE);
  buf[offset] = flags | (extended ? EXTENDED_LENGTH : 0);
  buf[offset + 1] = code;
  let at = offset + 2;
  if (extended) {
    writeU16(buf, at, length);
    at += 2;
  } else {
    buf[at++] = length;
  }
  const asnSize = ctx.fourOctetAs ? 4 : 2;
  switch (attr.type) {
    case 'origin':
      buf[at] = attr.origin;
      break;
    case 'as-path':
      writeSegments(attr.segments, asnSize, buf, at);
      break;
    case 'as4-path':
      writeSegments(attr.segments, 4, buf, at);
      break;
    case 'next-hop':
      writeAddress(attr.nextHop, buf, at);
      break;
    case 'med':
      writeU32(buf, at, attr.med);
      break;
    case 'local-pref':
      writeU32(buf, at, attr.localPref);
      break;
    case 'atomic-aggregate':
      break;
    case 'aggregator':
      if (asnSize === 4) writeU32(buf, at, attr.asn);
      else writeU16(buf, at, attr.asn);
      writeAddress(attr.address, buf, at + asnSize);
      break;
    case 'as4-aggregator':
      writeU32(buf, at, attr.asn);
      writeAddress(attr.address, buf, at + 4);
      break;
    case 'communities':
      attr.communities.forEach((c, i) => writeU32(buf, at + 4 * i, c));
      break;
    case 'large-communities':
      attr.communities.forEach((c, i) => {
        writeU32(buf, at + 12 * i, c[0]);
        writeU32(buf, at + 12 * i + 4, c[1]);
        writeU32(buf, at + 12 * i + 8, c[2]);
      });
      break;
    case 'mp-reach': {
      const family = familyOf(attr.afi, attr.safi);
      if (family === undefined) throw new TypeError(`unsupported AFI/SAFI ${attr.afi}/${attr.safi}`);
      writeU16(buf, at, attr.afi);
      buf[at + 2] = attr.safi;
      buf[at + 3] = nextHopLength(attr.nextHops);
      let p = at + 4;
      for (const n of attr.nextHops) p += writeAddress(n, buf, p);
      buf[p++] = 0; // RFC 4760 §3: reserved
      encodePrefixes(attr.nlri, family, buf, p);
      break;
    }
    case 'mp-unreach': {
      const family = familyOf(attr.afi, attr.safi);
      if (family === undefined) throw new TypeError(`unsupported AFI/SAFI ${attr.afi}/${attr.safi}`);
      writeU16(buf, at, attr.afi);
      buf[at + 2] = attr.safi;
      encodePrefixes(attr.withdrawn, family, buf, at + 3);
      break;
    }
    case 'unknown':
      buf.set(attr.value, at);
      break;
  }
  return at + length - offset;
}

/** The result of decoding one attribute: the attribute, or what RFC 7606 says to do instead. */
export type DecodedAttribute =
  { attribute: PathAttribute; problem?: undefined } | { attribute?: undefined; problem: AttributeProblem };

function readSegments(
  buf: Uint8Array,
  at: number,
  end: number,
  size: number,
  allowConfed: boolean,
): AsPathSegment[] | string {
  const segments: AsPathSegment[] = [];
  while (at < end) {
    if (at + 2 > end) return 'truncated segment header';
    const type = buf[at] ?? 0;
    const count = buf[at + 1] ?? 0;
    if (type < 1 || type > (allowConfed ? 4 : 2)) return `segment type ${type}`;
    // RFC 7606 §7.2: a zero-length segment is malformed.
    if (count === 0) return 'empty segment';
    at += 2;
    if (at + count * size > end) return 'segment overruns the attribute';
    const asns: number[] = [];
    for (let i = 0; i < count; i++, at += size) asns.push(size === 4 ? readU32(buf, at) : readU16(buf, at));
    segments.push({ type, asns });
  }
  return segments;
}

/**
 * Decodes the value of attribute `code` with `flags`, found at buf[at, at + length). Errors that reset the
 * session are thrown; the rest come back as a problem (RFC 7606 §7 gives the action per attribute).
 */
export function decodeAttributeValue(
  flags: number,
  code: number,
  buf: Uint8Array,
  at: number,
  length: number,
  ctx: AttributeContext,
): DecodedAttribute {
  const end = at + length;
  const withdraw = (reason: string): DecodedAttribute => ({
    problem: { action: 'treat-as-withdraw', attributeType: code, reason },
  });
  const discard = (reason: string): DecodedAttribute => ({
    problem: { action: 'attribute-discard', attributeType: code, reason },
  });
  const expected = expectedFlags[code];
  if (expected === undefined) {
    // RFC 4271 §6.3: an unrecognized well-known attribute resets the session; data is the attribute.
    if ((flags & OPTIONAL) === 0) {
      throw new BgpError(
        ErrorCode.UpdateMessage,
        UpdateSubcode.UnrecognizedWellKnownAttribute,
        `unrecognized well-known attribute ${code}`,
        attributeBytes(flags, code, buf.subarray(at, end)),
      );
    }
    return { attribute: { type: 'unknown', flags, code, value: buf.slice(at, end) } };
  }
  if ((flags & (OPTIONAL | TRANSITIVE)) !== expected) {
    if (code === AttributeType.MpReachNlri || code === AttributeType.MpUnreachNlri) {
      // RFC 7606 §3c defers to the attribute; without trustworthy MP NLRI the only safe answer is a reset.
      throw new BgpError(
        ErrorCode.UpdateMessage,
        UpdateSubcode.AttributeFlagsError,
        `flags 0x${flags.toString(16)} on attribute ${code}`,
        attributeBytes(flags, code, buf.subarray(at, end)),
      );
    }
    // RFC 7606 §3c.
    return withdraw(`flags 0x${flags.toString(16)} conflict with the attribute type`);
  }
  const asnSize = ctx.fourOctetAs ? 4 : 2;
  switch (code) {
    case AttributeType.Origin: {
      // RFC 7606 §7.1.
      const origin = buf[at] ?? 0;
      if (length !== 1 || origin > 2) return withdraw('ORIGIN length or value');
      return { attribute: { type: 'origin', origin } };
    }
    case AttributeType.AsPath: {
      // RFC 7606 §7.2.
      const segments = readSegments(buf, at, end, asnSize, true);
      if (typeof segments === 'string') return withdraw(`AS_PATH: ${segments}`);
      return { attribute: { type: 'as-path', segments } };
    }
    case AttributeType.NextHop:
      // RFC 7606 §7.3.
      if (length !== 4) return withdraw('NEXT_HOP length');
      return { attribute: { type: 'next-hop', nextHop: formatIpv4(buf, at) } };
    case AttributeType.MultiExitDisc:
      // RFC 7606 §7.4.
      if (length !== 4) return withdraw('MULTI_EXIT_DISC length');
      return { attribute: { type: 'med', med: readU32(buf, at) } };
    case AttributeType.LocalPref:
      // RFC 7606 §7.5.
      if (length !== 4) return withdraw('LOCAL_PREF length');
      return { attribute: { type: 'local-pref', localPref: readU32(buf, at) } };
    case AttributeType.AtomicAggregate:
      // RFC 7606 §7.6.
      if (length !== 0) return discard('ATOMIC_AGGREGATE length');
      return { attribute: { type: 'atomic-aggregate' } };
    case AttributeType.Aggregator:
      // RFC 7606 §7.7.
      if (length !== asnSize + 4) return discard('AGGREGATOR length');
      return {
        attribute: {
          type: 'aggregator',
          asn: asnSize === 4 ? readU32(buf, at) : readU16(buf, at),
          address: formatIpv4(buf, at + asnSize),
        },
      };
    case AttributeType.Communities: {
      // RFC 7606 §7.8.
      if (length === 0 || length % 4 !== 0) return withdraw('COMMUNITIES length');
      const communities: number[] = [];
      for (let p = at; p < end; p += 4) communities.push(readU32(buf, p));
      return { attribute: { type: 'communities', communities } };
    }
    case AttributeType.LargeCommunity: {
      // RFC 8092 §5.
      if (length === 0 || length % 12 !== 0) return withdraw('LARGE_COMMUNITY length');
      const communities: LargeCommunity[] = [];
      for (let p = at; p < end; p += 12) {
        communities.push([readU32(buf, p), readU32(buf, p + 4), readU32(buf, p + 8)]);
      }
      return { attribute: { type: 'large-communities', communities } };
    }
    case AttributeType.As4Path: {
      // RFC 6793 §6 and RFC 7606 §7.2: a malformed AS4_PATH is discarded; it never carries confederations.
      const segments = readSegments(buf, at, end, 4, false);
      if (typeof segments === 'string') return discard(`AS4_PATH: ${segments}`);
      return { attribute: { type: 'as4-path', segments } };
    }
    case AttributeType.As4Aggregator:
      if (length !== 8) return discard('AS4_AGGREGATOR length');
      return {
        attribute: { type: 'as4-aggregator', asn: readU32(buf, at), address: formatIpv4(buf, at + 4) },
      };
    case AttributeType.MpReachNlri:
      return decodeMpReach(flags, code, buf, at, end);
    case AttributeType.MpUnreachNlri:
      return decodeMpUnreach(flags, code, buf, at, end);
    default:
      throw new Error(`unreachable attribute ${code}`);
  }
}

function optionalAttributeError(reason: string): BgpError {
  // RFC 7606 §7.11: when the MP NLRI itself cannot be parsed, the session is reset.
  return new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.OptionalAttributeError, reason);
}

function decodeMpReach(
  flags: number,
  code: number,
  buf: Uint8Array,
  at: number,
  end: number,
): DecodedAttribute {
  if (end - at < 5) throw optionalAttributeError('MP_REACH_NLRI too short');
  const afi = readU16(buf, at);
  const safi = buf[at + 2] ?? 0;
  const family = familyOf(afi, safi);
  if (family === undefined) return { attribute: { type: 'unknown', flags, code, value: buf.slice(at, end) } };
  const nextHopLength = buf[at + 3] ?? 0;
  const nlriStart = at + 4 + nextHopLength + 1;
  if (nlriStart > end) throw optionalAttributeError('MP_REACH_NLRI next hop overruns the attribute');
  const nlri = decodePrefixes(buf, nlriStart, end, family, UpdateSubcode.OptionalAttributeError);
  const p = at + 4;
  let nextHops: string[];
  if (nextHopLength === 4) nextHops = [formatIpv4(buf, p)];
  else if (nextHopLength === 16) nextHops = [formatIpv6(buf, p)];
  else if (nextHopLength === 32) nextHops = [formatIpv6(buf, p), formatIpv6(buf, p + 16)];
  else {
    // RFC 7606 §7.11: a bad next hop length with parseable NLRI withdraws those NLRI.
    return {
      problem: {
        action: 'treat-as-withdraw',
        attributeType: code,
        reason: `MP_REACH_NLRI next hop length ${nextHopLength}`,
      },
    };
  }
  return { attribute: { type: 'mp-reach', afi, safi, nextHops, nlri } };
}

function decodeMpUnreach(
  flags: number,
  code: number,
  buf: Uint8Array,
  at: number,
  end: number,
): DecodedAttribute {
  if (end - at < 3) throw optionalAttributeError('MP_UNREACH_NLRI too short');
  const afi = readU16(buf, at);
  const safi = buf[at + 2] ?? 0;
  const family = familyOf(afi, safi);
  if (family === undefined) return { attribute: { type: 'unknown', flags, code, value: buf.slice(at, end) } };
  const withdrawn = decodePrefixes(buf, at + 3, end, family, UpdateSubcode.OptionalAttributeError);
  return { attribute: { type: 'mp-unreach', afi, safi, withdrawn } };
}

function attributeBytes(flags: number, code: number, value: Uint8Array): Uint8Array {
  const extended = value.length > 255;
  const out = new Uint8Array((extended ? 4 : 3) + value.length);
  out[0] = (flags & ~EXTENDED_LENGTH) | (extended ? EXTENDED_LENGTH : 0);
  out[1] = code;
  if (extended) writeU16(out, 2, value.length);
  else out[2] = value.length;
  out.set(value, out.length - value.length);
  return out;
}

export const AttributeFlag = { OPTIONAL, TRANSITIVE, PARTIAL, EXTENDED_LENGTH } as const;
