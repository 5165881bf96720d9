import { parseArgs } from 'node:util';
import { createLogger, type Logger } from '@lbops/kube';
import { KubeClient, loadKubeConfig } from '@lbops/kube';
import { startSpeakerProcess, type Decision, type SpeakerProcess } from '@lbops/speaker';
import { checkProcessFlags } from '../process-flags.js';
import { ExitCode, type Command, type CommandIo } from '../command.js';
import { untilSignal } from './controller.js';

const usage = `Usage: lbops speaker --node NAME [--kubeconfig PATH] [--namespace metallb-system] [--dry-run] [--metrics-listen ADDR]

Announces the addresses of LoadBalancer Services from this node, as MetalLB's speaker does: layer 2 (ARP/NDP
answers for the IPs this node owns, one owner per IP among the live eligible nodes) and BGP (sessions to the
BGPPeers selecting this node). Nothing is announced without a ready endpoint; externalTrafficPolicy Local only
from nodes with a ready local endpoint; nodes labelled node.kubernetes.io/exclude-from-external-load-balancers
or NetworkUnavailable never. Reports ServiceL2Status, ServiceBGPStatus, Events (nodeAssigned, announceFailed),
metallb_speaker_announced and ConfigurationState speaker-NAME.

Options:
  --node NAME              this node's name (required; in a DaemonSet: the spec.nodeName downward API)
  --kubeconfig PATH        cluster to use (default: in-cluster service account, else $KUBECONFIG or ~/.kube/config)
  --namespace NS           where the configuration lives (default metallb-system)
  --dry-run                no raw sockets, no BGP sessions, no membership: decide and report only
  --metrics-listen ADDR    /metrics, /healthz, /readyz (default 127.0.0.1:7473; :7473 for every address)
  --memberlist-port PORT   UDP port of the membership among speakers (default 7946)
  --lb-class NAME          handle only Services with spec.loadBalancerClass NAME (default: only those without one)
  --log-level LEVEL        debug, info, warn or error (default info); logs are JSON lines on stderr
`;

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        node: { type: 'string' },
        kubeconfig: { type: 'string' },
        namespace: { type: 'string', default: 'metallb-system' },
        'dry-run': { type: 'boolean', default: false },
        'metrics-listen': { type: 'string', default: '127.0.0.1:7473' },
        'memberlist-port': { type: 'string', default: '7946' },
        'lb-class': { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
      },
    }));
  } catch (error) {
    io.stderr.write(`lbops speaker: ${(error as Error).message}\n${usage}`);
    return ExitCode.usage;
  }
  const node = values.node ?? io.env.NODE_NAME;
  if (node === undefined || node === '') {
    io.stderr.write(`lbops speaker: --node NAME is required (or set NODE_NAME)\n${usage}`);
    return ExitCode.usage;
  }
  const level = checkProcessFlags(
    'speaker',
    {
      logLevel: values['log-level'],
      metricsListen: values['metrics-listen'],
      metricsExample: '127.0.0.1:7473',
    },
    io,
  );
  if (level === undefined) return ExitCode.usage;
  const memberlistPort = Number(values['memberlist-port']);
  if (!Number.isInteger(memberlistPort) || memberlistPort < 1 || memberlistPort > 65535) {
    io.stderr.write(
      `lbops speaker: --memberlist-port wants a port number, got "${values['memberlist-port']}"\n`,
    );
    return ExitCode.usage;
  }
  let client: KubeClient;
  try {
    client = new KubeClient(loadKubeConfig(values.kubeconfig, io.env));
    void client.server;
  } catch (error) {
    io.stderr.write(`lbops speaker: cannot load the kubeconfig: ${(error as Error).message}\n`);
    return ExitCode.rejected;
  }
  const logger = createLogger({ level, write: (line) => io.stderr.write(line) });
  let running: SpeakerProcess;
  try {
    running = await startSpeakerProcess({
      client,
      node,
      namespace: values.namespace,
      dryRun: values['dry-run'],
      metricsListen: values['metrics-listen'],
      memberlistPort,
      logger,
      ...(values['lb-class'] !== undefined ? { loadBalancerClass: values['lb-class'] } : {}),
    });
  } catch (error) {
    io.stderr.write(`lbops speaker: ${(error as Error).message}\n`);
    return ExitCode.rejected;
  }
  logger.info('metrics and health endpoints listening', { url: running.endpoints?.url });
  const signal = await untilSignal();
  logger.info('stopping', { signal });
  await running.stop();
  return ExitCode.ok;
}

export const speakerCommand: Command = {
  name: 'speaker',
  summary: 'announce Service addresses from this node over layer 2 and BGP (MetalLB-compatible speaker)',
  usage,
  run,
};

// ---- lbops up: one dry-run speaker per embedded node ---------------------------------------------------------

/** Node objects `lbops up` creates when the embedded API server has none (documentation addresses). */
export const EMBEDDED_NODES = ['node-1', 'node-2', 'node-3'];

/** One line per Service address: who would announce it, or why nobody. */
export function announcementLines(
  decisions: ReadonlyArray<{ node: string; decision: Decision | undefined }>,
): string[] {
  const nodeNames = decisions.map((d) => d.node);
  const l2 = new Map<string, string[]>();
  const bgp = new Map<string, Set<string>>();
  const why = new Map<string, { reason: string; message: string }>();
  for (const { node, decision } of decisions) {
    if (decision === undefined) continue;
    for (const a of decision.layer2)
      l2.set(`${a.service} ${a.ip}`, [...(l2.get(`${a.service} ${a.ip}`) ?? []), node]);
    for (const a of decision.bgp) {
      const key = `${a.service} ${a.ip}`;
      bgp.set(key, (bgp.get(key) ?? new Set()).add(node));
    }
    for (const s of decision.skipped) {
      const key = `${s.service} ${s.ip}`;
      if (!why.has(key) && s.protocol === undefined) why.set(key, s);
    }
  }
  const keys = [...new Set([...l2.keys(), ...bgp.keys(), ...why.keys()])].sort();
  const lines = keys.map((key) => {
    const [service = '', ip = ''] = key.split(' ');
    const parts: string[] = [];
    const owners = l2.get(key);
    if (owners !== undefined) parts.push(`layer2 from ${owners.join(', ')}`);
    const peers = bgp.get(key);
    if (peers !== undefined) parts.push(`bgp from ${[...peers].sort().join(', ')}`);
    if (parts.length === 0) parts.push(`not announced: ${why.get(key)?.message ?? 'no node is eligible'}`);
    return `  ${service} ${ip}: ${parts.join('; ')}`;
  });
  const waiting = keys.find((key) => why.get(key)?.reason === 'no-ready-endpoint');
  if (waiting !== undefined && nodeNames.length > 0) {
    // The embedded API server runs no pods, so nothing makes endpoints: show how to declare one.
    const [namespace = '', name = ''] = (waiting.split(' ')[0] ?? '').split('/');
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-ready`, namespace, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.0.10'], conditions: { ready: true }, nodeName: nodeNames[0] }],
    };
    lines.push(
      `  (no pods run here; to give ${namespace}/${name} a ready endpoint: echo '${JSON.stringify(slice)}' | kubectl apply -f -)`,
    );
  }
  return lines;
}

export interface EmbeddedSpeakers {
  readonly nodes: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts one dry-run speaker per Node (creating EMBEDDED_NODES when there is none) and prints, whenever it
 * changes, which node would announce each Service address.
 */
export async function startEmbeddedSpeakers(
  client: KubeClient,
  io: CommandIo,
  logger?: Logger,
): Promise<EmbeddedSpeakers> {
  let nodes = (await client.list('/api/v1/nodes')).items.map((n) => n.metadata?.name ?? '');
  if (nodes.length === 0) {
    for (const [i, name] of EMBEDDED_NODES.entries()) {
      await client.create('/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      });
      // Status is a subresource: the create ignores it.
      await client.mergePatch(`/api/v1/nodes/${name}/status`, {
        status: { addresses: [{ type: 'InternalIP', address: `192.0.2.${i + 11}` }] },
      });
    }
    nodes = EMBEDDED_NODES;
  }
  const speakers = await Promise.all(
    nodes.map((node) =>
      startSpeakerProcess({
        client,
        node,
        namespace: 'metallb-system',
        dryRun: true,
        metricsListen: undefined,
        ...(logger !== undefined ? { logger } : {}),
      }),
    ),
  );
  let printed = '';
  const timer = setInterval(() => {
    const lines = announcementLines(
      speakers.map((s) => ({ node: s.speaker.node, decision: s.speaker.lastDecision })),
    );
    const text = lines.join('\n');
    if (text === printed) return;
    printed = text;
    io.stdout.write(
      `Announcements (dry-run speakers on ${nodes.join(', ')}):\n${lines.length > 0 ? `${text}\n` : '  (no Service with an address)\n'}`,
    );
  }, 250);
  return {
    nodes,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(speakers.map((s) => s.stop()));
    },
  };
}
