// The GitHub adapter: a sticky comment upserted by its hidden marker, the pull request of a commit, retries on
// server errors and rate limits. The token comes from the environment and never reaches a log or an error.
import { Octokit } from '@octokit/rest';
import { defaultRetryPolicy, retryDecision, type RetryPolicy } from './github-retry.js';

export interface GithubOptions {
  readonly token: string;
  /** https://api.github.com by default; GitHub Enterprise: https://HOST/api/v3. */
  readonly baseUrl?: string;
  readonly retry?: Partial<RetryPolicy>;
  /** Injected for tests (no real waiting). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Jitter source in [0, 1) (tests fix it). Default Math.random. */
  readonly random?: () => number;
  /** Told about each retry (for logs); the text never holds the token. */
  readonly onRetry?: (event: {
    method: string;
    url: string;
    status: number;
    delayMs: number;
    why: string;
    attempt: number;
  }) => void;
}

/** A failed GitHub call, with the HTTP status; its message is redacted of the token. */
export class GithubError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly operation: string,
  ) {
    super(message);
    this.name = 'GithubError';
  }
}

/** The token lbops uses: LBOPS_GITHUB_TOKEN, else GITHUB_TOKEN (Actions), else GH_TOKEN (gh CLI). */
export function githubTokenFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ['LBOPS_GITHUB_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN']) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** Replaces every occurrence of the secrets (and anything shaped like a GitHub token) in a text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  return out.replace(/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, '[REDACTED]');
}

interface OctokitFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

export interface CommentResult {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly id: number;
  readonly url: string;
}

export interface PullRequestRef {
  readonly number: number;
  readonly state: string;
  readonly merged: boolean;
  readonly url: string;
}

export class GithubClient {
  readonly octokit: Octokit;
  private readonly token: string;

  constructor(options: GithubOptions) {
    this.token = options.token;
    const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const now = options.now ?? Date.now;
    const secrets = [options.token];
    this.octokit = new Octokit({
      auth: options.token,
      userAgent: 'lbops',
      ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
      // Octokit's own log lines go through redaction too; debug and info are dropped.
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => process.emitWarning(redact(String(message), secrets)),
        error: (message: string) => process.emitWarning(redact(String(message), secrets)),
      },
    });
    this.octokit.hook.wrap('request', async (request, requestOptions) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await request(requestOptions);
        } catch (error) {
          const failure = error as OctokitFailure;
          const status = failure.status ?? 0;
          const data = failure.response?.data as { message?: unknown } | undefined;
          const message = typeof data?.message === 'string' ? data.message : (failure.message ?? '');
          const decision = retryDecision(
            { status, headers: failure.response?.headers ?? {}, message },
            attempt,
            now(),
            policy,
            (options.random ?? Math.random)(),
          );
          if (!decision.retry) throw error;
          options.onRetry?.({
            method: requestOptions.method,
            url: redact(requestOptions.url, secrets),
            status,
            delayMs: decision.delayMs,
            why: decision.why,
            attempt,
          });
          await sleep(decision.delayMs);
        }
      }
    });
  }

  /** Runs a call; a failure becomes a GithubError whose message names the operation and never the token. */
  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const failure = error as OctokitFailure;
      const status = failure.status ?? 0;
      const data = failure.response?.data as { message?: unknown } | undefined;
      const detail = typeof data?.message === 'string' ? data.message : (failure.message ?? String(error));
      const hint =
        status === 401
          ? ' (the token is invalid or expired)'
          : status === 403 || status === 404
            ? ' (the token may lack permission: pull-requests: write / issues: write)'
            : '';
      throw new GithubError(
        redact(`${operation}: ${status === 0 ? '' : `${status} `}${detail}${hint}`, [this.token]),
        status,
        operation,
      );
    }
  }

  /**
   * Creates or edits the one comment carrying `marker` on an issue or pull request. Unchanged content is not
   * written again (no notification, no "edited" mark): the upsert is a no-op.
   */
  async ensureComment(options: {
    owner: string;
    repo: string;
    issueNumber: number;
    marker: string;
    body: string;
  }): Promise<CommentResult> {
    const body = options.body.includes(options.marker) ? options.body : `${options.marker}\n${options.body}`;
    const where = `${options.owner}/${options.repo}#${options.issueNumber}`;
    const existing = await this.call(`listing the comments of ${where}`, async () => {
      const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listComments, {
        owner: options.owner,
        repo: options.repo,
        issue_number: options.issueNumber,
        per_page: 100,
      });
      for await (const page of pages) {
        const found = page.data.find((c) => c.body?.includes(options.marker) === true);
        if (found !== undefined) return found;
      }
      return undefined;
    });
    if (existing === undefined) {
      const created = await this.call(`commenting on ${where}`, () =>
        this.octokit.rest.issues.createComment({
          owner: options.owner,
          repo: options.repo,
          issue_number: options.issueNumber,
          body,
        }),
      );
      return { action: 'created', id: created.data.id, url: created.data.html_url };
    }
    if ((existing.body ?? '').trim() === body.trim())
      return { action: 'unchanged', id: existing.id, url: existing.html_url };
    const updated = await this.call(`editing comment ${existing.id} on ${where}`, () =>
      this.octokit.rest.issues.updateComment({
        owner: options.owner,
        repo: options.repo,
        comment_id: existing.id,
        body,
      }),
    );
    return { action: 'updated', id: updated.data.id, url: updated.data.html_url };
  }

  /** The pull request a commit belongs to: one whose head or merge commit it is, open ones first. */
  async findPullRequest(options: {
    owner: string;
    repo: string;
    sha: string;
  }): Promise<PullRequestRef | undefined> {
    const pulls = await this.call(`finding the pull request of ${options.sha.slice(0, 12)}`, () =>
      this.octokit.paginate(this.octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
        owner: options.owner,
        repo: options.repo,
        commit_sha: options.sha,
        per_page: 100,
      }),
    );
    const rank = (p: (typeof pulls)[number]) =>
      (p.merge_commit_sha === options.sha || p.head.sha === options.sha ? 0 : 2) +
      (p.state === 'open' ? 0 : 1);
    const best = [...pulls].sort((a, b) => rank(a) - rank(b) || b.number - a.number)[0];
    return best === undefined
      ? undefined
      : { number: best.number, state: best.state, merged: best.merged_at !== null, url: best.html_url };
  }
}
