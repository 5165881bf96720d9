// `lbops up` as a user meets it (what `npm start` runs): a real process, kubectl against the kubeconfig it
// prints, an EXTERNAL-IP from the example pools, metrics, and a clean stop on Ctrl-C.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'main.js');

async function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 });
  return stdout.trim();
}

test(
  'lbops up: kubectl gets a LoadBalancer IP from the example pools; Ctrl-C stops everything',
  { timeout: 90_000 },
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lbops-up-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const child = spawn(
      process.execPath,
      [
        main,
        'up',
        '--listen',
        '127.0.0.1:0',
        '--metrics-listen',
        '127.0.0.1:0',
        '--kubeconfig',
        kubeconfig,
        '--log-level',
        'warn',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 45_000;
      while (
        !stdout.includes('Ctrl-C stops everything.') &&
        Date.now() < deadline &&
        child.exitCode === null
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(stdout, /Ctrl-C stops everything\./, `lbops up did not come up:\n${stdout}\n${stderr}`);
      assert.match(stdout, new RegExp(`kubeconfig +${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.match(stdout, /pools +.*lan-services/);
      assert.match(stdout, /kubectl --kubeconfig \S+ expose deploy web --type=LoadBalancer/);
      const metricsUrl = /metrics +(http:\/\/\S+\/metrics)/.exec(stdout)?.[1];
      assert.ok(metricsUrl !== undefined, stdout);

      await kubectl(kubeconfig, ['create', 'deploy', 'web', '--image=nginx']);
      await kubectl(kubeconfig, ['expose', 'deploy', 'web', '--type=LoadBalancer', '--port=80']);
      let ip = '';
      const ipDeadline = Date.now() + 15_000;
      while (ip === '' && Date.now() < ipDeadline) {
        ip = await kubectl(kubeconfig, [
          'get',
          'svc',
          'web',
          '-o',
          'jsonpath={.status.loadBalancer.ingress[0].ip}',
        ]);
        if (ip === '') await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // The first autoAssign pool by name among the examples is bgp-public (203.0.113.0/25).
      assert.match(ip, /^203\.0\.113\.\d+$/, `EXTERNAL-IP ${ip}`);
      const table = await kubectl(kubeconfig, ['get', 'svc', 'web']);
      assert.match(table, new RegExp(`web +LoadBalancer +\\S+ +${ip.replace(/\./g, '\\.')} `));

      // Gauges are refreshed shortly after changes (batched), so poll briefly.
      let metrics = '';
      const metricsDeadline = Date.now() + 10_000;
      while (
        !/metallb_allocator_addresses_in_use_total\{pool="bgp-public"\} 1\n/.test(metrics) &&
        Date.now() < metricsDeadline
      ) {
        metrics = await (await fetch(metricsUrl)).text();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(metrics, /metallb_allocator_addresses_in_use_total\{pool="bgp-public"\} 1/);
      assert.match(metrics, /metallb_k8s_client_config_loaded_bool 1/);

      child.kill('SIGINT');
      const code = await Promise.race([
        exited,
        new Promise((resolve) => setTimeout(() => resolve('timeout'), 15_000)),
      ]);
      assert.equal(code, 0, `exit ${String(code)}\n${stderr}`);
      assert.match(stdout, /lbops stopped/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
