// `lbops api`: the HTTP face of the embedded Kubernetes-compatible API server.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Admission } from './admission.js';
import { METALLB_KINDS } from '@lbops/schemas';
import { loadConfigAdmission } from './load-config-admission.js';
import { INITIAL_NAMESPACES, KubeApi, type Selection, type Target, type WriteResult } from './api.js';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  SERVER_VERSION,
  typesOf,
} from './discovery.js';
import { deepEqual, stringField, type JsonObject } from './json.js';
import { METALLB_CRDS } from './metallb-crds.js';
import { openApiV3Document, openApiV3Root, typesForOpenApiPath } from './openapi.js';
import { DataDirSink, loadDataDir } from './persistence.js';
import { ResourceRegistry, storageKey, type ResourceType } from './resource-types.js';
import { ApiStatusError, badRequest, gone, methodNotAllowed, statusObject } from './status.js';
import { decodeKubernetesProtobuf, PROTOBUF_CONTENT_TYPE } from './protobuf.js';
import { ObjectStore, type StoreEvent } from './store.js';
import { toTable } from './tables.js';
import { kubeconfigYaml } from './kubeconfig.js';

export interface ApiServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Persist to this directory (snapshot + append log); in memory when absent. */
  readonly dataDir?: string;
  /** Bearer token clients must send; random when absent. */
  readonly token?: string;
  /** Admission for metallb.io objects; loadConfig-based when absent. */
  readonly admission?: Admission;
  readonly now?: () => Date;
  /** How many recent changes a watch can resume from (older versions get 410 Gone). */
  readonly historySize?: number;
  /** Interval of BOOKMARK events for watches that allow them. Default 10 s. */
  readonly bookmarkIntervalMs?: number;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly api: KubeApi;
  readonly store: ObjectStore;
  /** A kubeconfig (YAML) pointing at this server. */
  kubeconfig(): string;
  /** Ends every open watch stream, as a network failure or an API server restart would. */
  dropWatches(): void;
  /** Stops listening and ends open watches. */
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new ApiStatusError(413, 'RequestEntityTooLarge', 'the request body is larger than 16 MiB'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, code: number, body: unknown, warnings: readonly string[] = []): void {
  sendJson(res, code, JSON.stringify(body), warnings);
}

function sendJson(res: ServerResponse, code: number, text: string, warnings: readonly string[] = []): void {
  const headers: Record<string, string | string[]> = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
  };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

interface Route {
  readonly target: Target;
  readonly watch: boolean;
}

/** Maps an API path to what it addresses; undefined when nothing is served there. */
function route(registry: ResourceRegistry, segments: readonly string[]): Route | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments[1] === 'v1') {
    group = '';
    version = 'v1';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else return undefined;
  let watch = false;
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  let resource: string | undefined;
  let name: string | undefined;
  let subresource: string | undefined;
  const namespaceSub = rest.length === 3 && group === '' && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSub) {
    [, namespace, resource, name, subresource] = rest;
    if (rest.length > 5) return undefined;
  } else {
    [resource, name, subresource] = rest;
    if (rest.length > 3) return undefined;
  }
  if (resource === undefined) return undefined;
  const type = registry.find(group, version, resource);
  if (type === undefined) return undefined;
  if (
    subresource !== undefined &&
    !(subresource === 'status' && type.statusSubresource) &&
    !(subresource === 'finalize' && type.resource === 'namespaces')
  ) {
    return undefined;
  }
  const target: Target = {
    type,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
  return { target, watch };
}

function wantsTable(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').split(',').some((part) => part.includes('as=Table'));
}

export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const now = options.now ?? (() => new Date());
  const token = options.token ?? randomBytes(24).toString('base64url');
  let sink: DataDirSink | undefined;
  let store: ObjectStore;
  if (options.dataDir !== undefined) {
    const loaded = loadDataDir(options.dataDir);
    const holder: { store?: ObjectStore } = {};
    sink = new DataDirSink(options.dataDir, loaded.logEntries, 100_000, () => {
      if (holder.store === undefined) throw new Error('store not ready');
      return holder.store.state();
    });
    store = new ObjectStore({
      sink,
      initial: loaded,
      ...(options.historySize !== undefined ? { historySize: options.historySize } : {}),
    });
    holder.store = store;
  } else {
    store = new ObjectStore(options.historySize !== undefined ? { historySize: options.historySize } : {});
  }
  const registry = new ResourceRegistry();
  const api = new KubeApi(store, registry, {
    now,
    admission: options.admission ?? loadConfigAdmission,
    admittedGroup: 'metallb.io',
    admittedKinds: new Set<string>(METALLB_KINDS),
  });
  installDefaults(api);

  const watches = new Set<() => void>();
  let address = '127.0.0.1';
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status =
        err instanceof ApiStatusError
          ? err
          : new ApiStatusError(500, 'InternalError', `internal error: ${(err as Error).message}`);
      if (!res.headersSent) send(res, status.code, status.toStatus());
      else res.end();
    });
  });

  // kubectl (client-go) does not send bearer tokens over plain http, so a request without
  // credentials is accepted: the token is no security boundary, loopback is (the default).
  // A request with a wrong token is refused, so a client aimed at the wrong server notices.
  function authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (header === undefined) return true;
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (!authorized(req)) {
      send(
        res,
        401,
        statusObject(
          401,
          'Unauthorized',
          'Unauthorized: the bearer token does not match the one in the kubeconfig lbops api wrote',
        ),
      );
      return;
    }
    const segments = path.split('/').filter((s) => s !== '');
    const method = req.method ?? 'GET';
    if (method === 'GET') {
      const doc = discovery(path, segments);
      if (doc !== undefined) {
        send(res, 200, doc);
        return;
      }
    }
    const found = route(registry, segments);
    if (found === undefined) {
      send(res, 404, statusObject(404, 'NotFound', 'the server could not find the requested resource', {}));
      return;
    }
    const { target } = found;
    const query = url.searchParams;
    const dryRun = query.getAll('dryRun').includes('All');
    const mutate = <T>(operation: () => T): T => (dryRun ? api.dryRunOf(operation) : operation());
    const watch = found.watch || query.get('watch') === 'true' || query.get('watch') === '1';
    switch (method) {
      case 'GET': {
        if (watch) {
          startWatch(req, res, target, api.selection(query), query);
          return;
        }
        if (target.name !== undefined) {
          const obj = api.get(target);
          send(
            res,
            200,
            wantsTable(req)
              ? toTable(
                  target.type,
                  [obj],
                  String(store.resourceVersion),
                  now(),
                  query.get('includeObject') ?? 'Metadata',
                )
              : obj,
          );
          return;
        }
        const limit = Number(query.get('limit') ?? '0');
        const list = api.list(target, api.selection(query), {
          limit: Number.isInteger(limit) && limit > 0 ? limit : 0,
          continue: query.get('continue') ?? '',
        });
        const items = Array.isArray(list.items) ? (list.items as JsonObject[]) : [];
        if (wantsTable(req)) {
          const table = toTable(
            target.type,
            items,
            String(store.resourceVersion),
            now(),
            query.get('includeObject') ?? 'Metadata',
          );
          // The page's continue token travels in the Table too (kubectl get reads in chunks of 500).
          table.metadata = list.metadata;
          send(res, 200, table);
        } else send(res, 200, list);
        return;
      }
      case 'POST': {
        if (target.name !== undefined)
          throw methodNotAllowed('POST is for collections; use PUT or PATCH on a named object');
        const body = decodeBody(req, await readBody(req));
        const result = mutate(() => api.create(target, body));
        sendWrite(res, target, result);
        return;
      }
      case 'PUT': {
        if (target.name === undefined) throw methodNotAllowed('PUT needs a named object');
        const body = decodeBody(req, await readBody(req));
        const result = mutate(() => api.update(target, body));
        sendWrite(res, target, result);
        return;
      }
      case 'PATCH': {
        if (target.name === undefined) throw methodNotAllowed('PATCH needs a named object');
        const result = api.patch(
          target,
          (await readBody(req)).toString('utf8'),
          req.headers['content-type'] ?? '',
          query,
        );
        sendWrite(res, target, result);
        return;
      }
      case 'DELETE': {
        const raw = await readBody(req);
        const body = raw.toString('utf8').trim() === '' ? undefined : decodeBody(req, raw);
        if (target.name === undefined) {
          send(
            res,
            200,
            mutate(() => api.deleteCollection(target, api.selection(query))),
          );
          return;
        }
        send(
          res,
          200,
          mutate(() => api.delete(target, body)),
        );
        return;
      }
      default:
        throw methodNotAllowed(`method ${method} is not supported`);
    }
  }

  /** A write's answer: the stored object's JSON, shared with the watch events of the same version. */
  function sendWrite(res: ServerResponse, target: Target, result: WriteResult): void {
    sendJson(res, result.code, api.presentJson(target.type, result.source), result.warnings);
  }

  function discovery(path: string, segments: readonly string[]): JsonObject | undefined {
    if (path === '/version') return SERVER_VERSION;
    if (path === '/api') return apiVersions(`${address}:${port}`);
    if (path === '/apis') return apiGroupList(registry);
    if (path === '/api/v1') return apiResourceList(typesOf(registry, '', 'v1'), 'v1');
    if (segments[0] === 'apis' && segments.length === 2) {
      const group = segments[1] ?? '';
      return registry.groups().has(group) ? apiGroup(registry, group) : undefined;
    }
    if (segments[0] === 'apis' && segments.length === 3) {
      const types = typesOf(registry, segments[1] ?? '', segments[2] ?? '');
      return types.length > 0
        ? apiResourceList(types, `${segments[1] ?? ''}/${segments[2] ?? ''}`)
        : undefined;
    }
    if (path === '/openapi/v3') return openApiV3Root(registry);
    if (path.startsWith('/openapi/v3/')) {
      const types = typesForOpenApiPath(registry, path.slice('/openapi/v3/'.length));
      return types === undefined ? undefined : openApiV3Document(types);
    }
    return undefined;
  }

  function startWatch(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    selection: Selection,
    query: URLSearchParams,
  ): void {
    const type = target.type;
    const key = storageKey(type);
    const table = wantsTable(req);
    const includeObject = query.get('includeObject') ?? 'Metadata';
    const rvText = query.get('resourceVersion') ?? '';
    const inScope = (obj: JsonObject): boolean => {
      if (
        type.namespaced &&
        target.namespace !== undefined &&
        stringField(obj.metadata, 'namespace') !== target.namespace
      )
        return false;
      if (target.name !== undefined && stringField(obj.metadata, 'name') !== target.name) return false;
      return api.matches(obj, selection);
    };
    let backlog: { type: string; object: JsonObject }[];
    if (rvText === '' || rvText === '0') {
      backlog = store
        .list(key, type.namespaced ? target.namespace : undefined)
        .filter(inScope)
        .map((o) => ({ type: 'ADDED', object: o }));
    } else {
      const since = /^[0-9]+$/.test(rvText) ? store.eventsSince(Number(rvText)) : undefined;
      if (!/^[0-9]+$/.test(rvText)) throw badRequest(`invalid resourceVersion "${rvText}"`);
      if (since === undefined) {
        // As kube-apiserver: the watch opens, then one ERROR event carries the 410.
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        const status = gone(
          Number(rvText) > store.resourceVersion
            ? `resource version ${rvText} is newer than this server's (${store.resourceVersion}): it restarted without its data, relist`
            : `too old resource version: ${rvText} (${store.oldestResumableVersion})`,
        ).toStatus();
        res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
        return;
      }
      backlog = since.flatMap((e) => translate(e));
    }
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache',
    });
    res.flushHeaders();
    // Events go out in batches: everything that happened in one turn of the event loop (the writes of all
    // the requests read in it) in one chunk, one system call, rather than one each.
    let batch: string[] = [];
    let flushing = false;
    const flush = (): void => {
      flushing = false;
      const lines = batch;
      batch = [];
      if (lines.length > 0 && !res.writableEnded) res.write(lines.join(''));
    };
    const write = (eventType: string, object: JsonObject): void => {
      let line: string;
      if (eventType === 'BOOKMARK' || eventType === 'ERROR')
        line = `${JSON.stringify({ type: eventType, object })}\n`;
      else if (table) {
        const out = api.present(type, object);
        const payload = toTable(
          type,
          [out],
          stringField(out.metadata, 'resourceVersion') ?? '',
          now(),
          includeObject,
        );
        line = `${JSON.stringify({ type: eventType, object: payload })}\n`;
      } else line = `{"type":${JSON.stringify(eventType)},"object":${api.presentJson(type, object)}}\n`;
      batch.push(line);
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    };
    function translate(e: StoreEvent): { type: string; object: JsonObject }[] {
      if (e.key !== key) return [];
      const now = inScope(e.object);
      if (e.type !== 'MODIFIED') return now ? [{ type: e.type, object: e.object }] : [];
      const before = e.previous !== undefined && inScope(e.previous);
      if (now) return [{ type: before || e.previous === undefined ? 'MODIFIED' : 'ADDED', object: e.object }];
      return before ? [{ type: 'DELETED', object: e.object }] : [];
    }
    for (const e of backlog) write(e.type, e.object);
    const unsubscribe = store.subscribe((e) => {
      for (const out of translate(e)) write(out.type, out.object);
    });
    const timers: NodeJS.Timeout[] = [];
    if (query.get('allowWatchBookmarks') === 'true') {
      timers.push(
        setInterval(() => {
          write('BOOKMARK', {
            kind: type.kind,
            apiVersion: type.group === '' ? type.version : `${type.group}/${type.version}`,
            metadata: { resourceVersion: String(store.resourceVersion) },
          });
        }, options.bookmarkIntervalMs ?? 10_000),
      );
    }
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '1800');
    const stop = (): void => {
      unsubscribe();
      for (const t of timers) clearInterval(t);
      watches.delete(stop);
      flush();
      if (!res.writableEnded) res.end();
    };
    timers.push(
      setTimeout(stop, Math.max(1, Number.isFinite(timeoutSeconds) ? timeoutSeconds : 1800) * 1000),
    );
    watches.add(stop);
    req.on('close', stop);
    res.on('close', stop);
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const info = server.address() as AddressInfo;
      address = info.address;
      resolve(info.port);
    });
  });
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  return {
    url,
    port,
    token,
    api,
    store,
    kubeconfig: () => kubeconfigYaml(url, token),
    dropWatches: () => {
      for (const stop of [...watches]) stop();
    },
    close: async () => {
      for (const stop of [...watches]) stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      sink?.close();
    },
  };
}

/** JSON, or the protobuf kubectl's typed clients send. */
function decodeBody(req: IncomingMessage, raw: Buffer): unknown {
  if ((req.headers['content-type'] ?? '').startsWith(PROTOBUF_CONTENT_TYPE)) {
    try {
      return decodeKubernetesProtobuf(raw);
    } catch (e) {
      throw new ApiStatusError(
        415,
        'UnsupportedMediaType',
        `cannot decode the protobuf body: ${(e as Error).message}`,
      );
    }
  }
  return parseJson(raw.toString('utf8'));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}

/** The namespaces and CRDs every start guarantees, written only when missing or changed. */
function installDefaults(api: KubeApi): void {
  const nsType = api.registry.find('', 'v1', 'namespaces') as ResourceType;
  for (const name of INITIAL_NAMESPACES) {
    if (api.store.get('/namespaces', '', name) === undefined)
      api.create({ type: nsType }, { metadata: { name } });
  }
  const crdType = api.registry.find(
    'apiextensions.k8s.io',
    'v1',
    'customresourcedefinitions',
  ) as ResourceType;
  for (const crd of METALLB_CRDS) {
    const name = stringField(crd.metadata, 'name') ?? '';
    const existing = api.store.get('apiextensions.k8s.io/customresourcedefinitions', '', name);
    if (existing === undefined) api.create({ type: crdType }, crd);
    // Rewritten only when this version of lbops ships a different definition.
    else if (!deepEqual(existing.spec, crd.spec))
      api.update(
        { type: crdType, name },
        { ...crd, metadata: { ...(crd.metadata as JsonObject), resourceVersion: undefined } },
      );
  }
}
