/**
 * Lab helpers shared by the layer 2 lab tests and the failover bench: start layer 2 speaker processes in the
 * lab's node namespaces, read their JSON logs, and look at a client's neighbour table.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { Lab, LabProcess, NodePlan } from '@lbops/lab';
import { leaderFor } from '../leader.js';
import type { Layer2NodeConfig } from '../node-main.js';

export const NODE_MAIN = fileURLToPath(new URL('../node-main.js', import.meta.url));
export const MEMBERSHIP_PORT = 7946;

export interface SpeakerHandle {
  readonly node: NodePlan;
  process: LabProcess;
}

export function firstFree(range: string, offset = 0): string {
  const [start = ''] = range.split('-');
  if (start.includes(':')) {
    const head = start.slice(0, start.lastIndexOf(':') + 1);
    const last = parseInt(start.slice(start.lastIndexOf(':') + 1), 16) + offset;
    return `${head}${last.toString(16)}`;
  }
  const parts = start.split('.').map(Number);
  return `${parts.slice(0, 3).join('.')}.${(parts[3] ?? 0) + offset}`;
}

export function speakerConfig(
  lab: Lab,
  node: NodePlan,
  ips: readonly string[],
  keyHex: string,
  probe = true,
): Layer2NodeConfig {
  return {
    node: node.name,
    ips: ips.map((ip) => ({ ip })),
    probe,
    membership: {
      bind: `${node.ipv4}:${MEMBERSHIP_PORT}`,
      peers: lab.nodes.map((peer) => ({ name: peer.name, address: `${peer.ipv4}:${MEMBERSHIP_PORT}` })),
      keyHex,
    },
  };
}

export function newKeyHex(): string {
  return randomBytes(32).toString('hex');
}

export async function startSpeaker(lab: Lab, node: NodePlan, config: Layer2NodeConfig): Promise<LabProcess> {
  return lab.spawn(node.ns, [process.execPath, NODE_MAIN, JSON.stringify(config)], {
    name: `l2-${node.name}-${Date.now() % 100000}`,
  });
}

export type LogEvent = Record<string, unknown> & { readonly time: number; readonly event: string };

export function readEvents(proc: LabProcess): LogEvent[] {
  let text = '';
  try {
    text = readFileSync(proc.log, 'utf8');
  } catch {
    return [];
  }
  const events: LogEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      events.push(JSON.parse(line) as LogEvent);
    } catch {
      // a line being written
    }
  }
  return events;
}

/** The MAC in a namespace's neighbour entry for `ip`, or undefined (no entry, INCOMPLETE, FAILED). */
export async function neighbourMac(lab: Lab, ns: string, ip: string): Promise<string | undefined> {
  const entries = await lab.neighbours(ns, { family: ip.includes(':') ? 'ipv6' : 'ipv4' });
  return entries.find(
    (entry) => entry.ip === ip && entry.mac !== undefined && !entry.state.includes('FAILED'),
  )?.mac;
}

export function lastStatus(proc: LabProcess, ip: string): unknown {
  return readEvents(proc)
    .filter((e) => e.event === 'status' && e['ip'] === ip)
    .at(-1)?.['status'];
}

/**
 * Waits until exactly one running speaker announces `ip`, none is probing it, and the client's kernel has
 * resolved `ip` to that speaker's MAC (a ping with no answer triggers the resolution). Bounded by `timeoutMs`.
 */
export async function waitForStableOwner(
  lab: Lab,
  speakers: ReadonlyMap<string, LabProcess>,
  ip: string,
  timeoutMs = 15_000,
): Promise<NodePlan> {
  const { waitFor } = await import('@lbops/lab');
  return waitFor(
    async () => {
      const running = lab.nodes.filter((node) => speakers.get(node.name)?.running === true);
      const statuses = running.map((node) => lastStatus(speakers.get(node.name) as LabProcess, ip));
      const owners = running.filter((_, i) => statuses[i] === 'announcing');
      const [owner] = owners;
      // Steady state only: the owner is the one the ranking picks among the running speakers (not, say, the
      // second while the first is still in its startup grace).
      const expected = leaderFor(
        ip,
        running.map((node) => node.name),
      );
      if (
        owners.length !== 1 ||
        statuses.includes('probing') ||
        owner === undefined ||
        owner.name !== expected
      )
        return undefined;
      const ping = ip.includes(':') ? ['ping', '-6'] : ['ping'];
      await lab.exec(lab.plan.client.ns, [...ping, '-c', '1', '-W', '0.2', ip], {
        allowFailure: true,
        timeoutMs: 3_000,
      });
      return (await neighbourMac(lab, lab.plan.client.ns, ip)) === owner.mac.toLowerCase()
        ? owner
        : undefined;
    },
    { timeoutMs, intervalMs: 100, description: `one stable owner of ${ip} known to the client` },
  );
}
