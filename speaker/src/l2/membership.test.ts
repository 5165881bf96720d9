import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { leaderFor } from './leader.js';
import {
  DEFAULT_MEMBERSHIP_TIMINGS,
  Membership,
  type MembershipEffect,
  type SwimMessage,
} from './membership.js';

/** Small deterministic PRNG (mulberry32) so that every run of a scenario is the same. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface NetworkOptions {
  readonly nodes: number;
  readonly seed: number;
  readonly loss?: number;
  readonly delayMs?: readonly [number, number];
}

/** A fake network on a fake clock: datagrams are lost, delayed and partitioned; time advances in 1 ms steps. */
class Simulation {
  now = 0;
  readonly nodes = new Map<string, Membership>();
  readonly down = new Set<string>();
  partition: ReadonlyArray<ReadonlySet<string>> | undefined;
  refutations = 0;
  readonly events: Array<{ at: number; observer: string } & Extract<MembershipEffect, { type: 'member' }>> =
    [];
  private readonly inFlight: Array<{ at: number; to: string; from: string; message: SwimMessage }> = [];
  private readonly random: () => number;

  constructor(readonly options: NetworkOptions) {
    this.random = prng(options.seed);
    const names = Array.from({ length: options.nodes }, (_, i) => `node${i + 1}`);
    for (const name of names) {
      const node = new Membership(
        { self: { name, address: name }, random: prng(options.seed * 31 + name.length + this.nodes.size) },
        0,
      );
      node.join(names.map((peer) => ({ name: peer, address: peer })));
      this.nodes.set(name, node);
    }
  }

  private reachable(a: string, b: string): boolean {
    if (this.partition === undefined) return true;
    return this.partition.some((side) => side.has(a) && side.has(b));
  }

  private handle(observer: string, effects: MembershipEffect[]): void {
    const [minDelay, maxDelay] = this.options.delayMs ?? [0.2, 2];
    for (const effect of effects) {
      if (effect.type === 'member') {
        this.events.push({ at: this.now, observer, ...effect });
        continue;
      }
      if (effect.type === 'refuted') {
        this.refutations += 1;
        continue;
      }
      if (this.random() < (this.options.loss ?? 0)) continue;
      this.inFlight.push({
        at: this.now + minDelay + this.random() * (maxDelay - minDelay),
        to: effect.to,
        from: observer,
        message: effect.message,
      });
    }
  }

  run(untilMs: number): void {
    for (; this.now <= untilMs; this.now += 1) {
      const due = this.inFlight.filter((d) => d.at <= this.now);
      for (const delivery of due) this.inFlight.splice(this.inFlight.indexOf(delivery), 1);
      for (const delivery of due) {
        const node = this.nodes.get(delivery.to);
        if (
          node === undefined ||
          this.down.has(delivery.to) ||
          this.down.has(delivery.from) ||
          !this.reachable(delivery.from, delivery.to)
        )
          continue;
        this.handle(delivery.to, node.receive(this.now, delivery.message));
      }
      for (const [name, node] of this.nodes) {
        if (!this.down.has(name) && node.nextDeadline() <= this.now) this.handle(name, node.tick(this.now));
      }
    }
  }

  /** When every running node other than `name` holds it dead (undefined if some never did). */
  deadEverywhereAt(name: string, after: number): number | undefined {
    let latest = 0;
    for (const observer of this.nodes.keys()) {
      if (observer === name || this.down.has(observer)) continue;
      const event = this.events.find(
        (e) => e.observer === observer && e.name === name && e.state === 'dead' && e.at >= after,
      );
      if (event === undefined) return undefined;
      latest = Math.max(latest, event.at);
    }
    return latest;
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

describe('SWIM membership (fake clock, fake network)', () => {
  test('a healthy cluster without loss never suspects anyone', () => {
    const sim = new Simulation({ nodes: 5, seed: 1 });
    sim.run(20_000);
    assert.deepEqual(
      sim.events.filter((e) => e.state !== 'alive'),
      [],
    );
    for (const node of sim.nodes.values()) assert.equal(node.liveMembers().length, 5);
  });

  test('a dead member is declared dead by all others within 600 ms (p50 < 450 ms) over 40 trials', () => {
    const times: number[] = [];
    for (let seed = 1; seed <= 40; seed += 1) {
      const sim = new Simulation({ nodes: 3 + (seed % 4), seed });
      sim.run(2_000 + seed * 7);
      const killedAt = sim.now;
      sim.down.add('node2');
      sim.run(killedAt + 2_000);
      const at = sim.deadEverywhereAt('node2', killedAt);
      assert.ok(at !== undefined, `seed ${seed}: node2 never declared dead everywhere`);
      times.push(at - killedAt);
    }
    assert.ok(Math.max(...times) < 600, `worst detection ${Math.max(...times)} ms`);
    assert.ok(percentile(times, 50) < 450, `p50 ${percentile(times, 50)} ms`);
  });

  test('10% loss over 60 s (600 probe rounds per node): no live member is ever declared dead', () => {
    for (const seed of [11, 12, 13, 14, 15, 16]) {
      const sim = new Simulation({ nodes: 5, seed, loss: 0.1, delayMs: [0.2, 5] });
      sim.run(60_000);
      const falseDeaths = sim.events.filter((e) => e.state === 'dead');
      assert.deepEqual(falseDeaths, [], `seed ${seed}`);
      for (const node of sim.nodes.values()) assert.equal(node.liveMembers().length, 5);
    }
  });

  test('with 10% loss a real failure is still detected in under a second', () => {
    const sim = new Simulation({ nodes: 5, seed: 21, loss: 0.1 });
    sim.run(3_000);
    sim.down.add('node4');
    sim.run(6_000);
    const at = sim.deadEverywhereAt('node4', 3_000);
    assert.ok(
      at !== undefined && at - 3_000 < 1_000,
      `detected after ${at === undefined ? 'never' : at - 3_000} ms`,
    );
  });

  test('a partition: each side declares the other dead; after healing all are alive and agree on leaders', () => {
    const sim = new Simulation({ nodes: 5, seed: 5 });
    sim.run(1_000);
    sim.partition = [new Set(['node1', 'node2']), new Set(['node3', 'node4', 'node5'])];
    sim.run(3_000);
    assert.deepEqual(sim.nodes.get('node1')?.liveMembers(), ['node1', 'node2']);
    assert.deepEqual(sim.nodes.get('node5')?.liveMembers(), ['node3', 'node4', 'node5']);
    sim.partition = undefined;
    sim.run(7_000);
    for (const node of sim.nodes.values()) assert.equal(node.liveMembers().length, 5);
    const ip = '10.0.0.50';
    const leaders = new Set([...sim.nodes.values()].map((node) => leaderFor(ip, node.liveMembers())));
    assert.equal(leaders.size, 1);
  });

  test('a restarted member (incarnation 0 again) is accepted back after refuting its death', () => {
    const sim = new Simulation({ nodes: 3, seed: 9 });
    sim.run(1_000);
    sim.down.add('node3');
    sim.run(2_000);
    assert.equal(sim.nodes.get('node1')?.stateOf('node3'), 'dead');
    const fresh = new Membership({ self: { name: 'node3', address: 'node3' }, random: prng(99) }, sim.now);
    fresh.join(['node1', 'node2', 'node3'].map((name) => ({ name, address: name })));
    sim.nodes.set('node3', fresh);
    sim.down.delete('node3');
    sim.run(3_000);
    assert.equal(sim.nodes.get('node1')?.stateOf('node3'), 'alive');
    assert.ok((sim.nodes.get('node1')?.incarnationOf('node3') ?? 0) >= 1);
  });

  test('property: after random crashes and a partition heal, every live speaker sees the same members, so exactly one owns each IP', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 6 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 2 }),
        fc.boolean(),
        (size, seed, crashes, partitioned) => {
          const sim = new Simulation({ nodes: size, seed, loss: 0.05 });
          sim.run(500);
          for (const index of crashes)
            if (index <= size && sim.down.size < size - 1) sim.down.add(`node${index}`);
          if (partitioned)
            sim.partition = [new Set(['node1']), new Set([...sim.nodes.keys()].filter((n) => n !== 'node1'))];
          sim.run(2_500);
          sim.partition = undefined;
          sim.run(6_000);
          const live = [...sim.nodes.entries()].filter(([name]) => !sim.down.has(name));
          const views = new Set(live.map(([, node]) => node.liveMembers().join(',')));
          assert.equal(views.size, 1, [...views].join(' | '));
          for (const ip of ['10.0.0.1', '10.0.0.2', 'fd00::1']) {
            const owners = live.filter(([name, node]) => leaderFor(ip, node.liveMembers()) === name);
            assert.equal(owners.length, 1);
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  test('defaults are the LAN timings from the issue', () => {
    assert.equal(DEFAULT_MEMBERSHIP_TIMINGS.probeIntervalMs, 100);
    assert.equal(DEFAULT_MEMBERSHIP_TIMINGS.probeTimeoutMs, 50);
    assert.equal(DEFAULT_MEMBERSHIP_TIMINGS.suspicionTimeoutMs, 200);
  });
});
