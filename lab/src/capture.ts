import type { Lab } from './lab.js';
import type { LabProcess } from './processes.js';
import { toolPath } from './requirements.js';
import { waitFor } from './wait-for.js';
import { readFileSync } from 'node:fs';

/** A running tcpdump writing a pcap file in the run folder (kept with the artifacts when a test fails). */
export interface Capture {
  readonly file: string;
  readonly process: LabProcess;
  /** Stops tcpdump (it flushes the file) and returns the pcap path. */
  stop(): Promise<string>;
}

/** Starts `tcpdump -i dev -w file [filter]` in `ns`; resolves once it is listening (bounded, 5 s). */
export async function startCapture(
  lab: Lab,
  ns: string,
  options: { dev?: string; filter?: string; name?: string } = {},
): Promise<Capture> {
  const dev = options.dev ?? 'eth0';
  const name = options.name ?? `${ns.slice(lab.plan.prefix.length)}-${dev}`;
  const file = lab.path(`${name}.pcap`);
  const log = lab.path('logs', `tcpdump-${name}.log`);
  const argv = [
    toolPath('tcpdump'),
    '-i',
    dev,
    '-n',
    '-U',
    // Deliver packets at once: otherwise they wait in the capture ring (up to ~1 s) and are lost when tcpdump stops.
    '--immediate-mode',
    '-w',
    file,
    ...(options.filter === undefined ? [] : [options.filter]),
  ];
  const process = await lab.spawn(ns, argv, { name: `tcpdump-${name}`, log });
  await waitFor(
    () => {
      if (!process.running) throw new Error(`tcpdump exited: ${readFileSync(log, 'utf8').trim()}`);
      return readFileSync(log, 'utf8').includes('listening on');
    },
    { timeoutMs: 5_000, intervalMs: 10, description: `tcpdump on ${ns} ${dev}` },
  );
  return {
    file,
    process,
    async stop() {
      await process.stop(2_000);
      return file;
    },
  };
}
