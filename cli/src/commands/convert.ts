import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { convertLegacyFiles, type KubeObject } from '@lbops/schemas';
import { ExitCode, type Command, type CommandIo } from '../command.js';
import { collectConfigFiles } from '../config-files.js';
import { formatHuman, summarize } from '../format-diagnostics.js';

const usage = `Usage: lbops convert [options] PATH...

Converts MetalLB's legacy ConfigMap (the \`config\` key with peers, bgp-communities, address-pools, bfd-profiles)
into metallb.io resources, with the mapping MetalLB's own converter uses: each pool becomes an IPAddressPool, a
layer2 pool gets an L2Advertisement, a bgp pool without bgp-advertisements gets an empty BGPAdvertisement,
peers become BGPPeers, bgp-communities a Community, bfd-profiles BFDProfiles. The output validates and means the
same as the input. Documents that are not legacy configuration are ignored.

Options:
  -o, --output DIR   write one file per resource (<kind>-<name>.yaml) into DIR instead of stdout

Exit status: 0 converted, 1 the legacy configuration is invalid (nothing written), 2 usage error.
`;

function fileNameFor(resource: KubeObject): string {
  const kind = String(resource.kind ?? 'resource').toLowerCase();
  const metadata = resource.metadata as { name?: unknown } | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : 'unnamed';
  return `${kind}-${name}.yaml`;
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { output: { type: 'string', short: 'o' } },
    });
  } catch (error) {
    io.stderr.write(`lbops convert: ${(error as Error).message}\n${usage}`);
    return ExitCode.usage;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    io.stderr.write(`lbops convert: name the legacy ConfigMap file(s) to convert\n${usage}`);
    return ExitCode.usage;
  }
  const collected = await collectConfigFiles(positionals, io.cwd);
  if (collected.problems.length > 0) {
    for (const problem of collected.problems) io.stderr.write(`lbops convert: ${problem}\n`);
    return ExitCode.usage;
  }
  const result = convertLegacyFiles(collected.files);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (result.diagnostics.length > 0) {
    const sources = new Map(collected.files.map((file) => [file.name, file.content]));
    const summary = summarize(result.diagnostics, collected.files.length);
    io.stderr.write(formatHuman(result.diagnostics, sources, summary, { colour: io.stderr.isTTY === true }));
  }
  if (errors.length > 0) return ExitCode.rejected;
  if (result.legacyConfigs === 0) {
    io.stderr.write(
      'lbops convert: no legacy MetalLB configuration found (a ConfigMap with a `config` key holding address-pools)\n',
    );
    return ExitCode.rejected;
  }
  if (values.output === undefined) {
    io.stdout.write(result.resources.map((resource) => stringify(resource)).join('---\n'));
    return ExitCode.ok;
  }
  const directory = path.resolve(io.cwd, values.output);
  await mkdir(directory, { recursive: true });
  for (const resource of result.resources) {
    const file = path.join(directory, fileNameFor(resource));
    await writeFile(file, stringify(resource));
    io.stderr.write(`wrote ${path.relative(io.cwd, file)}\n`);
  }
  return ExitCode.ok;
}

export const convertCommand: Command = {
  name: 'convert',
  summary: "convert MetalLB's legacy ConfigMap into metallb.io resources",
  usage,
  run,
};
