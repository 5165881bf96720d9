// The repository the sync follows: a bare cache fetched from the remote (no working tree: files are read from
// git objects). Credentials come from the environment or a mounted Secret and never appear in arguments, logs
// or errors: an HTTPS token goes in through GIT_CONFIG_* (an Authorization header), an SSH key through
// GIT_SSH_COMMAND.
import { existsSync, mkdirSync } from 'node:fs';
import { git, GitError } from './git.js';
import { redact } from './github.js';

export interface GitCredentials {
  /** HTTPS token (GitHub: any user name; the token is the password). */
  readonly token?: string | undefined;
  /** Path of a private key file for SSH URLs. */
  readonly sshKeyFile?: string | undefined;
}

export interface GitSourceOptions {
  readonly url: string;
  readonly branch: string;
  /** Where the bare cache lives (created when missing). */
  readonly cacheDir: string;
  readonly credentials?: GitCredentials;
  readonly timeoutMs?: number;
}

export class GitSource {
  private initialised = false;

  constructor(readonly options: GitSourceOptions) {}

  get dir(): string {
    return this.options.cacheDir;
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    const token = this.options.credentials?.token;
    if (token !== undefined && token !== '') {
      const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
    }
    const key = this.options.credentials?.sshKeyFile;
    if (key !== undefined && key !== '')
      env.GIT_SSH_COMMAND = `ssh -i '${key.replace(/'/g, "'\\''")}' -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes`;
    return env;
  }

  private secrets(): string[] {
    const token = this.options.credentials?.token;
    if (token === undefined || token === '') return [];
    return [token, Buffer.from(`x-access-token:${token}`).toString('base64')];
  }

  /** Fetches the branch and answers its commit SHA. */
  async fetch(): Promise<string> {
    if (!this.initialised) {
      if (!existsSync(this.dir)) mkdirSync(this.dir, { recursive: true });
      const init = await git(this.dir, ['init', '-q', '--bare']);
      if (!init.ok)
        throw new GitError(`cannot create the git cache in ${this.dir}: ${init.stderr}`, init.stderr);
      this.initialised = true;
    }
    const ref = `refs/remotes/origin/${this.options.branch}`;
    const out = await git(
      this.dir,
      [
        'fetch',
        '-q',
        '--no-tags',
        '--prune',
        '--end-of-options',
        this.options.url,
        `+refs/heads/${this.options.branch}:${ref}`,
      ],
      { env: this.env(), timeoutMs: this.options.timeoutMs ?? 60_000 },
    );
    if (!out.ok) {
      const stderr = redact(out.stderr, this.secrets());
      throw new GitError(
        `cannot fetch ${this.options.branch} from ${redactUrl(this.options.url)}: ${stderr}`,
        stderr,
      );
    }
    const head = await git(this.dir, ['rev-parse', '--verify', `${ref}^{commit}`]);
    if (!head.ok) throw new GitError(`branch ${this.options.branch} not found after fetch`, head.stderr);
    return head.stdout.toString('utf8').trim();
  }
}

/** https://user:secret@host/x -> https://***@host/x */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^@/]+@/i, '$1***@');
}
