import {
  createLab,
  describeLab,
  labStatuses,
  LabPrerequisiteError,
  sweep,
  type BgpPeerRef,
  type LabStatus,
} from '@lbops/lab';
import { ExitCode, type Command, type CommandIo } from '../command.js';

const usage = `Usage: lbops lab up [--nodes N] [--frr] [--gobgp] [--speaker-asn ASN] [--json]
       lbops lab status [--json]
       lbops lab down [RUNID]

A network lab in Linux network namespaces (needs root): a LAN bridge with N node namespaces,
a router running BIRD that peers with every node, a client on the LAN and one behind the
router, and a management link from this host to every node. FRR and GoBGP optionally join
the LAN and peer with the nodes too. The lab keeps running after \`up\` returns.

  up      Build a lab and print its addresses and how to enter its namespaces.
          --nodes N          node namespaces (default 2)
          --frr, --gobgp     also run FRR bgpd / GoBGP, peering with the nodes
          --speaker-asn ASN  the nodes' AS number the daemons expect (default 64600)
  status  List labs: namespaces and daemon processes still present.
  down    Tear down lab RUNID, or every lab made by \`up\`; also sweeps what crashed
          test runs left behind (only lbl-* names and the lab's state directory).

State: $LBOPS_LAB_STATE_DIR or /run/lbops-lab.
`;

interface UpOptions {
  nodes: number;
  frr: boolean;
  gobgp: boolean;
  speakerAsn: number;
  json: boolean;
}

function parseUp(args: readonly string[]): UpOptions | string {
  const options: UpOptions = { nodes: 2, frr: false, gobgp: false, speakerAsn: 64600, json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const number = (name: string, min: number, max: number): number | string => {
      const value = Number(args[++i]);
      return Number.isInteger(value) && value >= min && value <= max
        ? value
        : `${name} wants an integer ${min}..${max}`;
    };
    switch (arg) {
      case '--nodes': {
        const value = number('--nodes', 1, 64);
        if (typeof value === 'string') return value;
        options.nodes = value;
        break;
      }
      case '--speaker-asn': {
        const value = number('--speaker-asn', 1, 4294967295);
        if (typeof value === 'string') return value;
        options.speakerAsn = value;
        break;
      }
      case '--frr':
        options.frr = true;
        break;
      case '--gobgp':
        options.gobgp = true;
        break;
      case '--json':
        options.json = true;
        break;
      default:
        return `unknown option '${arg}'`;
    }
  }
  return options;
}

async function up(args: readonly string[], io: CommandIo): Promise<number> {
  const options = parseUp(args);
  if (typeof options === 'string') {
    io.stderr.write(`lbops lab up: ${options}\n${usage}`);
    return ExitCode.usage;
  }
  const peers: BgpPeerRef[] = Array.from({ length: options.nodes }, (_, node) => ({
    node,
    asn: options.speakerAsn,
  }));
  const lab = await createLab({
    nodes: options.nodes,
    manual: true,
    bird: { peers },
    ...(options.frr ? { frr: { peers } } : {}),
    ...(options.gobgp ? { gobgp: { peers } } : {}),
  });
  io.stdout.write(
    options.json ? `${JSON.stringify(lab.describe(), null, 2)}\n` : describeLab(lab.describe()),
  );
  if (!options.json) io.stdout.write(`\nTear down: lbops lab down ${lab.runId}\n`);
  return ExitCode.ok;
}

function statusLine(status: LabStatus): string {
  const running = status.processes
    .filter((process) => process.running)
    .map((process) => `${process.name}(${process.pid})`);
  const kind =
    status.owner?.manual === true
      ? 'manual'
      : status.ownerAlive
        ? `owned by pid ${status.owner?.pid}`
        : 'orphaned';
  return `${status.runId}  ${kind}  ${status.namespaces.length} namespaces  processes: ${running.join(' ') || 'none'}\n`;
}

async function status(args: readonly string[], io: CommandIo): Promise<number> {
  const statuses = await labStatuses();
  if (args.includes('--json')) {
    io.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (statuses.length === 0) io.stdout.write('no labs\n');
  for (const entry of statuses) {
    io.stdout.write(statusLine(entry));
    if (entry.description !== undefined && entry.owner?.manual === true)
      io.stdout.write(describeLab(entry.description));
  }
  return ExitCode.ok;
}

async function down(args: readonly string[], io: CommandIo): Promise<number> {
  const [runId, ...rest] = args;
  if (rest.length > 0 || (runId !== undefined && !/^[a-z0-9]{5}$/.test(runId))) {
    io.stderr.write(`lbops lab down: expected at most one run id (5 characters of [a-z0-9])\n`);
    return ExitCode.usage;
  }
  const reports = [
    ...(runId === undefined ? [] : [await sweep({ runIds: [runId] })]),
    // Always also sweep what crashed runs left; without a run id, manual labs go too.
    await sweep({ includeManual: runId === undefined }),
  ];
  const runs = [...new Set(reports.flatMap((report) => report.runs))];
  const namespaces = reports.flatMap((report) => report.namespaces).length;
  const processes = reports.flatMap((report) => report.processes).length;
  io.stdout.write(
    runs.length === 0
      ? 'nothing to tear down\n'
      : `removed ${runs.join(', ')}: ${namespaces} namespaces, ${processes} processes\n`,
  );
  return ExitCode.ok;
}

export const labCommand: Command = {
  name: 'lab',
  summary: 'Bring a network-namespace lab (LAN, nodes, BIRD/FRR/GoBGP, clients) up or down',
  usage,
  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const [sub, ...rest] = args;
    try {
      switch (sub) {
        case 'up':
          return await up(rest, io);
        case 'status':
          return await status(rest, io);
        case 'down':
          return await down(rest, io);
        default:
          io.stderr.write(`lbops lab: expected up, status or down\n${usage}`);
          return ExitCode.usage;
      }
    } catch (error) {
      if (error instanceof LabPrerequisiteError) {
        io.stderr.write(`lbops ${error.message}\n`);
        return ExitCode.rejected;
      }
      throw error;
    }
  },
};
