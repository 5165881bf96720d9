// kubectl (v1.32 on these machines) as a real client of the embedded API server.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { service, startHarness, svcPath, waitFor, type Harness } from './harness.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(h: Harness, args: readonly string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', h.kubeconfigPath, '--cache-dir', join(h.dir, 'cache'), ...args],
      { timeout: 30_000, env: { ...process.env, HOME: h.dir } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function ok(h: Harness, args: readonly string[]): Promise<string> {
  const r = await kubectl(h, args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const available = kubectlAvailable();

describe('kubectl against lbops api', { skip: available ? false : 'kubectl is not installed' }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('the MetalLB tutorial commands run unchanged', async () => {
    assert.match(await ok(h, ['create', 'ns', 'test-loadbalancer']), /namespace\/test-loadbalancer created/);
    assert.match(
      await ok(h, [
        'create',
        'deploy',
        'desoapp',
        '--image=r.deso.tech/whoami/whoami',
        '-n',
        'test-loadbalancer',
      ]),
      /deployment.apps\/desoapp created/,
    );
    assert.match(
      await ok(h, [
        'expose',
        'deploy',
        'desoapp',
        '-n',
        'test-loadbalancer',
        '--type=LoadBalancer',
        '--port=80',
      ]),
      /service\/desoapp exposed/,
    );
    const table = await ok(h, ['get', 'svc', '-n', 'test-loadbalancer']);
    assert.match(table, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/m);
    assert.match(table, /^desoapp\s+LoadBalancer\s+10\.\d+\.\d+\.\d+\s+<pending>\s+80:3\d{4}\/TCP/m);
    // The selector comes from the Deployment, as on a real cluster.
    const svc = JSON.parse(
      await ok(h, ['get', 'svc', 'desoapp', '-n', 'test-loadbalancer', '-o', 'json']),
    ) as { spec: { selector: Record<string, string> } };
    assert.deepEqual(svc.spec.selector, { app: 'desoapp' });
    // Once an IP is in the status, kubectl shows it.
    await h.client.mergePatch(`${svcPath('test-loadbalancer', 'desoapp')}/status`, {
      status: { loadBalancer: { ingress: [{ ip: '192.168.10.240' }] } },
    });
    assert.match(
      await ok(h, ['get', 'svc', '-n', 'test-loadbalancer']),
      /^desoapp\s+LoadBalancer\s+\S+\s+192\.168\.10\.240\s/m,
    );
    assert.match(await ok(h, ['delete', 'ns', 'test-loadbalancer']), /namespace "test-loadbalancer" deleted/);
    const after = await kubectl(h, ['get', 'svc', '-n', 'test-loadbalancer']);
    assert.match(after.stdout + after.stderr, /No resources found/);
  });

  test('apply -f stores the example pools; re-applying is unchanged; an invalid pool is refused naming the field', async () => {
    const first = await ok(h, ['apply', '-f', join(EXAMPLES, 'layer2', 'pools.yaml')]);
    assert.match(first, /ipaddresspool.metallb.io\/lan-services created/);
    assert.match(first, /l2advertisement.metallb.io\/lan created/);
    assert.match(
      await ok(h, ['apply', '-f', join(EXAMPLES, 'layer2', 'pools.yaml')]),
      /lan-services unchanged/,
    );
    const names = await ok(h, ['get', 'ipaddresspools', '-n', 'metallb-system', '-o', 'name']);
    assert.deepEqual(names.trim().split('\n').sort(), [
      'ipaddresspool.metallb.io/lan-reserved',
      'ipaddresspool.metallb.io/lan-services',
    ]);
    const bad = await kubectl(h, ['apply', '-f', join(EXAMPLES, 'invalid', 'pool-bad-cidr.yaml')]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /is invalid/);
    assert.match(bad.stderr, /spec\.addresses\[0\]/);
    const overlapping = join(h.dir, 'overlap.yaml');
    writeFileSync(
      overlapping,
      'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: overlap\n  namespace: metallb-system\nspec:\n  addresses: ["192.168.10.241/32"]\n',
    );
    const overlap = await kubectl(h, ['apply', '-f', overlapping]);
    assert.notEqual(overlap.code, 0);
    assert.match(overlap.stderr, /spec\.addresses\[0\].*lan-services/);
  });

  test('apply of a built-in kind twice computes a strategic merge patch', async () => {
    const file = join(h.dir, 'svc.yaml');
    const manifest = (port: number): string =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: applied\n  namespace: default\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports:\n  - name: http\n    port: ${port}\n`;
    writeFileSync(file, manifest(80));
    assert.match(await ok(h, ['apply', '-f', file]), /service\/applied created/);
    writeFileSync(file, manifest(8080));
    assert.match(await ok(h, ['apply', '-f', file]), /service\/applied configured/);
    const svc = await h.client.get<{ spec: { ports: { port: number }[] } }>(svcPath('default', 'applied'));
    assert.deepEqual(
      svc.spec.ports.map((p) => p.port),
      [8080],
    );
  });

  test('patch (strategic, merge, json) and delete', async () => {
    await h.client.create(svcPath('default'), service('patched'));
    await ok(h, ['patch', 'svc', 'patched', '-p', '{"spec":{"ports":[{"port":443,"name":"https"}]}}']);
    let svc = await h.client.get<{
      spec: { ports: { port: number }[] };
      metadata: { labels?: Record<string, string> };
    }>(svcPath('default', 'patched'));
    assert.deepEqual(
      svc.spec.ports.map((p) => p.port),
      [80, 443],
    );
    await ok(h, ['patch', 'svc', 'patched', '--type=merge', '-p', '{"metadata":{"labels":{"a":"b"}}}']);
    await ok(h, ['patch', 'svc', 'patched', '--type=json', '-p', '[{"op":"remove","path":"/spec/ports/0"}]']);
    svc = await h.client.get(svcPath('default', 'patched'));
    assert.deepEqual(
      svc.spec.ports.map((p) => p.port),
      [443],
    );
    assert.deepEqual(svc.metadata.labels, { a: 'b' });
    assert.match(await ok(h, ['delete', 'svc', 'patched']), /service "patched" deleted/);
    const gone = await kubectl(h, ['get', 'svc', 'patched']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound|not found/);
  });

  test('get -w prints changes as they happen', async () => {
    const child = spawn(
      'kubectl',
      [
        '--kubeconfig',
        h.kubeconfigPath,
        '--cache-dir',
        join(h.dir, 'cache'),
        'get',
        'svc',
        '-n',
        'default',
        '-w',
        '--request-timeout=20s',
      ],
      {
        env: { ...process.env, HOME: h.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      await waitFor(() => /^NAME\s+TYPE/m.test(out), 10_000, 'the watch header');
      await h.client.create(svcPath('default'), service('watched'));
      await waitFor(
        () => /^watched\s+LoadBalancer/m.test(out),
        10_000,
        'the new Service in the watch output',
      );
      await h.client.mergePatch(`${svcPath('default', 'watched')}/status`, {
        status: { loadBalancer: { ingress: [{ ip: '192.0.2.77' }] } },
      });
      await waitFor(
        () => /^watched\s+LoadBalancer\s+\S+\s+192\.0\.2\.77/m.test(out),
        10_000,
        'the IP in the watch output',
      );
    } finally {
      clearTimeout(killer);
      child.kill('SIGTERM');
    }
  });

  test('explain describes our kinds from the OpenAPI v3 documents', async () => {
    const pool = await ok(h, ['explain', 'ipaddresspool.spec']);
    assert.match(pool, /KIND:\s+IPAddressPool/);
    assert.match(pool, /addresses\s+<\[\]string> -required-/);
    assert.match(await ok(h, ['explain', 'bgppeers.spec.holdTime']), /hold time/i);
    assert.match(await ok(h, ['explain', 'svc']), /KIND:\s+Service/);
  });

  test('server-side apply, server dry run, and the typed create commands (protobuf bodies)', async () => {
    const pools = join(EXAMPLES, 'dual-stack', 'pool.yaml');
    assert.match(await ok(h, ['apply', '--dry-run=server', '-f', pools]), /created \(server dry run\)/);
    const none = await kubectl(h, ['get', 'ipaddresspool', 'dual-stack', '-n', 'metallb-system']);
    assert.notEqual(none.code, 0, 'a dry run stores nothing');
    assert.match(await ok(h, ['apply', '--server-side', '-f', pools]), /serverside-applied/);
    const pool = JSON.parse(
      await ok(h, [
        'get',
        'ipaddresspool',
        'dual-stack',
        '-n',
        'metallb-system',
        '-o',
        'json',
        '--show-managed-fields',
      ]),
    ) as {
      metadata: { managedFields: { manager: string; operation: string }[] };
    };
    assert.ok(pool.metadata.managedFields.some((m) => m.manager === 'kubectl' && m.operation === 'Apply'));
    await ok(h, [
      'create',
      'secret',
      'generic',
      'bgp-password',
      '--from-literal=password=s3cret',
      '-n',
      'metallb-system',
    ]);
    const secret = JSON.parse(
      await ok(h, ['get', 'secret', 'bgp-password', '-n', 'metallb-system', '-o', 'json']),
    ) as { data: { password: string }; type: string };
    assert.equal(Buffer.from(secret.data.password, 'base64').toString(), 's3cret');
    assert.equal(secret.type, 'Opaque');
    await ok(h, ['create', 'configmap', 'config', '--from-literal=config=peers: []', '-n', 'metallb-system']);
    const cm = JSON.parse(await ok(h, ['get', 'cm', 'config', '-n', 'metallb-system', '-o', 'json'])) as {
      data: Record<string, string>;
    };
    assert.deepEqual(cm.data, { config: 'peers: []' });
  });

  test('api-resources lists the metallb.io kinds', async () => {
    const out = await ok(h, ['api-resources', '--api-group=metallb.io', '-o', 'name']);
    assert.match(out, /^ipaddresspools\.metallb\.io$/m);
    assert.match(out, /^bgppeers\.metallb\.io$/m);
  });
});
