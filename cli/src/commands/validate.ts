import { parseArgs } from 'node:util';
import { loadConfig, type Diagnostic } from '@lbops/schemas';
import { ExitCode, type Command, type CommandIo } from '../command.js';
import { collectConfigFiles } from '../config-files.js';
import {
  formatGithub,
  formatHuman,
  formatJson,
  summarize,
  type OutputFormat,
} from '../format-diagnostics.js';
import { loadContextFile } from '../context-file.js';

const usage = `Usage: lbops validate [options] [PATH...]

Validates address-pool configuration: metallb.io resources (IPAddressPool, L2Advertisement, BGPAdvertisement,
BGPPeer, Community, BFDProfile) and MetalLB's legacy ConfigMap, against lbops' JSON Schemas and semantic rules,
across all files at once. PATH is a file or a directory (walked for .yaml/.yml; .lbopsignore lists what to skip).
Default PATH: the current directory.

Options:
  --format human|json|github   output: compiler-style text (default), JSON, or GitHub workflow annotations
  --context FILE               site facts (node addresses, gateways, pod/service CIDRs, other clusters' pools);
                               pools overlapping any of them are errors
  --color / --no-color         force colours on or off (default: on when stdout is a terminal)

Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error.
`;

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'human' },
        context: { type: 'string' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
      },
    });
  } catch (error) {
    io.stderr.write(`lbops validate: ${(error as Error).message}\n${usage}`);
    return ExitCode.usage;
  }
  const { values, positionals } = parsed;
  const format = values.format as OutputFormat;
  if (!['human', 'json', 'github'].includes(format)) {
    io.stderr.write(`lbops validate: --format must be human, json or github, not "${values.format}"\n`);
    return ExitCode.usage;
  }
  const collected = await collectConfigFiles(positionals.length > 0 ? positionals : ['.'], io.cwd);
  if (collected.problems.length > 0) {
    for (const problem of collected.problems) io.stderr.write(`lbops validate: ${problem}\n`);
    return ExitCode.usage;
  }
  if (collected.files.length === 0) {
    io.stderr.write(`lbops validate: no .yaml or .yml files found in ${positionals.join(' ') || '.'}\n`);
    return ExitCode.usage;
  }
  const extra: Diagnostic[] = [];
  let context;
  if (values.context !== undefined) {
    const loaded = await loadContextFile(values.context, io.cwd);
    if (!loaded.ok) {
      io.stderr.write(`lbops validate: ${loaded.problem}\n`);
      return ExitCode.usage;
    }
    extra.push(...loaded.diagnostics);
    context = loaded.context;
  }
  const result = loadConfig(collected.files, context === undefined ? {} : { context });
  const diagnostics = [...extra, ...result.diagnostics];
  const summary = summarize(diagnostics, collected.files.length);
  const colour = values['no-color'] === true ? false : values.color === true || io.stdout.isTTY === true;
  const sources = new Map(collected.files.map((file) => [file.name, file.content]));
  const text =
    format === 'json'
      ? formatJson(diagnostics, summary)
      : format === 'github'
        ? formatGithub(diagnostics, summary)
        : formatHuman(diagnostics, sources, summary, { colour });
  io.stdout.write(text);
  return summary.errors > 0 ? ExitCode.rejected : ExitCode.ok;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'validate pool configuration files (schemas + semantic rules), with errors at file:line:col',
  usage,
  run,
};
