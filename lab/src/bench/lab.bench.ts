// Suite `lab`: how long the lab takes to come up and go away, so tests can budget for it.
import type { BgpPeerRef } from '../bgp-types.js';
import { createLab } from '../create-lab.js';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

export default async function bench(): Promise<
  Array<{ name: string; value: number; unit: string; target?: string; met?: boolean }>
> {
  const ups: number[] = [];
  const downs: number[] = [];
  for (let trial = 0; trial < 5; trial += 1) {
    const [lab, up] = await timed(() => createLab({ nodes: 4, bird: false }));
    const [, down] = await timed(() => lab.teardown());
    ups.push(up);
    downs.push(down);
  }
  const mesh = (self: 'bird' | 'frr' | 'gobgp'): BgpPeerRef[] =>
    (['bird', 'frr', 'gobgp'] as const).filter((kind) => kind !== self).map((daemon) => ({ daemon }));
  const established: number[] = [];
  for (let trial = 0; trial < 3; trial += 1) {
    const [, total] = await timed(async () => {
      const lab = await createLab({
        nodes: 1,
        bird: { peers: mesh('bird') },
        frr: { peers: mesh('frr') },
        gobgp: { peers: mesh('gobgp') },
      });
      try {
        await Promise.all([lab.bird, lab.frr, lab.gobgp].map((daemon) => daemon.waitEstablished()));
      } finally {
        await lab.teardown();
      }
    });
    established.push(total);
  }
  const up = median(ups);
  const meshTime = median(established);
  return [
    {
      name: 'lab up, 4 nodes, no daemons (median of 5)',
      value: up,
      unit: 'ms',
      target: '< 1000 ms',
      met: up < 1_000,
    },
    { name: 'lab teardown, 4 nodes (median of 5)', value: median(downs), unit: 'ms' },
    {
      name: 'lab up + BIRD/FRR/GoBGP mesh Established + teardown (median of 3)',
      value: meshTime,
      unit: 'ms',
      target: '< 5000 ms',
      met: meshTime < 5_000,
    },
  ];
}
