// Server-side apply of whole objects: the GitOps sync and the controller declare what they own
// with a field manager; the server merges, records ownership and reports conflicts.
import type { KubeClient, KubeObject } from './kube-client.js';

export interface ApplyOptions {
  readonly fieldManager: string;
  /** Take over fields other managers own instead of failing with 409 Conflict. */
  readonly force?: boolean;
  /** Apply to the status subresource. */
  readonly status?: boolean;
}

/** Applies `obj` (apiVersion, kind, metadata.name, and namespace for namespaced kinds). */
export async function applyObject<T extends KubeObject>(
  client: KubeClient,
  obj: KubeObject,
  options: ApplyOptions,
): Promise<T> {
  const path = await client.pathOf(obj, options.status === true ? { subresource: 'status' } : {});
  const body: KubeObject = { ...obj, metadata: { ...obj.metadata } };
  // The server owns these; sending them would make the apply claim them.
  for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields'] as const)
    delete body.metadata?.[k];
  return client.apply<T>(path, body, options.fieldManager, options.force ?? false);
}
