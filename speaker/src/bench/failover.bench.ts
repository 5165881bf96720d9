/**
 * Suite `failover`: layer 2 failover in the lab. Three nodes run the layer 2 speaker for one Service IP; in each
 * trial the owner's speaker gets SIGKILL. Measured from the kill: detection (the first surviving speaker that
 * declares the owner dead, from its log) and client-visible failover (the client's kernel neighbour entry for
 * the Service IP switching to the new owner's MAC, seen through `ip monitor neigh`: from then on the client's
 * traffic goes to the new owner). The killed speaker is restarted before the next trial.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLab, waitFor, type Lab, type LabProcess, type NodePlan } from '@lbops/lab';
import {
  firstFree,
  neighbourMac,
  newKeyHex,
  readEvents,
  speakerConfig,
  startSpeaker,
} from '../l2/test-support/l2-lab.js';

const TRIALS = Number(process.env['LBOPS_FAILOVER_TRIALS'] ?? 12);

/** Packet timestamps (ms since the epoch) of a pcap file (libpcap format, micro- or nanosecond, either byte order). */
export function pcapTimes(file: Buffer): number[] {
  if (file.length < 24) return [];
  const magic = file.readUInt32LE(0);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const read = (at: number) => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const times: number[] = [];
  for (let at = 24; at + 16 <= file.length;) {
    const seconds = read(at);
    const fraction = read(at + 4);
    const length = read(at + 8);
    times.push(seconds * 1000 + (nano ? fraction / 1e6 : fraction / 1e3));
    at += 16 + length;
  }
  return times;
}

interface Row {
  name: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function lastStatus(proc: LabProcess, ip: string): unknown {
  return readEvents(proc)
    .filter((e) => e.event === 'status' && e['ip'] === ip)
    .at(-1)?.['status'];
}

/** Watches the client's neighbour table; resolves with the wall-clock time the entry for `ip` shows `mac`. */
function watchNeighbour(
  lab: Lab,
  ip: string,
): { until(mac: string, timeoutMs: number): Promise<number | undefined>; stop(): void } {
  const child = spawn('ip', ['-n', lab.plan.client.ns, 'monitor', 'neigh'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const seen: Array<{ at: number; line: string }> = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => seen.push({ at: Date.now(), line: line.toLowerCase() }));
  return {
    async until(mac, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const hit = seen.find((s) => s.line.startsWith(`${ip} `) && s.line.includes(`lladdr ${mac}`));
        if (hit !== undefined) return hit.at;
        await sleep(5);
      }
      return undefined;
    },
    stop() {
      lines.close();
      child.kill('SIGTERM');
    },
  };
}

export default async function failover(): Promise<Row[]> {
  const lab = await createLab({ nodes: 3 });
  try {
    const keyHex = newKeyHex();
    const ip = firstFree(lab.plan.lan.freeIpv4Range, 0);
    const speakers = new Map<string, LabProcess>();
    for (const node of lab.nodes)
      speakers.set(node.name, await startSpeaker(lab, node, speakerConfig(lab, node, [ip], keyHex)));

    const stableOwner = async (): Promise<NodePlan> =>
      waitFor(
        async () => {
          const owners = lab.nodes.filter(
            (node) => lastStatus(speakers.get(node.name) as LabProcess, ip) === 'announcing',
          );
          const probing = lab.nodes.some(
            (node) => lastStatus(speakers.get(node.name) as LabProcess, ip) === 'probing',
          );
          const [owner] = owners;
          if (owners.length !== 1 || probing || owner === undefined) return undefined;
          await lab.exec(lab.plan.client.ns, ['ping', '-c', '1', '-W', '0.2', ip], {
            allowFailure: true,
            timeoutMs: 3_000,
          });
          return (await neighbourMac(lab, lab.plan.client.ns, ip)) === owner.mac.toLowerCase()
            ? owner
            : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 100, description: 'one stable owner known to the client' },
      );

    const detection: number[] = [];
    const clientVisible: number[] = [];
    const traffic: number[] = [];
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const owner = await stableOwner();
      const proc = speakers.get(owner.name) as LabProcess;
      const watcher = watchNeighbour(lab, ip);
      // Client traffic: a ping every 10 ms (no answers: the IP is on no NIC; only where the frames go matters),
      // captured on every other node to see when it starts reaching the new owner.
      const others = lab.nodes.filter((node) => node.name !== owner.name);
      const captures = await Promise.all(
        others.map((node) =>
          lab.capture(node.ns, {
            dev: node.ifname,
            filter: `icmp and dst host ${ip}`,
            name: `failover-${trial}-${node.name}`,
          }),
        ),
      );
      const pinger = await lab.spawn(lab.plan.client.ns, ['ping', '-n', '-i', '0.01', '-W', '0.01', ip], {
        name: `failover-ping-${trial}`,
      });
      await sleep(100);
      const killedAt = Date.now();
      proc.signal('SIGKILL');
      let moved: number | undefined;
      let successorName: string | undefined;
      try {
        // The new owner is whoever announces next; wait for the client entry to leave the old MAC.
        const successor = await waitFor(
          () =>
            lab.nodes.find(
              (node) =>
                node.name !== owner.name &&
                lastStatus(speakers.get(node.name) as LabProcess, ip) === 'announcing',
            ),
          { timeoutMs: 5_000, intervalMs: 5, description: 'a new owner' },
        );
        successorName = successor.name;
        moved = await watcher.until(successor.mac.toLowerCase(), 5_000);
        await sleep(100);
      } finally {
        watcher.stop();
        await pinger.stop(1_000);
      }
      // tcpdump (lab.capture) runs without --immediate-mode: libpcap hands over a ring block only when its 1 s
      // timeout expires, and SIGTERM discards what it holds. Wait for the block before stopping.
      await sleep(1_100);
      const files = await Promise.all(captures.map((capture) => capture.stop()));
      const successorFile = files[others.findIndex((node) => node.name === successorName)];
      const firstPacket =
        successorFile === undefined
          ? undefined
          : pcapTimes(readFileSync(successorFile)).find((t) => t >= killedAt);
      if (firstPacket !== undefined) traffic.push(firstPacket - killedAt);
      if (process.env['LBOPS_BENCH_VERBOSE'] !== undefined) {
        process.stderr.write(
          `trial ${trial} captures: ${files
            .map(
              (f, i) =>
                `${others[i]?.name}=${pcapTimes(readFileSync(f))
                  .map((t) => Math.round(t - killedAt))
                  .slice(0, 5)
                  .join(',')}`,
            )
            .join(
              ' ',
            )} successor ${successorName}; ping log: ${readFileSync(pinger.log, 'utf8').slice(0, 200)}\n`,
        );
      }
      const detected = lab.nodes
        .filter((node) => node.name !== owner.name)
        .flatMap((node) => readEvents(speakers.get(node.name) as LabProcess))
        .filter(
          (e) =>
            e.event === 'member' && e['name'] === owner.name && e['state'] === 'dead' && e.time >= killedAt,
        )
        .map((e) => e.time);
      if (detected.length > 0) detection.push(Math.min(...detected) - killedAt);
      if (moved !== undefined) clientVisible.push(moved - killedAt);
      if (process.env['LBOPS_BENCH_VERBOSE'] !== undefined) {
        for (const node of lab.nodes) {
          if (node.name === owner.name) continue;
          const evs = readEvents(speakers.get(node.name) as LabProcess).filter(
            (e) => e.time >= killedAt - 50,
          );
          process.stderr.write(
            `trial ${trial} killed ${owner.name} at ${killedAt} moved ${moved}; ${node.name}: ${evs.map((e) => `${e.time - killedAt}:${e.event}:${String(e['name'] ?? e['ip'])}:${String(e['state'] ?? e['status'])}`).join(' ')}\n`,
          );
        }
      }
      await proc.exited;
      const restarted = await startSpeaker(lab, owner, speakerConfig(lab, owner, [ip], keyHex));
      speakers.set(owner.name, restarted);
      // Let the restarted speaker rejoin (refute its death) and finish its startup grace before the next kill.
      await waitFor(() => readEvents(restarted).some((e) => e.event === 'started'), {
        timeoutMs: 10_000,
        description: 'restarted speaker',
      });
      await waitFor(
        () =>
          lab.nodes
            .filter((node) => node.name !== owner.name)
            .every((node) =>
              readEvents(speakers.get(node.name) as LabProcess).some(
                (e) =>
                  e.event === 'member' &&
                  e['name'] === owner.name &&
                  e['state'] === 'alive' &&
                  e.time >= killedAt,
              ),
            ),
        { timeoutMs: 10_000, description: 'restarted speaker alive again in every view' },
      );
      await sleep(600);
    }
    if (process.env['LBOPS_BENCH_VERBOSE'] !== undefined)
      process.stderr.write(`detection ${detection.join(' ')}\nclient ${clientVisible.join(' ')}\n`);
    const p50 = percentile(clientVisible, 50);
    const p99 = percentile(clientVisible, 99);
    return [
      {
        name: 'trials completed (client saw the new owner)',
        value: clientVisible.length,
        unit: 'trials',
        target: `>= 10 of ${TRIALS}`,
        met: clientVisible.length >= 10,
      },
      { name: 'detection p50 (SIGKILL -> declared dead)', value: percentile(detection, 50), unit: 'ms' },
      { name: 'detection p99', value: percentile(detection, 99), unit: 'ms' },
      {
        name: 'client-visible failover p50 (neighbour entry -> new owner)',
        value: p50,
        unit: 'ms',
        target: '< 500 ms',
        met: p50 < 500,
      },
      { name: 'client-visible failover p99', value: p99, unit: 'ms', target: '< 1000 ms', met: p99 < 1000 },
      {
        name: 'client traffic at the new owner p50 (first ping frame captured there)',
        value: percentile(traffic, 50),
        unit: 'ms',
        target: '< 500 ms',
        met: percentile(traffic, 50) < 500,
      },
      {
        name: 'client traffic at the new owner p99',
        value: percentile(traffic, 99),
        unit: 'ms',
        target: '< 1000 ms',
        met: percentile(traffic, 99) < 1000,
      },
    ];
  } finally {
    await lab.teardown();
  }
}
