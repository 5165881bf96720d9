import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LabPrerequisiteError } from './errors.js';

/** A program the lab runs, and the Debian package that provides it. */
export interface Tool {
  readonly name: string;
  /** Absolute path, or a name looked up in PATH (plus the sbin directories, which root's PATH may lack). */
  readonly path: string;
  readonly aptPackage: string;
}

export const tools = {
  ip: { name: 'ip', path: 'ip', aptPackage: 'iproute2' },
  bird: { name: 'bird', path: 'bird', aptPackage: 'bird2' },
  birdc: { name: 'birdc', path: 'birdc', aptPackage: 'bird2' },
  bgpd: { name: 'bgpd', path: '/usr/lib/frr/bgpd', aptPackage: 'frr' },
  vtysh: { name: 'vtysh', path: 'vtysh', aptPackage: 'frr' },
  gobgpd: { name: 'gobgpd', path: 'gobgpd', aptPackage: 'gobgpd' },
  gobgp: { name: 'gobgp', path: 'gobgp', aptPackage: 'gobgpd' },
  arping: { name: 'arping', path: 'arping', aptPackage: 'arping' },
  ping: { name: 'ping', path: 'ping', aptPackage: 'iputils-ping' },
  tcpdump: { name: 'tcpdump', path: 'tcpdump', aptPackage: 'tcpdump' },
} as const satisfies Record<string, Tool>;

export type ToolName = keyof typeof tools;

const extraDirs = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of a tool, or undefined when it is not installed. */
export function findTool(tool: Tool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = tool.path.startsWith('/')
    ? [tool.path]
    : [...(env['PATH'] ?? '').split(delimiter), ...extraDirs]
        .filter((dir) => dir !== '')
        .map((dir) => join(dir, tool.path));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

/** Resolved tool path, throwing the install hint when missing. */
export function toolPath(name: ToolName): string {
  const tool = tools[name];
  const found = findTool(tool);
  if (found === undefined) throw prerequisiteError([name]);
  return found;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The error naming what is missing ("root" or tool names) and the apt packages that provide the tools. */
export function prerequisiteError(missing: readonly string[]): LabPrerequisiteError {
  const names = missing.filter((name) => name !== 'root');
  const packages = [...new Set(names.map((name) => tools[name as ToolName].aptPackage))];
  const parts: string[] = [];
  if (missing.includes('root'))
    parts.push('root privileges (network namespaces need CAP_NET_ADMIN): run as root, e.g. with sudo');
  if (names.length > 0)
    parts.push(`${names.join(', ')} (install with: apt-get install -y ${packages.join(' ')})`);
  return new LabPrerequisiteError(`lab: missing ${parts.join('; ')}`, missing);
}

/** What is missing to run a lab with these tools; an empty list means everything is there. */
export function missingPrerequisites(needed: readonly ToolName[]): string[] {
  const missing: string[] = [];
  if (!isRoot()) missing.push('root');
  for (const name of new Set<ToolName>(['ip', ...needed])) {
    if (findTool(tools[name]) === undefined) missing.push(name);
  }
  return missing;
}

/** Throws a `LabPrerequisiteError` naming every missing piece and the apt packages that provide them. */
export function assertPrerequisites(needed: readonly ToolName[]): void {
  const missing = missingPrerequisites(needed);
  if (missing.length > 0) throw prerequisiteError(missing);
}

/**
 * For tests: returns a skip reason when the lab cannot run here, or undefined when it can. In CI
 * (`process.env.CI` set) a missing prerequisite throws instead, so lab tests never skip silently there.
 * Use as `test('...', { skip: labSkipReason(['bird']) }, ...)`.
 */
export function labSkipReason(
  needed: readonly ToolName[],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return skipReasonFor(missingPrerequisites(needed), env);
}

/** The decision behind `labSkipReason`, for a given list of missing pieces. */
export function skipReasonFor(missing: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  if (missing.length === 0) return undefined;
  const error = prerequisiteError(missing);
  if (env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false') {
    throw new LabPrerequisiteError(`${error.message} (CI is set: lab tests must not be skipped)`, missing);
  }
  return error.message;
}
