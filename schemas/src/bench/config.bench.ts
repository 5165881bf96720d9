// Bench suite `config`: loadConfig on 10,000 pools + 1,000 advertisements, then on twice that.
// A time ratio near 2 means the rules scale as n log n (overlaps by sorting, selectors by index).
import { loadConfig, type ConfigFile } from '../load-config.js';

interface Row {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target?: string;
  met?: boolean;
}

function ipv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** `pools` pools (a /28 each, every tenth also an IPv6 /120) and `ads` advertisements, in files of 500 documents. */
export function generate(pools: number, ads: number): ConfigFile[] {
  const docs: string[] = [];
  // Zones scale with the pools, so that each selector matches ~200 pools at every size.
  const zones = Math.max(1, Math.round(pools / 200));
  const base = 10 << 24;
  for (let i = 0; i < pools; i++) {
    const v4 = `${ipv4(base + i * 16 + 1)}-${ipv4(base + i * 16 + 14)}`;
    const v6 = i % 10 === 0 ? `, "fd00:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/120"` : '';
    docs.push(`apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: pool-${i}
  namespace: metallb-system
  labels:
    zone: z${i % zones}
spec:
  addresses: [${v4}${v6}]
  autoAssign: ${i % 7 !== 0}
`);
  }
  for (let p = 0; p < 10; p++) {
    docs.push(`apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata:
  name: router-${p}
spec:
  myASN: 64500
  peerASN: ${64501 + p}
  peerAddress: 192.0.2.${p + 1}
  dualStackAddressFamily: true
`);
  }
  const l2 = Math.floor(ads / 2);
  const perL2 = Math.ceil(pools / l2);
  for (let k = 0; k < l2; k++) {
    const names = Array.from({ length: perL2 }, (_, j) => k * perL2 + j)
      .filter((i) => i < pools)
      .map((i) => `pool-${i}`);
    docs.push(`apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata:
  name: l2-${k}
spec:
  ipAddressPools: [${names.join(', ')}]
  interfaces: [eth0]
`);
  }
  for (let k = 0; k < ads - l2; k++) {
    docs.push(`apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata:
  name: bgp-${k}
spec:
  ipAddressPoolSelectors:
  - matchLabels: {zone: z${k % zones}}
  peers: [router-${k % 10}]
  communities: ["64500:${k % 1000}"]
  localPref: ${100 + (k % 50)}
`);
  }
  const files: ConfigFile[] = [];
  for (let i = 0; i < docs.length; i += 500)
    files.push({ name: `gen-${i / 500}.yaml`, content: docs.slice(i, i + 500).join('---\n') });
  return files;
}

function timeOnce(files: ConfigFile[]): { ms: number; errors: number } {
  const started = performance.now();
  const result = loadConfig(files);
  return {
    ms: performance.now() - started,
    errors: result.diagnostics.filter((d) => d.severity === 'error').length,
  };
}

export default function configBench(): Promise<Row[]> {
  const small = generate(10_000, 1_000);
  const large = generate(20_000, 2_000);
  timeOnce(generate(500, 50)); // warm up the JIT and compile the schemas
  // Alternate the two sizes so both see the same machine load; keep the fastest run of each
  // (other processes and GC pauses only ever add time).
  const a = { ms: Infinity, errors: 0 };
  const b = { ms: Infinity, errors: 0 };
  for (let run = 0; run < 3; run++) {
    for (const [files, best] of [
      [small, a],
      [large, b],
    ] as const) {
      const t = timeOnce(files);
      best.ms = Math.min(best.ms, t.ms);
      best.errors = Math.max(best.errors, t.errors);
    }
  }
  if (a.errors > 0 || b.errors > 0)
    throw new Error(`generated configs must be valid (errors: ${a.errors}, ${b.errors})`);
  const ratio = b.ms / a.ms;
  return Promise.resolve([
    { name: 'validate 10,000 pools + 1,000 advertisements', value: Math.round(a.ms), unit: 'ms' },
    {
      name: 'validate 20,000 pools + 2,000 advertisements',
      value: Math.round(b.ms),
      unit: 'ms',
      baseline: Math.round(a.ms),
      ratio: Math.round(ratio * 100) / 100,
      target: 'ratio < 2.5 (n log n)',
      met: ratio < 2.5,
    },
    { name: 'per pool (10,000)', value: Math.round((a.ms / 10_000) * 1000) / 1000, unit: 'ms' },
  ]);
}
