import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  githubTokenFromEnv,
  PLAN_MARKER,
  parseStateFile,
  publishReport,
  pullRequestFromEvent,
  planFromGit,
  renderJson,
  renderMarkdown,
  renderText,
  type Plan,
  type StateFile,
} from '@lbops/gitops';
import { ExitCode, type Command, type CommandIo } from '../command.js';

const usage = `Usage: lbops plan --base REF [--head REF] [options]

Shows what a configuration change does before it merges: validates the head, lists the pools, advertisements
and peers added, removed and changed, the size and use of every pool before and after, and, running the
controller's allocator on the current assignments, which Services would change or lose their IP, which
pending ones would get one, and which requested IPs would no longer be allowed. Both refs are read from git
objects: no checkout, the working tree is not touched.

Options:
  --base REF                the commit the change starts from (a branch, tag or SHA), e.g. origin/main
  --head REF                the commit to review (default HEAD)
  --repo DIR                the git repository (default: the current directory)
  --path SUBDIR             the configuration directory inside the repository (default: all of it)
  --state FILE              current assignments, as written by \`lbops state export\`
  --kubeconfig PATH         read the current assignments from a cluster instead
  --format text|markdown|json   output (default text); markdown is the pull-request comment
  --fail-on invalid|renumber|none   exit 1 when the head is invalid (default), also when a Service would
                            change or lose its IP, or never
  --github-repo OWNER/REPO  link errors to the head commit's lines on GitHub (default: $GITHUB_REPOSITORY)
  --load-balancer-class C   the loadBalancerClass the controller serves (default: Services without a class)
  -o, --output FILE         write the report to FILE instead of standard output
  --comment                 also post the Markdown report as the pull request's sticky comment (edited in
                            place, untouched when unchanged); token from $GITHUB_TOKEN. When the token may
                            not comment (a fork's pull request), the report goes to $GITHUB_STEP_SUMMARY
  --pr NUMBER               the pull request (default: from $GITHUB_EVENT_PATH)

Exit status: 0 accepted by the --fail-on policy, 1 refused by it, 2 usage or git error.
`;

type FailOn = 'invalid' | 'renumber' | 'none';

/** Whether the policy refuses the plan. */
export function refused(plan: Plan, failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  if (!plan.head.valid) return true;
  if (failOn === 'invalid') return false;
  return (plan.services ?? []).some(
    (s) => s.kind === 'changed' || s.kind === 'lost' || s.kind === 'requested-invalid',
  );
}

async function readState(file: string, io: CommandIo): Promise<StateFile | string> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    return `cannot read the state file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  const parsed = parseStateFile(text);
  return parsed.ok ? parsed.state : `${file}: ${parsed.problem}`;
}

async function stateFromCluster(kubeconfig: string, io: CommandIo): Promise<StateFile | string> {
  try {
    const { exportClusterState } = await import('@lbops/gitops/cluster-state');
    return await exportClusterState({ kubeconfig: path.resolve(io.cwd, kubeconfig), now: new Date() });
  } catch (error) {
    return `cannot read the assignments from the cluster: ${(error as Error).message}`;
  }
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        base: { type: 'string' },
        head: { type: 'string', default: 'HEAD' },
        repo: { type: 'string', default: '.' },
        path: { type: 'string', default: '' },
        state: { type: 'string' },
        kubeconfig: { type: 'string' },
        format: { type: 'string', default: 'text' },
        'fail-on': { type: 'string', default: 'invalid' },
        'github-repo': { type: 'string' },
        'load-balancer-class': { type: 'string' },
        output: { type: 'string', short: 'o' },
        comment: { type: 'boolean', default: false },
        pr: { type: 'string' },
      },
    }));
  } catch (error) {
    io.stderr.write(`lbops plan: ${(error as Error).message}\n${usage}`);
    return ExitCode.usage;
  }
  const fail = (message: string) => {
    io.stderr.write(`lbops plan: ${message}\n`);
    return ExitCode.usage;
  };
  if (values.base === undefined) return fail('--base is required (the commit the change starts from)');
  if (!['text', 'markdown', 'json'].includes(values.format))
    return fail(`--format must be text, markdown or json, not "${values.format}"`);
  if (!['invalid', 'renumber', 'none'].includes(values['fail-on']))
    return fail(`--fail-on must be invalid, renumber or none, not "${values['fail-on']}"`);
  if (values.state !== undefined && values.kubeconfig !== undefined)
    return fail('give --state or --kubeconfig, not both');
  let state: StateFile | undefined;
  let assignmentsSource: string | undefined;
  if (values.state !== undefined || values.kubeconfig !== undefined) {
    const loaded =
      values.state !== undefined
        ? await readState(values.state, io)
        : await stateFromCluster(values.kubeconfig as string, io);
    if (typeof loaded === 'string') return fail(loaded);
    state = loaded;
    assignmentsSource = `${state.services.length} Services from ${state.source || 'a state file'}${state.exportedAt === '' ? '' : ` (exported ${state.exportedAt})`}`;
  }
  const githubRepo = values['github-repo'] ?? io.env.GITHUB_REPOSITORY;
  if (githubRepo !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(githubRepo))
    return fail(`--github-repo must be OWNER/REPO, not "${githubRepo}"`);
  let plan: Plan;
  try {
    plan = await planFromGit({
      repo: path.resolve(io.cwd, values.repo),
      base: values.base,
      head: values.head,
      path: values.path,
      state,
      loadBalancerClass: values['load-balancer-class'],
    });
  } catch (error) {
    return fail((error as Error).message);
  }
  const server = (io.env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  const markdown = () =>
    renderMarkdown(plan, {
      repositoryUrl: githubRepo === undefined ? undefined : `${server}/${githubRepo}`,
      baseRef: values.base,
      headRef: values.head,
      assignmentsSource,
    });
  const text =
    values.format === 'json'
      ? renderJson(plan)
      : values.format === 'markdown'
        ? markdown()
        : renderText(plan);
  if (values.comment) {
    if (githubRepo === undefined)
      return fail('--comment needs --github-repo OWNER/REPO (or $GITHUB_REPOSITORY)');
    const pr = values.pr !== undefined ? Number(values.pr) : await pullRequestFromEvent(io.env);
    if (pr !== undefined && (!Number.isInteger(pr) || pr <= 0))
      return fail(`--pr must be a pull request number, not "${values.pr}"`);
    const published = await publishReport({
      token: githubTokenFromEnv(io.env),
      repository: githubRepo,
      pullRequest: pr,
      marker: PLAN_MARKER,
      body: markdown(),
      summaryFile: io.env.GITHUB_STEP_SUMMARY,
      github: io.env.GITHUB_API_URL !== undefined ? { baseUrl: io.env.GITHUB_API_URL } : {},
    });
    io.stderr.write(
      published.kind === 'comment'
        ? `lbops plan: pull request comment ${published.action}: ${published.url}\n`
        : published.kind === 'summary'
          ? `lbops plan: report written to the job summary: ${published.reason}\n`
          : `lbops plan: report not published: ${published.reason}\n`,
    );
  }
  if (values.output !== undefined) {
    try {
      await writeFile(path.resolve(io.cwd, values.output), text);
    } catch (error) {
      return fail(`cannot write ${values.output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  } else io.stdout.write(text);
  return refused(plan, values['fail-on'] as FailOn) ? ExitCode.rejected : ExitCode.ok;
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'show what a configuration change does to pools and Services, before it merges (PR comment)',
  usage,
  run,
};
