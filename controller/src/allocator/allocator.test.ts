// Table tests in sequence: each scenario runs its steps in order on one allocator, as MetalLB's tests do.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Allocator } from './allocator.js';
import { failureConditionReason } from './describe-failure.js';
import { serviceBackendKey } from './request.js';
import { pool, svc, tcp, udp } from './test-helpers.js';
import type { AllocationRequest, AllocationResult, AllocatorPool, ServicePort } from './types.js';

interface Expect {
  addresses?: string[];
  pool?: string;
  change?: 'unchanged' | 'assigned' | 'changed';
  reason?: string;
  conflict?: string;
  holders?: string[];
  message?: RegExp;
}

type Step = [description: string, run: (a: Allocator) => AllocationResult, expected: Expect];

function check(description: string, result: AllocationResult, expected: Expect): void {
  if (expected.reason === undefined) {
    assert.ok(result.ok, `${description}: expected success, got ${result.ok ? '' : result.message}`);
    if (expected.addresses !== undefined)
      assert.deepEqual(result.assignment.addresses, expected.addresses, description);
    if (expected.pool !== undefined) assert.equal(result.assignment.pool, expected.pool, description);
    if (expected.change !== undefined) assert.equal(result.change, expected.change, description);
    return;
  }
  assert.ok(
    !result.ok,
    `${description}: expected ${expected.reason}, got ${result.ok ? result.assignment.addresses.join(',') : ''}`,
  );
  assert.equal(result.failure.reason, expected.reason, `${description}: ${result.message}`);
  if (expected.conflict !== undefined) {
    assert.equal(
      result.failure.reason === 'ip-in-use' ? result.failure.conflict : undefined,
      expected.conflict,
      description,
    );
  }
  if (expected.holders !== undefined) {
    assert.deepEqual(
      result.failure.reason === 'ip-in-use' ? result.failure.holders : undefined,
      expected.holders,
      description,
    );
  }
  if (expected.message !== undefined) assert.match(result.message, expected.message, description);
}

function scenario(name: string, pools: AllocatorPool[], steps: Step[]): void {
  test(name, () => {
    const a = new Allocator(pools);
    for (const [description, run, expected] of steps) check(description, run(a), expected);
    assertConsistent(a);
  });
}

/** used + free = total for every pool, and stats agree with the assignments. */
function assertConsistent(a: Allocator): void {
  for (const stats of a.stats()) {
    for (const family of [stats.ipv4, stats.ipv6])
      assert.equal(family.used + family.free, family.total, stats.pool);
  }
}

const allocate = (request: AllocationRequest) => (a: Allocator) => a.allocate(request);

describe('allocation order and pools', () => {
  scenario(
    'lowest free address, then the next, then exhaustion',
    [pool('p', ['10.0.0.0/31'])],
    [
      [
        'a gets the first address',
        allocate(svc('a')),
        { addresses: ['10.0.0.0'], pool: 'p', change: 'assigned' },
      ],
      ['b gets the second', allocate(svc('b')), { addresses: ['10.0.0.1'] }],
      [
        'c finds the pool full, named with its size',
        allocate(svc('c')),
        { reason: 'pool-exhausted', message: /"p" \(ipv4, 2 addresses\)/ },
      ],
      ['a again keeps its address', allocate(svc('a')), { addresses: ['10.0.0.0'], change: 'unchanged' }],
      [
        'after a is released, c gets its address',
        (x) => (x.release('default/a'), x.allocate(svc('c'))),
        { addresses: ['10.0.0.0'] },
      ],
    ],
  );

  scenario(
    'autoAssign pools in name order; autoAssign false only on request',
    [
      pool('b-pool', ['10.0.2.0/32']),
      pool('a-pool', ['10.0.1.0/32']),
      pool('manual', ['10.0.9.0/32'], { autoAssign: false }),
    ],
    [
      [
        'first Service takes a-pool (name order)',
        allocate(svc('s1')),
        { addresses: ['10.0.1.0'], pool: 'a-pool' },
      ],
      ['second takes b-pool', allocate(svc('s2')), { addresses: ['10.0.2.0'], pool: 'b-pool' }],
      ['third does not get the manual pool', allocate(svc('s3')), { reason: 'pool-exhausted' }],
      [
        'requesting the manual pool works',
        allocate(svc('s4', { requestedPool: 'manual' })),
        { addresses: ['10.0.9.0'], pool: 'manual' },
      ],
      [
        'requesting an unknown pool',
        allocate(svc('s5', { requestedPool: 'nope' })),
        { reason: 'pool-not-found' },
      ],
    ],
  );

  scenario(
    'only autoAssign false pools: no pool matches',
    [pool('manual', ['10.0.9.0/30'], { autoAssign: false })],
    [
      [
        'auto allocation explains the autoAssign: false pool',
        allocate(svc('a')),
        { reason: 'no-pool-matches', message: /"manual" has autoAssign: false/ },
      ],
      [
        'a requested IP of the manual pool is fine',
        allocate(svc('b', { requestedIps: ['10.0.9.2'] })),
        { addresses: ['10.0.9.2'] },
      ],
    ],
  );

  scenario(
    'avoidBuggyIPs skips .0 and .255 without scanning',
    [pool('p', ['10.0.0.254-10.0.1.1'], { avoidBuggyIPs: true })],
    [
      ['a gets .254', allocate(svc('a')), { addresses: ['10.0.0.254'] }],
      ['b skips .255 and .0', allocate(svc('b')), { addresses: ['10.0.1.1'] }],
      [
        'c: exhausted (the buggy ones do not count)',
        allocate(svc('c')),
        { reason: 'pool-exhausted', message: /2 addresses/ },
      ],
      [
        'requesting .255 is refused',
        allocate(svc('d', { requestedIps: ['10.0.0.255'] })),
        { reason: 'ip-buggy' },
      ],
    ],
  );
});

describe('serviceAllocation (pinned pools)', () => {
  const pinned = (
    name: string,
    addresses: string[],
    priority: number | undefined,
    namespaces: string[],
    extra: Partial<NonNullable<AllocatorPool['serviceAllocation']>> = {},
  ) =>
    pool(name, addresses, {
      serviceAllocation: { priority, namespaces, namespaceSelectors: [], serviceSelectors: [], ...extra },
    });
  scenario(
    'pinned pools by priority, 0 last, then the shared pools',
    [
      pool('aaa-shared', ['10.0.0.0/32']),
      pinned('z-prio-1', ['10.1.0.0/32'], 1, ['team']),
      pinned('y-prio-2', ['10.2.0.0/32'], 2, ['team']),
      pinned('x-prio-0', ['10.3.0.0/32'], 0, ['team']),
    ],
    [
      ['team gets priority 1 first', allocate(svc('team/a')), { pool: 'z-prio-1' }],
      ['then priority 2', allocate(svc('team/b')), { pool: 'y-prio-2' }],
      ['then priority 0 (unset ranks last)', allocate(svc('team/c')), { pool: 'x-prio-0' }],
      ['then a shared pool', allocate(svc('team/d')), { pool: 'aaa-shared' }],
      ['other namespaces never get pinned pools', allocate(svc('other/e')), { reason: 'pool-exhausted' }],
      [
        'other namespaces cannot request a pinned pool',
        allocate(svc('other/f', { requestedPool: 'x-prio-0' })),
        { reason: 'pool-not-allowed' },
      ],
    ],
  );

  scenario(
    'namespace selectors and service selectors',
    [
      pool('labelled', ['10.5.0.0/30'], {
        serviceAllocation: {
          priority: undefined,
          namespaces: [],
          namespaceSelectors: [{ matchLabels: { tier: 'gold' }, matchExpressions: [] }],
          serviceSelectors: [
            { matchLabels: {}, matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
          ],
        },
      }),
    ],
    [
      [
        'gold namespace and app=web match',
        allocate(svc('g/a', { namespaceLabels: { tier: 'gold' }, serviceLabels: { app: 'web' } })),
        { pool: 'labelled' },
      ],
      [
        'gold namespace but app=db does not',
        allocate(svc('g/b', { namespaceLabels: { tier: 'gold' }, serviceLabels: { app: 'db' } })),
        { reason: 'no-pool-matches', message: /reserved by serviceAllocation/ },
      ],
      [
        'app=web in a silver namespace does not',
        allocate(svc('s/c', { namespaceLabels: { tier: 'silver' }, serviceLabels: { app: 'web' } })),
        { reason: 'no-pool-matches' },
      ],
    ],
  );
});

describe('requested addresses', () => {
  scenario(
    'a requested IP must lie in a pool, and in the requested pool',
    [pool('p', ['10.0.0.0/30']), pool('q', ['10.0.1.0/30'])],
    [
      [
        'a requests 10.0.0.2',
        allocate(svc('a', { requestedIps: ['10.0.0.2'] })),
        { addresses: ['10.0.0.2'], pool: 'p' },
      ],
      [
        "b cannot take a's IP",
        allocate(svc('b', { requestedIps: ['10.0.0.2'] })),
        { reason: 'ip-in-use', conflict: 'no-sharing-key', holders: ['default/a'] },
      ],
      [
        'an IP in no pool',
        allocate(svc('c', { requestedIps: ['192.168.0.1'] })),
        { reason: 'ip-not-in-any-pool' },
      ],
      [
        'an IP outside the requested pool',
        allocate(svc('d', { requestedIps: ['10.0.1.1'], requestedPool: 'p' })),
        { reason: 'ip-not-in-requested-pool' },
      ],
      [
        'an IP inside the requested pool',
        allocate(svc('e', { requestedIps: ['10.0.1.1'], requestedPool: 'q' })),
        { addresses: ['10.0.1.1'], pool: 'q' },
      ],
      ['not an IP', allocate(svc('f', { requestedIps: ['10.0.0.300'] })), { reason: 'invalid-request' }],
      ['auto allocation skips requested ones', allocate(svc('g')), { addresses: ['10.0.0.0'] }],
      [
        'changing the request moves the Service',
        allocate(svc('a', { uid: 'uid-a', requestedIps: ['10.0.0.3'] })),
        { addresses: ['10.0.0.3'], change: 'changed' },
      ],
      ['the old address is free again', allocate(svc('h')), { addresses: ['10.0.0.1'] }],
      ['and then 10.0.0.2', allocate(svc('i')), { addresses: ['10.0.0.2'] }],
    ],
  );
});

describe('IP sharing', () => {
  const web = (name: string, ports: readonly ServicePort[], extra: Partial<AllocationRequest> = {}) =>
    svc(name, { sharingKey: 'k', ports, ...extra });
  scenario(
    'same key, other ports, same backend',
    [pool('p', ['10.0.0.0/30'])],
    [
      ['a takes the first address', allocate(web('a', [tcp(80)])), { addresses: ['10.0.0.0'] }],
      ["b shares a's IP with another port", allocate(web('b', [tcp(443)])), { addresses: ['10.0.0.0'] }],
      [
        'c shares it over UDP on the same port number',
        allocate(web('c', [udp(443)])),
        { addresses: ['10.0.0.0'] },
      ],
      [
        'd with an overlapping port gets another address',
        allocate(web('d', [tcp(80)])),
        { addresses: ['10.0.0.1'] },
      ],
      [
        "e cannot request a's IP with a used port",
        allocate(web('e', [tcp(443)], { requestedIps: ['10.0.0.0'] })),
        { reason: 'ip-in-use', conflict: 'port-conflict' },
      ],
      [
        'f with another key cannot share',
        allocate(svc('f', { sharingKey: 'other', ports: [tcp(8080)], requestedIps: ['10.0.0.0'] })),
        { reason: 'ip-in-use', conflict: 'sharing-key-mismatch' },
      ],
      [
        'g with another backend cannot share',
        allocate(
          web('g', [tcp(9090)], {
            requestedIps: ['10.0.0.0'],
            backendKey: serviceBackendKey('Local', { app: 'x' }),
          }),
        ),
        { reason: 'ip-in-use', conflict: 'backend-mismatch' },
      ],
      [
        'h without a key cannot share',
        allocate(svc('h', { ports: [tcp(7070)], requestedIps: ['10.0.0.0'] })),
        { reason: 'ip-in-use', conflict: 'no-sharing-key', holders: ['default/a', 'default/b', 'default/c'] },
      ],
      [
        'releasing a keeps the IP with b and c',
        (x) => (x.release('default/a'), x.allocate(svc('i'))),
        { addresses: ['10.0.0.2'] },
      ],
    ],
  );

  test('a Service never shares an address its pool now avoids (.0 kept stale)', () => {
    const a = new Allocator([pool('p', ['10.0.0.0/31'])]);
    check('a takes .0', a.allocate(svc('a', { sharingKey: 'k', ports: [tcp(1)] })), {
      addresses: ['10.0.0.0'],
    });
    a.setPools([pool('p', ['10.0.0.0/31'], { avoidBuggyIPs: true })], { policy: 'keep' });
    assert.equal(a.get('default/a')?.stale?.reason, 'ip-buggy');
    check(
      'b with the same key takes .1, not .0',
      a.allocate(svc('b', { sharingKey: 'k', ports: [tcp(2)] })),
      {
        addresses: ['10.0.0.1'],
      },
    );
  });

  test('the shared address is freed when its last holder leaves', () => {
    const a = new Allocator([pool('p', ['10.0.0.0/31'])]);
    a.allocate(svc('a', { sharingKey: 'k', ports: [tcp(1)] }));
    a.allocate(svc('b', { sharingKey: 'k', ports: [tcp(2)] }));
    assert.deepEqual(a.holdersOf('10.0.0.0'), ['default/a', 'default/b']);
    assert.equal(a.statsFor('p')?.ipv4.used, 1n);
    a.release('default/a');
    a.release('default/b');
    assert.equal(a.statsFor('p')?.ipv4.used, 0n);
    check('next gets .0', a.allocate(svc('c')), { addresses: ['10.0.0.0'] });
  });
});

describe('dual-stack', () => {
  scenario(
    'both families from one pool',
    [
      pool('a-v4only', ['10.0.0.0/32']),
      pool('b-dual', ['10.1.0.0/31', 'fd00::/127']),
      pool('c-v6only', ['fd01::/128']),
    ],
    [
      [
        'RequireDualStack skips the IPv4-only pool',
        allocate(svc('a', { ipFamilies: ['ipv4', 'ipv6'], ipFamilyPolicy: 'RequireDualStack' })),
        { addresses: ['10.1.0.0', 'fd00::'], pool: 'b-dual' },
      ],
      [
        'IPv6 primary lists IPv6 first',
        allocate(svc('b', { ipFamilies: ['ipv6', 'ipv4'], ipFamilyPolicy: 'RequireDualStack' })),
        { addresses: ['fd00::1', '10.1.0.1'] },
      ],
      [
        'RequireDualStack with the dual pool full',
        allocate(svc('c', { ipFamilies: ['ipv4', 'ipv6'], ipFamilyPolicy: 'RequireDualStack' })),
        { reason: 'pool-exhausted' },
      ],
      [
        'PreferDualStack falls back to the primary family',
        allocate(svc('d', { ipFamilies: ['ipv4', 'ipv6'], ipFamilyPolicy: 'PreferDualStack' })),
        { addresses: ['10.0.0.0'], pool: 'a-v4only' },
      ],
      [
        'PreferDualStack then to the secondary family',
        allocate(svc('e', { ipFamilies: ['ipv4', 'ipv6'], ipFamilyPolicy: 'PreferDualStack' })),
        { addresses: ['fd01::'], pool: 'c-v6only' },
      ],
      ['SingleStack IPv6', allocate(svc('f', { ipFamilies: ['ipv6'] })), { reason: 'pool-exhausted' }],
      [
        'requested IPs of two pools',
        allocate(
          svc('g', {
            ipFamilies: ['ipv4', 'ipv6'],
            ipFamilyPolicy: 'RequireDualStack',
            requestedIps: ['10.0.0.0', 'fd01::'],
          }),
        ),
        { reason: 'ips-in-different-pools' },
      ],
      [
        'RequireDualStack with one requested IP',
        allocate(
          svc('h', {
            ipFamilies: ['ipv4', 'ipv6'],
            ipFamilyPolicy: 'RequireDualStack',
            requestedIps: ['10.1.0.0'],
          }),
        ),
        { reason: 'family-mismatch' },
      ],
      [
        'an IPv6 address for an IPv4 Service',
        allocate(svc('i', { ipFamilies: ['ipv4'], requestedIps: ['fd01::'] })),
        { reason: 'family-mismatch' },
      ],
    ],
  );

  test('PreferDualStack gets its missing family once the pool has one, keeping its first address', () => {
    const a = new Allocator([pool('d', ['10.0.0.0/32', 'fd00::/128'])]);
    check('x takes the IPv6 address alone', a.allocate(svc('x', { ipFamilies: ['ipv6'] })), {
      addresses: ['fd00::'],
    });
    const b = svc('b', { ipFamilies: ['ipv4', 'ipv6'], ipFamilyPolicy: 'PreferDualStack' });
    check('b gets IPv4 only', a.allocate(b), { addresses: ['10.0.0.0'] });
    a.release('default/x');
    check('b completed with IPv6', a.allocate(b), { addresses: ['10.0.0.0', 'fd00::'], change: 'changed' });
    check('then stable', a.allocate(b), { addresses: ['10.0.0.0', 'fd00::'], change: 'unchanged' });
  });

  scenario(
    'no pool of the family',
    [pool('v4', ['10.0.0.0/30'])],
    [['IPv6 Service', allocate(svc('a', { ipFamilies: ['ipv6'] })), { reason: 'family-unavailable' }]],
  );
});

describe('setPools', () => {
  test('shrinking a pool returns exactly the Services that lose their address, and reassigns them', () => {
    const a = new Allocator([pool('p', ['10.0.0.0/29'])]);
    for (const name of ['a', 'b', 'c', 'd']) a.allocate(svc(name));
    const result = a.setPools([pool('p', ['10.0.0.0/31', '10.0.0.4/30'])]);
    assert.deepEqual(
      result.invalidated.map((i) => [i.service, i.failure.reason]),
      [
        ['default/c', 'ip-not-in-any-pool'],
        ['default/d', 'ip-not-in-any-pool'],
      ],
    );
    assert.deepEqual(
      result.allocations.map((r) => [
        r.service,
        r.ok ? r.assignment.addresses[0] : r.failure.reason,
        r.ok ? r.change : '',
      ]),
      [
        ['default/c', '10.0.0.4', 'changed'],
        ['default/d', '10.0.0.5', 'changed'],
      ],
    );
    assert.deepEqual(a.get('default/a')?.addresses, ['10.0.0.0']);
    assert.deepEqual(a.get('default/b')?.addresses, ['10.0.0.1']);
    assertConsistent(a);
  });

  test('keep marks stale, nothing moves, and the address stays reserved', () => {
    const a = new Allocator([pool('p', ['10.0.0.0/30'], { autoAssign: true })]);
    a.allocate(svc('a'));
    const result = a.setPools([pool('p', ['10.0.0.0/30'], { autoAssign: false })], { policy: 'keep' });
    assert.deepEqual(
      result.invalidated.map((i) => [i.service, i.failure.reason]),
      [['default/a', 'auto-assign-disabled']],
    );
    assert.equal(result.allocations.length, 0);
    assert.equal(a.get('default/a')?.stale?.reason, 'auto-assign-disabled');
    assert.deepEqual(a.get('default/a')?.addresses, ['10.0.0.0']);
    check('b requesting the stale address is refused', a.allocate(svc('b', { requestedIps: ['10.0.0.0'] })), {
      reason: 'ip-in-use',
    });
    check(
      'a unchanged stays stale',
      a.allocate(svc('a', { uid: 'uid-a', creationTimestamp: '2026-01-01T00:00:00.000Z' })),
      { addresses: ['10.0.0.0'] },
    );
    assertConsistent(a);
  });

  test('selectors no longer matching, a renamed pool, and pending Services retried', () => {
    const team = (name: string) => svc(`team/${name}`);
    const a = new Allocator([pool('old', ['10.0.0.0/30'])]);
    a.allocate(team('a'));
    a.allocate(svc('other/x', { ipFamilies: ['ipv6'] }));
    assert.equal(a.pendingServices()[0]?.failure.reason, 'family-unavailable');
    const result = a.setPools([
      pool('new', ['10.0.0.0/30', 'fd00::/126'], {
        serviceAllocation: {
          priority: 1,
          namespaces: ['team'],
          namespaceSelectors: [],
          serviceSelectors: [],
        },
      }),
    ]);
    assert.deepEqual(result.repooled, [{ service: 'team/a', from: 'old', to: 'new' }]);
    assert.equal(result.invalidated.length, 0);
    assert.deepEqual(
      result.allocations.map((r) => [r.service, r.ok ? 'ok' : r.failure.reason]),
      [['other/x', 'no-pool-matches']],
    );
    const moved = a.setPools([
      pool('new', ['10.0.0.0/30'], {
        serviceAllocation: {
          priority: 1,
          namespaces: ['elsewhere'],
          namespaceSelectors: [],
          serviceSelectors: [],
        },
      }),
    ]);
    assert.deepEqual(
      moved.invalidated.map((i) => [i.service, i.failure.reason]),
      [['team/a', 'pool-not-allowed']],
    );
  });
});

describe('restore', () => {
  test('the oldest Service keeps a contested address; the other moves; every conflict is reported', () => {
    const a = new Allocator([pool('p', ['10.0.0.0/30'])]);
    const older = svc('older', { creationTimestamp: '2025-01-01T00:00:00Z' });
    const newer = svc('newer', { creationTimestamp: '2025-06-01T00:00:00Z' });
    const outside = svc('outside', { creationTimestamp: '2025-07-01T00:00:00Z' });
    const fresh = svc('fresh', { creationTimestamp: '2025-08-01T00:00:00Z' });
    const result = a.restore([
      { request: newer, ips: ['10.0.0.1'] },
      { request: fresh, ips: [] },
      { request: outside, ips: ['192.168.1.1'] },
      { request: older, ips: ['10.0.0.1'] },
    ]);
    assert.deepEqual(
      result.restored.map((r) => [r.service, r.addresses[0]]),
      [['default/older', '10.0.0.1']],
    );
    assert.deepEqual(
      result.conflicts.map((c) => [c.service, c.failure.reason, c.contested]),
      [
        ['default/newer', 'ip-in-use', true],
        ['default/outside', 'ip-not-in-any-pool', false],
      ],
    );
    assert.deepEqual(
      result.allocations.map((r) => [r.service, r.ok ? r.assignment.addresses[0] : r.failure.reason]),
      [
        ['default/newer', '10.0.0.0'],
        ['default/outside', '10.0.0.2'],
        ['default/fresh', '10.0.0.3'],
      ],
    );
    assertConsistent(a);
  });

  test('restore in any order gives the same state', () => {
    const pools = [pool('p', ['10.0.0.0/28'])];
    const entries = ['a', 'b', 'c', 'd', 'e'].map((name, i) => ({
      request: svc(name, { creationTimestamp: `2025-01-0${i + 1}T00:00:00Z` }),
      ips: [`10.0.0.${(i * 3) % 7}`],
    }));
    const one = new Allocator(pools);
    one.restore(entries);
    const two = new Allocator(pools);
    two.restore([...entries].reverse());
    assert.deepEqual(JSON.stringify(one.assignments()), JSON.stringify(two.assignments()));
  });
});

describe('assign, release, pending, stats', () => {
  test('assign gives exactly the recorded addresses or keeps what the Service had', () => {
    const a = new Allocator([pool('p', ['10.0.0.0/30'])]);
    check('assign .2', a.assign(svc('a'), ['10.0.0.2']), { addresses: ['10.0.0.2'], change: 'assigned' });
    check("b cannot be assigned a's address", a.assign(svc('b'), ['10.0.0.2']), {
      reason: 'ip-in-use',
      holders: ['default/a'],
    });
    assert.equal(a.get('default/b'), undefined);
    check('assign a to .3', a.assign(svc('a', { uid: 'uid-a' }), ['10.0.0.3']), {
      addresses: ['10.0.0.3'],
      change: 'changed',
    });
    check('a failed assign keeps .3', a.assign(svc('a', { uid: 'uid-a' }), ['10.9.9.9']), {
      reason: 'ip-not-in-any-pool',
    });
    assert.deepEqual(a.get('default/a')?.addresses, ['10.0.0.3']);
    assert.deepEqual(a.holdersOf('10.0.0.3'), ['default/a']);
  });

  test('an invalid request releases the address and the Service waits, with the reason', () => {
    const a = new Allocator([pool('p', ['10.0.0.0/30'])]);
    a.allocate(svc('a'));
    const result = a.allocate(svc('a', { uid: 'uid-a', requestedIps: ['10.0.0.1', '10.0.0.2'] }));
    check('two IPv4 addresses', result, { reason: 'invalid-request', message: /one per family/ });
    assert.deepEqual(result.ok ? undefined : result.previous?.addresses, ['10.0.0.0']);
    assert.deepEqual(
      a.pendingServices().map((p) => [p.service, p.failure.reason]),
      [['default/a', 'invalid-request']],
    );
    assert.equal(a.release('default/a'), undefined);
    assert.deepEqual(a.pendingServices(), []);
  });

  test('stats per family exclude avoided addresses and follow allocations', () => {
    const a = new Allocator([pool('p', ['10.0.0.0/24', 'fd00::/120'], { avoidBuggyIPs: true })]);
    a.allocate(svc('a', { ipFamilies: ['ipv4', 'ipv6'], ipFamilyPolicy: 'RequireDualStack' }));
    assert.deepEqual(a.statsFor('p'), {
      pool: 'p',
      ipv4: { total: 254n, used: 1n, free: 253n },
      ipv6: { total: 256n, used: 1n, free: 255n },
    });
    assert.deepEqual(a.get('default/a')?.addresses, ['10.0.0.1', 'fd00::']);
  });

  test('restore with policy keep keeps an address the config no longer allows, marked stale', () => {
    const a = new Allocator([pool('p', ['10.0.0.0/30'], { autoAssign: false })]);
    const result = a.restore([{ request: svc('a'), ips: ['10.0.0.1'] }], { policy: 'keep' });
    assert.deepEqual(
      result.conflicts.map((c) => [c.service, c.failure.reason, c.contested]),
      [['default/a', 'auto-assign-disabled', false]],
    );
    assert.equal(result.allocations.length, 0);
    assert.equal(a.get('default/a')?.stale?.reason, 'auto-assign-disabled');
    assert.equal(a.statsFor('p')?.ipv4.used, 1n);
  });

  test("a stale Service whose request changes is moved (the change is its owner's)", () => {
    const a = new Allocator([pool('p', ['10.0.0.0/30']), pool('q', ['10.0.1.0/30'])]);
    a.allocate(svc('a'));
    a.setPools([pool('p', ['10.0.0.0/30'], { autoAssign: false }), pool('q', ['10.0.1.0/30'])], {
      policy: 'keep',
    });
    check('new request moves it', a.allocate(svc('a', { uid: 'uid-a', ports: [tcp(80)] })), {
      addresses: ['10.0.1.0'],
      change: 'changed',
    });
    assert.equal(a.get('default/a')?.stale, undefined);
  });

  test('dual-stack Services share both addresses', () => {
    const a = new Allocator([pool('d', ['10.0.0.0/31', 'fd00::/127'])]);
    const dual = {
      ipFamilies: ['ipv4', 'ipv6'] as const,
      ipFamilyPolicy: 'RequireDualStack' as const,
      sharingKey: 'k',
    };
    check('a', a.allocate(svc('a', { ...dual, ipFamilies: ['ipv4', 'ipv6'], ports: [tcp(80)] })), {
      addresses: ['10.0.0.0', 'fd00::'],
    });
    check(
      'b shares both',
      a.allocate(svc('b', { ...dual, ipFamilies: ['ipv4', 'ipv6'], ports: [tcp(443)] })),
      { addresses: ['10.0.0.0', 'fd00::'] },
    );
    check(
      'c conflicts on a port, takes the next pair',
      a.allocate(svc('c', { ...dual, ipFamilies: ['ipv4', 'ipv6'], ports: [tcp(443)] })),
      { addresses: ['10.0.0.1', 'fd00::1'] },
    );
  });
});

describe('messages', () => {
  test('condition reasons are CamelCase', () => {
    assert.equal(failureConditionReason({ reason: 'pool-exhausted', pools: [] }), 'PoolExhausted');
  });
});
