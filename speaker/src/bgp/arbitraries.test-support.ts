// fast-check generators for BGP messages, shared by the codec property tests and the fuzz test.

import fc from 'fast-check';
import type { LargeCommunity, PathAttribute } from './attributes.js';
import type { Capability } from './capabilities.js';
import { formatIpv4, formatIpv6 } from './ip.js';
import type { BgpMessage } from './message.js';

// Plain objects, as the decoder builds them (fast-check may otherwise produce null-prototype records).
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

export const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => formatIpv4(b));
export const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIpv6(b));

function prefix(width: number, format: (b: Uint8Array) => string) {
  return fc
    .tuple(fc.uint8Array({ minLength: width, maxLength: width }), fc.integer({ min: 0, max: width * 8 }))
    .map(([bytes, length]) => {
      // Only the octets the length covers travel on the wire (RFC 4271 §4.3).
      const masked = new Uint8Array(width);
      masked.set(bytes.subarray(0, Math.ceil(length / 8)));
      return `${format(masked)}/${length}`;
    });
}

export const ipv4Prefix = prefix(4, (b) => formatIpv4(b));
export const ipv6Prefix = prefix(16, (b) => formatIpv6(b));

export const capability: fc.Arbitrary<Capability> = fc.oneof(
  record({ kind: fc.constant('multiprotocol' as const), afi: u16, safi: u8 }),
  fc.constant({ kind: 'route-refresh' as const }),
  record({ kind: fc.constant('four-octet-as' as const), asn: u32 }),
  record({
    kind: fc.constant('graceful-restart' as const),
    flags: fc.integer({ min: 0, max: 15 }),
    restartTime: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(record({ afi: u16, safi: u8, forwardingState: fc.boolean() }), { maxLength: 4 }),
  }),
  record({
    kind: fc.constant('unknown' as const),
    code: u8.filter((c) => ![1, 2, 64, 65].includes(c)),
    value: fc.uint8Array({ maxLength: 20 }),
  }),
);

export const open = record({
  type: fc.constant('open' as const),
  version: fc.constant(4),
  myAs: u16,
  holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  bgpIdentifier: ipv4.filter((id) => id !== '0.0.0.0'),
  parameters: fc.array(fc.array(capability, { maxLength: 5 }), { maxLength: 3 }),
});

const segment = (maxAsn: number, maxType: number) =>
  record({
    type: fc.integer({ min: 1, max: maxType }),
    asns: fc.array(fc.integer({ min: 0, max: maxAsn }), { minLength: 1, maxLength: 8 }),
  });

const largeCommunity: fc.Arbitrary<LargeCommunity> = fc.tuple(u32, u32, u32);

/** Attribute lists as a decoder returns them: each type at most once, ASNs sized for the context. */
export function attributes(fourOctetAs: boolean): fc.Arbitrary<PathAttribute[]> {
  const asnMax = fourOctetAs ? 0xffffffff : 0xffff;
  const known: Record<string, fc.Arbitrary<PathAttribute>> = {
    origin: record({ type: fc.constant('origin' as const), origin: fc.integer({ min: 0, max: 2 }) }),
    asPath: record({
      type: fc.constant('as-path' as const),
      segments: fc.array(segment(asnMax, 4), { maxLength: 3 }),
    }),
    nextHop: record({ type: fc.constant('next-hop' as const), nextHop: ipv4 }),
    med: record({ type: fc.constant('med' as const), med: u32 }),
    localPref: record({ type: fc.constant('local-pref' as const), localPref: u32 }),
    atomic: fc.constant({ type: 'atomic-aggregate' as const }),
    aggregator: record({
      type: fc.constant('aggregator' as const),
      asn: fc.integer({ min: 0, max: asnMax }),
      address: ipv4,
    }),
    communities: record({
      type: fc.constant('communities' as const),
      communities: fc.array(u32, { minLength: 1, maxLength: 10 }),
    }),
    mpReach: fc.oneof(
      record({
        type: fc.constant('mp-reach' as const),
        afi: fc.constant(2),
        safi: fc.constant(1),
        nextHops: fc.oneof(fc.tuple(ipv6), fc.tuple(ipv6, ipv6)),
        nlri: fc.array(ipv6Prefix, { maxLength: 10 }),
      }),
      record({
        type: fc.constant('mp-reach' as const),
        afi: fc.constant(1),
        safi: fc.constant(1),
        nextHops: fc.tuple(ipv4),
        nlri: fc.array(ipv4Prefix, { maxLength: 10 }),
      }),
    ),
    mpUnreach: record({
      type: fc.constant('mp-unreach' as const),
      afi: fc.constant(2),
      safi: fc.constant(1),
      withdrawn: fc.array(ipv6Prefix, { maxLength: 10 }),
    }),
    as4Path: record({
      type: fc.constant('as4-path' as const),
      segments: fc.array(segment(0xffffffff, 2), { maxLength: 3 }),
    }),
    as4Aggregator: record({ type: fc.constant('as4-aggregator' as const), asn: u32, address: ipv4 }),
    large: record({
      type: fc.constant('large-communities' as const),
      communities: fc.array(largeCommunity, { minLength: 1, maxLength: 5 }),
    }),
    unknown: record({
      type: fc.constant('unknown' as const),
      // Optional (0x80) with any transitive/partial bits; never a code the decoder knows.
      flags: fc.constantFrom(0x80, 0xc0, 0xe0),
      code: u8.filter((c) => ![1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 17, 18, 32].includes(c)),
      value: fc.uint8Array({ maxLength: 40 }),
    }),
  };
  return fc
    .record(
      Object.fromEntries(
        Object.entries(known).map(([k, v]) => [k, fc.option(v, { nil: undefined })]),
      ) as Record<string, fc.Arbitrary<PathAttribute | undefined>>,
    )
    .chain((picked) => fc.shuffledSubarray(Object.values(picked).filter((a) => a !== undefined)));
}

/** UPDATEs whose decode yields no RFC 7606 problems: mandatory attributes present when announcing. */
export function update(fourOctetAs: boolean) {
  return fc
    .record({
      withdrawn: fc.array(ipv4Prefix, { maxLength: 20 }),
      attributes: attributes(fourOctetAs),
      nlri: fc.array(ipv4Prefix, { maxLength: 20 }),
    })
    .map(({ withdrawn, attributes: attrs, nlri }) => {
      const types = new Set(attrs.map((a) => a.type));
      const announces = nlri.length > 0 || types.has('mp-reach');
      const out = [...attrs];
      if (announces && !types.has('origin')) out.push({ type: 'origin', origin: 0 });
      if (announces && !types.has('as-path')) out.push({ type: 'as-path', segments: [] });
      if (nlri.length > 0 && !types.has('next-hop')) out.push({ type: 'next-hop', nextHop: '192.0.2.1' });
      return { type: 'update' as const, withdrawn, attributes: out, nlri };
    });
}

export function message(fourOctetAs: boolean): fc.Arbitrary<BgpMessage> {
  return fc.oneof(
    open,
    update(fourOctetAs),
    record({
      type: fc.constant('notification' as const),
      code: u8,
      subcode: u8,
      data: fc.uint8Array({ maxLength: 30 }),
    }),
    fc.constant({ type: 'keepalive' as const }),
    record({ type: fc.constant('route-refresh' as const), afi: u16, subtype: u8, safi: u8 }),
  );
}
