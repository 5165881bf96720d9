import { isObject, stringField, type JsonObject } from './json.js';

/** A column of `kubectl get`, as in a CRD's additionalPrinterColumns. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

/** One served resource: a (group, version, plural) triple and what the server knows about it. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  /** Plural, lower case: the URL segment. */
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Whether `<resource>/status` exists; then the main resource ignores status changes. */
  readonly statusSubresource: boolean;
  /** OpenAPI v3 schema of the whole object (for explain, openapi and CRD-served kinds). */
  readonly schema?: JsonObject;
  readonly printerColumns: readonly PrinterColumn[];
  /** Set for kinds served from a CustomResourceDefinition: its name. */
  readonly crd?: string;
  /** Whether this is the version objects are stored in (for several served versions). */
  readonly storage: boolean;
}

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** Objects of all versions of one group/resource share one storage key. */
export function storageKey(type: Pick<ResourceType, 'group' | 'resource'>): string {
  return `${type.group}/${type.resource}`;
}

function builtin(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  shortNames: readonly string[] = [],
  statusSubresource = false,
  categories: readonly string[] = [],
): ResourceType {
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    shortNames,
    categories,
    statusSubresource,
    printerColumns: [],
    storage: true,
  };
}

/** The built-in kinds lbops and kubectl need (a subset of kube-apiserver's). */
export const BUILTIN_TYPES: readonly ResourceType[] = [
  builtin('', 'v1', 'namespaces', 'Namespace', false, ['ns'], true),
  builtin('', 'v1', 'services', 'Service', true, ['svc'], true, ['all']),
  builtin('', 'v1', 'nodes', 'Node', false, ['no'], true),
  builtin('', 'v1', 'secrets', 'Secret', true),
  builtin('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  builtin('', 'v1', 'events', 'Event', true, ['ev']),
  builtin('apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], true, ['all']),
  builtin('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  builtin('events.k8s.io', 'v1', 'events', 'Event', true, ['ev']),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  builtin(
    'apiextensions.k8s.io',
    'v1',
    'customresourcedefinitions',
    'CustomResourceDefinition',
    false,
    ['crd', 'crds'],
    true,
  ),
];

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The served versions of a CustomResourceDefinition, as resource types. */
export function typesFromCrd(crd: JsonObject): ResourceType[] {
  const spec = crd.spec;
  if (!isObject(spec)) return [];
  const group = stringField(spec, 'group');
  const names = spec.names;
  if (group === undefined || !isObject(names)) return [];
  const plural = stringField(names, 'plural');
  const kind = stringField(names, 'kind');
  if (plural === undefined || kind === undefined) return [];
  const crdName = stringField(crd.metadata, 'name') ?? `${plural}.${group}`;
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
  return versions
    .filter((v) => v.served !== false && typeof v.name === 'string')
    .map((v) => {
      const schema =
        isObject(v.schema) && isObject(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
      const columns = Array.isArray(v.additionalPrinterColumns)
        ? v.additionalPrinterColumns.filter(isObject).flatMap((c): PrinterColumn[] => {
            const name = stringField(c, 'name');
            const jsonPath = stringField(c, 'jsonPath');
            if (name === undefined || jsonPath === undefined) return [];
            return [
              {
                name,
                jsonPath,
                type: stringField(c, 'type') ?? 'string',
                ...(typeof c.description === 'string' ? { description: c.description } : {}),
                ...(typeof c.priority === 'number' ? { priority: c.priority } : {}),
              },
            ];
          })
        : [];
      return {
        group,
        version: String(v.name),
        resource: plural,
        singular: stringField(names, 'singular') ?? kind.toLowerCase(),
        kind,
        namespaced: spec.scope !== 'Cluster',
        shortNames: stringList(names.shortNames),
        categories: stringList(names.categories),
        statusSubresource: isObject(v.subresources) && isObject(v.subresources.status),
        ...(schema !== undefined ? { schema } : {}),
        printerColumns: columns,
        crd: crdName,
        storage: v.storage === true,
      };
    });
}

/** The set of served types; CRDs add and remove entries at run time. */
export class ResourceRegistry {
  private readonly types = new Map<string, ResourceType>();

  constructor(initial: readonly ResourceType[] = BUILTIN_TYPES) {
    for (const t of initial) this.add(t);
  }

  add(type: ResourceType): void {
    this.types.set(`${type.group}/${type.version}/${type.resource}`, type);
  }

  /** Replaces every type served from the named CRD. */
  setCrd(crdName: string, types: readonly ResourceType[]): void {
    for (const [key, t] of this.types) if (t.crd === crdName) this.types.delete(key);
    for (const t of types) this.add(t);
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.types.get(`${group}/${version}/${resource}`);
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }

  /** Group name -> versions, in the order the versions were added (preferred first). */
  groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const t of this.types.values()) {
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return groups;
  }

  /** Preferred version of a group: the highest by Kubernetes version priority (v1 > v1beta2 > v1beta1 > v1alpha1). */
  preferredVersion(group: string): string | undefined {
    const versions = this.groups().get(group) ?? [];
    return [...versions].sort(compareKubeVersions)[0];
  }
}

function versionRank(v: string): [number, number, number] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (m === null) return [0, 0, 0];
  const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stability, Number(m[1]), Number(m[3] ?? 0)];
}

/** Sorts versions by Kubernetes priority, highest first. */
export function compareKubeVersions(a: string, b: string): number {
  const ra = versionRank(a);
  const rb = versionRank(b);
  for (let i = 0; i < 3; i++) if ((ra[i] ?? 0) !== (rb[i] ?? 0)) return (rb[i] ?? 0) - (ra[i] ?? 0);
  return a.localeCompare(b);
}
