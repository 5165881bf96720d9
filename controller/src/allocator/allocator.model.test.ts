// Model-based test: random sequences of allocate, release, assign, setPools and restart-then-restore, checked
// against a plain model (a map of Service -> addresses, linear scans over tiny pools) after every command.
// LBOPS_MODEL_RUNS overrides the number of sequences (default 10,000 for CI).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatIp, parseIp } from '@lbops/schemas/address';
import type { IpFamily } from '@lbops/schemas/address';
import { Allocator } from './allocator.js';
import { isBuggyValue } from './pool-space.js';
import { pool } from './test-helpers.js';
import type { AllocationRequest, AllocationResult, AllocatorPool, InvalidPolicy } from './types.js';

const RUNS = Number(process.env['LBOPS_MODEL_RUNS'] ?? 10_000);

// ---- the world: small pools and a fixed cast of Services ------------------------------------------------------

interface PoolSpec {
  name: string;
  v4: [number, number] | undefined;
  v6: [number, number] | undefined;
  autoAssign: boolean;
  avoidBuggyIPs: boolean;
  pin: { priority: number; namespace: string } | undefined;
}

// Disjoint address blocks per pool; p2's block straddles .255/.0 to exercise avoidBuggyIPs.
const V4_BASE: Record<string, bigint> = { p1: 0x0a000000n, p2: 0x0a0001fan, p3: 0x0a000300n };
const V6_BASE: Record<string, bigint> = {
  p1: 0xfd000001n << 96n,
  p2: 0xfd000002n << 96n,
  p3: 0xfd000003n << 96n,
};

function toPool(spec: PoolSpec): AllocatorPool {
  const addresses: string[] = [];
  const v4base = V4_BASE[spec.name] as bigint;
  const v6base = V6_BASE[spec.name] as bigint;
  if (spec.v4 !== undefined) {
    const [offset, length] = spec.v4;
    addresses.push(`${ip4(v4base + BigInt(offset))}-${ip4(v4base + BigInt(offset + length - 1))}`);
  }
  if (spec.v6 !== undefined) {
    const [offset, length] = spec.v6;
    addresses.push(`${ip6(v6base + BigInt(offset))}-${ip6(v6base + BigInt(offset + length - 1))}`);
  }
  return pool(spec.name, addresses, {
    autoAssign: spec.autoAssign,
    avoidBuggyIPs: spec.avoidBuggyIPs,
    ...(spec.pin === undefined
      ? {}
      : {
          serviceAllocation: {
            priority: spec.pin.priority,
            namespaces: [spec.pin.namespace],
            namespaceSelectors: [],
            serviceSelectors: [],
          },
        }),
  });
}

const ip4 = (value: bigint) => formatIp({ family: 'ipv4', value });
const ip6 = (value: bigint) => formatIp({ family: 'ipv6', value });

const poolSpecArb = (name: string): fc.Arbitrary<PoolSpec> =>
  fc.record({
    name: fc.constant(name),
    v4: fc.option(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 8 })), {
      nil: undefined,
    }),
    v6: fc.option(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 4 })), {
      nil: undefined,
    }),
    autoAssign: fc.constantFrom(true, true, true, false),
    avoidBuggyIPs: fc.constantFrom(true, false, false),
    pin: fc.option(
      fc.record({ priority: fc.integer({ min: 0, max: 2 }), namespace: fc.constantFrom('a', 'b') }),
      {
        nil: undefined,
        freq: 2,
      },
    ),
  });

const poolsArb: fc.Arbitrary<AllocatorPool[]> = fc
  .tuple(
    fc.option(poolSpecArb('p1'), { nil: undefined }),
    fc.option(poolSpecArb('p2'), { nil: undefined }),
    fc.option(poolSpecArb('p3'), { nil: undefined }),
  )
  .map((specs) =>
    specs
      .filter((s): s is PoolSpec => s !== undefined && (s.v4 !== undefined || s.v6 !== undefined))
      .map(toPool),
  );

const REQUESTABLE = [
  '10.0.0.1',
  '10.0.0.3',
  '10.0.1.255',
  '10.0.2.0',
  '10.0.2.1',
  '10.0.3.2',
  'fd00:1::1',
  'fd00:2::',
  '192.168.0.1',
];

/** undefined four times in five. */
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: arb, weight: 1 });

const requestArb = (index: number): fc.Arbitrary<AllocationRequest> =>
  fc
    .record({
      namespace: fc.constantFrom('a', 'b'),
      sharingKey: fc.constantFrom('', 'k1', 'k1', 'k2'),
      ports: fc.subarray(['TCP/80', 'TCP/443', 'UDP/53']),
      backendKey: fc.constantFrom('Cluster', 'Cluster', 'Local app=x'),
      stack: fc.constantFrom('v4', 'v4', 'v6', 'require', 'prefer'),
      requestedIp: rarely(fc.constantFrom(...REQUESTABLE)),
      requestedPool: rarely(fc.constantFrom('p1', 'p2', 'p3')),
    })
    .map((r): AllocationRequest => ({
      namespace: r.namespace,
      name: `s${index}`,
      uid: `uid-${index % 3}`,
      // Some equal timestamps, so ties are broken by uid and then by name.
      creationTimestamp: `2026-01-0${1 + (index % 4)}T00:00:00Z`,
      sharingKey: r.sharingKey,
      ports: r.ports.map((p) => ({ protocol: p.split('/')[0] as string, port: Number(p.split('/')[1]) })),
      backendKey: r.backendKey,
      ipFamilies: r.stack === 'v4' ? ['ipv4'] : r.stack === 'v6' ? ['ipv6'] : ['ipv4', 'ipv6'],
      ipFamilyPolicy:
        r.stack === 'require' ? 'RequireDualStack' : r.stack === 'prefer' ? 'PreferDualStack' : 'SingleStack',
      requestedIps: r.requestedIp === undefined ? [] : [r.requestedIp],
      requestedPool: r.requestedPool,
    }));

// ---- the model ----------------------------------------------------------------------------------------------

interface Held {
  request: AllocationRequest;
  ips: string[];
  stale: boolean;
}

interface Model {
  pools: AllocatorPool[];
  policy: InvalidPolicy;
  held: Map<string, Held>;
}

interface Real {
  allocator: Allocator;
}

const keyOf = (r: AllocationRequest) => `${r.namespace}/${r.name}`;

function addressesOf(p: AllocatorPool, family: IpFamily): bigint[] {
  const out: bigint[] = [];
  for (const range of p.addresses) {
    if (range.family !== family) continue;
    for (let v = range.first; v <= range.last; v += 1n)
      if (!(p.avoidBuggyIPs && isBuggyValue(family, v))) out.push(v);
  }
  return out;
}

function poolOf(pools: readonly AllocatorPool[], text: string): AllocatorPool | undefined {
  const ip = parseIp(text);
  if (ip === undefined) return undefined;
  return pools.find((p) =>
    p.addresses.some((r) => r.family === ip.family && r.first <= ip.value && ip.value <= r.last),
  );
}

function pinMatches(p: AllocatorPool, r: AllocationRequest): boolean {
  return p.serviceAllocation === undefined || p.serviceAllocation.namespaces.includes(r.namespace);
}

function families(r: AllocationRequest): { list: IpFamily[]; mode: 'single' | 'require' | 'prefer' } {
  const list = [...(r.ipFamilies ?? ['ipv4'])];
  if (list.length === 2 && r.ipFamilyPolicy === 'RequireDualStack') return { list, mode: 'require' };
  if (list.length === 2 && r.ipFamilyPolicy === 'PreferDualStack') return { list, mode: 'prefer' };
  return { list: list.slice(0, 1), mode: 'single' };
}

/** The config rules, written plainly. */
function allowed(pools: readonly AllocatorPool[], r: AllocationRequest, ips: readonly string[]): boolean {
  if (ips.length === 0) return false;
  const owners = ips.map((ip) => poolOf(pools, ip));
  const p = owners[0];
  if (p === undefined || owners.some((o) => o !== p)) return false;
  if (
    p.avoidBuggyIPs &&
    ips.some((ip) => {
      const parsed = parseIp(ip);
      return parsed !== undefined && isBuggyValue(parsed.family, parsed.value);
    })
  )
    return false;
  if (r.requestedPool !== undefined && r.requestedPool !== p.name) return false;
  const requested = r.requestedIps ?? [];
  if (requested.length > 0 && (requested.length !== ips.length || requested.some((x) => !ips.includes(x))))
    return false;
  if (!pinMatches(p, r)) return false;
  if (!p.autoAssign && r.requestedPool === undefined && requested.length === 0) return false;
  const fams = ips.map((ip) => parseIp(ip)?.family);
  const { list, mode } = families(r);
  if (mode === 'single') return fams.length === 1 && fams[0] === list[0];
  if (mode === 'require') return fams.length === 2 && fams[0] !== fams[1];
  return fams.every((f) => f !== undefined && list.includes(f)) && new Set(fams).size === fams.length;
}

/** Whether the allocator can make sense of the request at all (requested addresses fit its families). */
function readable(r: AllocationRequest): boolean {
  const requested = (r.requestedIps ?? []).map((ip) => parseIp(ip)?.family);
  const { list, mode } = families(r);
  if (requested.some((f) => f === undefined || !list.includes(f))) return false;
  if (new Set(requested).size !== requested.length) return false;
  return !(mode === 'require' && requested.length === 1);
}

function portsOf(r: AllocationRequest): string[] {
  return (r.ports ?? []).map((p) => `${p.protocol}/${p.port}`);
}

function compatible(a: AllocationRequest, b: AllocationRequest): boolean {
  const ka = a.sharingKey ?? '';
  return (
    ka !== '' &&
    ka === (b.sharingKey ?? '') &&
    (a.backendKey ?? 'Cluster') === (b.backendKey ?? 'Cluster') &&
    !portsOf(a).some((p) => portsOf(b).includes(p))
  );
}

function holders(model: Model, ip: string, except: string): Held[] {
  return [...model.held.entries()].filter(([k, h]) => k !== except && h.ips.includes(ip)).map(([, h]) => h);
}

/** The address MetalLB's first-fit would pick for a single-stack auto or pool request, by linear scan. */
function expectedSingle(model: Model, r: AllocationRequest): string | undefined {
  const family = families(r).list[0] as IpFamily;
  const usable = (text: string) => holders(model, text, keyOf(r)).every((h) => compatible(r, h.request));
  const scan = (pools: AllocatorPool[]) => {
    for (const p of pools) {
      for (const value of addressesOf(p, family)) {
        const text = formatIp({ family, value });
        if (usable(text)) return text;
      }
    }
    return undefined;
  };
  if (r.requestedPool !== undefined) {
    const p = model.pools.find((x) => x.name === r.requestedPool);
    return p === undefined || !pinMatches(p, r) ? undefined : scan([p]);
  }
  const rank = (p: AllocatorPool) => {
    const priority = p.serviceAllocation?.priority ?? 0;
    return priority > 0 ? priority : Infinity;
  };
  const pinned = model.pools
    .filter((p) => p.autoAssign && p.serviceAllocation !== undefined && pinMatches(p, r))
    .sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : 1));
  const others = model.pools
    .filter((p) => p.autoAssign && p.serviceAllocation === undefined)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return scan(pinned) ?? scan(others);
}

/** How often the interesting states occur, so the test fails if the generators stop reaching them. */
const coverage = { checks: 0, shared: 0, stale: 0, dual: 0, restarts: 0, exact: 0, completed: 0, corrupt: 0 };

// Pending Services' requests, remembered by the test (the allocator keeps them privately).
const pendingRequests = new Map<string, AllocationRequest>();

function apply(model: Model, result: AllocationResult, request: AllocationRequest): void {
  if (result.ok) pendingRequests.delete(result.service);
  else pendingRequests.set(result.service, request);
  if (result.ok)
    model.held.set(result.service, {
      request,
      ips: [...result.assignment.addresses],
      stale: result.assignment.stale !== undefined,
    });
  else model.held.delete(result.service);
}

/** Addresses as text; a stale assignment may hold families its Service does not list, so order is not compared. */
function canon(ips: readonly string[], stale: boolean): string {
  return (stale ? [...ips].sort() : ips).join(',');
}

function checkInvariants(model: Model, real: Real): void {
  const a = real.allocator;
  // The allocator's state is the model's.
  const actual = a
    .assignments()
    .map((x) => [x.service, canon(x.addresses, x.stale !== undefined), x.stale !== undefined]);
  const expected = [...model.held.entries()]
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([k, h]) => [k, canon(h.ips, h.stale), h.stale]);
  assert.deepEqual(actual, expected, 'allocator state differs from the model');
  const byIp = new Map<string, Held[]>();
  for (const h of model.held.values()) for (const ip of h.ips) byIp.set(ip, [...(byIp.get(ip) ?? []), h]);
  coverage.checks += 1;
  if ([...byIp.values()].some((list) => list.length > 1)) coverage.shared += 1;
  if ([...model.held.values()].some((h) => h.stale)) coverage.stale += 1;
  if ([...model.held.values()].some((h) => h.ips.length === 2)) coverage.dual += 1;
  // No address held by two incompatible Services.
  for (const [ip, list] of byIp) {
    for (let i = 0; i < list.length; i += 1) {
      for (let j = i + 1; j < list.length; j += 1) {
        assert.ok(
          compatible((list[i] as Held).request, (list[j] as Held).request),
          `${ip} held by incompatible Services`,
        );
      }
    }
  }
  // Every held address (not stale) lies in a pool that allows it.
  for (const [k, h] of model.held)
    if (!h.stale)
      assert.ok(allowed(model.pools, h.request, h.ips), `${k} holds ${h.ips.join(',')}, not allowed`);
  // used + free = total, and both match a count by enumeration.
  for (const stats of a.stats()) {
    const p = model.pools.find((x) => x.name === stats.pool) as AllocatorPool;
    for (const family of ['ipv4', 'ipv6'] as const) {
      const s = stats[family];
      const addresses = addressesOf(p, family).map((value) => formatIp({ family, value }));
      assert.equal(s.total, BigInt(addresses.length), `${p.name} ${family} total`);
      assert.equal(s.used, BigInt(addresses.filter((x) => byIp.has(x)).length), `${p.name} ${family} used`);
      assert.equal(s.used + s.free, s.total, `${p.name} ${family} used + free`);
    }
  }
}

// ---- commands -----------------------------------------------------------------------------------------------

class AllocateCommand implements fc.Command<Model, Real> {
  constructor(readonly request: AllocationRequest) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const key = keyOf(this.request);
    const before = model.held.get(key);
    const single = families(this.request).mode === 'single' && (this.request.requestedIps ?? []).length === 0;
    const keeps =
      before !== undefined &&
      !before.stale &&
      allowed(model.pools, this.request, before.ips) &&
      before.ips.every((ip) => holders(model, ip, key).every((h) => compatible(this.request, h.request)));
    const result = real.allocator.allocate(this.request);
    if (keeps) {
      assert.ok(result.ok, `${key} should keep ${before.ips.join(',')}`);
      const completes =
        families(this.request).mode === 'prefer' &&
        before.ips.length === 1 &&
        (this.request.requestedIps ?? []).length === 0;
      if (completes && result.assignment.addresses.length === 2) {
        // PreferDualStack completed with the other family: the first address stays.
        assert.ok(
          result.assignment.addresses.includes(before.ips[0] as string),
          `${key} kept its first address`,
        );
        assert.ok(allowed(model.pools, this.request, [...result.assignment.addresses]));
        coverage.completed += 1;
      } else {
        assert.equal(result.change, 'unchanged');
        assert.deepEqual(result.assignment.addresses, before.ips);
      }
    } else if (single && (before === undefined || !before.stale)) {
      // Lowest free (or compatibly shared) address of the first pool that has one, exactly.
      const scanned = expectedSingle(model, this.request);
      assert.equal(result.ok ? result.assignment.addresses[0] : undefined, scanned, `${key} address`);
      coverage.exact += 1;
    }
    if (result.ok && !keeps)
      assert.ok(
        allowed(model.pools, this.request, [...result.assignment.addresses]) ||
          result.assignment.stale !== undefined,
      );
    apply(model, result, this.request);
    checkInvariants(model, real);
  }
  toString = () => `allocate(${keyOf(this.request)} ${JSON.stringify(this.request)})`;
}

class AssignCommand implements fc.Command<Model, Real> {
  constructor(
    readonly request: AllocationRequest,
    readonly ip: string,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const key = keyOf(this.request);
    const ok =
      allowed(model.pools, this.request, [this.ip]) &&
      holders(model, this.ip, key).every((h) => compatible(this.request, h.request));
    const result = real.allocator.assign(this.request, [this.ip]);
    assert.equal(result.ok, ok, `assign ${key} ${this.ip}: ${result.ok ? 'ok' : result.message}`);
    if (result.ok) apply(model, result, this.request);
    checkInvariants(model, real);
  }
  toString = () => `assign(${keyOf(this.request)}, ${this.ip})`;
}

class ReleaseCommand implements fc.Command<Model, Real> {
  constructor(readonly key: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const released = real.allocator.release(this.key);
    const before = model.held.get(this.key);
    assert.equal(
      released === undefined ? undefined : canon(released.addresses, released.stale !== undefined),
      before === undefined ? undefined : canon(before.ips, before.stale),
    );
    model.held.delete(this.key);
    pendingRequests.delete(this.key);
    checkInvariants(model, real);
  }
  toString = () => `release(${this.key})`;
}

class SetPoolsCommand implements fc.Command<Model, Real> {
  constructor(
    readonly pools: AllocatorPool[],
    readonly policy: InvalidPolicy,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const before = new Map(model.held);
    model.pools = this.pools;
    model.policy = this.policy;
    const result = real.allocator.setPools(this.pools, { policy: this.policy });
    const invalid = new Set(result.invalidated.map((i) => i.service));
    for (const [k, h] of before) {
      assert.equal(
        invalid.has(k),
        !allowed(this.pools, h.request, h.ips),
        `${k}: invalidated iff no longer allowed`,
      );
      if (invalid.has(k)) {
        if (this.policy === 'keep') model.held.set(k, { ...h, stale: true });
        else model.held.delete(k);
      } else {
        model.held.set(k, { ...h, stale: false });
      }
    }
    for (const allocation of result.allocations) {
      const request = before.get(allocation.service)?.request ?? requestOfPending(real, allocation.service);
      if (request !== undefined) apply(model, allocation, request);
    }
    checkInvariants(model, real);
  }
  toString = () =>
    `setPools(${JSON.stringify(
      this.pools.map((p) => [
        p.name,
        p.addresses.length,
        p.autoAssign,
        p.avoidBuggyIPs,
        p.serviceAllocation?.namespaces,
      ]),
      (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v),
    )}, ${this.policy})`;
}

function requestOfPending(_real: Real, service: string): AllocationRequest | undefined {
  return pendingRequests.get(service);
}

/**
 * A restart whose recorded statuses are corrupt: one more Service claims addresses that another holds (the
 * MetalLB duplicate-IP bug). Restore must keep the oldest claim, report every other, and move the losers.
 */
class CorruptRestartCommand implements fc.Command<Model, Real> {
  constructor(
    readonly intruder: AllocationRequest,
    readonly victim: number,
  ) {}
  check = (model: Readonly<Model>) => model.held.size > 0 && !model.held.has(keyOf(this.intruder));
  run(model: Model, real: Real): void {
    const held = [...model.held.values()];
    const victim = held[this.victim % held.length] as Held;
    const recorded = [
      ...held.map((h) => ({ request: h.request, ips: h.ips })),
      { request: this.intruder, ips: victim.ips },
    ];
    // The model's restore: oldest first; a claim is kept when allowed (or stale, policy keep) and compatible
    // with every claim kept before it.
    const age = (r: AllocationRequest) => [Date.parse(r.creationTimestamp), r.uid, keyOf(r)] as const;
    const ordered = [...recorded].sort((x, y) => {
      const [ta, ua, ka] = age(x.request);
      const [tb, ub, kb] = age(y.request);
      return ta - tb || (ua < ub ? -1 : ua > ub ? 1 : 0) || (ka < kb ? -1 : ka > kb ? 1 : 0);
    });
    const kept = new Map<string, Held>();
    const expectedConflicts: string[] = [];
    for (const { request, ips } of ordered) {
      const key = keyOf(request);
      const clash = [...kept.values()].some(
        (h) => h.ips.some((ip) => ips.includes(ip)) && !compatible(request, h.request),
      );
      const ok = allowed(model.pools, request, ips);
      if (!clash && ok) kept.set(key, { request, ips, stale: false });
      else {
        expectedConflicts.push(key);
        // A request that cannot be read (e.g. an IPv6 loadBalancerIP on an IPv4 Service) keeps nothing.
        if (!clash && model.policy === 'keep' && readable(request))
          kept.set(key, { request, ips, stale: true });
      }
    }
    const fresh = new Allocator(model.pools);
    const result = fresh.restore(recorded, { policy: model.policy });
    assert.deepEqual(
      result.conflicts.map((c) => c.service).sort(),
      expectedConflicts.sort(),
      'restore conflicts',
    );
    for (const [k, h] of kept)
      assert.equal(canon(fresh.get(k)?.addresses ?? [], h.stale), canon(h.ips, h.stale), `restore kept ${k}`);
    model.held = kept;
    real.allocator = fresh;
    pendingRequests.clear();
    for (const allocation of result.allocations) {
      const request = recorded.find((r) => keyOf(r.request) === allocation.service)?.request;
      if (request !== undefined) apply(model, allocation, request);
    }
    coverage.corrupt += 1;
    checkInvariants(model, real);
  }
  toString = () => `corruptRestart(${JSON.stringify(this.intruder)} claims #${this.victim})`;
}

class RestartCommand implements fc.Command<Model, Real> {
  constructor(readonly order: number[]) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const recorded = [...model.held.entries()].map(([, h]) => ({ request: h.request, ips: h.ips }));
    // A deterministic permutation: sort by a key derived from the command's numbers.
    const weight = (i: number) => (i * (this.order[0] ?? 1) + (this.order[1] ?? 0)) % 7;
    const unique = recorded
      .map((r, i) => ({ r, w: weight(i), i }))
      .sort((x, y) => x.w - y.w || y.i - x.i)
      .map(({ r }) => r);
    const fresh = new Allocator(model.pools);
    const result = fresh.restore(unique, { policy: model.policy });
    // Restore changes no valid assignment; only stale ones are reported, and they are kept (policy keep).
    for (const c of result.conflicts)
      assert.ok(
        model.held.get(c.service)?.stale === true,
        `restore conflict on a valid assignment: ${c.message}`,
      );
    for (const [k, h] of model.held)
      assert.equal(canon(fresh.get(k)?.addresses ?? [], h.stale), canon(h.ips, h.stale), `restore kept ${k}`);
    assert.equal(result.allocations.length, 0);
    real.allocator = fresh;
    coverage.restarts += 1;
    pendingRequests.clear();
    checkInvariants(model, real);
  }
  toString = () => `restart(${this.order.join(',')})`;
}

test('model-based: allocator agrees with a set-based model under random command sequences', () => {
  const cast = Array.from({ length: 6 }, (_, i) => i);
  const commands = [
    fc
      .tuple(
        fc.constantFrom(...cast).chain((i) => requestArb(i)),
        fc.nat({ max: 11 }),
      )
      .map(([r, victim]) => new CorruptRestartCommand(r, victim)),
    fc
      .constantFrom(...cast)
      .chain((i) => requestArb(i))
      .map((r) => new AllocateCommand(r)),
    fc
      .tuple(
        fc.constantFrom(...cast).chain((i) => requestArb(i)),
        fc.constantFrom(...REQUESTABLE),
      )
      .map(([r, ip]) => new AssignCommand(r, ip)),
    fc
      .constantFrom(...cast)
      .chain((i) => fc.constantFrom(`a/s${i}`, `b/s${i}`))
      .map((k) => new ReleaseCommand(k)),
    fc
      .tuple(poolsArb, fc.constantFrom<InvalidPolicy>('reassign', 'keep'))
      .map(([pools, policy]) => new SetPoolsCommand(pools, policy)),
    fc
      .array(fc.integer({ min: 1, max: 7 }), { minLength: 2, maxLength: 2 })
      .map((order) => new RestartCommand(order)),
  ];
  const started = performance.now();
  fc.assert(
    fc.property(poolsArb, fc.commands(commands, { maxCommands: 24, size: '+1' }), (pools, cmds) => {
      pendingRequests.clear();
      const model: Model = { pools, policy: 'reassign', held: new Map() };
      const real: Real = { allocator: new Allocator(pools) };
      fc.modelRun(() => ({ model, real }), cmds);
    }),
    { numRuns: RUNS },
  );
  // About 2 ms a sequence on a quiet machine; 12 ms leaves room for a loaded CI runner.
  assert.ok(performance.now() - started < RUNS * 12, `model-based test took over ${RUNS * 12} ms`);
  console.log(`model-based coverage: ${JSON.stringify(coverage)}`);
  if (RUNS >= 1000) {
    // The generators must keep reaching the interesting states, or the invariants prove little.
    for (const [name, count] of Object.entries(coverage))
      assert.ok(count > RUNS / 1000, `too few ${name} states: ${count}`);
  }
});
