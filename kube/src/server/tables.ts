// Server-side printing: the `Table` kubectl asks for (Accept: application/json;as=Table;g=meta.k8s.io;v=v1),
// with the columns kube-apiserver shows for the built-in kinds and a CRD's additionalPrinterColumns.
import { getPath, isObject, stringField, type JsonObject } from './json.js';
import type { PrinterColumn, ResourceType } from './resource-types.js';

interface Column {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly priority?: number;
  readonly cell: (obj: JsonObject) => unknown;
}

/** `5s`, `3m`, `2h`, `4d` as kubectl's HumanDuration rounds them. */
export function humanAge(created: string | undefined, now: Date): string {
  if (created === undefined) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(created)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 > 0 ? `${seconds % 60}s` : ''}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);

function servicePorts(svc: JsonObject): string {
  const ports = list(getPath(svc, ['spec', 'ports'])).filter(isObject);
  if (ports.length === 0) return '<none>';
  return ports
    .map(
      (p) =>
        `${str(p.port)}${typeof p.nodePort === 'number' ? `:${p.nodePort}` : ''}/${str(p.protocol ?? 'TCP')}`,
    )
    .join(',');
}

function externalIp(svc: JsonObject): string {
  const type = getPath(svc, ['spec', 'type']);
  const external = list(getPath(svc, ['spec', 'externalIPs'])).map(str);
  if (type === 'LoadBalancer') {
    const ingress = list(getPath(svc, ['status', 'loadBalancer', 'ingress']))
      .filter(isObject)
      .map((i) => str(i.ip ?? i.hostname));
    const all = [...ingress, ...external];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  if (type === 'ExternalName') return str(getPath(svc, ['spec', 'externalName']));
  return external.length > 0 ? external.join(',') : '<none>';
}

function selectorText(svc: JsonObject): string {
  const selector = getPath(svc, ['spec', 'selector']);
  if (!isObject(selector) || Object.keys(selector).length === 0) return '<none>';
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${str(v)}`)
    .join(',');
}

function nodeStatus(node: JsonObject): string {
  const ready = list(getPath(node, ['status', 'conditions']))
    .filter(isObject)
    .find((c) => c.type === 'Ready');
  const status = ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return getPath(node, ['spec', 'unschedulable']) === true ? `${status},SchedulingDisabled` : status;
}

function nodeRoles(node: JsonObject): string {
  const labels = getPath(node, ['metadata', 'labels']);
  const roles = isObject(labels)
    ? Object.keys(labels)
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length))
    : [];
  return roles.length > 0 ? roles.join(',') : '<none>';
}

function count(v: unknown): number {
  return isObject(v) ? Object.keys(v).length : 0;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/** A subset of JSONPath as CRDs use it in printer columns: `.spec.a.b`, `.spec.list[0]`. */
export function simpleJsonPath(obj: JsonObject, path: string): unknown {
  const parts = path
    .replace(/^\{?\.?/, '')
    .replace(/\}$/, '')
    .split('.')
    .filter((p) => p !== '');
  let current: unknown = obj;
  for (const part of parts) {
    const m = /^([^[]*)(?:\[(\d+|\*)\])?$/.exec(part);
    if (m === null) return undefined;
    const [, field = '', index] = m;
    current = isObject(current) ? current[field] : undefined;
    if (index !== undefined && index !== '*')
      current = Array.isArray(current) ? current[Number(index)] : undefined;
  }
  return current;
}

function builtinColumns(type: ResourceType, now: Date): Column[] | undefined {
  const age: Column = {
    name: 'Age',
    type: 'string',
    cell: (o) => humanAge(stringField(o.metadata, 'creationTimestamp'), now),
  };
  const key = `${type.group}/${type.resource}`;
  switch (key) {
    case '/services':
      return [
        { name: 'Type', type: 'string', cell: (o) => str(getPath(o, ['spec', 'type'])) },
        {
          name: 'Cluster-IP',
          type: 'string',
          cell: (o) => str(getPath(o, ['spec', 'clusterIP'])) || '<none>',
        },
        { name: 'External-IP', type: 'string', cell: externalIp },
        { name: 'Port(s)', type: 'string', cell: servicePorts },
        age,
        { name: 'Selector', type: 'string', priority: 1, cell: selectorText },
      ];
    case '/namespaces':
      return [{ name: 'Status', type: 'string', cell: (o) => str(getPath(o, ['status', 'phase'])) }, age];
    case '/nodes':
      return [
        { name: 'Status', type: 'string', cell: nodeStatus },
        { name: 'Roles', type: 'string', cell: nodeRoles },
        age,
        {
          name: 'Version',
          type: 'string',
          cell: (o) => str(getPath(o, ['status', 'nodeInfo', 'kubeletVersion'])),
        },
      ];
    case '/configmaps':
      return [{ name: 'Data', type: 'integer', cell: (o) => count(o.data) + count(o.binaryData) }, age];
    case '/secrets':
      return [
        { name: 'Type', type: 'string', cell: (o) => str(o.type ?? 'Opaque') },
        { name: 'Data', type: 'integer', cell: (o) => count(o.data) },
        age,
      ];
    case 'apps/deployments':
      return [
        {
          name: 'Ready',
          type: 'string',
          cell: (o) =>
            `${num(getPath(o, ['status', 'readyReplicas']))}/${num(getPath(o, ['spec', 'replicas']) ?? 1)}`,
        },
        { name: 'Up-to-date', type: 'integer', cell: (o) => num(getPath(o, ['status', 'updatedReplicas'])) },
        { name: 'Available', type: 'integer', cell: (o) => num(getPath(o, ['status', 'availableReplicas'])) },
        age,
      ];
    case '/events':
      return [
        {
          name: 'Last Seen',
          type: 'string',
          cell: (o) =>
            humanAge(
              stringField(o, 'lastTimestamp') ??
                stringField(o, 'eventTime') ??
                stringField(o.metadata, 'creationTimestamp'),
              now,
            ),
        },
        { name: 'Type', type: 'string', cell: (o) => str(o.type) },
        { name: 'Reason', type: 'string', cell: (o) => str(o.reason) },
        {
          name: 'Object',
          type: 'string',
          cell: (o) =>
            `${str(getPath(o, ['involvedObject', 'kind'])).toLowerCase()}/${str(getPath(o, ['involvedObject', 'name']))}`,
        },
        { name: 'Message', type: 'string', cell: (o) => str(o.message) },
      ];
    case 'coordination.k8s.io/leases':
      return [
        { name: 'Holder', type: 'string', cell: (o) => str(getPath(o, ['spec', 'holderIdentity'])) },
        age,
      ];
    case 'discovery.k8s.io/endpointslices':
      return [
        { name: 'AddressType', type: 'string', cell: (o) => str(o.addressType) },
        {
          name: 'Ports',
          type: 'string',
          cell: (o) =>
            list(o.ports)
              .filter(isObject)
              .map((p) => str(p.port))
              .join(',') || '<unset>',
        },
        {
          name: 'Endpoints',
          type: 'string',
          cell: (o) =>
            list(o.endpoints)
              .filter(isObject)
              .flatMap((e) => list(e.addresses).map(str))
              .join(',') || '<unset>',
        },
        age,
      ];
    case 'apiextensions.k8s.io/customresourcedefinitions':
      return [
        { name: 'Created At', type: 'date', cell: (o) => stringField(o.metadata, 'creationTimestamp') ?? '' },
      ];
    default:
      return type.crd === undefined ? [age] : undefined;
  }
}

function crdColumns(columns: readonly PrinterColumn[], now: Date): Column[] {
  const out = columns.map((c): Column => ({
    name: c.name,
    type: c.type,
    ...(c.priority !== undefined ? { priority: c.priority } : {}),
    cell: (o) => {
      const v = simpleJsonPath(o, c.jsonPath);
      if (c.type === 'date' && typeof v === 'string') return humanAge(v, now);
      return Array.isArray(v) || isObject(v) ? JSON.stringify(v) : (v ?? null);
    },
  }));
  if (!columns.some((c) => c.jsonPath === '.metadata.creationTimestamp')) {
    out.push({
      name: 'Age',
      type: 'date',
      cell: (o) => humanAge(stringField(o.metadata, 'creationTimestamp'), now),
    });
  }
  return out;
}

/** The Table for `objects`; `includeObject` as the request asked (None, Metadata or Object). */
export function toTable(
  type: ResourceType,
  objects: readonly JsonObject[],
  resourceVersion: string,
  now: Date,
  includeObject: string,
): JsonObject {
  const columns = [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      cell: (o: JsonObject) => stringField(o.metadata, 'name') ?? '',
    } as Column,
    ...(builtinColumns(type, now) ?? crdColumns(type.printerColumns, now)),
  ];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => {
      const row: JsonObject = { cells: columns.map((c) => c.cell(o)) };
      if (includeObject === 'Object') row.object = o;
      else if (includeObject !== 'None') {
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      }
      return row;
    }),
  };
}
