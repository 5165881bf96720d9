/** A lab prerequisite is missing (root, a binary): the message says what and how to install it. */
export class LabPrerequisiteError extends Error {
  override readonly name = 'LabPrerequisiteError';
  constructor(
    message: string,
    readonly missing: readonly string[],
  ) {
    super(message);
  }
}

/** A command run by the lab failed; carries what is needed to see why. */
export class LabCommandError extends Error {
  override readonly name = 'LabCommandError';
  constructor(
    readonly argv: readonly string[],
    readonly code: number | null,
    readonly signal: string | null,
    readonly stdout: string,
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    const why = timedOut ? 'timed out' : signal !== null ? `killed by ${signal}` : `exit code ${code}`;
    const detail = (stderr.trim() || stdout.trim()).split('\n').slice(-5).join('\n');
    super(`lab: \`${argv.join(' ')}\` failed (${why})${detail === '' ? '' : `:\n${detail}`}`);
  }
}

/** `waitFor` gave up: the message names what was awaited and the last observation. */
export class LabTimeoutError extends Error {
  override readonly name = 'LabTimeoutError';
}
