// Wires git, loadConfig and the plan together for `lbops plan` and the Action: both refs are read from git
// objects (no checkout), so the working tree may be anything.
import { loadConfig, type LoadConfigOptions } from '@lbops/schemas';
import { resolveCommit } from './git.js';
import { readConfigFilesAt } from './git-config-files.js';
import { computePlan, type Plan } from './plan.js';
import type { StateFile } from './state-file.js';

export interface PlanFromGitOptions {
  readonly repo: string;
  readonly base: string;
  readonly head: string;
  /** Directory inside the repository holding the configuration ('' for all of it). */
  readonly path?: string;
  readonly state?: StateFile | undefined;
  readonly loadBalancerClass?: string | undefined;
  readonly loadOptions?: LoadConfigOptions;
}

export async function planFromGit(options: PlanFromGitOptions): Promise<Plan> {
  const [baseCommit, headCommit] = await Promise.all([
    resolveCommit(options.repo, options.base),
    resolveCommit(options.repo, options.head),
  ]);
  const [base, head] = await Promise.all([
    readConfigFilesAt(options.repo, baseCommit, options.path ?? ''),
    readConfigFilesAt(options.repo, headCommit, options.path ?? ''),
  ]);
  return computePlan({
    base: { commit: baseCommit, files: base.files, result: loadConfig(base.files, options.loadOptions) },
    head: { commit: headCommit, files: head.files, result: loadConfig(head.files, options.loadOptions) },
    state: options.state,
    loadBalancerClass: options.loadBalancerClass,
  });
}
