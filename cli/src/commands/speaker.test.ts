import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { KubeClient, kubeConfigFor, startApiServer, type KubeObject } from '@lbops/kube';
import { rankNodes } from '@lbops/speaker';
import type { CommandIo } from '../command.js';
import { EMBEDDED_NODES, speakerCommand, startEmbeddedSpeakers } from './speaker.js';

function captureIo(): { io: CommandIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr, cwd: process.cwd(), env: {} }, out: () => out, err: () => err };
}

async function waitFor(what: string, probe: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('lbops speaker', () => {
  test('usage errors: --node is required, bad listen address', async () => {
    const a = captureIo();
    assert.equal(await speakerCommand.run(['--dry-run'], a.io), 2);
    assert.match(a.err(), /--node NAME is required/);
    const b = captureIo();
    assert.equal(await speakerCommand.run(['--node', 'x', '--metrics-listen', 'nope'], b.io), 2);
    assert.match(b.err(), /--metrics-listen wants HOST:PORT/);
  });

  test('lbops up: dry-run speakers on created nodes print which node would announce each Service', async () => {
    const server = await startApiServer({ host: '127.0.0.1', port: 0 });
    const client = new KubeClient(kubeConfigFor(server.url, server.token));
    const { io, out } = captureIo();
    const create = async (obj: KubeObject): Promise<void> => {
      await client.create(await client.pathOf(obj, { collection: true }), obj);
    };
    const speakers = await startEmbeddedSpeakers(client, io);
    try {
      assert.deepEqual(speakers.nodes, EMBEDDED_NODES);
      const ip = '192.0.2.40';
      await create({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'pool', namespace: 'metallb-system' },
        spec: { addresses: ['192.0.2.32/27'] },
      });
      await create({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'L2Advertisement',
        metadata: { name: 'l2', namespace: 'metallb-system' },
        spec: {},
      });
      await create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          type: 'LoadBalancer',
          ports: [{ port: 80, protocol: 'TCP' }],
          allocateLoadBalancerNodePorts: false,
        },
      });
      await client.mergePatch('/api/v1/namespaces/default/services/web/status', {
        status: { loadBalancer: { ingress: [{ ip }] } },
      });
      await waitFor('the no-endpoint line', () =>
        out().includes(`default/web ${ip}: not announced: the Service has no ready endpoint`),
      );
      assert.match(out(), /kubectl apply -f -/);
      await create({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.244.0.10'], conditions: { ready: true }, nodeName: 'node-2' }],
      });
      const owner = rankNodes(ip, EMBEDDED_NODES)[0] ?? '';
      await waitFor('the owner line', () => out().includes(`default/web ${ip}: layer2 from ${owner}\n`));
    } finally {
      await speakers.stop();
      await server.close();
    }
  });
});
