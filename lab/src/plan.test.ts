import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ownedNamePattern, planLab, preferredSlot, randomRunId, slotCount } from './plan.js';

test('every name is lab-owned and at most 15 bytes where Linux limits it', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z0-9]{5}$/),
      fc.integer({ min: 0, max: slotCount - 1 }),
      fc.integer({ min: 1, max: 64 }),
      (runId, slot, count) => {
        const plan = planLab(runId, slot, count);
        const namespaces = [
          plan.lan.ns,
          plan.router.ns,
          plan.frr.ns,
          plan.gobgp.ns,
          plan.client.ns,
          plan.external.ns,
          ...plan.nodes.map((node) => node.ns),
        ];
        for (const name of [...namespaces, ...plan.nodes.map((node) => node.mgmt.hostIfname)]) {
          assert.match(name, ownedNamePattern);
          assert.equal(ownedNamePattern.exec(name)?.[1], runId);
        }
        for (const node of plan.nodes) assert.ok(node.mgmt.hostIfname.length <= 15, node.mgmt.hostIfname);
        assert.equal(new Set(namespaces).size, namespaces.length);
      },
    ),
  );
});

test('addresses are unique within a run and management addresses differ between slots', () => {
  const a = planLab('aaaaa', 0, 64);
  const b = planLab('bbbbb', 1, 64);
  const hosts = [a.router, a.frr, a.gobgp, a.client, a.external, ...a.nodes];
  const v4 = hosts.map((host) => host.ipv4);
  const v6 = hosts.map((host) => host.ipv6);
  assert.equal(new Set(v4).size, v4.length);
  assert.equal(new Set(v6).size, v6.length);
  const rootSide = (plan: typeof a): string[] =>
    plan.nodes.flatMap((node) => [node.mgmt.hostIpv4, node.mgmt.hostIpv6]);
  const shared = rootSide(a).filter((address) => rootSide(b).includes(address));
  assert.deepEqual(shared, []);
  assert.equal(a.nodes[0]?.ipv4, '198.18.0.11');
  assert.equal(b.lan.ipv4Prefix, '198.18.4.0/24');
  assert.equal(planLab('ccccc', 127, 1).servicePrefix.ipv4, '198.19.255.0/24');
});

test('run ids match the pattern and map to a slot in range', () => {
  for (let i = 0; i < 100; i += 1) {
    const id = randomRunId();
    assert.match(id, /^[a-z0-9]{5}$/);
    const slot = preferredSlot(id);
    assert.ok(slot >= 0 && slot < slotCount);
  }
  assert.throws(() => planLab('UPPER', 0, 1), /run id/);
  assert.throws(() => planLab('aaaaa', 0, 0), /node count/);
});
