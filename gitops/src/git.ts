// A thin adapter over the real git binary (child_process, no shell): plan reads files straight from git objects
// at any ref, without a checkout, and the sync follows a remote. Failures are data (GitResult), not throws.
import { execFile } from 'node:child_process';

export interface GitOutput {
  readonly ok: boolean;
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly code: number | null;
}

/** Bounded: git never waits for a terminal prompt, and a hung command is killed. */
const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_ASKPASS: 'true',
  GIT_CONFIG_NOSYSTEM: '1',
  LC_ALL: 'C',
};

export interface GitOptions {
  /** Extra environment (for example GIT_SSH_COMMAND); merged over the process environment. */
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

export function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<GitOutput> {
  return new Promise((resolve) => {
    execFile(
      'git',
      [...args],
      {
        cwd,
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs ?? 60_000,
        env: { ...process.env, ...GIT_ENV, ...options.env },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ ok: error === null, stdout, stderr: stderr.toString('utf8').trim(), code });
      },
    );
  });
}

export class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

async function gitText(cwd: string, args: readonly string[], what: string, options?: GitOptions) {
  const out = await git(cwd, args, options);
  if (!out.ok) throw new GitError(`${what}: ${out.stderr || `git exited with ${out.code}`}`, out.stderr);
  return out.stdout.toString('utf8');
}

/** The commit a ref names (branch, tag, SHA, `HEAD~1`, `origin/main`). */
export async function resolveCommit(repo: string, ref: string, options?: GitOptions): Promise<string> {
  if (ref.startsWith('-')) throw new GitError(`"${ref}" is not a git revision`, '');
  const text = await gitText(
    repo,
    ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`],
    `cannot resolve "${ref}" in ${repo}`,
    options,
  );
  return text.trim();
}

export interface TreeEntry {
  /** Path from the repository root, with `/`. */
  readonly path: string;
  readonly blob: string;
}

/** The files (blobs) under `subdir` at a commit; the whole tree when subdir is empty. */
export async function listTree(repo: string, commit: string, subdir = ''): Promise<TreeEntry[]> {
  const args = ['ls-tree', '-r', '-z', '--full-tree', commit];
  const cleaned = subdir.replace(/^\.?\/+|\/+$/g, '');
  if (cleaned !== '' && cleaned !== '.') args.push('--', cleaned);
  const out = await git(repo, args);
  if (!out.ok) throw new GitError(`cannot list ${commit}:${cleaned}: ${out.stderr}`, out.stderr);
  const entries: TreeEntry[] = [];
  for (const record of out.stdout.toString('utf8').split('\0')) {
    // "<mode> <type> <object>\t<path>"
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, object] = record.slice(0, tab).split(' ');
    if (type !== 'blob' || object === undefined || mode === '120000') continue; // symlinks are not followed
    entries.push({ path: record.slice(tab + 1), blob: object });
  }
  return entries;
}

/** The contents of several blobs in one `git cat-file --batch` process. */
export async function readBlobs(repo: string, blobs: readonly string[]): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  if (blobs.length === 0) return result;
  const { spawn } = await import('node:child_process');
  const child = spawn('git', ['cat-file', '--batch'], {
    cwd: repo,
    env: { ...process.env, ...GIT_ENV },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.end(blobs.join('\n') + '\n');
  const code = await done;
  if (code !== 0) throw new GitError(`git cat-file failed: ${stderr.trim()}`, stderr);
  const data = Buffer.concat(chunks);
  let offset = 0;
  for (const blob of blobs) {
    const newline = data.indexOf(0x0a, offset);
    if (newline < 0) throw new GitError(`git cat-file: short output for ${blob}`, '');
    const header = data.subarray(offset, newline).toString('utf8');
    const [, type, sizeText] = header.split(' ');
    if (type !== 'blob' || sizeText === undefined)
      throw new GitError(`git cat-file: ${blob} is not a blob (${header})`, '');
    const size = Number(sizeText);
    result.set(blob, data.subarray(newline + 1, newline + 1 + size).toString('utf8'));
    offset = newline + 1 + size + 1;
  }
  return result;
}

export interface CommitInfo {
  readonly sha: string;
  readonly subject: string;
  readonly author: string;
  /** Committer date, ISO 8601. */
  readonly date: string;
}

export async function commitInfo(repo: string, commit: string): Promise<CommitInfo> {
  const text = await gitText(
    repo,
    ['show', '-s', '--format=%H%x00%s%x00%an%x00%cI', '--end-of-options', commit],
    `cannot read commit ${commit}`,
  );
  const [sha = '', subject = '', author = '', date = ''] = text.trim().split('\0');
  return { sha, subject, author, date };
}
