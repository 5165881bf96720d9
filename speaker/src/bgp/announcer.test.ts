import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ipv4Prefix, ipv6Prefix } from './arbitraries.test-support.js';
import {
  type PeerView,
  type Route,
  aggregatePrefix,
  endOfRib,
  planUpdates,
  validateRoutes,
} from './announcer.js';
import { FakeClock } from './clock.js';
import { parseCommunity } from './communities.js';
import { MAX_MESSAGE_LENGTH, MessageFramer, decodeMessage, serializeMessage } from './message.js';
import { BgpPeer } from './peer.js';
import type { ConnectionEvents } from './session.js';
import type { UpdateMessage } from './update.js';

const ebgp: PeerView = { localAsn: 64512, internal: false, fourOctetAs: true, families: ['ipv4', 'ipv6'] };
const ibgp: PeerView = { ...ebgp, internal: true };

interface Received {
  nextHop: string | undefined;
  communities: number[];
  large: string[];
  localPref: number | undefined;
  asPath: number[];
}

/** The peer's Adj-RIB-In after applying UPDATEs, as a receiving router would build it. */
function apply(rib: Map<string, Received>, update: UpdateMessage): void {
  for (const p of update.withdrawn) rib.delete(p);
  const attr = <T extends UpdateMessage['attributes'][number]['type']>(type: T) =>
    update.attributes.find((a) => a.type === type) as
      Extract<UpdateMessage['attributes'][number], { type: T }> | undefined;
  const base = {
    communities: attr('communities')?.communities ?? [],
    large: (attr('large-communities')?.communities ?? []).map((c) => c.join(':')),
    localPref: attr('local-pref')?.localPref,
    asPath: (attr('as-path')?.segments ?? []).flatMap((s) => s.asns),
  };
  for (const p of attr('mp-unreach')?.withdrawn ?? []) rib.delete(p);
  for (const p of update.nlri) rib.set(p, { ...base, nextHop: attr('next-hop')?.nextHop });
  const reach = attr('mp-reach');
  for (const p of reach?.nlri ?? []) rib.set(p, { ...base, nextHop: reach?.nextHops[0] });
}

/** Encodes, checks the size limit, decodes again: what the peer actually receives. */
function wire(updates: readonly UpdateMessage[], fourOctetAs = true): UpdateMessage[] {
  return updates.map((u) => {
    const bytes = serializeMessage(u, { fourOctetAs });
    assert.ok(bytes.length <= MAX_MESSAGE_LENGTH);
    const { value } = decodeMessage(bytes, 0, { fourOctetAs });
    assert.ok(value.type === 'update' && value.problems === undefined, JSON.stringify(value));
    return value;
  });
}

const community = (text: string) => {
  const c = parseCommunity(text);
  assert.ok(c?.kind === 'standard');
  return c.value;
};

describe('planUpdates', () => {
  test('routes sharing attributes share one UPDATE; eBGP gets our ASN and no LOCAL_PREF', () => {
    const routes: Route[] = ['10.0.0.1/32', '10.0.0.2/32', '10.0.0.3/32'].map((prefix) => ({
      prefix,
      nextHop: '192.0.2.10',
      communities: [community('64512:100')],
      largeCommunities: [[64512, 1, 2]],
      localPref: 200,
    }));
    const plan = planUpdates(new Map(), routes, ebgp);
    assert.equal(plan.updates.length, 1);
    assert.deepEqual(plan.updates[0]?.nlri, ['10.0.0.1/32', '10.0.0.2/32', '10.0.0.3/32']);
    assert.deepEqual(
      plan.updates[0]?.attributes.map((a) => a.type),
      ['origin', 'as-path', 'next-hop', 'communities', 'large-communities'],
    );
    const rib = new Map<string, Received>();
    for (const u of wire(plan.updates)) apply(rib, u);
    assert.deepEqual(rib.get('10.0.0.2/32'), {
      nextHop: '192.0.2.10',
      communities: [64512 * 65536 + 100],
      large: ['64512:1:2'],
      localPref: undefined,
      asPath: [64512],
    });
  });

  test('iBGP: empty AS_PATH and LOCAL_PREF (default 100)', () => {
    const plan = planUpdates(
      new Map(),
      [
        { prefix: '10.0.0.1/32', nextHop: '192.0.2.10', localPref: 250 },
        { prefix: '10.0.0.2/32', nextHop: '192.0.2.10' },
      ],
      ibgp,
    );
    const rib = new Map<string, Received>();
    for (const u of wire(plan.updates)) apply(rib, u);
    assert.equal(rib.get('10.0.0.1/32')?.localPref, 250);
    assert.equal(rib.get('10.0.0.2/32')?.localPref, 100);
    assert.deepEqual(rib.get('10.0.0.2/32')?.asPath, []);
    assert.equal(plan.updates.length, 2);
  });

  test('IPv6 goes in MP_REACH_NLRI with the global next hop', () => {
    const plan = planUpdates(new Map(), [{ prefix: '2001:db8::7/128', nextHop: '2001:db8::1' }], ebgp);
    const [update] = wire(plan.updates);
    assert.deepEqual(update?.nlri, []);
    assert.deepEqual(
      update?.attributes.find((a) => a.type === 'mp-reach'),
      {
        type: 'mp-reach',
        afi: 2,
        safi: 1,
        nextHops: ['2001:db8::1'],
        nlri: ['2001:db8::7/128'],
        extendedLength: true,
      },
    );
  });

  test('only the difference is sent: a changed route is re-announced, a removed one withdrawn', () => {
    const routes: Route[] = [
      { prefix: '10.0.0.1/32', nextHop: '192.0.2.10' },
      { prefix: '10.0.0.2/32', nextHop: '192.0.2.10' },
      { prefix: '2001:db8::1/128', nextHop: '2001:db8::10' },
    ];
    const first = planUpdates(new Map(), routes, ebgp);
    assert.equal(planUpdates(first.sent, routes, ebgp).updates.length, 0);
    const second = planUpdates(
      first.sent,
      [{ prefix: '10.0.0.1/32', nextHop: '192.0.2.10', communities: [community('1:2')] }],
      ebgp,
    );
    assert.deepEqual(
      second.updates.map((u) => ({
        w: u.withdrawn,
        n: u.nlri,
        mp: u.attributes.find((a) => a.type === 'mp-unreach'),
      })),
      [
        { w: ['10.0.0.2/32'], n: [], mp: undefined },
        {
          w: [],
          n: [],
          mp: { type: 'mp-unreach', afi: 2, safi: 1, withdrawn: ['2001:db8::1/128'], extendedLength: true },
        },
        { w: [], n: ['10.0.0.1/32'], mp: undefined },
      ],
    );
    assert.equal(second.withdrawn, 2);
    assert.equal(second.announced, 1);
  });

  test('100,000 /32s pack into few UPDATEs within 4,096 octets', () => {
    const routes: Route[] = Array.from({ length: 100_000 }, (_, i) => ({
      prefix: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`,
      nextHop: '192.0.2.10',
    }));
    const plan = planUpdates(new Map(), routes, ebgp);
    // Each /32 takes 5 octets; about 800 fit in one message.
    assert.ok(plan.updates.length <= Math.ceil(100_000 / 800), `${plan.updates.length} updates`);
    const rib = new Map<string, Received>();
    for (const u of wire(plan.updates)) apply(rib, u);
    assert.equal(rib.size, 100_000);
    const gone = planUpdates(plan.sent, [], ebgp);
    assert.ok(gone.updates.length <= Math.ceil(100_000 / 810));
    for (const u of wire(gone.updates)) apply(rib, u);
    assert.equal(rib.size, 0);
  });

  test('property: applying the plan makes the peer hold exactly the desired routes', () => {
    const route = fc.record(
      {
        prefix: fc.oneof(ipv4Prefix, ipv6Prefix),
        community: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        localPref: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      },
      { noNullPrototype: true },
    );
    const toRoutes = (
      list: Array<{ prefix: string; community: number | undefined; localPref: number | undefined }>,
    ) => {
      const seen = new Set<string>();
      return list
        .filter((r) => !seen.has(r.prefix) && seen.add(r.prefix))
        .map((r): Route => ({
          prefix: r.prefix,
          nextHop: r.prefix.includes(':') ? '2001:db8::1' : '192.0.2.1',
          ...(r.community !== undefined ? { communities: [r.community] } : {}),
          ...(r.localPref !== undefined ? { localPref: r.localPref } : {}),
        }));
    };
    fc.assert(
      fc.property(
        fc.array(route, { maxLength: 300 }),
        fc.array(route, { maxLength: 300 }),
        fc.constantFrom(ebgp, ibgp),
        (a, b, peer) => {
          const rib = new Map<string, Received>();
          const first = planUpdates(new Map(), toRoutes(a), peer);
          for (const u of wire(first.updates)) apply(rib, u);
          const desired = toRoutes(b);
          const second = planUpdates(first.sent, desired, peer);
          for (const u of wire(second.updates)) apply(rib, u);
          assert.deepEqual([...rib.keys()].sort(), desired.map((r) => r.prefix).sort());
          for (const r of desired) {
            const got = rib.get(r.prefix);
            assert.equal(got?.nextHop, r.nextHop);
            assert.deepEqual(got.communities, r.communities ?? []);
            assert.equal(got.localPref, peer.internal ? (r.localPref ?? 100) : undefined);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a 4-octet ASN toward a 2-octet peer: AS_TRANS in AS_PATH, the real path in AS4_PATH (RFC 6793 §4.2.2)', () => {
    const plan = planUpdates(new Map(), [{ prefix: '10.0.0.1/32', nextHop: '192.0.2.1' }], {
      ...ebgp,
      localAsn: 4_200_000_000,
      fourOctetAs: false,
    });
    const [update] = wire(plan.updates, false);
    assert.deepEqual(
      update?.attributes.find((a) => a.type === 'as-path'),
      { type: 'as-path', segments: [{ type: 2, asns: [23456] }] },
    );
    assert.deepEqual(
      update?.attributes.find((a) => a.type === 'as4-path'),
      {
        type: 'as4-path',
        segments: [{ type: 2, asns: [4_200_000_000] }],
      },
    );
  });

  test('families the peer did not negotiate are left out', () => {
    const plan = planUpdates(
      new Map(),
      [
        { prefix: '10.0.0.1/32', nextHop: '192.0.2.1' },
        { prefix: '2001:db8::1/128', nextHop: '2001:db8::10' },
      ],
      { ...ebgp, families: ['ipv4'] },
    );
    assert.deepEqual([...plan.sent.keys()], ['10.0.0.1/32']);
  });
});

describe('route helpers', () => {
  test('validateRoutes reports bad prefixes, next hops of the wrong family and duplicates', () => {
    const { valid, problems } = validateRoutes([
      { prefix: '10.0.0.1/32', nextHop: '192.0.2.1' },
      { prefix: '10.0.0.1/33', nextHop: '192.0.2.1' },
      { prefix: '2001:db8::1/128', nextHop: '192.0.2.1' },
      { prefix: '10.0.0.1/32', nextHop: '192.0.2.2' },
    ]);
    assert.equal(valid.length, 1);
    assert.deepEqual(
      problems.map((p) => p.reason),
      ['not an IP prefix', 'next hop 192.0.2.1 is not ipv6', 'listed twice'],
    );
  });

  test('aggregatePrefix masks to the aggregation length', () => {
    assert.equal(aggregatePrefix('10.1.2.3', 24), '10.1.2.0/24');
    assert.equal(aggregatePrefix('10.1.2.3', 32), '10.1.2.3/32');
    assert.equal(aggregatePrefix('2001:db8::1:2', 112), '2001:db8::1:0/112');
    assert.equal(aggregatePrefix('10.1.2.3', 33), undefined);
  });

  test('parseCommunity reads both MetalLB forms', () => {
    assert.deepEqual(parseCommunity('65000:100'), { kind: 'standard', value: 65000 * 65536 + 100 });
    assert.deepEqual(parseCommunity('large:1:2:3'), { kind: 'large', value: [1, 2, 3] });
    assert.equal(parseCommunity('65536:1'), undefined);
    assert.equal(parseCommunity('nope'), undefined);
  });
});

describe('BgpPeer', () => {
  function harness(gracefulRestart: boolean) {
    const clock = new FakeClock();
    const conns: Array<{ events: ConnectionEvents; sent: UpdateMessage[]; other: string[] }> = [];
    const peer = new BgpPeer(
      {
        name: 'p',
        localAsn: 64512,
        peerAsn: 65001,
        routerId: '10.0.0.1',
        holdTime: 90,
        ...(gracefulRestart ? { gracefulRestart: { restartTime: 120 } } : {}),
      },
      clock,
      (events) => {
        const c = { events, sent: [] as UpdateMessage[], other: [] as string[] };
        const framer = new MessageFramer();
        conns.push(c);
        return {
          write: (bytes) => {
            for (const f of framer.push(bytes)) {
              const m = decodeMessage(f, 0, { fourOctetAs: true }).value;
              if (m.type === 'update') c.sent.push(m);
              else c.other.push(m.type);
            }
          },
          close: () => {},
        };
      },
    );
    const establish = () => {
      const c = conns.at(-1);
      assert.ok(c);
      c.events.connected();
      const open = serializeMessage(
        {
          type: 'open',
          version: 4,
          myAs: 65001,
          holdTime: 90,
          bgpIdentifier: '192.0.2.1',
          parameters: [
            [
              { kind: 'multiprotocol', afi: 1, safi: 1 },
              { kind: 'multiprotocol', afi: 2, safi: 1 },
              { kind: 'four-octet-as', asn: 65001 },
              { kind: 'graceful-restart', flags: 0, restartTime: 90, families: [] },
            ],
          ],
        },
        { fourOctetAs: false },
      );
      c.events.data(open);
      c.events.data(serializeMessage({ type: 'keepalive' }, { fourOctetAs: false }));
      return c;
    };
    return { clock, peer, conns, establish };
  }

  test('announces on establishment, sends changes, and re-advertises everything after a loss', () => {
    const h = harness(false);
    assert.deepEqual(h.peer.setRoutes([{ prefix: '10.0.0.1/32', nextHop: '192.0.2.1' }]), []);
    h.peer.start();
    assert.equal(h.peer.pendingCount, 1);
    const c1 = h.establish();
    assert.deepEqual(
      c1.sent.map((u) => u.nlri),
      [['10.0.0.1/32']],
    );
    assert.equal(h.peer.announcedCount, 1);
    assert.equal(h.peer.pendingCount, 0);
    h.peer.setRoutes([
      { prefix: '10.0.0.1/32', nextHop: '192.0.2.1' },
      { prefix: '10.0.0.2/32', nextHop: '192.0.2.1' },
    ]);
    assert.deepEqual(
      c1.sent.map((u) => u.nlri),
      [['10.0.0.1/32'], ['10.0.0.2/32']],
    );
    c1.events.closed('peer restarted');
    assert.equal(h.peer.announcedCount, 0);
    assert.equal(h.peer.pendingCount, 2);
    h.clock.advance(1_000);
    const c2 = h.establish();
    assert.deepEqual(
      c2.sent.map((u) => u.nlri),
      [['10.0.0.1/32', '10.0.0.2/32']],
    );
  });

  test('a ROUTE-REFRESH from the peer re-advertises every route (RFC 2918 §4)', () => {
    const h = harness(false);
    h.peer.setRoutes([
      { prefix: '10.0.0.1/32', nextHop: '192.0.2.1' },
      { prefix: '2001:db8::1/128', nextHop: '2001:db8::10' },
    ]);
    h.peer.start();
    const c = h.establish();
    assert.equal(c.sent.length, 2);
    c.events.data(
      serializeMessage({ type: 'route-refresh', afi: 1, subtype: 0, safi: 1 }, { fourOctetAs: true }),
    );
    assert.equal(c.sent.length, 4);
    assert.deepEqual(c.sent[2], c.sent[0]);
    assert.deepEqual(c.sent[3], c.sent[1]);
  });

  test('End-of-RIB for each family after the initial update when graceful restart is negotiated', () => {
    const h = harness(true);
    h.peer.setRoutes([{ prefix: '10.0.0.1/32', nextHop: '192.0.2.1' }]);
    h.peer.start();
    const c = h.establish();
    assert.deepEqual(c.sent.slice(1), [endOfRib('ipv4'), endOfRib('ipv6')]);
    const plain = harness(false);
    plain.peer.start();
    assert.deepEqual(plain.establish().sent, []);
  });
});
