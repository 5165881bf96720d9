// Where a report goes on GitHub: the sticky comment of the pull request when the token may write, else (a fork's
// pull request gets a read-only token) the job summary, so the report is never lost and the check never fails
// just because it could not comment.
import { appendFile, readFile } from 'node:fs/promises';
import { GithubClient, GithubError, type GithubOptions } from './github.js';

export interface PublishOptions {
  readonly token: string | undefined;
  /** OWNER/REPO */
  readonly repository: string;
  readonly pullRequest: number | undefined;
  readonly marker: string;
  readonly body: string;
  /** $GITHUB_STEP_SUMMARY, when running in Actions. */
  readonly summaryFile: string | undefined;
  readonly github?: Omit<GithubOptions, 'token'>;
}

export type PublishResult =
  | { readonly kind: 'comment'; readonly action: 'created' | 'updated' | 'unchanged'; readonly url: string }
  | { readonly kind: 'summary'; readonly reason: string }
  | { readonly kind: 'nowhere'; readonly reason: string };

async function toSummary(options: PublishOptions, reason: string): Promise<PublishResult> {
  if (options.summaryFile === undefined || options.summaryFile === '') return { kind: 'nowhere', reason };
  await appendFile(options.summaryFile, `${options.body.trimEnd()}\n\n`);
  return { kind: 'summary', reason };
}

export async function publishReport(options: PublishOptions): Promise<PublishResult> {
  if (options.token === undefined)
    return toSummary(options, 'no GitHub token in the environment (GITHUB_TOKEN)');
  if (options.pullRequest === undefined)
    return toSummary(options, 'no pull request number (not a pull_request event; pass --pr)');
  const [owner, repo] = options.repository.split('/');
  if (owner === undefined || repo === undefined)
    return toSummary(options, `"${options.repository}" is not OWNER/REPO`);
  const client = new GithubClient({ ...options.github, token: options.token });
  try {
    const result = await client.ensureComment({
      owner,
      repo,
      issueNumber: options.pullRequest,
      marker: options.marker,
      body: options.body,
    });
    return { kind: 'comment', action: result.action, url: result.url };
  } catch (error) {
    if (!(error instanceof GithubError)) throw error;
    // 403 "Resource not accessible by integration" is what a fork's read-only GITHUB_TOKEN gets.
    const reason =
      error.status === 403 || error.status === 404
        ? `the token cannot comment (${error.message})`
        : error.message;
    return toSummary(options, reason);
  }
}

/** The pull request number of the running workflow's event (pull_request / pull_request_target), if any. */
export async function pullRequestFromEvent(env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const file = env.GITHUB_EVENT_PATH;
  if (file === undefined || file === '') return undefined;
  try {
    const event = JSON.parse(await readFile(file, 'utf8')) as {
      pull_request?: { number?: unknown };
      number?: unknown;
    };
    const number = event.pull_request?.number ?? event.number;
    return typeof number === 'number' ? number : undefined;
  } catch {
    return undefined;
  }
}
