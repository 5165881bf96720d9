// Bench suite `allocator` (npm run bench -- allocator): lbops' allocator against a MetalLB-style first-fit scan,
// a million IPv6 allocations, and churn in a nearly full pool.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Allocator } from '../allocator/allocator.js';
import { pool } from '../allocator/test-helpers.js';
import type { IpFamily } from '@lbops/schemas/address';
import type { AllocationRequest, AllocatorPool } from '../allocator/types.js';

interface Row {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target?: string;
  met?: boolean;
}

/** A forced collection, so heap figures count retained memory only. */
function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const CREATED = '2026-01-01T00:00:00Z';
const IPV6: readonly IpFamily[] = ['ipv6'];

function request(namespace: string, index: number): AllocationRequest {
  return { namespace, name: `s${index}`, uid: `u${index}`, creationTimestamp: CREATED };
}

/** Fills a pool with one Service per address; returns seconds. */
function fillWithLbops(pools: readonly AllocatorPool[], count: number): number {
  const allocator = new Allocator(pools);
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const result = allocator.allocate(request('default', i));
    if (!result.ok) throw new Error(`bench: allocation ${i} failed: ${result.message}`);
  }
  return (performance.now() - started) / 1000;
}

/**
 * MetalLB's allocation loop as the baseline: for each Service, walk the pool from its first address and take
 * the first one not in use (MetalLB checks each candidate in maps keyed by the address). A Set of numbers is the
 * cheapest possible "in use" check, so this baseline is faster than MetalLB itself.
 */
function fillFirstFit(size: number): number {
  const inUse = new Set<number>();
  const started = performance.now();
  for (let i = 0; i < size; i += 1) {
    let address = 0;
    while (inUse.has(address)) address += 1;
    inUse.add(address);
  }
  return (performance.now() - started) / 1000;
}

function millionIpv6(): { seconds: number; cpuSeconds: number; heapMiB: number } {
  const namespaces = Array.from({ length: 8 }, (_, i) => `team-${i}`);
  const pools = namespaces.map((namespace, i) =>
    pool(`v6-${i}`, [`fd00:${i.toString(16)}::/64`], {
      serviceAllocation: { namespaces: [namespace], namespaceSelectors: [], serviceSelectors: [] },
    }),
  );
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const allocator = new Allocator(pools);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < 1_000_000; i += 1) {
    const result = allocator.allocate({
      namespace: namespaces[i % namespaces.length] as string,
      name: `s${i}`,
      uid: `u${i}`,
      creationTimestamp: CREATED,
      ipFamilies: IPV6,
    });
    if (!result.ok) throw new Error(`bench: IPv6 allocation ${i} failed: ${result.message}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  gc();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  if (allocator.stats().reduce((sum, s) => sum + s.ipv6.used, 0n) !== 1_000_000n)
    throw new Error('bench: count');
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, heapMiB };
}

function churn(): { pairsPerSecond: number; pairs: number } {
  const size = 65_536;
  const allocator = new Allocator([pool('churn', ['10.0.0.0/16'])]);
  const filled = Math.floor(size * 0.9);
  const live: string[] = [];
  for (let i = 0; i < filled; i += 1) {
    allocator.allocate(request('default', i));
    live.push(`default/s${i}`);
  }
  // A fixed-seed LCG picks the Service to delete, so every run does the same work.
  let seed = 12345;
  let next = filled;
  const pairs = 200_000;
  const started = performance.now();
  for (let i = 0; i < pairs; i += 1) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const slot = seed % live.length;
    allocator.release(live[slot] as string);
    const result = allocator.allocate(request('default', next));
    if (!result.ok) throw new Error(`bench: churn allocation failed: ${result.message}`);
    live[slot] = `default/s${next}`;
    next += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  return { pairsPerSecond: pairs / seconds, pairs };
}

export default function allocatorBench(): Promise<Row[]> {
  const rows: Row[] = [];
  // Warm-up: let the JIT compile the allocator before timing (the first-fit loop is hot within milliseconds).
  fillWithLbops([pool('warm-up', ['10.0.0.0/17'])], 32_768);
  const lbops16 = fillWithLbops([pool('fill', ['10.0.0.0/16'])], 65_536);
  // Quadratic: N²/2 probes; a /16 has 4x the addresses of a /18, so 16x the work.
  const firstFit18 = fillFirstFit(16_384);
  const firstFit16 = firstFit18 * 16;
  const ratio = firstFit16 / lbops16;
  rows.push({ name: 'fill /16 (65,536 Services): lbops', value: lbops16, unit: 's' });
  rows.push({ name: 'fill /18 (16,384): MetalLB-style first-fit, measured', value: firstFit18, unit: 's' });
  rows.push({
    name: 'fill /16: first-fit extrapolated from /18 (x16, quadratic) vs lbops',
    value: firstFit16,
    unit: 's',
    baseline: firstFit16,
    ratio,
    target: '>= 100x faster',
    met: ratio >= 100,
  });
  const million = millionIpv6();
  rows.push({
    name: '1,000,000 Services on 8 IPv6 /64 pools (pinned by namespace)',
    value: million.seconds,
    unit: 's',
    target: '< 5 s',
    met: million.seconds < 5,
  });
  rows.push({
    name: '1,000,000 IPv6 Services: CPU time (all threads; shows contention when wall >> CPU)',
    value: million.cpuSeconds,
    unit: 's',
  });
  rows.push({ name: '1,000,000 IPv6 Services: retained heap', value: million.heapMiB, unit: 'MiB' });
  const churned = churn();
  rows.push({
    name: `churn at 90% of a /16: release+allocate pairs (${churned.pairs.toLocaleString('en-US')})`,
    value: churned.pairsPerSecond,
    unit: 'pairs/s',
  });
  return Promise.resolve(rows);
}
