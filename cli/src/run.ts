import { ExitCode, type CommandIo } from './command.js';
import { commands } from './commands.js';

function overview(): string {
  const width = Math.max(0, ...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'lbops: a MetalLB-compatible load balancer for bare-metal Kubernetes, driven from Git',
    '',
    'Usage: lbops <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `lbops <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

/** Dispatches to a subcommand; never throws for bad input, answers with an exit code. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version') {
    io.stdout.write('lbops 0.1.0\n');
    return ExitCode.ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr.write(`lbops: unknown command '${name}'. Run \`lbops --help\` for the list.\n`);
    return ExitCode.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return ExitCode.ok;
  }
  return command.run(rest, io);
}
