import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Allocator } from '../allocator/index.js';
import { pool } from '../allocator/test-helpers.js';
import {
  ALLOCATED_CONDITION,
  decideService,
  type ServiceDecision,
  type ServiceOutcome,
} from './service-decision.js';
import { ALLOCATED_FROM_POOL_ANNOTATION, serviceIntent } from './service-intent.js';
import type { ServiceObject } from '@lbops/kube';

/** RFC 7386 merge patch, enough for these tests. */
function merge(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}

function apply(service: ServiceObject, decision: ServiceDecision): ServiceObject {
  let next: unknown = service;
  if (decision.patches.metadata !== undefined) next = merge(next, decision.patches.metadata);
  if (decision.patches.status !== undefined) next = merge(next, decision.patches.status);
  return next as ServiceObject;
}

const now = new Date('2026-11-26T10:00:00Z');

function svc(
  name: string,
  spec: Record<string, unknown> = {},
  annotations: Record<string, string> = {},
): ServiceObject {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: '2026-01-01T00:00:00Z',
      generation: 1,
      annotations,
    },
    spec: { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 80 }], ...spec },
  };
}

function run(allocator: Allocator, service: ServiceObject, cleared?: string): ServiceDecision {
  const intent = serviceIntent(service, {}, {});
  const outcome: ServiceOutcome =
    intent.kind === 'ignore'
      ? intent
      : intent.kind === 'invalid'
        ? { kind: 'invalid', message: intent.message }
        : { kind: 'allocated', result: allocator.allocate(intent.request) };
  if (intent.kind === 'ignore') allocator.release(`${service.metadata?.namespace}/${service.metadata?.name}`);
  return decideService(service, outcome, {
    now,
    cleared,
    deprecated: intent.kind === 'ignore' ? [] : intent.deprecated,
  });
}

const reasons = (d: ServiceDecision): string[] => d.events.map((e) => e.reason);
const ingressOf = (s: ServiceObject): string[] =>
  (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
const conditionOf = (s: ServiceObject) => s.status?.conditions?.find((c) => c.type === ALLOCATED_CONDITION);

describe('decideService, in sequence', () => {
  it('a gets the first address, status, annotation, condition and one IPAllocated Event', () => {
    const allocator = new Allocator([pool('p', ['10.0.0.0/30'])]);
    let a = svc('a');
    const first = run(allocator, a);
    assert.deepEqual(reasons(first), ['IPAllocated']);
    assert.equal(first.events[0]?.message, 'Assigned IP ["10.0.0.0"] from pool "p"');
    a = apply(a, first);
    assert.deepEqual(ingressOf(a), ['10.0.0.0']);
    assert.equal(a.metadata?.annotations?.[ALLOCATED_FROM_POOL_ANNOTATION], 'p');
    assert.equal(conditionOf(a)?.status, 'True');
    assert.equal(conditionOf(a)?.reason, 'IPAllocated');

    // The same state again: nothing to patch, no Event (a resync is silent).
    const again = run(allocator, a);
    assert.deepEqual(again.patches, {});
    assert.deepEqual(again.events, []);
  });

  it("b cannot take a's requested IP: pending with the reason in the condition and an AllocationFailed Event", () => {
    const allocator = new Allocator([pool('p', ['10.0.0.0/30'])]);
    const a = apply(svc('a'), run(allocator, svc('a')));
    assert.deepEqual(ingressOf(a), ['10.0.0.0']);
    let b = svc('b', {}, { 'metallb.io/loadBalancerIPs': '10.0.0.0' });
    const decision = run(allocator, b);
    assert.deepEqual(reasons(decision), ['AllocationFailed']);
    assert.equal(decision.pendingReason, 'IPInUse');
    b = apply(b, decision);
    assert.deepEqual(ingressOf(b), []);
    assert.equal(conditionOf(b)?.status, 'False');
    assert.equal(conditionOf(b)?.reason, 'IPInUse');
    assert.match(conditionOf(b)?.message ?? '', /default\/a/);
    // Reconciling the same pending Service again does not repeat the Event.
    assert.deepEqual(run(allocator, b).events, []);
  });

  it('an exhausted pool says PoolExhausted, naming the pool and its size', () => {
    const allocator = new Allocator([pool('tiny', ['10.0.0.0/32'])]);
    apply(svc('a'), run(allocator, svc('a')));
    const decision = run(allocator, svc('b'));
    assert.equal(decision.pendingReason, 'PoolExhausted');
    const b = apply(svc('b'), decision);
    assert.match(conditionOf(b)?.message ?? '', /"tiny" \(ipv4, 1 addresses\)/);
  });

  it('sharing: same key, other port, shares; same port is refused', () => {
    const allocator = new Allocator([pool('p', ['10.0.0.0/30'])]);
    const share = { 'metallb.io/allow-shared-ip': 'k', 'metallb.io/loadBalancerIPs': '10.0.0.1' };
    const a = apply(svc('a', {}, share), run(allocator, svc('a', {}, share)));
    const b = apply(
      svc('b', { ports: [{ protocol: 'TCP', port: 443 }] }, share),
      run(allocator, svc('b', { ports: [{ protocol: 'TCP', port: 443 }] }, share)),
    );
    assert.deepEqual(ingressOf(a), ['10.0.0.1']);
    assert.deepEqual(ingressOf(b), ['10.0.0.1']);
    const c = run(allocator, svc('c', {}, share));
    assert.equal(c.pendingReason, 'IPInUse');
  });

  it('a pool change moves a Service with ClearAssignment then IPAllocated', () => {
    const allocator = new Allocator([pool('old', ['10.0.0.0/30'])]);
    let a = apply(svc('a'), run(allocator, svc('a')));
    const change = allocator.setPools([pool('new', ['10.1.0.0/30'])]);
    assert.equal(change.invalidated.length, 1);
    const decision = run(allocator, a, change.invalidated[0]?.message);
    assert.deepEqual(reasons(decision), ['ClearAssignment', 'IPAllocated']);
    assert.match(decision.events[0]?.message ?? '', /10\.0\.0\.0.*not allowed any more/);
    a = apply(a, decision);
    assert.deepEqual(ingressOf(a), ['10.1.0.0']);
    assert.equal(a.metadata?.annotations?.[ALLOCATED_FROM_POOL_ANNOTATION], 'new');
    // The condition stayed True: its transition time is kept.
    assert.equal(conditionOf(a)?.lastTransitionTime, now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  });

  it('a pool removed with no replacement clears the address with ClearAssignment and AllocationFailed', () => {
    const allocator = new Allocator([pool('old', ['10.0.0.0/30'])]);
    let a = apply(svc('a'), run(allocator, svc('a')));
    allocator.setPools([]);
    const decision = run(allocator, a, 'pool "old" was removed');
    assert.deepEqual(reasons(decision), ['ClearAssignment', 'AllocationFailed']);
    a = apply(a, decision);
    assert.deepEqual(ingressOf(a), []);
    assert.equal(a.metadata?.annotations?.[ALLOCATED_FROM_POOL_ANNOTATION], undefined);
  });

  it('a Service that stops being LoadBalancer loses its address, annotation and condition silently', () => {
    const allocator = new Allocator([pool('p', ['10.0.0.0/30'])]);
    let a = apply(svc('a'), run(allocator, svc('a')));
    a = { ...a, spec: { ...a.spec, type: 'ClusterIP' } };
    const decision = run(allocator, a);
    assert.deepEqual(decision.events, []);
    a = apply(a, decision);
    assert.deepEqual(ingressOf(a), []);
    assert.equal(conditionOf(a), undefined);
    assert.equal(a.metadata?.annotations?.[ALLOCATED_FROM_POOL_ANNOTATION], undefined);
    assert.deepEqual(allocator.assignments(), []);
  });

  it("another controller's Service keeps the ingress that controller wrote", () => {
    const allocator = new Allocator([pool('p', ['10.0.0.0/30'])]);
    const other: ServiceObject = {
      ...svc('x', { loadBalancerClass: 'other.io/lb' }),
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    };
    const decision = run(allocator, other);
    assert.deepEqual(decision.patches, {});
  });

  it('an invalid Service gets LoadBalancerFailed and a False condition', () => {
    const allocator = new Allocator([pool('p', ['10.0.0.0/30'])]);
    const bad = svc('bad', { loadBalancerIP: '10.0.0.1' }, { 'metallb.io/loadBalancerIPs': '10.0.0.2' });
    const decision = run(allocator, bad);
    assert.deepEqual(reasons(decision), ['LoadBalancerFailed']);
    const after = apply(bad, decision);
    assert.equal(conditionOf(after)?.reason, 'InvalidService');
    assert.deepEqual(run(allocator, after).events, []);
  });

  it('deprecated annotations produce a deprecatedAnnotation Warning', () => {
    const allocator = new Allocator([pool('p', ['10.0.0.0/30'])]);
    const decision = run(allocator, svc('a', {}, { 'metallb.universe.tf/address-pool': 'p' }));
    assert.deepEqual(reasons(decision), ['deprecatedAnnotation', 'IPAllocated']);
    assert.equal(decision.events[0]?.type, 'Warning');
    assert.match(decision.events[0]?.message ?? '', /use metallb\.io\/address-pool/);
  });

  it('dual-stack: one address per family, primary first', () => {
    const allocator = new Allocator([pool('ds', ['10.0.0.0/30', 'fd00::/126'])]);
    const spec = { ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack' };
    const a = apply(svc('a', spec), run(allocator, svc('a', spec)));
    assert.deepEqual(ingressOf(a), ['fd00::', '10.0.0.0']);
  });
});
