/** What a subcommand gets from the process, so that commands can be tested without spawning one. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface Command {
  readonly name: string;
  /** One line for `lbops --help`. */
  readonly summary: string;
  /** Full usage text for `lbops NAME --help`. */
  readonly usage: string;
  /** Returns the process exit code: 0 success, 1 the input was rejected, 2 a usage error. */
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** Exit codes shared by every subcommand. */
export const ExitCode = { ok: 0, rejected: 1, usage: 2 } as const;
