// The watched configuration objects as the files loadConfig reads: one YAML document per object, named
// `<kind>/<namespace>/<name>` so that a diagnostic names the object a user can `kubectl edit`.
import type { ConfigFile } from '@lbops/schemas';
import { stringify } from 'yaml';

/** MetalLB's pre-0.13 configuration: ConfigMap `config` in the MetalLB namespace, key `config`. */
export const LEGACY_CONFIGMAP_NAME = 'config';

export interface KubeObjectLike {
  readonly apiVersion?: string | undefined;
  readonly kind?: string | undefined;
  readonly metadata?:
    | {
        readonly name?: string | undefined;
        readonly namespace?: string | undefined;
        readonly labels?: Readonly<Record<string, string>> | undefined;
        readonly annotations?: Readonly<Record<string, string>> | undefined;
      }
    | undefined;
  readonly spec?: unknown;
  readonly data?: Readonly<Record<string, string>> | undefined;
}

export function configFileName(object: KubeObjectLike): string {
  return `${object.kind ?? 'Unknown'}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/**
 * Keeps what the configuration language reads (apiVersion, kind, name, namespace, labels, spec or data) and
 * drops server bookkeeping (managedFields, resourceVersion, status), which would only make line numbers noisy.
 */
export function configDocument(object: KubeObjectLike): Record<string, unknown> {
  const metadata = object.metadata ?? {};
  const out: Record<string, unknown> = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      ...(metadata.labels !== undefined && Object.keys(metadata.labels).length > 0
        ? { labels: metadata.labels }
        : {}),
    },
  };
  if (object.spec !== undefined) out.spec = object.spec;
  if (object.data !== undefined) out.data = object.data;
  return out;
}

/** Files for loadConfig, in a stable order (kind, namespace, name) so diagnostics come out the same each time. */
export function configFiles(objects: readonly KubeObjectLike[]): ConfigFile[] {
  return objects
    .map((object) => ({ name: configFileName(object), content: stringify(configDocument(object)) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The metallb.io configuration kinds, with the API version lbops lists and applies them in. */
export const METALLB_CONFIG_RESOURCES = {
  BFDProfile: { apiVersion: 'metallb.io/v1beta1', resource: 'bfdprofiles' },
  Community: { apiVersion: 'metallb.io/v1beta1', resource: 'communities' },
  IPAddressPool: { apiVersion: 'metallb.io/v1beta1', resource: 'ipaddresspools' },
  BGPPeer: { apiVersion: 'metallb.io/v1beta2', resource: 'bgppeers' },
  L2Advertisement: { apiVersion: 'metallb.io/v1beta1', resource: 'l2advertisements' },
  BGPAdvertisement: { apiVersion: 'metallb.io/v1beta1', resource: 'bgpadvertisements' },
} as const satisfies Readonly<Record<string, { readonly apiVersion: string; readonly resource: string }>>;
