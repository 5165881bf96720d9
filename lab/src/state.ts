import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { preferredSlot, runIdPattern, slotCount } from './plan.js';

/**
 * The lab's state directory: one folder per run (owner, pid files, configs, logs, sockets) and one file per
 * taken address slot. Every lab on the machine uses the same root, so `sweep` sees every run.
 */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['LBOPS_LAB_STATE_DIR'] ?? '/run/lbops-lab';
}

export function runDir(root: string, runId: string): string {
  return join(root, 'runs', runId);
}

export interface Owner {
  readonly pid: number;
  /** Start time of the owner process (clock ticks since boot), so a reused pid is not mistaken for it. */
  readonly startTime: number;
  /** A lab brought up by `lbops lab up`: it outlives its owner and is swept only on request. */
  readonly manual: boolean;
  readonly createdAt: string;
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or undefined if gone. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number, startTime: number): boolean {
  return processStartTime(pid) === startTime;
}

function ownerRecord(manual: boolean): Owner {
  return {
    pid: process.pid,
    startTime: processStartTime(process.pid) ?? 0,
    manual,
    createdAt: new Date().toISOString(),
  };
}

export function readOwner(dir: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/**
 * Creates the run directory with its owner record, atomically (built under a temporary name, then renamed), so
 * a concurrent `sweep` never sees a run folder without an owner. Fails if the run id is in use.
 */
export function createRunDir(root: string, runId: string, manual: boolean): string {
  mkdirSync(join(root, 'runs'), { recursive: true, mode: 0o755 });
  const dir = runDir(root, runId);
  const temporary = join(root, 'runs', `.new-${runId}-${process.pid}`);
  mkdirSync(temporary, { mode: 0o755 });
  mkdirSync(join(temporary, 'pids'));
  mkdirSync(join(temporary, 'logs'));
  writeFileSync(join(temporary, 'owner.json'), `${JSON.stringify(ownerRecord(manual))}\n`);
  try {
    // rename(2) onto an existing non-empty directory fails (ENOTEMPTY/EEXIST): the id is taken.
    renameSync(temporary, dir);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw new Error(`lab: run id ${runId} is in use (${(error as Error).message})`);
  }
  return dir;
}

/** Run ids with a folder in the state root. */
export function listRunIds(root: string): string[] {
  return safeReaddir(join(root, 'runs')).filter((name) => runIdPattern.test(name));
}

/** Takes a free address slot with an exclusive file create, starting at the run id's preferred slot. */
export function allocateSlot(root: string, runId: string): number {
  const dir = join(root, 'slots');
  mkdirSync(dir, { recursive: true });
  const first = preferredSlot(runId);
  for (let step = 0; step < slotCount; step += 1) {
    const slot = (first + step) % slotCount;
    try {
      writeFileSync(join(dir, String(slot)), runId, { flag: 'wx' });
      return slot;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(
    `lab: all ${slotCount} address slots in ${dir} are taken; run \`lbops lab down\` to sweep old runs`,
  );
}

export function releaseSlots(root: string, runId: string): void {
  const dir = join(root, 'slots');
  for (const name of safeReaddir(dir)) {
    try {
      if (readFileSync(join(dir, name), 'utf8').trim() === runId) rmSync(join(dir, name), { force: true });
    } catch {
      // raced with another release; nothing to do
    }
  }
}

/** Slot files whose run folder no longer exists (left by a crash between the two). */
export function orphanSlotRunIds(root: string): string[] {
  const ids: string[] = [];
  const dir = join(root, 'slots');
  for (const name of safeReaddir(dir)) {
    try {
      const id = readFileSync(join(dir, name), 'utf8').trim();
      if (!listRunIds(root).includes(id)) ids.push(id);
    } catch {
      // ignore unreadable slot files
    }
  }
  return ids;
}

export function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export interface PidRecord {
  readonly name: string;
  readonly pid: number;
  readonly startTime: number;
}

export function writePidFile(dir: string, record: PidRecord): void {
  writeFileSync(join(dir, 'pids', `${record.name}.pid`), `${record.pid} ${record.startTime}\n`);
}

export function removePidFile(dir: string, name: string): void {
  rmSync(join(dir, 'pids', `${name}.pid`), { force: true });
}

export function readPidFiles(dir: string): PidRecord[] {
  const records: PidRecord[] = [];
  for (const file of safeReaddir(join(dir, 'pids'))) {
    if (!file.endsWith('.pid')) continue;
    try {
      const [pid, startTime] = readFileSync(join(dir, 'pids', file), 'utf8')
        .trim()
        .split(' ')
        .map(Number);
      if (pid !== undefined && startTime !== undefined && pid > 1) {
        records.push({ name: file.slice(0, -'.pid'.length), pid, startTime });
      }
    } catch {
      // pid file removed concurrently
    }
  }
  return records;
}
