// Drives lab-runner inside a lab node's namespace from a test: start it, change its routes, read its status.
// Uses @lbops/lab for namespaces and processes, so cleanup on failure is the lab's teardown.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Lab, type LabProcess, waitFor } from '@lbops/lab';
import type { RunnerControl, RunnerStatus } from './lab-runner.test-support.js';

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lab-runner.test-support.js');

export interface LabSpeaker {
  readonly process: LabProcess;
  /** Replaces peers and routes (SIGHUP) and waits until the runner applied them. */
  update(control: RunnerControl): Promise<void>;
  status(): RunnerStatus | undefined;
  /** Waits until every named peer (default all) is Established in the runner. */
  waitEstablished(names?: string[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startSpeaker(lab: Lab, nodeIndex: number, control: RunnerControl): Promise<LabSpeaker> {
  const node = lab.nodes[nodeIndex];
  if (node === undefined) throw new Error(`lab has no node ${nodeIndex}`);
  const name = `speaker${nodeIndex}`;
  const file = lab.path(`${name}.json`);
  const statusFile = `${file}.status`;
  writeFileSync(file, JSON.stringify(control));
  const proc = await lab.spawn(node.ns, [process.execPath, runner, file], { name });
  const status = (): RunnerStatus | undefined =>
    existsSync(statusFile) ? (JSON.parse(readFileSync(statusFile, 'utf8')) as RunnerStatus) : undefined;
  await waitFor(
    () => {
      if (!proc.running) throw new Error(`speaker exited: ${JSON.stringify(proc.exit)}; see ${proc.log}`);
      return status() !== undefined;
    },
    { timeoutMs: 10_000, description: `${name} to start` },
  );
  return {
    process: proc,
    status,
    async update(next) {
      const before = status()?.generation ?? 0;
      writeFileSync(file, JSON.stringify(next));
      proc.signal('SIGHUP');
      await waitFor(() => (status()?.generation ?? 0) > before, {
        timeoutMs: 5_000,
        description: `${name} to apply its new routes`,
      });
    },
    async waitEstablished(names, timeoutMs = 20_000) {
      await waitFor(
        () => {
          const peers = status()?.peers ?? {};
          const wanted = names ?? Object.keys(peers);
          return wanted.length > 0 && wanted.every((n) => peers[n]?.state === 'established');
        },
        { timeoutMs, intervalMs: 50, description: `${name} sessions established` },
      );
    },
    async stop() {
      await proc.stop(2_000);
    },
  };
}
