// Kubernetes objects (plain JSON from the API) reduced to the decision's inputs.
import { ingressIps, type ServiceObject } from '@lbops/kube';
import type { KubeObject } from '@lbops/kube';
import type { EndpointInfo, NodeInfo, ServiceInfo } from './cluster-state.js';

/** The label an EndpointSlice names its Service with. */
export const SLICE_SERVICE_LABEL = 'kubernetes.io/service-name';

interface NodeObject extends KubeObject {
  readonly status?: {
    readonly conditions?: ReadonlyArray<{ readonly type?: string; readonly status?: string }>;
    readonly addresses?: ReadonlyArray<{ readonly type?: string; readonly address?: string }>;
  };
}

export function nodeInfo(obj: KubeObject): NodeInfo {
  const node = obj as NodeObject;
  const conditions = node.status?.conditions ?? [];
  const addresses = node.status?.addresses ?? [];
  const byType = (type: string): string[] =>
    addresses.filter((a) => a.type === type && a.address !== undefined).map((a) => a.address ?? '');
  return {
    name: obj.metadata?.name ?? '',
    labels: obj.metadata?.labels ?? {},
    networkUnavailable: conditions.some((c) => c.type === 'NetworkUnavailable' && c.status === 'True'),
    addresses: [...byType('InternalIP'), ...byType('ExternalIP')],
  };
}

/**
 * The Service as the speaker sees it, or undefined when it is not ours to announce: not of type
 * LoadBalancer, no assigned address, or another load balancer class (by default only Services without one).
 */
export function serviceInfo(obj: KubeObject, loadBalancerClass?: string): ServiceInfo | undefined {
  const svc = obj as ServiceObject;
  if (svc.spec?.type !== 'LoadBalancer') return undefined;
  if ((svc.spec.loadBalancerClass ?? undefined) !== loadBalancerClass) return undefined;
  const ips = ingressIps(svc);
  if (ips.length === 0) return undefined;
  return {
    namespace: svc.metadata?.namespace ?? 'default',
    name: svc.metadata?.name ?? '',
    labels: svc.metadata?.labels ?? {},
    ips,
    externalTrafficPolicy: svc.spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
  };
}

interface EndpointSliceObject extends KubeObject {
  readonly endpoints?: ReadonlyArray<{
    readonly nodeName?: string;
    readonly conditions?: { readonly ready?: boolean | null };
  }> | null;
}

/** The Service key (`namespace/name`) a slice belongs to, or undefined for a slice without the label. */
export function sliceServiceKey(obj: KubeObject): string | undefined {
  const name = obj.metadata?.labels?.[SLICE_SERVICE_LABEL];
  return name === undefined ? undefined : `${obj.metadata?.namespace ?? 'default'}/${name}`;
}

export function sliceEndpoints(obj: KubeObject): EndpointInfo[] {
  return ((obj as EndpointSliceObject).endpoints ?? []).map((e) => ({
    // discovery.k8s.io/v1: "a nil value should be interpreted as ready" (unknown state).
    ready: e.conditions?.ready !== false,
    nodeName: e.nodeName,
  }));
}

/** Endpoints by Service key, from every slice. */
export function endpointsByService(slices: readonly KubeObject[]): Map<string, EndpointInfo[]> {
  const out = new Map<string, EndpointInfo[]>();
  for (const slice of slices) {
    const key = sliceServiceKey(slice);
    if (key === undefined) continue;
    const list = out.get(key) ?? [];
    list.push(...sliceEndpoints(slice));
    out.set(key, list);
  }
  return out;
}

/** A Secret's value for `key`, decoded from base64 (`data`) or as written (`stringData`). Never log it. */
export function secretValue(obj: KubeObject | undefined, key: string): string | undefined {
  const secret = obj as { data?: Record<string, string>; stringData?: Record<string, string> } | undefined;
  const encoded = secret?.data?.[key];
  if (encoded !== undefined) return Buffer.from(encoded, 'base64').toString('utf8');
  return secret?.stringData?.[key];
}
