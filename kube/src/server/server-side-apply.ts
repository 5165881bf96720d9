// Server-side apply, simplified. What it keeps from kube-apiserver:
// - each field manager owns the leaf fields of its last applied configuration, recorded in
//   metadata.managedFields (operation Apply, FieldsV1 format);
// - an apply sets the fields it names, and removes the fields the same manager applied before
//   and no longer names (unless another manager also owns them);
// - changing a field another Apply manager owns to a different value is a 409 Conflict naming the
//   field and the manager, unless `force=true`, which takes ownership.
// What it leaves out: lists are atomic (no list-map keys), and non-apply writes (create, update,
// patch) are not recorded as owners, so they never conflict with an apply.
import { clone, deepEqual, isObject, type JsonObject } from './json.js';
import { ApiStatusError, type StatusCause } from './status.js';

type FieldPath = readonly string[];

/** Fields the API server itself owns; an applied configuration never claims them. */
const IGNORED: ReadonlySet<string> = new Set([
  'apiVersion',
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.resourceVersion',
  'metadata.uid',
  'metadata.generation',
  'metadata.creationTimestamp',
  'metadata.managedFields',
  'metadata.selfLink',
]);

/** Leaf paths of a configuration; an object is descended, anything else (lists too) is a leaf. */
export function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (!isObject(value) || (prefix.length > 0 && Object.keys(value).length === 0)) {
    return IGNORED.has(prefix.join('.')) ? [] : [prefix];
  }
  return Object.entries(value).flatMap(([k, v]) => {
    const path = [...prefix, k];
    if (IGNORED.has(path.join('.'))) return [];
    return leafPaths(v, path);
  });
}

export function toFieldsV1(paths: readonly FieldPath[]): JsonObject {
  const root: JsonObject = {};
  for (const path of paths) {
    let node = root;
    for (const part of path) {
      const key = `f:${part}`;
      const next = node[key];
      if (isObject(next)) node = next;
      else {
        const created: JsonObject = {};
        node[key] = created;
        node = created;
      }
    }
  }
  return root;
}

export function fromFieldsV1(fields: unknown, prefix: string[] = []): string[][] {
  if (!isObject(fields)) return [];
  const keys = Object.keys(fields).filter((k) => k.startsWith('f:'));
  if (keys.length === 0) return prefix.length > 0 ? [prefix] : [];
  return keys.flatMap((k) => fromFieldsV1(fields[k], [...prefix, k.slice(2)]));
}

function get(obj: unknown, path: FieldPath): unknown {
  let current = obj;
  for (const p of path) {
    if (!isObject(current)) return undefined;
    current = current[p];
  }
  return current;
}

function remove(obj: JsonObject, path: FieldPath): void {
  const parents: JsonObject[] = [];
  let current: JsonObject = obj;
  for (const p of path.slice(0, -1)) {
    const next = current[p];
    if (!isObject(next)) return;
    parents.push(current);
    current = next;
  }
  delete current[path[path.length - 1] ?? ''];
  // Drop maps the removal left empty, as apply would not have created them.
  for (let i = path.length - 2; i >= 0; i--) {
    const parent = parents[i];
    const key = path[i] ?? '';
    const value = parent?.[key];
    if (parent !== undefined && isObject(value) && Object.keys(value).length === 0) delete parent[key];
    else break;
  }
}

function overlay(target: unknown, applied: unknown): unknown {
  if (!isObject(applied) || !isObject(target)) return clone(applied);
  const out = clone(target);
  for (const [k, v] of Object.entries(applied)) out[k] = overlay(out[k], v);
  return out;
}

const samePath = (a: FieldPath, b: FieldPath): boolean =>
  a.length === b.length && a.every((p, i) => p === b[i]);
/** Whether one path contains the other (a parent owning a leaf below it counts). */
const overlaps = (a: FieldPath, b: FieldPath): boolean => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

export interface ApplyInput {
  readonly existing: JsonObject | undefined;
  readonly applied: JsonObject;
  readonly manager: string;
  readonly force: boolean;
  readonly apiVersion: string;
  readonly now: string;
}

/** The object after applying `applied` as `manager`; throws a 409 Conflict Status on conflicts. */
export function serverSideApply(input: ApplyInput): JsonObject {
  const { existing, applied, manager } = input;
  const entries = (
    existing !== undefined && isObject(existing.metadata) && Array.isArray(existing.metadata.managedFields)
      ? existing.metadata.managedFields.filter(isObject)
      : []
  ).map((e) => ({ entry: e, paths: fromFieldsV1(e.fieldsV1) }));
  const mine = entries.find((e) => e.entry.manager === manager && e.entry.operation === 'Apply');
  const others = entries.filter((e) => e !== mine && e.entry.operation === 'Apply');
  const appliedPaths = leafPaths(applied);

  const causes: StatusCause[] = [];
  const taken: { other: (typeof others)[number]; path: FieldPath }[] = [];
  for (const path of appliedPaths) {
    for (const other of others) {
      const owned = other.paths.find((p) => overlaps(p, path));
      if (owned === undefined) continue;
      if (!deepEqual(get(existing, path), get(applied, path))) {
        causes.push({
          reason: 'FieldManagerConflict',
          message: `conflict with "${String(other.entry.manager)}"`,
          field: `.${path.join('.')}`,
        });
        taken.push({ other, path: owned });
      }
    }
  }
  if (causes.length > 0 && !input.force) {
    const summary = causes.map((c) => `${c.message}: ${c.field ?? ''}`).join('; ');
    throw new ApiStatusError(409, 'Conflict', `Apply failed with ${causes.length} conflict(s): ${summary}`, {
      causes,
    });
  }

  let result: JsonObject = existing === undefined ? {} : clone(existing);
  for (const path of mine?.paths ?? []) {
    const stillApplied = appliedPaths.some((p) => overlaps(p, path));
    const ownedElsewhere = others.some((o) => o.paths.some((p) => samePath(p, path)));
    if (!stillApplied && !ownedElsewhere) remove(result, path);
  }
  result = overlay(result, applied) as JsonObject;

  const managed: JsonObject[] = [];
  for (const e of entries) {
    if (e === mine) continue;
    const lost = taken.filter((t) => t.other === e).map((t) => t.path);
    if (lost.length === 0) {
      managed.push(e.entry);
      continue;
    }
    const kept = e.paths.filter((p) => !lost.some((l) => samePath(l, p)));
    if (kept.length > 0) managed.push({ ...e.entry, fieldsV1: toFieldsV1(kept) });
  }
  managed.push({
    manager,
    operation: 'Apply',
    apiVersion: input.apiVersion,
    time: input.now,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(appliedPaths),
  });
  const meta = isObject(result.metadata) ? result.metadata : {};
  meta.managedFields = managed;
  result.metadata = meta;
  return result;
}
