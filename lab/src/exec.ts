import { execFile, execFileSync } from 'node:child_process';
import { LabCommandError } from './errors.js';

export interface ExecOptions {
  /** Kill the command (SIGKILL) after this long; default 10 s. */
  readonly timeoutMs?: number;
  /** Return a failed result instead of throwing `LabCommandError`. */
  readonly allowFailure?: boolean;
  /** Written to the command's stdin. */
  readonly input?: string;
}

export interface ExecResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly ok: boolean;
}

const defaultTimeoutMs = 10_000;

/** Runs a command to completion with a bounded time; output captured (up to 64 MiB). */
export function execCommand(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('execCommand: empty argv');
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const failure = error as
          (Error & { code?: number | string; signal?: string; killed?: boolean }) | null;
        if (failure !== null && typeof failure.code === 'string') {
          // Spawn failure (ENOENT, EACCES): the binary is missing or unusable.
          reject(new LabCommandError(argv, null, null, '', `${failure.code}: ${failure.message}`, false));
          return;
        }
        const code = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null;
        const signal = failure?.signal ?? null;
        const timedOut = failure !== null && failure.killed === true && signal === 'SIGKILL';
        const result: ExecResult = { code, signal, stdout, stderr, timedOut, ok: code === 0 };
        if (!result.ok && options.allowFailure !== true) {
          reject(new LabCommandError(argv, code, signal, stdout, stderr, timedOut));
        } else {
          resolve(result);
        }
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Synchronous variant for `process.on('exit')` teardown, where no promise can run. Never throws. */
export function execCommandSync(argv: readonly string[], timeoutMs = 5_000): boolean {
  const [file, ...args] = argv;
  if (file === undefined) return false;
  try {
    execFileSync(file, args, { timeout: timeoutMs, stdio: 'ignore', killSignal: 'SIGKILL' });
    return true;
  } catch {
    return false;
  }
}

/** The argv that runs `argv` inside network namespace `ns`. */
export function inNamespace(ns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}
