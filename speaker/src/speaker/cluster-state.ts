// The speaker's view of the cluster, reduced to what the decision needs. Built from Kubernetes objects by
// kube-objects.ts; the decision function never sees a raw object.

/** MetalLB and kube-proxy skip nodes with this label for external load balancers. */
export const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface NodeInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The NetworkUnavailable condition is True (the node's network is not configured). */
  readonly networkUnavailable: boolean;
  /** InternalIP addresses (then ExternalIP), used as BGP next hops and membership addresses. */
  readonly addresses: readonly string[];
}

export type TrafficPolicy = 'Cluster' | 'Local';

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The addresses in status.loadBalancer.ingress (what the controller assigned). */
  readonly ips: readonly string[];
  readonly externalTrafficPolicy: TrafficPolicy;
}

/** One endpoint of a Service (from its EndpointSlices). */
export interface EndpointInfo {
  readonly ready: boolean;
  /** Where the endpoint runs; undefined when the slice does not say. */
  readonly nodeName: string | undefined;
}

export function serviceKey(service: { readonly namespace: string; readonly name: string }): string {
  return `${service.namespace}/${service.name}`;
}
