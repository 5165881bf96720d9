// What we tell one peer: from the desired routes, compute the smallest set of UPDATEs that moves the peer's
// Adj-RIB-In from what we last sent to what we want (RFC 4271 §9.2), packing many prefixes that share one
// attribute set into each UPDATE within 4,096 octets, and batching withdrawals.

import { type LargeCommunity, type PathAttribute, SegmentType } from './attributes.js';
import { Afi, Safi } from './capabilities.js';
import { type Family, formatIpv4, formatIpv6, parseIp, parsePrefix } from './ip.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH } from './message.js';
import { prefixEncodingLength } from './nlri.js';
import { AS_TRANS } from './open.js';
import { type UpdateMessage, attributesEncodingLength } from './update.js';

export interface Route {
  /** "198.51.100.7/32", "2001:db8::7/128". */
  prefix: string;
  /** Same family as the prefix: IPv4 in NEXT_HOP, IPv6 global in MP_REACH_NLRI (RFC 4760 §3, RFC 2545 §3). */
  nextHop: string;
  /** RFC 1997 values (high 16 bits the ASN), see parseCommunity. */
  communities?: readonly number[];
  largeCommunities?: readonly LargeCommunity[];
  /** Sent to internal peers only (RFC 4271 §5.1.5); 100 when not set. */
  localPref?: number;
}

/** What the planner needs to know about the peer and the session. */
export interface PeerView {
  localAsn: number;
  internal: boolean;
  fourOctetAs: boolean;
  families: readonly Family[];
}

export interface RouteProblem {
  prefix: string;
  reason: string;
}

/** Checks routes before they are planned; a bad route is data for the caller, not a crash. */
export function validateRoutes(routes: readonly Route[]): { valid: Route[]; problems: RouteProblem[] } {
  const valid: Route[] = [];
  const problems: RouteProblem[] = [];
  const seen = new Set<string>();
  // Most routes share a handful of next hops: parse each once.
  const nextHops = new Map<string, Family | undefined>();
  for (const route of routes) {
    const prefix = parsePrefix(route.prefix);
    let nextHop = nextHops.get(route.nextHop);
    if (!nextHops.has(route.nextHop)) {
      nextHop = parseIp(route.nextHop)?.family;
      nextHops.set(route.nextHop, nextHop);
    }
    if (prefix === undefined) problems.push({ prefix: route.prefix, reason: 'not an IP prefix' });
    else if (nextHop === undefined) {
      problems.push({ prefix: route.prefix, reason: `next hop ${route.nextHop} is not an IP address` });
    } else if (nextHop !== prefix.family) {
      problems.push({ prefix: route.prefix, reason: `next hop ${route.nextHop} is not ${prefix.family}` });
    } else if (seen.has(route.prefix)) problems.push({ prefix: route.prefix, reason: 'listed twice' });
    else {
      seen.add(route.prefix);
      valid.push(route);
    }
  }
  return { valid, problems };
}

/** Masks an address to the advertisement's aggregation length (MetalLB aggregationLength[V6]). */
export function aggregatePrefix(address: string, length: number): string | undefined {
  const ip = parseIp(address);
  if (ip === undefined || length < 0 || length > ip.bytes.length * 8) return undefined;
  const bytes = ip.bytes.slice();
  for (let bit = length; bit < bytes.length * 8; bit++)
    bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) & ~(0x80 >> (bit & 7));
  const text = ip.family === 'ipv4' ? formatIpv4(bytes) : formatIpv6(bytes);
  return `${text}/${length}`;
}

function familyOfPrefix(prefix: string): Family {
  return prefix.includes(':') ? 'ipv6' : 'ipv4';
}

/** The attributes a route is announced with; routes with equal keys share UPDATEs. */
function attributeKey(route: Route, peer: PeerView): string {
  // String concatenation, not arrays: this runs for every route of 100,000-route tables.
  let key = route.nextHop;
  if (route.communities !== undefined && route.communities.length > 0)
    key += `|c${route.communities.join(',')}`;
  if (route.largeCommunities !== undefined && route.largeCommunities.length > 0) {
    key += `|l${route.largeCommunities.map((c) => c.join(':')).join(',')}`;
  }
  if (peer.internal) key += `|p${route.localPref ?? 100}`;
  return key;
}

function pathAttributes(route: Route, peer: PeerView): PathAttribute[] {
  const attrs: PathAttribute[] = [{ type: 'origin', origin: 0 }];
  // RFC 4271 §5.1.2: empty AS_PATH to internal peers, our ASN prepended to external ones.
  const path = peer.internal ? [] : [peer.localAsn];
  const needsAs4 = !peer.fourOctetAs && path.some((asn) => asn > 0xffff);
  attrs.push({
    type: 'as-path',
    // RFC 6793 §4.2.2: toward a 2-octet peer, AS_TRANS stands in for 4-octet ASNs and AS4_PATH carries them.
    segments:
      path.length === 0
        ? []
        : [{ type: SegmentType.AsSequence, asns: path.map((a) => (a > 0xffff ? AS_TRANS : a)) }],
  });
  if (familyOfPrefix(route.prefix) === 'ipv4') attrs.push({ type: 'next-hop', nextHop: route.nextHop });
  // RFC 4271 §5.1.5: LOCAL_PREF goes to internal peers only.
  if (peer.internal) attrs.push({ type: 'local-pref', localPref: route.localPref ?? 100 });
  if (route.communities !== undefined && route.communities.length > 0) {
    attrs.push({ type: 'communities', communities: [...route.communities] });
  }
  if (familyOfPrefix(route.prefix) === 'ipv6') {
    attrs.push({
      type: 'mp-reach',
      afi: Afi.Ipv6,
      safi: Safi.Unicast,
      nextHops: [route.nextHop],
      nlri: [],
      extendedLength: true,
    });
  }
  if (needsAs4) attrs.push({ type: 'as4-path', segments: [{ type: SegmentType.AsSequence, asns: path }] });
  if (route.largeCommunities !== undefined && route.largeCommunities.length > 0) {
    attrs.push({ type: 'large-communities', communities: [...route.largeCommunities] });
  }
  return attrs;
}

/** Room for prefixes in an UPDATE whose other parts take `fixed` octets. */
const BODY_LIMIT = MAX_MESSAGE_LENGTH - HEADER_LENGTH;

function packWithdrawals(prefixes: readonly string[], family: Family): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  // IPv4: the two length fields; IPv6: the lengths plus an extended-length MP_UNREACH_NLRI header + AFI/SAFI.
  const fixed = family === 'ipv4' ? 4 : 4 + 4 + 3;
  let batch: string[] = [];
  let size = fixed;
  const flush = () => {
    if (batch.length === 0) return;
    out.push(
      family === 'ipv4'
        ? { type: 'update', withdrawn: batch, attributes: [], nlri: [] }
        : {
            type: 'update',
            withdrawn: [],
            attributes: [
              {
                type: 'mp-unreach',
                afi: Afi.Ipv6,
                safi: Safi.Unicast,
                withdrawn: batch,
                extendedLength: true,
              },
            ],
            nlri: [],
          },
    );
    batch = [];
    size = fixed;
  };
  for (const prefix of prefixes) {
    const length = prefixEncodingLength(prefix);
    if (size + length > BODY_LIMIT) flush();
    batch.push(prefix);
    size += length;
  }
  flush();
  return out;
}

function packAnnouncements(routes: readonly Route[], peer: PeerView): UpdateMessage[] {
  const first = routes[0];
  if (first === undefined) return [];
  const family = familyOfPrefix(first.prefix);
  const template = pathAttributes(first, peer);
  const fixed = 4 + attributesEncodingLength(template, { fourOctetAs: peer.fourOctetAs });
  const out: UpdateMessage[] = [];
  let batch: string[] = [];
  let size = fixed;
  const flush = () => {
    if (batch.length === 0) return;
    if (family === 'ipv4') out.push({ type: 'update', withdrawn: [], attributes: template, nlri: batch });
    else {
      const attributes = template.map((a) => (a.type === 'mp-reach' ? { ...a, nlri: batch } : a));
      out.push({ type: 'update', withdrawn: [], attributes, nlri: [] });
    }
    batch = [];
    size = fixed;
  };
  for (const route of routes) {
    const length = prefixEncodingLength(route.prefix);
    if (size + length > BODY_LIMIT) flush();
    batch.push(route.prefix);
    size += length;
  }
  flush();
  return out;
}

/** End-of-RIB marker (RFC 4724 §2): an empty UPDATE for IPv4, an empty MP_UNREACH_NLRI for others. */
export function endOfRib(family: Family): UpdateMessage {
  return family === 'ipv4'
    ? { type: 'update', withdrawn: [], attributes: [], nlri: [] }
    : {
        type: 'update',
        withdrawn: [],
        attributes: [{ type: 'mp-unreach', afi: Afi.Ipv6, safi: Safi.Unicast, withdrawn: [] }],
        nlri: [],
      };
}

export interface Plan {
  updates: UpdateMessage[];
  /** The Adj-RIB-Out after the updates: prefix -> attribute key. */
  sent: Map<string, string>;
  withdrawn: number;
  announced: number;
}

/**
 * The minimal change from `sent` (prefix -> attribute key, as last returned) to `desired`: withdrawals first
 * (so a prefix never flaps through a stale path), then announcements grouped by attribute set. Prefixes of
 * families the peer did not negotiate are neither sent nor withdrawn.
 */
export function planUpdates(
  sent: ReadonlyMap<string, string>,
  desired: readonly Route[],
  peer: PeerView,
): Plan {
  const next = new Map<string, string>();
  // One map per family keyed by the attribute key alone: cheaper than composite keys for 100,000 routes.
  const groups: Record<Family, Map<string, Route[]>> = { ipv4: new Map(), ipv6: new Map() };
  const wantV4 = peer.families.includes('ipv4');
  const wantV6 = peer.families.includes('ipv6');
  for (const route of desired) {
    const v6 = route.prefix.includes(':');
    if (v6 ? !wantV6 : !wantV4) continue;
    const key = attributeKey(route, peer);
    next.set(route.prefix, key);
    if (sent.get(route.prefix) === key) continue;
    const byKey = groups[v6 ? 'ipv6' : 'ipv4'];
    const group = byKey.get(key);
    if (group === undefined) byKey.set(key, [route]);
    else group.push(route);
  }
  const withdraw: Record<Family, string[]> = { ipv4: [], ipv6: [] };
  for (const prefix of sent.keys()) {
    if (!next.has(prefix)) withdraw[familyOfPrefix(prefix)].push(prefix);
  }
  const updates = [...packWithdrawals(withdraw.ipv4, 'ipv4'), ...packWithdrawals(withdraw.ipv6, 'ipv6')];
  let announced = 0;
  for (const byKey of [groups.ipv4, groups.ipv6]) {
    for (const group of byKey.values()) {
      updates.push(...packAnnouncements(group, peer));
      announced += group.length;
    }
  }
  return { updates, sent: next, withdrawn: withdraw.ipv4.length + withdraw.ipv6.length, announced };
}
