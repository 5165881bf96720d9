import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabDescription } from './lab.js';
import { isAlive, listRunIds, readOwner, readPidFiles, runDir, stateRoot, type Owner } from './state.js';
import { listLabNamespaces } from './sweep.js';

export interface LabStatus {
  readonly runId: string;
  readonly description: LabDescription | undefined;
  readonly owner: Owner | undefined;
  /** The creating process still runs (always false for a manual lab once `lab up` returned). */
  readonly ownerAlive: boolean;
  /** Namespaces of the run that exist. */
  readonly namespaces: readonly string[];
  /** Processes from pid files, and whether each still runs. */
  readonly processes: ReadonlyArray<{
    readonly name: string;
    readonly pid: number;
    readonly running: boolean;
  }>;
}

/** Every lab in the state root, with what of it is still present. */
export async function labStatuses(root: string = stateRoot()): Promise<LabStatus[]> {
  const namespaces = await listLabNamespaces();
  return listRunIds(root).map((runId) => {
    const dir = runDir(root, runId);
    const owner = readOwner(dir);
    let description: LabDescription | undefined;
    try {
      description = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as LabDescription;
    } catch {
      description = undefined;
    }
    return {
      runId,
      description,
      owner,
      ownerAlive: owner !== undefined && isAlive(owner.pid, owner.startTime),
      namespaces: namespaces.filter((ns) => ns.startsWith(`lbl-${runId}-`)),
      processes: readPidFiles(dir).map((record) => ({
        name: record.name,
        pid: record.pid,
        running: isAlive(record.pid, record.startTime),
      })),
    };
  });
}
