import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runDir, safeReaddir, stateRoot } from './state.js';
import { listLabNamespaces, listLabRootLinks } from './sweep.js';

/** Pids of live processes whose command line mentions `text` (the run id appears in every daemon's paths). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(text)) pids.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Everything of a run still present: namespaces, root links, processes, state folder, address slot. Empty when gone. */
export async function leftoversOf(
  runId: string,
  pids: readonly number[] = [],
  root: string = stateRoot(),
): Promise<string[]> {
  const prefix = `lbl-${runId}-`;
  return [
    ...(await listLabNamespaces()).filter((name) => name.startsWith(prefix)).map((name) => `netns ${name}`),
    ...(await listLabRootLinks()).filter((name) => name.startsWith(prefix)).map((name) => `link ${name}`),
    ...[...new Set([...processesMentioning(prefix), ...processesMentioning(`/runs/${runId}/`)])].map(
      (pid) => `process ${pid}`,
    ),
    ...pids.filter(isRunning).map((pid) => `process ${pid}`),
    ...(existsSync(runDir(root, runId)) ? [`state ${runDir(root, runId)}`] : []),
    ...safeReaddir(join(root, 'slots'))
      .filter((slot) => readSlot(join(root, 'slots', slot)) === runId)
      .map((slot) => `address slot ${slot}`),
  ];
}

function readSlot(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}
