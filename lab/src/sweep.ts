import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { execCommand } from './exec.js';
import { ownedNamePattern } from './plan.js';
import { namespacePids, terminate } from './processes.js';
import {
  isAlive,
  processStartTime,
  safeReaddir,
  listRunIds,
  orphanSlotRunIds,
  readOwner,
  readPidFiles,
  releaseSlots,
  runDir,
  stateRoot,
} from './state.js';

export interface SweepOptions {
  /** State root; default `$LBOPS_LAB_STATE_DIR` or /run/lbops-lab. */
  readonly stateRoot?: string;
  /** Also remove labs made by `lbops lab up` (they have no live owner by design). */
  readonly includeManual?: boolean;
  /** Remove exactly these runs, whatever their state (used by `lbops lab down RUNID`). */
  readonly runIds?: readonly string[];
}

export interface SweepReport {
  readonly runs: readonly string[];
  readonly namespaces: readonly string[];
  readonly links: readonly string[];
  readonly processes: readonly number[];
}

/** Lab-owned namespaces (`lbl-<runid>-*`) currently present. */
export async function listLabNamespaces(): Promise<string[]> {
  const result = await execCommand(['ip', 'netns', 'list'], { allowFailure: true, timeoutMs: 5_000 });
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => ownedNamePattern.test(name));
}

/** Lab-owned links in the root namespace (the host ends of management links). */
export async function listLabRootLinks(): Promise<string[]> {
  const result = await execCommand(['ip', '-j', 'link', 'show'], { allowFailure: true, timeoutMs: 5_000 });
  try {
    const links = JSON.parse(result.stdout) as Array<{ ifname?: string }>;
    return links.map((link) => link.ifname ?? '').filter((name) => ownedNamePattern.test(name));
  } catch {
    return [];
  }
}

/** `runs/.new-<id>-<pid>` folders of creators that died between mkdir and rename. */
function removeAbandonedTemporaries(root: string): void {
  for (const name of safeReaddir(join(root, 'runs'))) {
    const match = /^\.new-[a-z0-9]{5}-(\d+)$/.exec(name);
    if (match !== null && processStartTime(Number(match[1])) === undefined) {
      rmSync(join(root, 'runs', name), { recursive: true, force: true });
    }
  }
}

function runIdOf(name: string): string | undefined {
  return ownedNamePattern.exec(name)?.[1];
}

/**
 * Removes leftovers of runs whose owner process is gone (a crash, SIGKILL): their processes (from pid files,
 * checked against their start time, and everything inside their namespaces), namespaces, root links, state
 * folder and address slot. Touches only `lbl-<runid>-*` names and the lab's own state root. Live runs of other
 * processes are left alone.
 */
export async function sweep(options: SweepOptions = {}): Promise<SweepReport> {
  const root = options.stateRoot ?? stateRoot();
  const namespaces = await listLabNamespaces();
  const links = await listLabRootLinks();
  removeAbandonedTemporaries(root);
  const knownRuns = listRunIds(root);
  const candidates = new Set<string>([
    ...knownRuns,
    ...orphanSlotRunIds(root),
    ...[...namespaces, ...links].map(runIdOf).filter((id): id is string => id !== undefined),
  ]);
  const doomed = [...candidates].filter((runId) => {
    if (options.runIds !== undefined) return options.runIds.includes(runId);
    const owner = readOwner(runDir(root, runId));
    if (owner === undefined) return true; // names without a run folder: nobody can tear them down
    if (owner.manual) return options.includeManual === true;
    return !isAlive(owner.pid, owner.startTime);
  });
  const removed = { namespaces: [] as string[], links: [] as string[], processes: [] as number[] };
  for (const runId of doomed) {
    const dir = runDir(root, runId);
    const owned = (name: string): boolean => runIdOf(name) === runId;
    const runNamespaces = namespaces.filter(owned);
    const fromPidFiles = readPidFiles(dir)
      .filter((record) => isAlive(record.pid, record.startTime))
      .map((record) => record.pid);
    const inside = (await Promise.all(runNamespaces.map((ns) => namespacePids(ns)))).flat();
    const pids = [...new Set([...fromPidFiles, ...inside])];
    if (pids.length > 0) await terminate(pids, 500);
    removed.processes.push(...pids);
    for (const link of links.filter(owned)) {
      await execCommand(['ip', 'link', 'del', link], { allowFailure: true, timeoutMs: 5_000 });
      removed.links.push(link);
    }
    for (const ns of runNamespaces) {
      await execCommand(['ip', 'netns', 'del', ns], { allowFailure: true, timeoutMs: 5_000 });
      removed.namespaces.push(ns);
    }
    rmSync(dir, { recursive: true, force: true });
    releaseSlots(root, runId);
  }
  return { runs: doomed, ...removed };
}
