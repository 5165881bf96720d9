// Bench suite `controller` (npm run bench -- controller): 10,000 LoadBalancer Services created through the
// embedded API server (in this process), the controller in a process of its own (so its peak RSS is its own):
// time until the last Service shows its IP, the controller's peak RSS, then a restart of the controller
// with the 10,000 Services in place: time until it has rebuilt and settled, and how many IPs changed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Informer, writeKubeconfig, type KubeObject } from '@lbops/kube';
import {
  createObject,
  inParallel,
  ingressOf,
  poolObject,
  serviceObject,
  servicePath,
  startHarness,
} from '../controller/harness.test-support.js';

interface Row {
  name: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
}

const SERVICES = 10_000;
/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;
const standalone = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'controller',
  'standalone.js',
);

interface Child {
  readonly process: ChildProcess;
  /** Resolves with the child's ms-since-start of the first line carrying `key`. */
  next(key: 'ready' | 'settled', timeoutMs: number): Promise<number>;
  /** Peak resident set size (VmHWM) in MB. */
  peakRssMb(): number;
  /** CPU time used so far (user + system), in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

function startChild(kubeconfig: string): Child {
  const child = spawn(process.execPath, [standalone, kubeconfig], { stdio: ['ignore', 'pipe', 'inherit'] });
  const seen: Array<Record<string, number>> = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') seen.push(JSON.parse(line) as Record<string, number>);
    for (const waiter of waiters.splice(0)) waiter();
  });
  let consumed = 0;
  return {
    process: child,
    async next(key, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (; consumed < seen.length; consumed++) {
          const value = seen[consumed]?.[key];
          if (value !== undefined) {
            consumed++;
            return value;
          }
        }
        if (Date.now() > deadline)
          throw new Error(`bench: the controller did not report "${key}" within ${timeoutMs} ms`);
        if (child.exitCode !== null) throw new Error(`bench: the controller exited with ${child.exitCode}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    cpuSeconds() {
      // Fields 14 and 15 of /proc/PID/stat, after the command name (which may contain spaces), in clock ticks.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(killer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}

export default async function controllerBench(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lbops-controller-bench-'));
  const harness = await startHarness();
  const { client } = harness;
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, harness.server.url, harness.server.token);
  let child: Child | undefined;
  const withIp = new Map<string, string>();
  const watcher = new Informer<KubeObject>(client, { path: '/api/v1/services' });
  const record = (svc: KubeObject): void => {
    const ip = ingressOf(svc)[0];
    if (ip !== undefined) withIp.set(svc.metadata?.name ?? '', ip);
  };
  watcher.addHandlers({ onAdd: record, onUpdate: (_old, svc) => record(svc) });
  try {
    await createObject(client, poolObject('bench', ['10.0.0.0/16']));
    watcher.start();
    await watcher.waitForSync(10_000);
    child = startChild(kubeconfig);
    await child.next('ready', 30_000);

    const names = Array.from({ length: SERVICES }, (_, i) => `svc-${i}`);
    const cpuBefore = child.cpuSeconds();
    const started = performance.now();
    await inParallel(names, 64, (name) => createObject(client, serviceObject('default', name)));
    const created = performance.now();
    const deadline = Date.now() + 120_000;
    while (withIp.size < SERVICES && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const allAssigned = performance.now();
    if (withIp.size < SERVICES)
      throw new Error(`bench: only ${withIp.size} of ${SERVICES} Services got an IP within 120 s`);
    await child.next('settled', 60_000);
    const peak = child.peakRssMb();
    const cpu = child.cpuSeconds() - cpuBefore;
    const before = new Map(withIp);
    await child.stop();

    // Restart: a new controller process rebuilds from the 10,000 Service statuses.
    const restartStarted = performance.now();
    child = startChild(kubeconfig);
    await child.next('ready', 60_000);
    const ready = performance.now();
    await child.next('settled', 60_000);
    const settled = performance.now();
    const services = await client.list(servicePath('default'));
    let changed = 0;
    for (const svc of services.items)
      if (before.get(svc.metadata?.name ?? '') !== ingressOf(svc)[0]) changed++;
    const restartPeak = child.peakRssMb();

    const seconds = (allAssigned - started) / 1000;
    return [
      {
        name: `${SERVICES.toLocaleString('en-US')} Services created through the API until the last has its IP`,
        value: seconds,
        unit: 's',
        target: '< 15 s',
        met: seconds < 15,
      },
      {
        name: 'of which creating them through the API (64 in flight)',
        value: (created - started) / 1000,
        unit: 's',
      },
      {
        name: 'controller peak RSS',
        value: Math.round(peak),
        unit: 'MB',
        target: '< 300 MB',
        met: peak < 300,
      },
      { name: 'controller CPU time for the 10,000 (user + system)', value: cpu, unit: 's' },
      {
        name: 'host load average (1 min) at the end: other work shares the CPUs',
        value: loadavg()[0] ?? 0,
        unit: '',
      },
      {
        name: `restart with ${SERVICES.toLocaleString('en-US')} Services: leading with the allocator restored`,
        value: (ready - restartStarted) / 1000,
        unit: 's',
      },
      {
        name: 'restart: until every Service is reconciled',
        value: (settled - restartStarted) / 1000,
        unit: 's',
      },
      {
        name: 'restart: Service IPs changed',
        value: changed,
        unit: 'Services',
        target: '0',
        met: changed === 0,
      },
      {
        name: 'restart: controller peak RSS',
        value: Math.round(restartPeak),
        unit: 'MB',
        target: '< 300 MB',
        met: restartPeak < 300,
      },
    ];
  } finally {
    await child?.stop();
    await watcher.stop();
    await harness.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
