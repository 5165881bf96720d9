// Shared by the controller's integration tests and its bench (not exported from the package index): the
// embedded API server on 127.0.0.1:0, a client for it, and bounded waits.
import {
  KubeClient,
  kubeConfigFor,
  resourcePath,
  startApiServer,
  type ApiServer,
  type ApiServerOptions,
  type KubeObject,
} from '@lbops/kube';
import { Controller, type ControllerOptions } from './controller.js';
import { ALLOCATED_CONDITION, allocatedMessage } from './service-decision.js';
import { ALLOCATED_FROM_POOL_ANNOTATION } from './service-intent.js';

export interface Harness {
  readonly server: ApiServer;
  readonly client: KubeClient;
  close(): Promise<void>;
}

export async function startHarness(options: ApiServerOptions = {}): Promise<Harness> {
  const server = await startApiServer({ host: '127.0.0.1', port: 0, ...options });
  const client = new KubeClient(kubeConfigFor(server.url, server.token));
  return { server, client, close: () => server.close() };
}

export function startController(client: KubeClient, options: Partial<ControllerOptions> = {}): Controller {
  const controller = new Controller({ client, leaderElection: false, statusDelayMs: 50, ...options });
  controller.start();
  return controller;
}

export const poolObject = (
  name: string,
  addresses: readonly string[],
  spec: Record<string, unknown> = {},
  labels: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: 'metallb-system', labels },
  spec: { addresses, ...spec },
});

export interface ServiceSpec {
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly spec?: Record<string, unknown>;
}

export const serviceObject = (namespace: string, name: string, options: ServiceSpec = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name,
    namespace,
    ...(options.annotations !== undefined ? { annotations: options.annotations } : {}),
    ...(options.labels !== undefined ? { labels: options.labels } : {}),
  },
  spec: {
    type: 'LoadBalancer',
    selector: { app: name },
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    allocateLoadBalancerNodePorts: false,
    ...options.spec,
  },
});

export const servicePath = (namespace: string, name?: string): string =>
  resourcePath({ apiVersion: 'v1', resource: 'services', namespace, name });

export const poolPath = (name?: string): string =>
  resourcePath({
    apiVersion: 'metallb.io/v1beta1',
    resource: 'ipaddresspools',
    namespace: 'metallb-system',
    name,
  });

export async function createObject(client: KubeClient, object: KubeObject): Promise<KubeObject> {
  return client.create(await client.pathOf(object, { collection: true }), object);
}

export async function ensureNamespace(
  client: KubeClient,
  name: string,
  labels: Record<string, string> = {},
): Promise<void> {
  try {
    await client.create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels },
    });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

/** Polls until `probe` returns a value other than undefined; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError !== undefined ? ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function ingressOf(service: KubeObject): string[] {
  const status = service.status as { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined;
  return (status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
}

/** Waits for the Service to show exactly `count` addresses and returns them. */
export function waitForIngress(
  client: KubeClient,
  namespace: string,
  name: string,
  count = 1,
  timeoutMs = 10_000,
): Promise<string[]> {
  return waitFor(
    `${namespace}/${name} to get ${count} address(es)`,
    async () => {
      const ips = ingressOf(await client.get(servicePath(namespace, name)));
      return ips.length === count ? ips : undefined;
    },
    timeoutMs,
  );
}

export interface EventView {
  readonly reason: string;
  readonly type: string;
  readonly message: string;
  readonly name: string;
}

export async function eventsFor(client: KubeClient, namespace: string, name: string): Promise<EventView[]> {
  const list = await client.list(resourcePath({ apiVersion: 'v1', resource: 'events', namespace }));
  return list.items
    .filter((e) => (e.involvedObject as { name?: string } | undefined)?.name === name)
    .map((e) => ({
      reason: String(e.reason),
      type: String(e.type),
      message: String(e.message),
      name,
    }));
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => worker()));
}

export interface SeededService {
  readonly namespace: string;
  readonly name: string;
  readonly annotations?: Record<string, string>;
  /** status.loadBalancer.ingress, as a previous controller left it. */
  readonly ips?: readonly string[];
  /** With ips: also the pool annotation and the True condition an lbops controller writes. */
  readonly pool?: string;
}

/**
 * Stores Services straight into the embedded server (no HTTP): fast set-up for large tests. Status is written
 * through the status subresource, as a controller would have.
 */
export function seedServices(server: ApiServer, services: readonly SeededService[]): void {
  const type = server.api.registry.find('', 'v1', 'services');
  if (type === undefined) throw new Error('the embedded server does not serve v1 services');
  for (const s of services) {
    const annotations = {
      ...s.annotations,
      ...(s.pool !== undefined ? { [ALLOCATED_FROM_POOL_ANNOTATION]: s.pool } : {}),
    };
    const body = serviceObject(s.namespace, s.name, { annotations });
    server.api.create({ type, namespace: s.namespace }, body);
    if (s.ips !== undefined && s.ips.length > 0) {
      const conditions =
        s.pool === undefined
          ? undefined
          : [
              {
                type: ALLOCATED_CONDITION,
                status: 'True',
                reason: 'IPAllocated',
                message: allocatedMessage(s.ips, s.pool),
                lastTransitionTime: '2026-01-01T00:00:00Z',
                observedGeneration: 1,
              },
            ];
      server.api.patch(
        { type, namespace: s.namespace, name: s.name, subresource: 'status' },
        JSON.stringify({ status: { loadBalancer: { ingress: s.ips.map((ip) => ({ ip })) }, conditions } }),
        'application/merge-patch+json',
        new URLSearchParams(),
      );
    }
  }
}
