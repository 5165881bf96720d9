// The three patch formats of the Kubernetes API. Each returns a new object; inputs stay untouched.
import { clone, deepEqual, isObject, type JsonObject } from './json.js';
import { badRequest, ApiStatusError } from './status.js';

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__') continue; // never a Kubernetes field; assigning it would set the prototype
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** RFC 6901 pointer segments. */
function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(
  doc: unknown,
  segments: readonly string[],
  path: string,
): { parent: unknown; last: string } {
  let current = doc;
  for (const s of segments.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(s)];
    else if (isObject(current)) current = current[s];
    else current = undefined;
    if (current === undefined) throw jsonPatchFailure(`path "${path}" does not exist`);
  }
  return { parent: current, last: segments[segments.length - 1] ?? '' };
}

function jsonPatchFailure(message: string): ApiStatusError {
  return new ApiStatusError(
    422,
    'Invalid',
    `the server rejected our request due to an error in our request: ${message}`,
  );
}

function readPointer(doc: unknown, path: string): unknown {
  let current = doc;
  for (const s of pointer(path)) {
    if (Array.isArray(current)) current = current[Number(s)];
    else if (isObject(current)) current = current[s];
    else return undefined;
  }
  return current;
}

function arrayIndex(arr: readonly unknown[], last: string, forInsert: boolean, path: string): number {
  if (forInsert && last === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(last)) throw jsonPatchFailure(`invalid array index in "${path}"`);
  const index = Number(last);
  if (index > arr.length || (!forInsert && index === arr.length)) {
    throw jsonPatchFailure(`array index out of range in "${path}"`);
  }
  return index;
}

function addAt(doc: unknown, path: string, value: unknown): unknown {
  const segments = pointer(path);
  if (segments.length === 0) return clone(value);
  const { parent, last } = parentOf(doc, segments, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, path), 0, clone(value));
  else if (isObject(parent)) parent[last] = clone(value);
  else throw jsonPatchFailure(`path "${path}" does not exist`);
  return doc;
}

function removeAt(doc: unknown, path: string): unknown {
  const segments = pointer(path);
  const { parent, last } = parentOf(doc, segments, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false, path), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw jsonPatchFailure(`unable to remove nonexistent key "${last}" at "${path}"`);
  return doc;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('a JSON patch must be an array of operations');
  let doc = clone(target);
  for (const op of operations) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw badRequest('each JSON patch operation needs "op" and "path"');
    }
    const path = op.path;
    switch (op.op) {
      case 'add':
        doc = addAt(doc, path, op.value);
        break;
      case 'remove':
        doc = removeAt(doc, path);
        break;
      case 'replace':
        if (readPointer(doc, path) === undefined)
          throw jsonPatchFailure(`replace operation does not apply: doc is missing key: ${path}`);
        doc = addAt(removeAt(doc, path), path, op.value);
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw badRequest(`"${op.op}" needs "from"`);
        const value = readPointer(doc, op.from);
        if (value === undefined) throw jsonPatchFailure(`path "${op.from}" does not exist`);
        if (op.op === 'move') doc = removeAt(doc, op.from);
        doc = addAt(doc, path, value);
        break;
      }
      case 'test':
        if (!deepEqual(readPointer(doc, path), op.value)) throw jsonPatchFailure(`test failed at "${path}"`);
        break;
      default:
        throw badRequest(`unknown JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}

/**
 * Merge keys of the lists that built-in kinds merge by key under a strategic merge patch (the
 * `patchMergeKey` tags of k8s.io/api). Lists not named here are atomic: the patch replaces them.
 */
function mergeKeyFor(field: string, items: readonly unknown[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'ports':
      // Container ports merge on containerPort, Service ports on port.
      return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
    case 'conditions':
    case 'addresses':
      return items.every((i) => isObject(i) && 'type' in i) ? 'type' : undefined;
    case 'hostAliases':
      return 'ip';
    case 'ownerReferences':
      return 'uid';
    case 'taints':
      return 'key';
    default:
      return undefined;
  }
}

/** Lists of scalars that merge (as a set) instead of being replaced. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

/**
 * The strategic merge patch `kubectl apply` and `kubectl patch` send for built-in kinds.
 * Simplified from apimachinery: maps merge, known keyed lists merge by key, the `$patch`
 * (replace, delete, merge), `$retainKeys`, `$setElementOrder/` and `$deleteFromPrimitiveList/`
 * directives are honoured; every other list is replaced as a whole.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const rest = clone(patch);
    delete rest.$patch;
    return rest;
  }
  const result: JsonObject = isObject(target) ? clone(target) : {};
  const orders = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key === '__proto__') continue;
    if (key.startsWith('$setElementOrder/')) {
      if (Array.isArray(value)) orders.set(key.slice('$setElementOrder/'.length), value);
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
      }
      continue;
    }
    if (value === null || (isObject(value) && value.$patch === 'delete')) {
      delete result[key];
      continue;
    }
    const current = result[key];
    if (Array.isArray(value)) result[key] = mergeList(key, current, value);
    else if (isObject(value)) result[key] = strategicMergePatch(current, value);
    else result[key] = value;
  }
  for (const [field, order] of orders) {
    const list = result[field];
    if (Array.isArray(list)) result[field] = reorder(field, list, order);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys.filter((k): k is string => typeof k === 'string'));
    for (const k of Object.keys(result)) if (!keep.has(k) && !Object.hasOwn(patch, k)) delete result[k];
  }
  return result;
}

function mergeList(field: string, current: unknown, patch: readonly unknown[]): unknown[] {
  if (patch.some((i) => isObject(i) && i.$patch === 'replace')) {
    return clone(patch.filter((i) => !(isObject(i) && i.$patch === 'replace')));
  }
  const base: unknown[] = Array.isArray(current) ? clone(current as unknown[]) : [];
  const key = mergeKeyFor(field, [...base, ...patch]);
  if (key === undefined) {
    if (MERGED_PRIMITIVE_LISTS.has(field)) {
      for (const v of patch) if (!base.some((b) => deepEqual(b, v))) base.push(clone(v));
      return base;
    }
    return clone(patch.filter((i) => !(isObject(i) && i.$patch !== undefined)));
  }
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = base.findIndex((b) => isObject(b) && deepEqual(b[key], item[key]));
    if (item.$patch === 'delete') {
      if (index >= 0) base.splice(index, 1);
    } else if (index >= 0) {
      base[index] = strategicMergePatch(base[index], item);
    } else {
      base.push(strategicMergePatch({}, item));
    }
  }
  return base;
}

/** `$setElementOrder`: listed elements first, in the given order; the rest after, as they were. */
function reorder(field: string, list: readonly unknown[], order: readonly unknown[]): unknown[] {
  const key = mergeKeyFor(field, list);
  const identity = (item: unknown): unknown => (key !== undefined && isObject(item) ? item[key] : item);
  const orderIds = order.map((o) => (key !== undefined && isObject(o) ? o[key] : o));
  const ranked = list.map((item, i) => {
    const at = orderIds.findIndex((id) => deepEqual(id, identity(item)));
    return { item, rank: at >= 0 ? at : orderIds.length + i };
  });
  return ranked.sort((a, b) => a.rank - b.rank).map((r) => r.item);
}
