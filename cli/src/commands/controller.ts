import { parseArgs } from 'node:util';
import { Controller, createControllerMetrics } from '@lbops/controller';
import {
  createLogger,
  parseListen,
  startHttpEndpoints,
  type HttpEndpoints,
  type Logger,
  type LogLevel,
} from '@lbops/kube';
import { KubeClient, loadKubeConfig } from '@lbops/kube';
import { checkProcessFlags } from '../process-flags.js';
import { ExitCode, type Command, type CommandIo } from '../command.js';

const usage = `Usage: lbops controller [--kubeconfig PATH] [--namespace metallb-system] [--lb-class NAME] [--metrics-listen ADDR]

Assigns addresses from the IPAddressPools to Services of type LoadBalancer, as MetalLB's controller does:
metallb.io/ (and deprecated metallb.universe.tf/) annotations, spec.loadBalancerIP, IP sharing, dual-stack.
Rebuilds from Service status before allocating anything, so a restart never changes an address. Run two
replicas: one leads (Lease lbops-controller in the namespace), the other waits.

Options:
  --kubeconfig PATH        cluster to use (default: in-cluster service account, else $KUBECONFIG or ~/.kube/config)
  --namespace NS           where the configuration lives (default metallb-system)
  --lb-class NAME          handle only Services with spec.loadBalancerClass NAME (default: only those without one)
  --metrics-listen ADDR    /metrics, /healthz, /readyz (default 127.0.0.1:7472; :7472 for every address)
  --log-level LEVEL        debug, info, warn or error (default info); logs are JSON lines on stderr
  --no-leader-election     act as the leader at once (a single replica)
`;

export interface ControllerSettings {
  readonly namespace: string;
  readonly loadBalancerClass: string | undefined;
  readonly metricsListen: string;
  readonly logLevel: LogLevel;
  readonly leaderElection: boolean;
}

export interface RunningController {
  readonly controller: Controller;
  readonly endpoints: HttpEndpoints;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** Starts the controller and its HTTP endpoints (shared by `lbops controller` and `lbops up`). */
export async function startControllerProcess(
  client: KubeClient,
  settings: ControllerSettings,
  io: CommandIo,
): Promise<RunningController> {
  const listen = parseListen(settings.metricsListen);
  if (listen === undefined)
    throw new Error(`--metrics-listen wants HOST:PORT, got "${settings.metricsListen}"`);
  const logger = createLogger({ level: settings.logLevel, write: (line) => io.stderr.write(line) });
  const metrics = createControllerMetrics();
  const controller = new Controller({
    client,
    namespace: settings.namespace,
    loadBalancerClass: settings.loadBalancerClass,
    logger,
    metrics,
    leaderElection: settings.leaderElection,
  });
  const endpoints = await startHttpEndpoints({
    host: listen.host,
    port: listen.port,
    registry: metrics.registry,
    ready: () => controller.readiness(),
  });
  controller.start();
  return {
    controller,
    endpoints,
    logger,
    stop: async () => {
      await controller.stop();
      await endpoints.close();
    },
  };
}

/** Resolves at the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        kubeconfig: { type: 'string' },
        namespace: { type: 'string', default: 'metallb-system' },
        'lb-class': { type: 'string' },
        'metrics-listen': { type: 'string', default: '127.0.0.1:7472' },
        'log-level': { type: 'string', default: 'info' },
        'no-leader-election': { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    io.stderr.write(`lbops controller: ${(error as Error).message}\n${usage}`);
    return ExitCode.usage;
  }
  const level = checkProcessFlags(
    'controller',
    {
      logLevel: values['log-level'],
      metricsListen: values['metrics-listen'],
      metricsExample: '127.0.0.1:7472',
    },
    io,
  );
  if (level === undefined) return ExitCode.usage;
  let client: KubeClient;
  try {
    client = new KubeClient(loadKubeConfig(values.kubeconfig, io.env));
    void client.server;
  } catch (error) {
    io.stderr.write(`lbops controller: cannot load the kubeconfig: ${(error as Error).message}\n`);
    return ExitCode.rejected;
  }
  let running: RunningController;
  try {
    running = await startControllerProcess(
      client,
      {
        namespace: values.namespace,
        loadBalancerClass: values['lb-class'],
        metricsListen: values['metrics-listen'],
        logLevel: level,
        leaderElection: !values['no-leader-election'],
      },
      io,
    );
  } catch (error) {
    io.stderr.write(`lbops controller: ${(error as Error).message}\n`);
    return ExitCode.rejected;
  }
  running.logger.info('metrics and health endpoints listening', { url: running.endpoints.url });
  const signal = await untilSignal();
  running.logger.info('stopping', { signal });
  await running.stop();
  return ExitCode.ok;
}

export const controllerCommand: Command = {
  name: 'controller',
  summary: 'assign pool addresses to LoadBalancer Services (MetalLB-compatible controller)',
  usage,
  run,
};
