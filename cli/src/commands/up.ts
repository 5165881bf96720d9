import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { isLogLevel } from '@lbops/kube';
import {
  applyObject,
  KubeClient,
  kubeConfigFor,
  startApiServer,
  writeKubeconfig,
  type ApiServer,
  type KubeObject,
} from '@lbops/kube';
import { ExitCode, type Command, type CommandIo } from '../command.js';
import { collectConfigFiles } from '../config-files.js';
import { startControllerProcess, untilSignal, type RunningController } from './controller.js';
import { startEmbeddedSpeakers } from './speaker.js';

/** The repository's examples/, found from this module (cli/dist/commands/up.js) so `npm start` works from anywhere. */
const bundledExamples = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'examples',
);

const usage = `Usage: lbops up [--listen 127.0.0.1:6443] [--data-dir DIR] [--kubeconfig PATH] [--metrics-listen ADDR] [CONFIG...]

Runs lbops on this machine in one process: the embedded Kubernetes-compatible API server, the pool
configuration loaded into it, and the controller. Point kubectl at the kubeconfig it prints, create a
Service of type LoadBalancer, and watch it get an EXTERNAL-IP. Ctrl-C stops everything.

CONFIG is a file or directory of metallb.io resources (default: the repository's examples/, without
examples/invalid; directories are walked as by \`lbops validate\`).

Options:
  --listen ADDR:PORT       API server address (default 127.0.0.1:6443; a free port if that one is taken)
  --data-dir DIR           persist the API server's objects there (default: in memory)
  --kubeconfig PATH        where to write the kubeconfig (default .lbops/kubeconfig)
  --metrics-listen ADDR    controller /metrics, /healthz, /readyz (default 127.0.0.1:7472; a free port if taken)
  --log-level LEVEL        debug, info, warn or error (default info); JSON lines on stderr
`;

/** Pools first, so that advertisements referring to them are admitted. */
const KIND_ORDER = [
  'IPAddressPool',
  'Community',
  'BFDProfile',
  'BGPPeer',
  'L2Advertisement',
  'BGPAdvertisement',
];

interface Loaded {
  readonly applied: KubeObject[];
  readonly problems: string[];
}

/** Reads the metallb.io documents of the configuration files (other documents, e.g. legacy ConfigMaps, are skipped). */
async function readResources(
  paths: readonly string[],
  cwd: string,
): Promise<{ resources: KubeObject[]; problems: string[] }> {
  const collected = await collectConfigFiles(paths, cwd);
  const resources: KubeObject[] = [];
  const problems = [...collected.problems];
  for (const file of collected.files) {
    for (const doc of parseAllDocuments(file.content)) {
      if (doc.errors.length > 0) {
        problems.push(`${file.name}: ${doc.errors[0]?.message ?? 'YAML error'}`);
        continue;
      }
      const value = doc.toJS() as unknown;
      if (typeof value !== 'object' || value === null) continue;
      const object = value as KubeObject;
      if (typeof object.apiVersion !== 'string' || !object.apiVersion.startsWith('metallb.io/')) continue;
      resources.push(object);
    }
  }
  const rank = (o: KubeObject): number => {
    const i = KIND_ORDER.indexOf(String(o.kind));
    return i < 0 ? KIND_ORDER.length : i;
  };
  resources.sort((a, b) => rank(a) - rank(b));
  return { resources, problems };
}

async function loadResources(client: KubeClient, resources: readonly KubeObject[]): Promise<Loaded> {
  const applied: KubeObject[] = [];
  const problems: string[] = [];
  for (const object of resources) {
    const name = `${String(object.kind)}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
    try {
      applied.push(await applyObject(client, object, { fieldManager: 'lbops-up', force: true }));
    } catch (error) {
      problems.push(`${name} refused: ${(error as Error).message}`);
    }
  }
  return { applied, problems };
}

function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        listen: { type: 'string', default: '127.0.0.1:6443' },
        'data-dir': { type: 'string' },
        kubeconfig: { type: 'string', default: path.join('.lbops', 'kubeconfig') },
        'metrics-listen': { type: 'string', default: '127.0.0.1:7472' },
        'log-level': { type: 'string', default: 'info' },
      },
    }));
  } catch (error) {
    io.stderr.write(`lbops up: ${(error as Error).message}\n${usage}`);
    return ExitCode.usage;
  }
  const listen = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]{1,5})$/.exec(values.listen);
  if (listen === null || Number(listen[3]) > 65535) {
    io.stderr.write(`lbops up: --listen wants HOST:PORT (e.g. 127.0.0.1:6443), got "${values.listen}"\n`);
    return ExitCode.usage;
  }
  const level = values['log-level'];
  if (!isLogLevel(level)) {
    io.stderr.write(`lbops up: --log-level must be debug, info, warn or error, not "${level}"\n`);
    return ExitCode.usage;
  }
  const configPaths = positionals.length > 0 ? positionals : [bundledExamples];
  if (positionals.length === 0 && !existsSync(bundledExamples)) {
    io.stderr.write(`lbops up: no configuration given and ${bundledExamples} does not exist\n`);
    return ExitCode.usage;
  }
  const { resources, problems: readProblems } = await readResources(configPaths, io.cwd);
  if (readProblems.length > 0) {
    for (const problem of readProblems) io.stderr.write(`lbops up: ${problem}\n`);
    return ExitCode.usage;
  }

  const host = listen[1] ?? listen[2] ?? '127.0.0.1';
  const port = Number(listen[3]);
  const dataDir = values['data-dir'] !== undefined ? path.resolve(io.cwd, values['data-dir']) : undefined;
  let server: ApiServer;
  try {
    const options = { host, ...(dataDir !== undefined ? { dataDir } : {}) };
    try {
      server = await startApiServer({ ...options, port });
    } catch (error) {
      // A second `npm start`, or a real apiserver on 6443: take any free port rather than fail.
      if (!isAddressInUse(error) || args.includes('--listen')) throw error;
      server = await startApiServer({ ...options, port: 0 });
    }
  } catch (error) {
    io.stderr.write(
      `lbops up: cannot start the API server on ${values.listen}: ${(error as Error).message}\n`,
    );
    return ExitCode.rejected;
  }
  const kubeconfig = path.resolve(io.cwd, values.kubeconfig);
  writeKubeconfig(kubeconfig, server.url, server.token);
  const client = new KubeClient(kubeConfigFor(server.url, server.token));
  const loaded = await loadResources(client, resources);
  for (const problem of loaded.problems) io.stderr.write(`lbops up: ${problem}\n`);

  let running: RunningController;
  try {
    const settings = {
      namespace: 'metallb-system',
      loadBalancerClass: undefined,
      metricsListen: values['metrics-listen'],
      logLevel: level,
      leaderElection: false,
    };
    try {
      running = await startControllerProcess(client, settings, io);
    } catch (error) {
      if (!isAddressInUse(error) || args.includes('--metrics-listen')) throw error;
      running = await startControllerProcess(client, { ...settings, metricsListen: '127.0.0.1:0' }, io);
    }
  } catch (error) {
    io.stderr.write(`lbops up: cannot start the controller: ${(error as Error).message}\n`);
    await server.close();
    return ExitCode.rejected;
  }
  const deadline = Date.now() + 15_000;
  while (!running.controller.readiness().ok && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const readiness = running.controller.readiness();
  const speakers = await startEmbeddedSpeakers(client, io, running.logger);

  const pools = loaded.applied.filter((o) => o.kind === 'IPAddressPool').map((o) => o.metadata?.name ?? '');
  const from =
    positionals.length > 0
      ? positionals.join(' ')
      : path.relative(io.cwd, bundledExamples) || bundledExamples;
  io.stdout.write(
    [
      `lbops is up${readiness.ok ? '' : ` (controller not ready yet: ${readiness.detail})`}`,
      `  API server   ${server.url}${dataDir !== undefined ? ` (data in ${dataDir})` : ' (in memory)'}`,
      `  kubeconfig   ${kubeconfig}`,
      `  pools        ${pools.length > 0 ? pools.join(', ') : '(none)'} from ${from}`,
      `  metrics      ${running.endpoints.url}/metrics   health: ${running.endpoints.url}/healthz, /readyz`,
      `  speakers     dry run on ${speakers.nodes.join(', ')}: which node would announce each Service is printed below`,
      '',
      'Try:',
      `  kubectl --kubeconfig ${kubeconfig} create deploy web --image=nginx`,
      `  kubectl --kubeconfig ${kubeconfig} expose deploy web --type=LoadBalancer --port=80`,
      `  kubectl --kubeconfig ${kubeconfig} get svc web     # EXTERNAL-IP from the example pools`,
      `  kubectl --kubeconfig ${kubeconfig} describe svc web   # Events: IPAllocated`,
      `  (or: export KUBECONFIG=${kubeconfig})`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  const signal = await untilSignal();
  running.logger.info('stopping', { signal });
  await speakers.stop();
  await running.stop();
  await server.close();
  io.stdout.write('lbops stopped\n');
  return ExitCode.ok;
}

export const upCommand: Command = {
  name: 'up',
  summary: 'run lbops on this machine: embedded API server, example pools and the controller (npm start)',
  usage,
  run,
};
