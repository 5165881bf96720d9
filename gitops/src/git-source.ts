// The repository the sync follows: a bare cache fetched from the remote (no working tree: files are read from
// git objects). Credentials come from the environment, a mounted file or a Secret read through the API (a
// provider asked before each fetch, so rotation needs no restart), and never appear in arguments, logs or
// errors: an HTTPS token goes in through GIT_CONFIG_* (an Authorization header), an SSH key through
// GIT_SSH_COMMAND (a key given as text is written to a private 0600 file first, as ssh requires).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git, GitError } from './git.js';
import { redact } from './github.js';

export interface GitCredentials {
  /** HTTPS token or password (GitHub: any user name; the token is the password). */
  readonly token?: string | undefined;
  /** HTTPS user name sent with the token. Default x-access-token. */
  readonly username?: string | undefined;
  /** Path of a private key file for SSH URLs. */
  readonly sshKeyFile?: string | undefined;
  /** A private key for SSH URLs, as text (from a Secret's `ssh-privatekey`). */
  readonly sshPrivateKey?: string | undefined;
  /** known_hosts lines: when given, the SSH host key must match (StrictHostKeyChecking=yes). */
  readonly knownHosts?: string | undefined;
}

export interface GitSourceOptions {
  readonly url: string;
  readonly branch: string;
  /** Where the bare cache lives (created when missing). */
  readonly cacheDir: string;
  readonly credentials?: GitCredentials;
  /** Asked before each fetch (for example: read a Secret); wins over `credentials`. Throws to fail the fetch. */
  readonly credentialsProvider?: () => Promise<GitCredentials>;
  readonly timeoutMs?: number;
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** Pure: the environment that hands the credentials to git. `files` are where key material was written. */
export function gitCredentialEnv(
  credentials: GitCredentials | undefined,
  files: { readonly sshKeyFile?: string | undefined; readonly knownHostsFile?: string | undefined } = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const token = credentials?.token;
  if (token !== undefined && token !== '') {
    const basic = Buffer.from(`${credentials?.username ?? 'x-access-token'}:${token}`).toString('base64');
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  const key = files.sshKeyFile ?? credentials?.sshKeyFile;
  if (key !== undefined && key !== '') {
    const hosts =
      files.knownHostsFile === undefined
        ? '-o StrictHostKeyChecking=accept-new'
        : `-o StrictHostKeyChecking=yes -o UserKnownHostsFile=${quote(files.knownHostsFile)}`;
    env.GIT_SSH_COMMAND = `ssh -i ${quote(key)} -o IdentitiesOnly=yes ${hosts} -o BatchMode=yes`;
  }
  return env;
}

export class GitSource {
  private initialised = false;

  constructor(readonly options: GitSourceOptions) {}

  get dir(): string {
    return this.options.cacheDir;
  }

  /** Private directory (0700) holding key material given as text; removed by close(). */
  private keyDir: string | undefined;

  private writeKeyMaterial(name: string, text: string): string {
    this.keyDir ??= mkdtempSync(path.join(tmpdir(), 'lbops-git-credentials-'));
    const file = path.join(this.keyDir, name);
    // OpenSSH refuses a key without its final newline ("invalid format"); Secrets often lose it.
    const content = text.endsWith('\n') ? text : `${text}\n`;
    if (!existsSync(file) || readFileSync(file, 'utf8') !== content)
      writeFileSync(file, content, { mode: 0o600 });
    return file;
  }

  private async credentials(): Promise<{ env: NodeJS.ProcessEnv; secrets: string[] }> {
    const credentials =
      this.options.credentialsProvider !== undefined
        ? await this.options.credentialsProvider()
        : this.options.credentials;
    const files = {
      sshKeyFile:
        credentials?.sshPrivateKey !== undefined
          ? this.writeKeyMaterial('id', credentials.sshPrivateKey)
          : undefined,
      knownHostsFile:
        credentials?.knownHosts !== undefined
          ? this.writeKeyMaterial('known_hosts', credentials.knownHosts)
          : undefined,
    };
    const token = credentials?.token;
    const secrets =
      token === undefined || token === ''
        ? []
        : [token, Buffer.from(`${credentials?.username ?? 'x-access-token'}:${token}`).toString('base64')];
    return { env: gitCredentialEnv(credentials, files), secrets };
  }

  /** Removes key material written for SSH. */
  close(): void {
    if (this.keyDir !== undefined) rmSync(this.keyDir, { recursive: true, force: true });
    this.keyDir = undefined;
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
    const { env, secrets } = await this.credentials();
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
      { env, timeoutMs: this.options.timeoutMs ?? 60_000 },
    );
    if (!out.ok) {
      const stderr = redact(out.stderr, secrets);
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
