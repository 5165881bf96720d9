// Legacy (unaggregated) discovery documents. kubectl 1.32 asks for aggregated discovery first and
// falls back to these when the response is plain application/json, which is what we send.
import type { JsonObject } from './json.js';
import { apiVersionOf, type ResourceRegistry, type ResourceType } from './resource-types.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-lbops',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(registry: ResourceRegistry): JsonObject {
  const groups = [...registry.groups()]
    .filter(([name]) => name !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name]) => apiGroup(registry, name));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(registry: ResourceRegistry, name: string): JsonObject {
  const versions = registry.groups().get(name) ?? [];
  const preferred = registry.preferredVersion(name) ?? versions[0] ?? 'v1';
  // The preferred version first, as kube-apiserver orders them.
  const ordered = [preferred, ...versions.filter((v) => v !== preferred)];
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name,
    versions: ordered.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred },
  };
}

export function apiResourceList(types: readonly ResourceType[], groupVersion: string): JsonObject {
  const resources: JsonObject[] = [];
  for (const t of [...types].sort((a, b) => a.resource.localeCompare(b.resource))) {
    resources.push({
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length > 0 ? { categories: t.categories } : {}),
    });
    if (t.statusSubresource) {
      resources.push({
        name: `${t.resource}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

export function typesOf(registry: ResourceRegistry, group: string, version: string): ResourceType[] {
  return registry.all().filter((t) => t.group === group && t.version === version);
}

export { apiVersionOf };
