// The verbs of the Kubernetes API over the object store: what kube-apiserver's registry does for
// get, list, create, update, patch and delete, minus authorization and most validation. Transport
// (HTTP, watch streaming, tables) lives in http-server.ts.
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { matchesLabelSelector, type LabelSelector } from '@lbops/schemas';
import { pointerToField, type Admission } from './admission.js';
import { clone, deepEqual, isObject, metadataOf, stringField, type JsonObject } from './json.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import {
  apiVersionOf,
  storageKey,
  typesFromCrd,
  type ResourceRegistry,
  type ResourceType,
} from './resource-types.js';
import { matchesFields, parseFieldSelector, parseLabelSelector, type FieldRequirement } from './selectors.js';
import { serverSideApply } from './server-side-apply.js';
import { ServiceAllocations } from './service-defaults.js';
import {
  alreadyExists,
  ApiStatusError,
  badRequest,
  conflict,
  invalid,
  notFound,
  unsupportedMediaType,
  type StatusCause,
} from './status.js';
import type { ObjectStore } from './store.js';

/** What a request addresses: a type, and optionally a namespace, a name and a subresource. */
export interface Target {
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

export interface Selection {
  readonly labels?: LabelSelector;
  readonly fields: readonly FieldRequirement[];
}

export interface WriteResult {
  readonly object: JsonObject;
  /** The stored object `object` presents (for serialising it once: see presentJson). */
  readonly source: JsonObject;
  /** 201 for a create, 200 otherwise. */
  readonly code: number;
  /** Admission warnings, sent as `Warning` headers (kubectl prints them). */
  readonly warnings: readonly string[];
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Namespaces every cluster starts with. */
export const INITIAL_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'metallb-system',
];

export class KubeApi {
  readonly services = new ServiceAllocations();
  private dryRun = false;
  /**
   * The JSON of each stored object as presented, made once per object version: every watcher of a kind and
   * the writer's response share it. Valid because stored objects are never mutated (a write stores a new
   * one); weak, so versions the store dropped go with it.
   */
  private readonly serialised = new WeakMap<
    JsonObject,
    { readonly apiVersion: string; readonly json: string }
  >();

  constructor(
    readonly store: ObjectStore,
    readonly registry: ResourceRegistry,
    private readonly options: {
      readonly now: () => Date;
      readonly admission?: Admission;
      /** API group whose objects go through admission. */
      readonly admittedGroup?: string;
      /** Kinds of that group that go through admission (and are shown to it); all when absent. */
      readonly admittedKinds?: ReadonlySet<string>;
      readonly random?: () => number;
    },
  ) {
    for (const crd of store.list('apiextensions.k8s.io/customresourcedefinitions')) this.registerCrd(crd);
    for (const svc of store.list('/services')) this.services.track(svc);
  }

  private timestamp(): string {
    return this.options
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  /**
   * A stored object for output in the requested version. Shallow: stored objects are never
   * mutated, and everything that changes an output copies first (lists of 10,000 Services would
   * otherwise spend most of their time cloning).
   */
  present(type: ResourceType, obj: JsonObject): JsonObject {
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
    return { apiVersion: apiVersionOf(type), kind: type.kind, ...rest };
  }

  /** JSON.stringify(present(type, obj)) for a stored object, serialised once per version and type. */
  presentJson(type: ResourceType, obj: JsonObject): string {
    const apiVersion = apiVersionOf(type);
    const cached = this.serialised.get(obj);
    if (cached !== undefined && cached.apiVersion === apiVersion) return cached.json;
    const json = JSON.stringify(this.present(type, obj));
    this.serialised.set(obj, { apiVersion, json });
    return json;
  }

  selection(query: URLSearchParams): Selection {
    const labelText = query.get('labelSelector');
    let labels: LabelSelector | undefined;
    if (labelText !== null && labelText !== '') {
      const parsed = parseLabelSelector(labelText);
      if ('error' in parsed) throw badRequest(`unable to parse requirement: ${parsed.error}`);
      labels = parsed;
    }
    const fieldText = query.get('fieldSelector') ?? '';
    const fields = parseFieldSelector(fieldText);
    if ('error' in fields) throw badRequest(fields.error);
    return labels === undefined ? { fields } : { labels, fields };
  }

  matches(obj: JsonObject, selection: Selection): boolean {
    if (selection.labels !== undefined) {
      const meta = isObject(obj.metadata) ? obj.metadata : {};
      const labels = isObject(meta.labels) ? (meta.labels as Record<string, string>) : {};
      if (!matchesLabelSelector(selection.labels, labels)) return false;
    }
    return matchesFields(obj, selection.fields);
  }

  get(target: Target): JsonObject {
    const obj = this.store.get(storageKey(target.type), target.namespace ?? '', target.name ?? '');
    if (obj === undefined) throw notFound(target.type, target.name ?? '');
    return this.present(target.type, obj);
  }

  /**
   * Lists in (namespace, name) order. With `limit`, a page and a `continue` token naming the last
   * key; the next page starts after it in the current state (kube-apiserver serves later pages
   * from the first page's snapshot; here objects changed meanwhile show their newer state).
   */
  list(target: Target, selection: Selection, page: { limit?: number; continue?: string } = {}): JsonObject {
    let items = this.store
      .list(storageKey(target.type), target.type.namespaced ? target.namespace : undefined)
      .filter((o) => this.matches(o, selection))
      .sort(byKey);
    if (page.continue !== undefined && page.continue !== '') {
      let after: string;
      try {
        after = String(
          (JSON.parse(Buffer.from(page.continue, 'base64url').toString('utf8')) as { after: unknown }).after,
        );
      } catch {
        throw badRequest('the continue token is not valid; start the list again without it');
      }
      items = items.filter((o) => sortKey(o) > after);
    }
    const metadata: JsonObject = { resourceVersion: String(this.store.resourceVersion) };
    const limit = page.limit ?? 0;
    if (limit > 0 && items.length > limit) {
      metadata.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
      const last = items[items.length - 1];
      if (last !== undefined)
        metadata.continue = Buffer.from(JSON.stringify({ after: sortKey(last) })).toString('base64url');
    }
    return {
      kind: `${target.type.kind}List`,
      apiVersion: apiVersionOf(target.type),
      metadata,
      items: items.map((o) => this.present(target.type, o)),
    };
  }

  private requireNamespace(target: Target): void {
    if (!target.type.namespaced) return;
    if (target.namespace === undefined || target.namespace === '') {
      throw badRequest('the server could not find the requested resource: a namespace is required');
    }
    if (this.store.get('/namespaces', '', target.namespace) === undefined) {
      throw notFound({ group: '', resource: 'namespaces' }, target.namespace);
    }
  }

  private checkBody(target: Target, body: unknown): JsonObject {
    if (!isObject(body)) throw badRequest('the request body must be a JSON object');
    const kind = stringField(body, 'kind');
    if (kind !== undefined && kind !== target.type.kind) {
      throw badRequest(
        `the kind "${kind}" does not match the resource "${target.type.resource}" (${target.type.kind})`,
      );
    }
    const obj = clone(body);
    const meta = metadataOf(obj);
    const ns = stringField(meta, 'namespace');
    if (target.type.namespaced) {
      if (ns !== undefined && ns !== '' && target.namespace !== undefined && ns !== target.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      if (target.namespace !== undefined) meta.namespace = target.namespace;
    } else {
      delete meta.namespace;
    }
    return obj;
  }

  private validateName(type: ResourceType, name: string): void {
    const ok =
      type.resource === 'namespaces'
        ? DNS_LABEL.test(name) && name.length <= 63
        : DNS_SUBDOMAIN.test(name) && name.length <= 253;
    if (!ok) {
      throw invalid(type.kind, type.group, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          message: `Invalid value: "${name}": a lowercase RFC 1123 ${type.resource === 'namespaces' ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
        },
      ]);
    }
  }

  create(target: Target, body: unknown): WriteResult {
    this.requireNamespace(target);
    const obj = this.checkBody(target, body);
    const meta = metadataOf(obj);
    let name = stringField(meta, 'name') ?? '';
    if (name === '') {
      const prefix = stringField(meta, 'generateName');
      if (prefix === undefined || prefix === '') {
        throw invalid(target.type.kind, target.type.group, '', [
          {
            reason: 'FieldValueRequired',
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
          },
        ]);
      }
      const random = this.options.random ?? Math.random;
      name =
        prefix +
        Array.from({ length: 5 }, () => NAME_CHARS[Math.floor(random() * NAME_CHARS.length)]).join('');
      meta.name = name;
    }
    this.validateName(target.type, name);
    const key = storageKey(target.type);
    if (this.store.get(key, target.namespace ?? '', name) !== undefined)
      throw alreadyExists(target.type, name);
    meta.uid = randomUUID();
    meta.creationTimestamp = this.timestamp();
    meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    obj.apiVersion = apiVersionOf(target.type);
    obj.kind = target.type.kind;
    if (target.type.statusSubresource) delete obj.status;
    const warnings = this.prepare(target, obj, undefined);
    const stored = this.write(key, obj);
    this.afterWrite(target.type, stored);
    return { object: this.present(target.type, stored), source: stored, code: 201, warnings };
  }

  update(target: Target, body: unknown): WriteResult {
    const obj = this.checkBody(target, body);
    const meta = metadataOf(obj);
    const name = stringField(meta, 'name') ?? target.name ?? '';
    if (target.name !== undefined && name !== target.name) {
      throw badRequest(
        `the name of the object (${name}) does not match the name on the URL (${target.name})`,
      );
    }
    const existing = this.store.get(storageKey(target.type), target.namespace ?? '', target.name ?? '');
    if (existing === undefined) throw notFound(target.type, target.name ?? '');
    return this.replace(target, existing, obj);
  }

  /** The common tail of update and patch: concurrency check, subresource rules, defaults, store. */
  private replace(target: Target, existing: JsonObject, candidate: JsonObject): WriteResult {
    const type = target.type;
    const meta = metadataOf(candidate);
    const oldMeta = isObject(existing.metadata) ? existing.metadata : {};
    const rv = stringField(meta, 'resourceVersion');
    if (rv !== undefined && rv !== '' && rv !== oldMeta.resourceVersion) {
      throw conflict(
        type,
        target.name ?? '',
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    let next: JsonObject;
    if (target.subresource === 'status') {
      // The status subresource changes status only; everything else stays as stored.
      next = clone(existing);
      if (candidate.status === undefined) delete next.status;
      else next.status = candidate.status;
    } else {
      next = candidate;
      if (type.statusSubresource) {
        if (existing.status === undefined) delete next.status;
        else next.status = clone(existing.status);
      }
    }
    const nextMeta = metadataOf(next);
    for (const k of ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp'] as const) {
      if (oldMeta[k] === undefined) delete nextMeta[k];
      else nextMeta[k] = oldMeta[k];
    }
    nextMeta.name = oldMeta.name;
    if (type.namespaced) nextMeta.namespace = oldMeta.namespace;
    nextMeta.resourceVersion = oldMeta.resourceVersion;
    next.apiVersion = apiVersionOf(type);
    next.kind = type.kind;
    const warnings = this.prepare(target, next, existing);
    if (specChanged(existing, next))
      nextMeta.generation = (typeof oldMeta.generation === 'number' ? oldMeta.generation : 0) + 1;
    // A write that changes nothing is not a change: no new resourceVersion, no watch event.
    if (deepEqual(withoutVersion(existing), withoutVersion(next))) {
      return { object: this.present(type, existing), source: existing, code: 200, warnings };
    }
    const stored = this.write(storageKey(type), next);
    this.afterWrite(type, stored);
    return { object: this.present(type, stored), source: stored, code: 200, warnings };
  }

  patch(target: Target, body: string, contentType: string, query: URLSearchParams): WriteResult {
    const mediaType = contentType.split(';')[0]?.trim() ?? '';
    const key = storageKey(target.type);
    const existing = this.store.get(key, target.namespace ?? '', target.name ?? '');
    if (mediaType === 'application/apply-patch+yaml' || mediaType === 'application/apply-patch+json') {
      return this.apply(target, existing, body, query);
    }
    if (existing === undefined) throw notFound(target.type, target.name ?? '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw badRequest('the patch is not valid JSON');
    }
    const current = this.present(target.type, existing);
    let patched: unknown;
    switch (mediaType) {
      case 'application/merge-patch+json':
        patched = mergePatch(current, parsed);
        break;
      case 'application/json-patch+json':
        patched = jsonPatch(current, parsed);
        break;
      case 'application/strategic-merge-patch+json':
        if (target.type.crd !== undefined) {
          throw new ApiStatusError(
            415,
            'UnsupportedMediaType',
            'strategic merge patch is not supported for custom resources; use a merge patch or server-side apply',
          );
        }
        patched = strategicMergePatch(current, parsed);
        break;
      default:
        throw unsupportedMediaType(contentType);
    }
    if (!isObject(patched)) throw badRequest('the patched object is not a JSON object');
    return this.replace(target, existing, patched);
  }

  private apply(
    target: Target,
    existing: JsonObject | undefined,
    body: string,
    query: URLSearchParams,
  ): WriteResult {
    const manager = query.get('fieldManager');
    if (manager === null || manager === '') {
      throw badRequest('fieldManager is required for apply requests (add ?fieldManager=NAME)');
    }
    let applied: unknown;
    try {
      applied = parseYaml(body);
    } catch (e) {
      throw badRequest(`the applied configuration is not valid YAML or JSON: ${(e as Error).message}`);
    }
    if (!isObject(applied)) throw badRequest('the applied configuration must be an object');
    const force = query.get('force') === 'true';
    if (existing === undefined) {
      if (target.subresource !== undefined) throw notFound(target.type, target.name ?? '');
      const merged = serverSideApply({
        existing: undefined,
        applied,
        manager,
        force,
        apiVersion: apiVersionOf(target.type),
        now: this.timestamp(),
      });
      metadataOf(merged).name = target.name;
      return this.create(target, merged);
    }
    const current = this.present(target.type, existing);
    const merged = serverSideApply({
      existing: current,
      applied,
      manager,
      force,
      apiVersion: apiVersionOf(target.type),
      now: this.timestamp(),
    });
    delete metadataOf(merged).resourceVersion;
    return this.replace(target, existing, merged);
  }

  delete(target: Target, body: unknown): JsonObject {
    const key = storageKey(target.type);
    const existing = this.store.get(key, target.namespace ?? '', target.name ?? '');
    if (existing === undefined) throw notFound(target.type, target.name ?? '');
    const pre = isObject(body) && isObject(body.preconditions) ? body.preconditions : {};
    const meta = isObject(existing.metadata) ? existing.metadata : {};
    if (typeof pre.uid === 'string' && pre.uid !== meta.uid) {
      throw conflict(
        target.type,
        target.name ?? '',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(meta.uid)}`,
      );
    }
    if (typeof pre.resourceVersion === 'string' && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(
        target.type,
        target.name ?? '',
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(meta.resourceVersion)}`,
      );
    }
    if (target.type.group === '' && target.type.resource === 'namespaces')
      if (!this.dryRun) this.deleteNamespaceContents(target.name ?? '');
    if (target.type.resource === 'customresourcedefinitions' && !this.dryRun) this.deleteCrdObjects(existing);
    const gone = this.dryRun
      ? existing
      : (this.store.delete(key, target.namespace ?? '', target.name ?? '') ?? existing);
    if (key === '/services' && !this.dryRun) this.services.release(gone);
    const out = clone(this.present(target.type, gone));
    if (target.type.resource === 'namespaces') {
      metadataOf(out).deletionTimestamp = this.timestamp();
      out.status = { phase: 'Terminating' };
    }
    return out;
  }

  deleteCollection(target: Target, selection: Selection): JsonObject {
    const victims = this.store
      .list(storageKey(target.type), target.type.namespaced ? target.namespace : undefined)
      .filter((o) => this.matches(o, selection));
    const items = victims.map((o) =>
      this.delete(
        {
          ...target,
          namespace: stringField(o.metadata, 'namespace') ?? '',
          name: stringField(o.metadata, 'name') ?? '',
        },
        undefined,
      ),
    );
    return {
      kind: `${target.type.kind}List`,
      apiVersion: apiVersionOf(target.type),
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items,
    };
  }

  /** Cascading delete: every namespaced object in the namespace goes first. */
  private deleteNamespaceContents(namespace: string): void {
    const seen = new Set<string>();
    for (const type of this.registry.all()) {
      const key = storageKey(type);
      if (!type.namespaced || seen.has(key)) continue;
      seen.add(key);
      for (const obj of this.store.list(key, namespace)) {
        const gone = this.store.delete(key, namespace, stringField(obj.metadata, 'name') ?? '');
        if (gone !== undefined && key === '/services') this.services.release(gone);
      }
    }
  }

  private deleteCrdObjects(crd: JsonObject): void {
    const types = typesFromCrd(crd);
    const first = types[0];
    if (first !== undefined) {
      const key = storageKey(first);
      for (const obj of this.store.list(key)) {
        this.store.delete(
          key,
          stringField(obj.metadata, 'namespace') ?? '',
          stringField(obj.metadata, 'name') ?? '',
        );
      }
    }
    this.registry.setCrd(stringField(crd.metadata, 'name') ?? '', []);
  }

  /** Kind-specific defaulting and admission before a write; returns admission warnings. */
  private prepare(target: Target, obj: JsonObject, previous: JsonObject | undefined): string[] {
    const type = target.type;
    if (type.group === '' && type.resource === 'services') {
      this.services.applyDefaults(obj, previous);
      if (this.dryRun) {
        // A dry run shows the addresses and ports it would take but keeps none of them.
        this.services.release(obj);
        if (previous !== undefined) this.services.track(previous);
      }
    }
    if (type.group === '' && type.resource === 'secrets') obj.type ??= 'Opaque';
    if (type.group === '' && type.resource === 'namespaces') {
      obj.spec = isObject(obj.spec) ? obj.spec : { finalizers: ['kubernetes'] };
      if (!isObject(obj.status)) obj.status = { phase: 'Active' };
      const labels = isObject(metadataOf(obj).labels) ? (metadataOf(obj).labels as JsonObject) : {};
      labels['kubernetes.io/metadata.name'] = stringField(obj.metadata, 'name') ?? '';
      metadataOf(obj).labels = labels;
    }
    if (type.resource === 'customresourcedefinitions' && type.group === 'apiextensions.k8s.io') {
      this.prepareCrd(obj);
    }
    const kinds = this.options.admittedKinds;
    if (
      this.options.admission !== undefined &&
      type.group === (this.options.admittedGroup ?? 'metallb.io') &&
      (kinds === undefined || kinds.has(type.kind))
    ) {
      return this.admit(target, obj);
    }
    return [];
  }

  private prepareCrd(obj: JsonObject): void {
    const types = typesFromCrd(obj);
    const first = types[0];
    if (first === undefined) {
      throw invalid(
        'CustomResourceDefinition',
        'apiextensions.k8s.io',
        stringField(obj.metadata, 'name') ?? '',
        [
          {
            reason: 'FieldValueRequired',
            field: 'spec',
            message: 'Required value: group, names.plural, names.kind and at least one served version',
          },
        ],
      );
    }
    const spec = isObject(obj.spec) ? obj.spec : {};
    obj.status = {
      acceptedNames: spec.names,
      storedVersions: types.filter((t) => t.storage).map((t) => t.version),
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: this.timestamp(),
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: this.timestamp(),
        },
      ],
    };
  }

  private admit(target: Target, obj: JsonObject): string[] {
    const admission = this.options.admission;
    if (admission === undefined) return [];
    const type = target.type;
    const name = stringField(obj.metadata, 'name') ?? '';
    const ns = stringField(obj.metadata, 'namespace') ?? '';
    const others: JsonObject[] = [];
    const seen = new Set<string>();
    const kinds = this.options.admittedKinds;
    for (const t of this.registry.all()) {
      // Status kinds (thousands of ServiceL2Statuses) are not configuration: never gathered.
      if (t.group !== type.group || seen.has(storageKey(t)) || (kinds !== undefined && !kinds.has(t.kind)))
        continue;
      seen.add(storageKey(t));
      for (const o of this.store.list(storageKey(t))) {
        if (
          t.resource === type.resource &&
          stringField(o.metadata, 'name') === name &&
          stringField(o.metadata, 'namespace') === ns
        )
          continue;
        others.push(this.present(t, o));
      }
    }
    const diagnostics = admission(obj, others);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      const causes: StatusCause[] = errors.map((d) => ({
        reason: d.code ?? 'FieldValueInvalid',
        message: d.hint !== undefined ? `${d.message} (${d.hint})` : d.message,
        field: pointerToField(d.path),
      }));
      throw invalid(type.kind, type.group, name, causes);
    }
    return diagnostics
      .filter((d) => d.severity === 'warning')
      .map((d) => `${pointerToField(d.path)}: ${d.message}`);
  }

  /**
   * Runs `operation` as a server-side dry run (`?dryRun=All`): everything is checked and
   * computed, nothing is stored. Safe as a flag because every operation is synchronous.
   */
  dryRunOf<T>(operation: () => T): T {
    this.dryRun = true;
    try {
      return operation();
    } finally {
      this.dryRun = false;
    }
  }

  private write(key: string, obj: JsonObject): JsonObject {
    if (!this.dryRun) return this.store.put(key, obj);
    const copy = clone(obj);
    const meta = metadataOf(copy);
    meta.resourceVersion ??= String(this.store.resourceVersion);
    return copy;
  }

  private afterWrite(type: ResourceType, stored: JsonObject): void {
    if (this.dryRun) return;
    if (type.resource === 'customresourcedefinitions' && type.group === 'apiextensions.k8s.io')
      this.registerCrd(stored);
  }

  private registerCrd(crd: JsonObject): void {
    this.registry.setCrd(stringField(crd.metadata, 'name') ?? '', typesFromCrd(crd));
  }
}

function sortKey(obj: JsonObject): string {
  return `${stringField(obj.metadata, 'namespace') ?? ''}/${stringField(obj.metadata, 'name') ?? ''}`;
}

function byKey(a: JsonObject, b: JsonObject): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The object without resourceVersion and managedFields, for comparing; shallow (nothing is mutated). */
function withoutVersion(obj: JsonObject): JsonObject {
  const meta = isObject(obj.metadata) ? { ...obj.metadata } : {};
  delete meta.resourceVersion;
  delete meta.managedFields;
  return { ...obj, metadata: meta };
}

/** Whether anything outside metadata and status changed: what bumps metadata.generation. */
function specChanged(a: JsonObject, b: JsonObject): boolean {
  const strip = (o: JsonObject): JsonObject => {
    const copy = { ...o };
    delete copy.metadata;
    delete copy.status;
    delete copy.apiVersion;
    delete copy.kind;
    return copy;
  };
  return !deepEqual(strip(a), strip(b));
}
