// Real temporary git repositories for tests (never a mocked git): fixed identities and dates, so commit SHAs are
// the same on every run and golden files can hold them.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git } from '../git.js';

export interface TestRepo {
  readonly dir: string;
  /** Writes (or deletes, with null) files, commits them, and answers the new commit's SHA. */
  commit(files: Readonly<Record<string, string | null>>, message: string): Promise<string>;
  run(args: readonly string[]): Promise<string>;
  cleanup(): void;
}

let tick = 0;
const fixedEnv = () => {
  tick += 1;
  const date = `2026-01-01T00:00:${String(tick % 60).padStart(2, '0')}Z`;
  return {
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  };
};

async function must(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const out = await git(cwd, args, { env });
  if (!out.ok) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${out.stderr}`);
  return out.stdout.toString('utf8').trim();
}

export async function createTestRepo(
  options: { readonly bare?: boolean; readonly dir?: string } = {},
): Promise<TestRepo> {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'lbops-git-'));
  mkdirSync(dir, { recursive: true });
  await must(dir, ['init', '-q', '-b', 'main', ...(options.bare === true ? ['--bare'] : [])]);
  if (options.bare !== true) await must(dir, ['config', 'commit.gpgsign', 'false']);
  // Dates restart per repository, so one test's SHAs do not depend on how many commits other tests made.
  let local = 0;
  return {
    dir,
    async commit(files, message) {
      for (const [name, content] of Object.entries(files)) {
        const full = path.join(dir, name);
        if (content === null) rmSync(full, { force: true });
        else {
          mkdirSync(path.dirname(full), { recursive: true });
          writeFileSync(full, content);
        }
      }
      await must(dir, ['add', '-A']);
      local += 1;
      tick = local - 1;
      await must(dir, ['commit', '-q', '--allow-empty', '-m', message], fixedEnv());
      return must(dir, ['rev-parse', 'HEAD']);
    },
    run: (args) => must(dir, args, fixedEnv()),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
