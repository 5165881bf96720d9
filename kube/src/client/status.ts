// Helpers to write the status subresource and conditions the way controllers should: a merge
// patch when the caller owns the whole status, and read-modify-write with the resourceVersion
// (retried on 409 Conflict) when it must not clobber concurrent writers.
import { isConflict, type KubeClient, type KubeObject } from './kube-client.js';

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime?: string;
  readonly observedGeneration?: number;
}

/**
 * Sets one condition in a list: lastTransitionTime changes only when the status flips (as
 * metav1 conditions require); other conditions are kept as they are.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: Condition,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const previous = index >= 0 ? list[index] : undefined;
  const updated: Condition = {
    ...next,
    lastTransitionTime:
      previous !== undefined && previous.status === next.status && previous.lastTransitionTime !== undefined
        ? previous.lastTransitionTime
        : stamp,
  };
  if (index >= 0) list[index] = updated;
  else list.push(updated);
  return list;
}

/** Merge-patches `status` into the object's status subresource. */
export function patchStatus<T extends KubeObject>(
  client: KubeClient,
  objectPath: string,
  status: unknown,
  fieldManager?: string,
): Promise<T> {
  return client.mergePatch<T>(`${objectPath}/status`, { status }, fieldManager);
}

/**
 * Reads the object, lets `mutate` compute the new status (undefined: nothing to do) and writes it
 * with the read resourceVersion; on a conflict it reads again, up to `attempts` times.
 */
export async function updateStatus<T extends KubeObject>(
  client: KubeClient,
  objectPath: string,
  mutate: (current: T) => unknown,
  attempts = 5,
): Promise<T | undefined> {
  for (let i = 0; ; i++) {
    const current = await client.get<T>(objectPath);
    const status = mutate(current);
    if (status === undefined) return current;
    try {
      return await client.replace<T>(`${objectPath}/status`, { ...current, status });
    } catch (e) {
      if (!isConflict(e) || i + 1 >= attempts) throw e;
    }
  }
}
