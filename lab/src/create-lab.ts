import type { BgpDaemonSpec } from './bgp-types.js';
import { startDaemons, toolsFor } from './daemons.js';
import { buildLab, type Lab, type LabSpec } from './lab.js';

export interface LabSpecWithDaemons extends LabSpec {
  /** BIRD on the router (default: running, no peers). `false`: no BIRD. */
  readonly bird?: BgpDaemonSpec | false;
  /** FRR bgpd in its own namespace on the LAN (off unless given). */
  readonly frr?: BgpDaemonSpec;
  /** GoBGP in its own namespace on the LAN (off unless given). */
  readonly gobgp?: BgpDaemonSpec;
}

/**
 * Builds a lab: namespaces, LAN, router, clients, management links, and the BGP daemons of the spec. Throws
 * `LabPrerequisiteError` (not root, a tool missing) before touching anything. Tear it down with
 * `lab.teardown()`, or use `withLab`.
 */
export async function createLab(spec: LabSpecWithDaemons = {}): Promise<Lab> {
  const lab = await buildLab(spec, toolsFor(spec));
  try {
    lab.setDaemons(await startDaemons(lab, spec), spec);
    lab.writeDescription();
  } catch (error) {
    await lab.teardown({ keepArtifacts: true });
    if (lab.artifactsDir !== undefined && error instanceof Error) {
      error.message += ` (logs kept in ${lab.artifactsDir})`;
    }
    throw error;
  }
  return lab;
}

/**
 * Runs `body` with a fresh lab and always tears it down. When `body` throws, the run's logs, configs and
 * captures are kept (path printed to stderr and set on `lab.artifactsDir`) and the error is rethrown.
 */
export async function withLab<T>(spec: LabSpecWithDaemons, body: (lab: Lab) => Promise<T>): Promise<T> {
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
