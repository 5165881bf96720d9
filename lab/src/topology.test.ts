import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { createLab, withLab } from './create-lab.js';
import type { Lab } from './lab.js';
import { labSkipReason } from './requirements.js';
import { sweep } from './sweep.js';
import { leftoversOf } from './leftovers.js';
import { waitFor } from './wait-for.js';

const skip = labSkipReason(['ping', 'arping', 'tcpdump']);

async function reachable(lab: Lab, ns: string, destination: string): Promise<boolean> {
  const result = await lab.exec(ns, ['ping', '-c', '1', '-W', '1', destination], { allowFailure: true });
  return result.ok;
}

interface Held {
  readonly runId: string;
  readonly pids: readonly number[];
  readonly namespaces: readonly string[];
}

/** Starts the hold-lab fixture and returns the child with what it built. */
async function holdLab(...args: string[]): Promise<{ child: ReturnType<typeof spawn>; held: Held }> {
  const script = fileURLToPath(new URL('./fixtures/hold-lab.js', import.meta.url));
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [line] = (await once(lines, 'line')) as [string];
  clearTimeout(timer);
  return { child, held: JSON.parse(line) as Held };
}

describe('lab topology', { skip }, () => {
  test('nodes reach the router, each other and the external client over IPv4 and IPv6, and the root namespace over the management link', async () => {
    await withLab({ nodes: 2, bird: false }, async (lab) => {
      const [first, second] = lab.nodes;
      assert.ok(first !== undefined && second !== undefined);
      const checks: Array<[string, string]> = [
        [first.ns, lab.router.ipv4],
        [first.ns, lab.router.ipv6],
        [first.ns, second.ipv4],
        [first.ns, second.ipv6],
        [second.ns, first.ipv6],
        [first.ns, first.mgmt.hostIpv4],
        [second.ns, second.mgmt.hostIpv6],
        [lab.clients.lan.ns, first.ipv4],
        [lab.clients.external.ns, second.ipv4],
        [lab.clients.external.ns, second.ipv6],
      ];
      const results = await Promise.all(
        checks.map(async ([ns, to]) => [ns, to, await reachable(lab, ns, to)] as const),
      );
      assert.deepEqual(
        results.filter(([, , ok]) => !ok),
        [],
        'unreachable pairs',
      );
      // The management link is the only path to the root namespace: nodes do not reach each other's.
      assert.equal(await reachable(lab, first.ns, second.mgmt.hostIpv4), false);
      // A cut LAN link isolates the node until restored.
      await lab.setLanLink(second, false);
      assert.equal(await reachable(lab, first.ns, second.ipv4), false);
      await lab.setLanLink(second, true);
      assert.ok(
        await waitFor(() => reachable(lab, first.ns, second.ipv4), {
          timeoutMs: 5_000,
          description: 'restored link',
        }),
      );
      assert.ok(first.ifname.length <= 15 && first.mgmt.hostIfname.length <= 15);
    });
  });

  test('probes: arping, neighbour table, HTTP from a client and over the management link, packet capture', async () => {
    await withLab({ nodes: 1, bird: false }, async (lab) => {
      const [node] = lab.nodes;
      assert.ok(node !== undefined);
      const client = lab.clients.lan;
      const capture = await lab.capture(client.ns, { filter: 'arp or icmp6' });
      const arp = await lab.arping(client.ns, node.ipv4, { count: 2 });
      assert.deepEqual(arp.macs, [node.mac]);
      assert.ok((await lab.ping(client.ns, node.ipv6)).ok);
      const table = await lab.neighbours(client.ns);
      assert.equal(table.find((entry) => entry.ip === node.ipv4)?.mac, node.mac);
      assert.equal(table.find((entry) => entry.ip === node.ipv6)?.mac, node.mac);

      const serverScript =
        "require('http').createServer((q, s) => s.end('hello from ' + q.url)).listen(8080, '::')";
      const server = await lab.spawn(node.ns, [process.execPath, '-e', serverScript], { name: 'web' });
      const response = await waitFor(
        async () => {
          const result = await lab.http(client.ns, `http://[${node.ipv6}]:8080/x`, { timeoutMs: 1_000 });
          return result.status === undefined ? undefined : result;
        },
        { timeoutMs: 5_000, description: 'web server in the node' },
      );
      assert.equal(response.status, 200);
      assert.equal(response.body, 'hello from /x');
      await server.stop();
      assert.equal(
        (await lab.http(client.ns, `http://${node.ipv4}:8080/`, { timeoutMs: 1_000 })).error,
        'ECONNREFUSED',
      );

      // A server in the root namespace, reachable from the node over its management link only.
      const root = createServer((_request, reply) => reply.end('root'));
      root.listen(0, node.mgmt.hostIpv4);
      await once(root, 'listening');
      try {
        const { port } = root.address() as AddressInfo;
        const viaMgmt = await lab.http(node.ns, `http://${node.mgmt.hostIpv4}:${port}/`, {
          timeoutMs: 2_000,
        });
        assert.equal(viaMgmt.body, 'root');
      } finally {
        root.close();
      }

      const file = await capture.stop();
      assert.ok(statSync(file).size > 24, 'the capture holds packets');
    });
  });

  test('teardown leaves no namespace, link or process of the run', async () => {
    const lab = await createLab({ nodes: 2, bird: false });
    const child = await lab.spawn(lab.nodes[0]?.ns ?? '', ['sleep', '60']);
    assert.notDeepEqual(await leftoversOf(lab.runId), []);
    await lab.teardown();
    assert.deepEqual(await leftoversOf(lab.runId, [child.pid]), []);
  });

  test('a test that fails half way leaves nothing behind but its logs and capture', async () => {
    let failed: Lab | undefined;
    let pids: number[] = [];
    await assert.rejects(
      withLab({ nodes: 1, bird: false }, async (lab) => {
        failed = lab;
        pids = [(await lab.spawn(lab.router.ns, ['sleep', '60'], { name: 'sleeper' })).pid];
        await lab.capture(lab.clients.lan.ns, { name: 'client' });
        await lab.ping(lab.clients.lan.ns, lab.router.ipv4);
        throw new Error('failed half way');
      }),
      /failed half way/,
    );
    assert.ok(failed !== undefined);
    assert.deepEqual(await leftoversOf(failed.runId, pids), []);
    const kept = failed.artifactsDir;
    assert.ok(kept !== undefined, 'artifacts kept');
    try {
      assert.ok(statSync(join(kept, 'client.pcap')).size > 24, 'the capture is kept');
      assert.ok(existsSync(join(kept, 'logs', 'sleeper.log')), 'the process log is kept');
    } finally {
      rmSync(kept, { recursive: true, force: true });
    }
  });

  test('SIGTERM to the owning process tears its lab down', async () => {
    const { child, held } = await holdLab();
    assert.notDeepEqual(await leftoversOf(held.runId), []);
    child.kill('SIGTERM');
    const [, signal] = (await once(child, 'exit')) as [number | null, string | null];
    assert.equal(signal, 'SIGTERM');
    assert.deepEqual(await leftoversOf(held.runId, held.pids), []);
  });

  test('a process that exits with its lab still up leaves nothing behind', async () => {
    const { child, held } = await holdLab('exit');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.deepEqual(await leftoversOf(held.runId, held.pids), []);
  });

  test('labs built in parallel get distinct names and addresses, and all work', async () => {
    const labs = await Promise.all([1, 2, 3].map(() => createLab({ nodes: 1, bird: false })));
    try {
      const slots = new Set(labs.map((lab) => lab.plan.slot));
      const hostAddresses = new Set(labs.map((lab) => lab.nodes[0]?.mgmt.hostIpv4));
      assert.equal(slots.size, 3);
      assert.equal(hostAddresses.size, 3);
      for (const lab of labs) {
        const node = lab.nodes[0];
        assert.ok(node !== undefined);
        assert.ok(await reachable(lab, node.ns, node.mgmt.hostIpv4), `${lab.runId} management link`);
        assert.ok(await reachable(lab, node.ns, lab.router.ipv4), `${lab.runId} LAN`);
      }
    } finally {
      await Promise.all(labs.map((lab) => lab.teardown()));
    }
  });

  test('sweep removes what a SIGKILLed run left, and nothing of a live run', async () => {
    const live = await createLab({ nodes: 1, bird: false });
    try {
      const { child, held } = await holdLab();
      child.kill('SIGKILL');
      await once(child, 'exit');
      assert.notDeepEqual(await leftoversOf(held.runId), [], 'SIGKILL leaves the lab behind');
      const report = await sweep();
      assert.ok(report.runs.includes(held.runId));
      assert.ok(!report.runs.includes(live.runId));
      await waitFor(async () => (await leftoversOf(held.runId, held.pids)).length === 0, {
        timeoutMs: 5_000,
        description: 'swept run to vanish',
      });
      assert.ok(await reachable(live, live.nodes[0]?.ns ?? '', live.router.ipv4), 'the live lab still works');
    } finally {
      await live.teardown();
    }
  });
});
