import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { execCommand, execCommandSync, inNamespace } from './exec.js';
import { processStartTime, removePidFile, writePidFile } from './state.js';

export interface SpawnOptions {
  /** Log file for stdout and stderr (appended). */
  readonly log: string;
  /** Short name for the pid file and messages; unique within the lab. */
  readonly name: string;
  /** Extra environment variables. */
  readonly env?: NodeJS.ProcessEnv;
  /** Keep running after this Node process exits (for `lbops lab up`). */
  readonly detached?: boolean;
  readonly cwd?: string;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A process running in a namespace, its output in a log file, killed on teardown. */
export class LabProcess {
  /** Resolves when the process exits (never rejects). */
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;

  constructor(
    readonly name: string,
    readonly ns: string,
    readonly argv: readonly string[],
    readonly pid: number,
    readonly log: string,
    exited: Promise<Exit>,
    private readonly runDir: string,
  ) {
    this.exited = exited.then((exit) => {
      this.#exit = exit;
      removePidFile(runDir, name);
      return exit;
    });
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  get exit(): Exit | undefined {
    return this.#exit;
  }

  /** Sends a signal (to the process group, so helpers it started go too). */
  signal(signal: NodeJS.Signals): void {
    if (this.#exit !== undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        process.kill(this.pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited (bounded). */
  async stop(graceMs = 2_000): Promise<Exit | undefined> {
    if (this.#exit !== undefined) return this.#exit;
    this.signal('SIGTERM');
    // A frozen (SIGSTOP) process would hold SIGTERM pending until continued.
    this.signal('SIGCONT');
    const timer = sleep(graceMs).then(() => undefined);
    const exit = await Promise.race([this.exited, timer]);
    if (exit !== undefined) return exit;
    this.signal('SIGKILL');
    return Promise.race([this.exited, sleep(2_000).then(() => undefined)]);
  }
}

/** Starts `argv` inside `ns` (via `ip netns exec`) with its output appended to `options.log`. */
export async function spawnInNamespace(
  ns: string,
  argv: readonly string[],
  options: SpawnOptions,
  runDir: string,
): Promise<LabProcess> {
  const full = inNamespace(ns, argv);
  const fd = openSync(options.log, 'a');
  try {
    const child = spawn(full[0] ?? 'ip', full.slice(1), {
      stdio: ['ignore', fd, fd],
      // Its own process group: a signal to the group reaches the whole tree, and ^C in a terminal does not.
      detached: true,
      env: { ...process.env, ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`lab: could not start ${argv.join(' ')}`);
    if (options.detached === true) child.unref();
    writePidFile(runDir, { name: options.name, pid, startTime: processStartTime(pid) ?? 0 });
    return new LabProcess(options.name, ns, argv, pid, options.log, exited, runDir);
  } finally {
    closeSync(fd);
  }
}

/** Pids of every process inside a namespace (`ip netns pids`). */
export async function namespacePids(ns: string): Promise<number[]> {
  const result = await execCommand(['ip', 'netns', 'pids', ns], { allowFailure: true, timeoutMs: 5_000 });
  return result.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 1);
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already, or not ours to signal
  }
}

/** Terminates processes: SIGTERM, up to `graceMs` to exit, then SIGKILL and up to 2 s more. */
export async function terminate(pids: readonly number[], graceMs = 1_000): Promise<number[]> {
  const alive = (): number[] => pids.filter(isRunning);
  for (const pid of pids) {
    kill(pid, 'SIGTERM');
    kill(pid, 'SIGCONT');
  }
  for (let waited = 0; waited < graceMs && alive().length > 0; waited += 20) await sleep(20);
  const stubborn = alive();
  for (const pid of stubborn) kill(pid, 'SIGKILL');
  for (let waited = 0; waited < 2_000 && alive().length > 0; waited += 20) await sleep(20);
  return stubborn;
}

/** Synchronous kill of everything in the namespaces, for `process.on('exit')`. */
export function terminateNamespacesSync(namespaces: readonly string[]): void {
  for (const ns of namespaces) {
    // `ip netns pids` output cannot be read through execCommandSync; use the kill from inside instead.
    execCommandSync(['sh', '-c', `for p in $(ip netns pids ${ns} 2>/dev/null); do kill -9 $p; done`]);
  }
}

/** Alive and not a zombie (a zombie is dead; its parent reaps it). */
function isRunning(pid: number): boolean {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}
