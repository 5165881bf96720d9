import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exportClusterState } from '@lbops/gitops/cluster-state';
import { ExitCode, type Command, type CommandIo } from '../command.js';

const usage = `Usage: lbops state export [--kubeconfig PATH] [-o FILE]

Writes the current address assignments of a cluster (LoadBalancer Services with their IPs, pool, annotations,
labels, spec fields allocation reads, and their namespaces' labels) as a versioned JSON state file, for
\`lbops plan --state FILE\` where the cluster cannot be reached (a pull request's CI). No credentials are
written; the file names the API server it came from. Format: gitops/README.md.

Options:
  --kubeconfig PATH   the cluster (default: in-cluster, else $KUBECONFIG or ~/.kube/config)
  -o, --output FILE   write there (default: standard output)

Exit status: 0 written, 2 usage error or the cluster could not be read.
`;

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { kubeconfig: { type: 'string' }, output: { type: 'string', short: 'o' } },
    });
  } catch (error) {
    io.stderr.write(`lbops state: ${(error as Error).message}\n${usage}`);
    return ExitCode.usage;
  }
  const [action, ...extra] = parsed.positionals;
  if (action !== 'export' || extra.length > 0) {
    io.stderr.write(`lbops state: the subcommand is "export"\n${usage}`);
    return ExitCode.usage;
  }
  let text: string;
  try {
    const state = await exportClusterState({
      kubeconfig:
        parsed.values.kubeconfig === undefined ? undefined : path.resolve(io.cwd, parsed.values.kubeconfig),
      now: new Date(),
    });
    text = JSON.stringify(state, null, 2) + '\n';
  } catch (error) {
    io.stderr.write(`lbops state export: cannot read the cluster: ${(error as Error).message}\n`);
    return ExitCode.usage;
  }
  if (parsed.values.output === undefined) io.stdout.write(text);
  else {
    try {
      await writeFile(path.resolve(io.cwd, parsed.values.output), text);
    } catch (error) {
      io.stderr.write(
        `lbops state export: cannot write ${parsed.values.output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`,
      );
      return ExitCode.usage;
    }
  }
  return ExitCode.ok;
}

export const stateCommand: Command = {
  name: 'state',
  summary: 'export the current address assignments of a cluster to a state file (for lbops plan --state)',
  usage,
  run,
};
