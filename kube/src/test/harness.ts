// Starts an API server on 127.0.0.1 port 0 with a client for it, and cleans both up.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient, kubeConfigFor } from '../client/kube-client.js';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../server/http-server.js';

export interface Harness {
  server: ApiServer;
  client: KubeClient;
  dir: string;
  kubeconfigPath: string;
  /** Restarts the server on the same port (and data dir, when given). */
  restart(options?: ApiServerOptions, whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: ApiServerOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'lbops-kube-test-'));
  let server = await startApiServer({ port: 0, ...options });
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, server.kubeconfig());
  const client = new KubeClient(kubeConfigFor(server.url, server.token));
  const harness: Harness = {
    server,
    client,
    dir,
    kubeconfigPath,
    async restart(next: ApiServerOptions = {}, whileDown?: () => Promise<void>) {
      const port = server.port;
      await server.close();
      await whileDown?.();
      server = await startApiServer({ ...options, ...next, port, token: server.token });
      harness.server = server;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Polls `check` every 10 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const svcPath = (ns: string, name?: string): string =>
  `/api/v1/namespaces/${ns}/services${name !== undefined ? `/${name}` : ''}`;

export function service(
  name: string,
  extra: Record<string, unknown> = {},
  labels: Record<string, string> = {},
): Record<string, unknown> & { metadata: { name: string; labels: Record<string, string> } } {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...extra },
  };
}
