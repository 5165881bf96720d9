// Suite `api`: what the embedded API server sustains for the controller's workload — Services
// created over HTTP by concurrent clients, an informer watching them, status writes, a full list.
import { KubeClient, kubeConfigFor } from '../client/kube-client.js';
import { Informer } from '../client/informer.js';
import { startApiServer } from '../server/http-server.js';

const SERVICES = 5000;
const CONCURRENCY = 32;

async function parallel(count: number, work: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return performance.now() - started;
}

export default async function bench(): Promise<
  { name: string; value: number; unit: string; target?: string; met?: boolean }[]
> {
  const server = await startApiServer({ port: 0 });
  const client = new KubeClient(kubeConfigFor(server.url, server.token));
  const informer = new Informer(client, { path: '/api/v1/services' });
  let seen = 0;
  let lastSeenAt = 0;
  informer.addHandlers({
    onAdd: () => {
      seen++;
      lastSeenAt = performance.now();
    },
  });
  try {
    informer.start();
    await informer.waitForSync(10_000);
    const path = '/api/v1/namespaces/default/services';
    const createStart = performance.now();
    const createMs = await parallel(SERVICES, (i) =>
      client.create(path, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${i}` },
        spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      }),
    );
    const deadline = Date.now() + 30_000;
    while (seen < SERVICES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const statusMs = await parallel(SERVICES, (i) =>
      client.mergePatch(`${path}/svc-${i}/status`, {
        status: { loadBalancer: { ingress: [{ ip: `10.${(i >> 8) & 255}.${i & 255}.1` }] } },
      }),
    );
    const listStart = performance.now();
    const list = await client.list(path);
    const listMs = performance.now() - listStart;
    const createRate = (SERVICES / createMs) * 1000;
    return [
      {
        name: `create ${SERVICES} Services (${CONCURRENCY} clients)`,
        value: Math.round(createRate),
        unit: 'req/s',
        target: '>= 1000 req/s (10,000 Services in 10 s)',
        met: createRate >= 1000,
      },
      {
        name: 'informer saw the last create after it returned',
        value: Math.max(0, Math.round(lastSeenAt - createStart - createMs)),
        unit: 'ms',
      },
      {
        name: 'informer events received',
        value: seen,
        unit: 'events',
        target: `${SERVICES}`,
        met: seen === SERVICES,
      },
      { name: 'status merge patches', value: Math.round((SERVICES / statusMs) * 1000), unit: 'req/s' },
      { name: `list of ${list.items.length} Services`, value: Math.round(listMs), unit: 'ms' },
      {
        name: 'process RSS (server, client, informer)',
        value: Math.round(process.memoryUsage().rss / 1e6),
        unit: 'MB',
      },
    ];
  } finally {
    await informer.stop();
    await server.close();
  }
}
