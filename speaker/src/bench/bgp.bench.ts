/**
 * Suite `bgp`: how fast our speaker fills a router. In one lab, the router's BIRD peers with node 1 (our
 * speaker) and node 2 (a second BIRD). Measured from the moment the routes are handed over on an Established
 * session until the router's BIRD reports all of them imported from that peer:
 *   1. our speaker announcing 100,000 /32s (then withdrawing them, measured the same way);
 *   2. the second BIRD announcing the same 100,000 /32s as static routes (`birdc configure`), the reference
 *      for what the receiving side can take.
 * Target: ours within 2x of BIRD-to-BIRD.
 * GoBGP has no row: its only bulk path, `gobgp mrt inject global` (3.10.0), exits before its gRPC stream is
 * drained and loses most routes (548 of 1,000 arrived in a trial), and one CLI call per route is not bulk.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Lab, waitFor, withLab } from '@lbops/lab';
import type { Route } from '../bgp/announcer.js';
import { startSpeaker } from '../bgp/lab-speaker.test-support.js';

const COUNT = 100_000;
const SPEAKER_ASN = 64600;
const BIRD2_ASN = 64601;
const ROUTER_ASN = 64512;

interface Row {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target?: string;
  met?: boolean;
}

function prefixes(): string[] {
  // 10.64.0.0/14 holds 262,144 addresses: enough /32s, none on a lab link.
  return Array.from({ length: COUNT }, (_, i) => `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`);
}

async function importedFrom(lab: Lab, neighbor: string): Promise<number> {
  const session = (await lab.bird.sessions()).find((s) => s.neighborAddress === neighbor);
  return session?.prefixesReceived ?? 0;
}

/** Polls the router until `neighbor` has `count` routes imported; returns the seconds since `started`. */
async function until(
  lab: Lab,
  neighbor: string,
  count: number,
  started: number,
  what: string,
): Promise<number> {
  await waitFor(async () => (await importedFrom(lab, neighbor)) === count, {
    timeoutMs: 60_000,
    intervalMs: 20,
    description: what,
  });
  return (performance.now() - started) / 1000;
}

function bird2Config(routerId: string, router: string, statics: readonly string[]): string {
  return [
    `router id ${routerId};`,
    'protocol device {}',
    'protocol static bench { ipv4;',
    ...statics.map((p) => `  route ${p} blackhole;`),
    '}',
    'protocol bgp upstream {',
    `  local as ${BIRD2_ASN};`,
    `  neighbor ${router} as ${ROUTER_ASN};`,
    '  hold time 9; connect delay time 1; connect retry time 1; graceful restart off;',
    '  ipv4 { import none; export all; next hop self; };',
    '}',
    '',
  ].join('\n');
}

export default async (): Promise<Row[]> =>
  withLab(
    {
      nodes: 2,
      bird: {
        asn: ROUTER_ASN,
        peers: [
          { node: 0, asn: SPEAKER_ASN, holdTime: 30, keepaliveTime: 10 },
          { node: 1, asn: BIRD2_ASN, holdTime: 30, keepaliveTime: 10 },
        ],
      },
    },
    async (lab) => {
      const [n1, n2] = lab.nodes;
      if (n1 === undefined || n2 === undefined) throw new Error('lab without two nodes');
      const all = prefixes();

      // Our speaker: established first with no routes, then all 100,000 at once.
      const peer = {
        name: 'router',
        address: lab.bird.ipv4,
        localAsn: SPEAKER_ASN,
        peerAsn: ROUTER_ASN,
        routerId: n1.ipv4,
        holdTime: 30,
        routes: [] as Route[],
      };
      const speaker = await startSpeaker(lab, 0, { peers: [peer] });
      await speaker.waitEstablished();
      await lab.bird.waitEstablished(n1.ipv4);
      let started = performance.now();
      // The runner generates the 100,000 routes itself (the same prefixes as `all`): a JSON file that size would
      // measure the test harness, not the speaker.
      await speaker.update({
        peers: [{ ...peer, generate: { first: '10.64.0.0', count: COUNT, nextHop: n1.ipv4 } }],
      });
      const ours = await until(
        lab,
        n1.ipv4,
        COUNT,
        started,
        `router to import ${COUNT} routes from our speaker`,
      );
      started = performance.now();
      await speaker.update({ peers: [peer] });
      const oursWithdraw = await until(lab, n1.ipv4, 0, started, 'router to drop our routes');
      await speaker.stop();

      // The reference: a second BIRD on node 2, established first, then reconfigured with the static routes.
      const dir = lab.path('bird2');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(dir, { recursive: true });
      const config = `${dir}/bird.conf`;
      const socket = `${dir}/ctl.sock`;
      writeFileSync(config, bird2Config(n2.ipv4, lab.bird.ipv4, []));
      await lab.spawn(n2.ns, ['bird', '-f', '-c', config, '-s', socket, '-P', `${dir}/bird.pid`], {
        name: 'bird2',
      });
      await lab.bird.waitEstablished(n2.ipv4, { timeoutMs: 20_000 });
      writeFileSync(config, bird2Config(n2.ipv4, lab.bird.ipv4, all));
      started = performance.now();
      const configured = await lab.exec(n2.ns, ['birdc', '-s', socket, 'configure'], { timeoutMs: 60_000 });
      if (!/Reconfigur/.test(configured.stdout)) throw new Error(`bird2 configure: ${configured.stdout}`);
      const reference = await until(
        lab,
        n2.ipv4,
        COUNT,
        started,
        `router to import ${COUNT} routes from BIRD`,
      );
      started = performance.now();
      writeFileSync(config, bird2Config(n2.ipv4, lab.bird.ipv4, []));
      await lab.exec(n2.ns, ['birdc', '-s', socket, 'configure'], { timeoutMs: 60_000 });
      const referenceWithdraw = await until(lab, n2.ipv4, 0, started, 'router to drop BIRD routes');

      const ratio = ours / reference;
      const withdrawRatio = oursWithdraw / referenceWithdraw;
      return [
        {
          name: `announce ${COUNT} /32 to BIRD (ours)`,
          value: ours,
          unit: 's',
          baseline: reference,
          ratio,
          target: '<= 2x BIRD-to-BIRD',
          met: ratio <= 2,
        },
        { name: `announce ${COUNT} /32 BIRD-to-BIRD (reference)`, value: reference, unit: 's' },
        { name: 'announce rate (ours)', value: Math.round(COUNT / ours), unit: 'prefixes/s' },
        {
          name: `withdraw ${COUNT} /32 (ours)`,
          value: oursWithdraw,
          unit: 's',
          baseline: referenceWithdraw,
          ratio: withdrawRatio,
          target: '<= 2x BIRD-to-BIRD',
          met: withdrawRatio <= 2,
        },
        { name: `withdraw ${COUNT} /32 BIRD-to-BIRD (reference)`, value: referenceWithdraw, unit: 's' },
      ];
    },
  );
