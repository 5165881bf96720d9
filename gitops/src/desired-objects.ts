// What the sync applies for a commit: the metallb.io documents of its files (legacy ConfigMaps converted, as
// `lbops convert` does), each labelled as owned by lbops and annotated with the commit. Pure.
import { parseAllDocuments } from 'yaml';
import { METALLB_KINDS, convertLegacyFiles, type ConfigFile } from '@lbops/schemas';
import { METALLB_CONFIG_RESOURCES, type KubeObject } from '@lbops/kube';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'lbops';
export const COMMIT_ANNOTATION = 'lbops.io/git-commit';
export const SOURCE_ANNOTATION = 'lbops.io/git-source';

/** Apply order: what others refer to first (admission checks references); prune runs in reverse. */
export const KIND_ORDER = [
  'BFDProfile',
  'Community',
  'IPAddressPool',
  'BGPPeer',
  'L2Advertisement',
  'BGPAdvertisement',
] as const;

/** The list path (all namespaces) and version of each kind, as the controller lists them. */
/** Where each kind is applied: the one table in the kube adapter layer. */
export const KIND_RESOURCES: Readonly<
  Record<(typeof KIND_ORDER)[number], { apiVersion: string; resource: string }>
> = METALLB_CONFIG_RESOURCES;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function objectId(obj: KubeObject): string {
  return `${obj.kind ?? ''}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** The objects to apply for a valid commit, sorted in apply order. */
export function desiredObjects(
  files: readonly ConfigFile[],
  meta: { readonly commit: string; readonly source: string; readonly namespace: string },
): KubeObject[] {
  const raw: Record<string, unknown>[] = [];
  for (const file of files)
    for (const doc of parseAllDocuments(file.content)) {
      const value: unknown = doc.toJS();
      if (!isRecord(value)) continue;
      const apiVersion = value['apiVersion'];
      if (
        typeof apiVersion === 'string' &&
        apiVersion.startsWith('metallb.io/') &&
        (METALLB_KINDS as readonly unknown[]).includes(value['kind'])
      )
        raw.push(value);
    }
  for (const converted of convertLegacyFiles(files).resources) raw.push(converted);
  const out = raw.map((value): KubeObject => {
    const metadata = isRecord(value['metadata']) ? value['metadata'] : {};
    const labels = isRecord(metadata['labels']) ? (metadata['labels'] as Record<string, string>) : {};
    const annotations = isRecord(metadata['annotations'])
      ? (metadata['annotations'] as Record<string, string>)
      : {};
    return {
      ...value,
      metadata: {
        name: String(metadata['name']),
        namespace: typeof metadata['namespace'] === 'string' ? metadata['namespace'] : meta.namespace,
        labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY },
        annotations: { ...annotations, [COMMIT_ANNOTATION]: meta.commit, [SOURCE_ANNOTATION]: meta.source },
      },
    };
  });
  const rank = (o: KubeObject) => KIND_ORDER.indexOf(o.kind as (typeof KIND_ORDER)[number]);
  return out.sort((a, b) => rank(a) - rank(b) || (objectId(a) < objectId(b) ? -1 : 1));
}

/** Whether every field of `desired` has the same value in `actual` (the server may add defaults and status). */
export function isSubset(desired: unknown, actual: unknown): boolean {
  if (Array.isArray(desired))
    return (
      Array.isArray(actual) &&
      desired.length === actual.length &&
      desired.every((d, i) => isSubset(d, actual[i]))
    );
  if (isRecord(desired))
    return isRecord(actual) && Object.entries(desired).every(([k, v]) => isSubset(v, actual[k]));
  return desired === actual;
}
