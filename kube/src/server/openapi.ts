// OpenAPI v3 documents, one per group/version as kube-apiserver serves them under /openapi/v3.
// kubectl uses them for three things: to see that PATCH accepts `fieldValidation` (so it lets
// the server validate instead of validating itself against a v2 document we do not serve), to
// choose the patch type of `kubectl apply`, and for `kubectl explain`. PATCH operations do not
// list strategic-merge-patch: kubectl then computes strategic patches for built-in kinds from
// its compiled-in types, which carry the exact merge keys.
import { createHash } from 'node:crypto';
import { isObject, type JsonObject } from './json.js';
import { apiVersionOf, type ResourceRegistry, type ResourceType } from './resource-types.js';

const OBJECT_META: JsonObject = {
  type: 'object',
  description:
    'Standard object metadata: name, namespace, labels, annotations and the fields the server sets.',
  properties: {
    name: {
      type: 'string',
      description: 'Name, unique within a namespace (or the cluster for cluster-scoped kinds).',
    },
    generateName: { type: 'string', description: 'Prefix for a generated name when name is empty.' },
    namespace: { type: 'string', description: 'Namespace of the object; empty for cluster-scoped kinds.' },
    labels: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Labels used by selectors.',
    },
    annotations: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Unstructured key/value data.',
    },
    uid: { type: 'string', description: 'Unique identifier set by the server.' },
    resourceVersion: {
      type: 'string',
      description: 'Version of the object for optimistic concurrency and watches.',
    },
    generation: { type: 'integer', format: 'int64', description: 'Sequence number of spec changes.' },
    creationTimestamp: { type: 'string', format: 'date-time', description: 'When the object was created.' },
    deletionTimestamp: {
      type: 'string',
      format: 'date-time',
      description: 'When the object will be deleted.',
    },
    finalizers: {
      type: 'array',
      items: { type: 'string' },
      description: 'Finalizers that must be removed before deletion.',
    },
    ownerReferences: {
      type: 'array',
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      description: 'Objects this one depends on.',
    },
    managedFields: {
      type: 'array',
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      description: 'Field ownership for server-side apply.',
    },
  },
};

const open = (description: string): JsonObject => ({
  type: 'object',
  description,
  'x-kubernetes-preserve-unknown-fields': true,
});

/** Short descriptions of the built-in kinds; their bodies stay open (this server does not check them). */
const BUILTIN_DESCRIPTIONS: Record<string, string> = {
  Namespace: 'Namespace provides a scope for names.',
  Service:
    'Service is a named abstraction of software service consisting of a port the proxy listens on and a selector that determines which pods answer; type LoadBalancer asks for an external IP, which lbops assigns.',
  Node: 'Node is a worker node in Kubernetes.',
  Secret: 'Secret holds secret data of a certain type.',
  ConfigMap: 'ConfigMap holds configuration data for pods to consume.',
  Event: 'Event is a report of an event somewhere in the cluster.',
  Deployment:
    'Deployment enables declarative updates for Pods and ReplicaSets (stored only: this server schedules nothing).',
  EndpointSlice: 'EndpointSlice represents a subset of the endpoints that implement a service.',
  Lease: 'Lease defines a lease concept, used here for leader election.',
  CustomResourceDefinition:
    'CustomResourceDefinition represents a resource that should be exposed on the API server.',
};

function schemaName(type: ResourceType): string {
  const group = type.group === '' ? 'core' : type.group;
  if (type.crd !== undefined) return `${group.split('.').reverse().join('.')}.${type.version}.${type.kind}`;
  return `io.k8s.api.${group.replace(/\.k8s\.io$/, '').replace(/\./g, '_')}.${type.version}.${type.kind}`;
}

function objectSchema(type: ResourceType): JsonObject {
  const gvk = [{ group: type.group, version: type.version, kind: type.kind }];
  const base =
    type.schema !== undefined
      ? structuredClone(type.schema)
      : {
          type: 'object',
          description: BUILTIN_DESCRIPTIONS[type.kind] ?? type.kind,
          properties: {
            spec: open(`Desired state of the ${type.kind}.`),
            status: open(`Observed state of the ${type.kind}.`),
          },
        };
  const properties = isObject(base.properties) ? base.properties : {};
  properties.apiVersion = {
    type: 'string',
    description: 'APIVersion defines the versioned schema of this representation of an object.',
  };
  properties.kind = {
    type: 'string',
    description: 'Kind is a string value representing the REST resource this object represents.',
  };
  properties.metadata = OBJECT_META;
  base.properties = properties;
  base.type = 'object';
  base['x-kubernetes-group-version-kind'] = gvk;
  return base;
}

const PARAM = (name: string, description: string): JsonObject => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

function operations(type: ResourceType, ref: string): JsonObject {
  const gvk = { group: type.group, version: type.version, kind: type.kind };
  const body = { content: { 'application/json': { schema: { $ref: ref } } } };
  const response = {
    '200': { description: 'OK', content: { 'application/json': { schema: { $ref: ref } } } },
  };
  const op = (action: string, extra: JsonObject = {}): JsonObject => ({
    operationId: `${action}${type.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: response,
    ...extra,
  });
  const validation = [
    PARAM('fieldValidation', 'Ignore, Warn or Strict: how unknown or duplicate fields are treated.'),
    PARAM('fieldManager', 'Name of the actor making the change.'),
    PARAM('dryRun', 'All: do not persist.'),
  ];
  return {
    get: op('get'),
    put: op('put', { requestBody: body, parameters: validation }),
    delete: op('delete'),
    patch: op('patch', {
      parameters: [...validation, PARAM('force', 'Take over fields other managers own (apply only).')],
      requestBody: {
        content: {
          'application/json-patch+json': { schema: { type: 'object' } },
          'application/merge-patch+json': { schema: { type: 'object' } },
          'application/apply-patch+yaml': { schema: { type: 'object' } },
        },
      },
    }),
  };
}

function resourcePath(type: ResourceType): string {
  const prefix = type.group === '' ? '/api/v1' : `/apis/${type.group}/${type.version}`;
  return type.namespaced
    ? `${prefix}/namespaces/{namespace}/${type.resource}/{name}`
    : `${prefix}/${type.resource}/{name}`;
}

/** The document for one group/version. */
export function openApiV3Document(types: readonly ResourceType[]): JsonObject {
  const schemas: JsonObject = {};
  const paths: JsonObject = {};
  for (const t of types) {
    const name = schemaName(t);
    schemas[name] = objectSchema(t);
    paths[resourcePath(t)] = operations(t, `#/components/schemas/${name}`);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-lbops' },
    paths,
    components: { schemas },
  };
}

function gvPath(type: ResourceType): string {
  return type.group === '' ? `api/${type.version}` : `apis/${type.group}/${type.version}`;
}

/** `/openapi/v3`: where each group/version document is, with a content hash for caching. */
export function openApiV3Root(registry: ResourceRegistry): JsonObject {
  const byPath = new Map<string, ResourceType[]>();
  for (const t of registry.all()) byPath.set(gvPath(t), [...(byPath.get(gvPath(t)) ?? []), t]);
  const paths: JsonObject = {};
  for (const [path, types] of [...byPath].sort(([a], [b]) => a.localeCompare(b))) {
    const hash = createHash('sha512')
      .update(JSON.stringify(openApiV3Document(types)))
      .digest('hex')
      .toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}

/** The types of one `/openapi/v3/<path>` document, or undefined when no such group/version. */
export function typesForOpenApiPath(registry: ResourceRegistry, path: string): ResourceType[] | undefined {
  const types = registry.all().filter((t) => gvPath(t) === path);
  return types.length > 0 ? types : undefined;
}

export { apiVersionOf };
