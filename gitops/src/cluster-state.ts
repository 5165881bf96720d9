// `lbops state export` and `lbops plan --kubeconfig`: reads LoadBalancer Services and their namespaces' labels
// from a cluster through the shared Kubernetes adapter, and builds the assignments state file.
import { KubeClient, type KubeObject } from '@lbops/kube';
import { buildStateFile, type StateFile } from './state-file.js';

export interface ExportOptions {
  /** A kubeconfig file; undefined: in-cluster or $KUBECONFIG / ~/.kube/config. */
  readonly kubeconfig?: string | undefined;
  /** A client to use instead (tests). */
  readonly client?: KubeClient;
  readonly now: Date;
}

export async function exportClusterState(options: ExportOptions): Promise<StateFile> {
  const client = options.client ?? KubeClient.fromKubeconfig(options.kubeconfig);
  const [services, namespaces] = await Promise.all([
    client.list<KubeObject>('/api/v1/services'),
    client.list<KubeObject>('/api/v1/namespaces'),
  ]);
  return buildStateFile(
    services.items,
    namespaces.items.map((ns) => ({ name: ns.metadata?.name ?? '', labels: ns.metadata?.labels ?? {} })),
    // The server URL only: the kubeconfig's credentials never reach the file.
    { exportedAt: options.now.toISOString().replace(/\.\d{3}Z$/, 'Z'), source: client.server },
  );
}
