import { buildLab, type Lab, type LabSpec } from './lab.js';

/**
 * Builds a lab: namespaces, LAN, router, clients, management links. Throws `LabPrerequisiteError` (not root, a
 * tool missing) before touching anything. Tear it down with `lab.teardown()`, or use `withLab`.
 */
export async function createLab(spec: LabSpec = {}): Promise<Lab> {
  return buildLab(spec, []);
}

/**
 * Runs `body` with a fresh lab and always tears it down. When `body` throws, the run's logs, configs and
 * captures are kept (path printed to stderr and set on `lab.artifactsDir`) and the error is rethrown.
 */
export async function withLab<T>(spec: LabSpec, body: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await createLab(spec);
  let failed = true;
  try {
    const result = await body(lab);
    failed = false;
    return result;
  } finally {
    await lab.teardown({ keepArtifacts: failed });
    if (failed && lab.artifactsDir !== undefined) {
      process.stderr.write(
        `lab ${lab.runId}: artifacts (logs, configs, captures) kept in ${lab.artifactsDir}\n`,
      );
    }
  }
}
