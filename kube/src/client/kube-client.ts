// A thin JSON client over client-node's KubeConfig: the same code talks to `lbops api` (plain
// http, kubeconfig) and to a real cluster (TLS, kubeconfig or in-cluster service account).
// Objects stay plain JSON (client-node's typed APIs turn timestamps into Dates).
import { Agent as HttpAgent, request as httpRequest, STATUS_CODES, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { KubeConfig, Watch } from '@kubernetes/client-node';

/** A Kubernetes object as JSON; only metadata is typed. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface KubeList<T extends KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** An answer of the API server other than 2xx, with the fields of its `Status`. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
    readonly status?: unknown,
  ) {
    super(`${method} ${path}: ${code} ${reason}: ${message}`);
    this.name = 'KubeApiError';
  }

  get causes(): { field?: string; message?: string; reason?: string }[] {
    const s = this.status as
      { details?: { causes?: { field?: string; message?: string; reason?: string }[] } } | undefined;
    return s?.details?.causes ?? [];
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof KubeApiError && e.code === 404;
}
export function isConflict(e: unknown): boolean {
  return e instanceof KubeApiError && e.code === 409;
}
export function isGone(e: unknown): boolean {
  return e instanceof KubeApiError && e.code === 410;
}

/**
 * Loads a kubeconfig: an explicit path, else the in-cluster service account when running in a
 * pod, else the default ($KUBECONFIG or ~/.kube/config).
 */
export function loadKubeConfig(path?: string, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) kc.loadFromFile(path);
  else if (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBECONFIG === undefined) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

export interface RequestOptions {
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: unknown;
  readonly contentType?: string;
}

/** `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export interface ResourcePathParts {
  readonly apiVersion: string;
  readonly resource: string;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly subresource?: string | undefined;
}

export function resourcePath(parts: ResourcePathParts): string {
  let path = groupVersionPath(parts.apiVersion);
  if (parts.namespace !== undefined && parts.namespace !== '')
    path += `/namespaces/${encodeURIComponent(parts.namespace)}`;
  path += `/${parts.resource}`;
  if (parts.name !== undefined) path += `/${encodeURIComponent(parts.name)}`;
  if (parts.subresource !== undefined) path += `/${parts.subresource}`;
  return path;
}

/** How long credentials from the kubeconfig are reused; client-node refreshes tokens itself. */
const OPTIONS_TTL_MS = 10_000;

interface Transport {
  readonly headers: Readonly<Record<string, string>>;
  readonly agent: HttpAgent;
}

/** One HTTP exchange: the whole response body as text. */
function exchange(
  url: URL,
  options: { method: string; headers: Record<string, string>; agent: HttpAgent },
  body: string | undefined,
): Promise<{ status: number; statusText: string; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, options, (res: IncomingMessage) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ status, statusText: res.statusMessage ?? STATUS_CODES[status] ?? '', text });
      });
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('the response was aborted')));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export class KubeClient {
  private cachedTransport: { transport: Transport; at: number } | undefined;
  private agent: HttpAgent | undefined;
  private readonly resources = new Map<string, Promise<Map<string, { name: string; namespaced: boolean }>>>();

  constructor(readonly config: KubeConfig) {}

  static fromKubeconfig(path?: string): KubeClient {
    return new KubeClient(loadKubeConfig(path));
  }

  get server(): string {
    const cluster = this.config.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    return cluster.server.replace(/\/+$/, '');
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const transport = await this.transport();
    const headers: Record<string, string> = { ...transport.headers, Accept: 'application/json' };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const send = (): Promise<{ status: number; statusText: string; text: string }> =>
      exchange(url, { method, headers, agent: transport.agent }, body);
    let response;
    try {
      response = await send();
    } catch (e) {
      // A pooled keep-alive connection the server already closed (restart, idle timeout) fails
      // before the request is processed; like Go's transport, try once more on a fresh one.
      if (!isStaleConnection(e)) throw e;
      response = await send();
    }
    const { text } = response;
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.status < 200 || response.status >= 300) {
      const status = parsed as { reason?: string; message?: string } | undefined;
      throw new KubeApiError(
        response.status,
        status?.reason ?? response.statusText,
        status?.message ?? text.slice(0, 200),
        method,
        url.pathname,
        parsed,
      );
    }
    return parsed as T;
  }

  /**
   * Credentials and TLS options from client-node's KubeConfig, on one keep-alive agent. client-node builds a
   * new agent per request (no keep-alive), and its fetch layer (node-fetch: Request, Headers and URL objects
   * per call) cost a controller making thousands of requests more CPU than its own work; plain node:http on
   * a pooled agent does the same exchange.
   */
  private async transport(): Promise<Transport> {
    const now = Date.now();
    if (this.cachedTransport !== undefined && now - this.cachedTransport.at < OPTIONS_TTL_MS)
      return this.cachedTransport.transport;
    const init = await this.config.applyToFetchOptions({});
    const given = init.agent as { options?: object } | undefined;
    // One agent for the client's lifetime: a new one every refresh would strand the pooled connections.
    this.agent ??=
      given instanceof HttpsAgent
        ? new HttpsAgent({ ...given.options, keepAlive: true, maxSockets: 64 })
        : new HttpAgent({ keepAlive: true, maxSockets: 64 });
    const headers: Record<string, string> = {};
    const raw = init.headers as Record<string, string | string[]> | undefined;
    for (const [k, v] of Object.entries(raw ?? {})) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const transport = { headers, agent: this.agent };
    this.cachedTransport = { transport, at: now };
    return transport;
  }

  get<T extends KubeObject>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  list<T extends KubeObject>(
    path: string,
    selectors: { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', path, { query: { ...selectors } });
  }

  create<T extends KubeObject>(collectionPath: string, obj: T, fieldManager?: string): Promise<T> {
    return this.request<T>('POST', collectionPath, { body: obj, query: { fieldManager } });
  }

  replace<T extends KubeObject>(path: string, obj: T, fieldManager?: string): Promise<T> {
    return this.request<T>('PUT', path, { body: obj, query: { fieldManager } });
  }

  mergePatch<T extends KubeObject>(path: string, patch: unknown, fieldManager?: string): Promise<T> {
    return this.request<T>('PATCH', path, {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager },
    });
  }

  jsonPatch<T extends KubeObject>(path: string, operations: unknown[], fieldManager?: string): Promise<T> {
    return this.request<T>('PATCH', path, {
      body: operations,
      contentType: 'application/json-patch+json',
      query: { fieldManager },
    });
  }

  /** Server-side apply: JSON is YAML, so the configuration goes as JSON. */
  apply<T extends KubeObject>(
    path: string,
    obj: KubeObject,
    fieldManager: string,
    force = false,
  ): Promise<T> {
    return this.request<T>('PATCH', path, {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: force ? 'true' : undefined },
    });
  }

  delete(path: string, body?: unknown): Promise<unknown> {
    return this.request('DELETE', path, body !== undefined ? { body } : {});
  }

  /** Plural resource name and scope of a kind, from discovery (cached per group/version). */
  async resourceFor(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean }> {
    let cached = this.resources.get(apiVersion);
    if (cached === undefined) {
      cached = this.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(
        'GET',
        groupVersionPath(apiVersion),
      ).then(
        (list) =>
          new Map(
            list.resources
              .filter((r) => !r.name.includes('/'))
              .map((r) => [r.kind, { name: r.name, namespaced: r.namespaced }]),
          ),
      );
      this.resources.set(apiVersion, cached);
      cached.catch(() => this.resources.delete(apiVersion));
    }
    const found = (await cached).get(kind);
    if (found === undefined) throw new Error(`the server does not serve kind ${kind} in ${apiVersion}`);
    return found;
  }

  /** The URL path of an object (or, without a name, of its collection). */
  async pathOf(
    obj: KubeObject,
    options: { subresource?: string; collection?: boolean } = {},
  ): Promise<string> {
    if (obj.apiVersion === undefined || obj.kind === undefined)
      throw new Error('the object needs apiVersion and kind');
    const r = await this.resourceFor(obj.apiVersion, obj.kind);
    return resourcePath({
      apiVersion: obj.apiVersion,
      resource: r.name,
      namespace: r.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined,
      name: options.collection === true ? undefined : obj.metadata?.name,
      subresource: options.subresource,
    });
  }

  /**
   * Opens a watch through client-node's Watch (newline-delimited JSON events). `onEvent` is
   * called for each event in order; `onDone` once when the stream ends or fails.
   */
  watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (type: string, object: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<AbortController> {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params[k] = String(v);
    return new Watch(this.config).watch(path, params, onEvent, onDone);
  }
}

function isStaleConnection(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | undefined;
  return err?.code === 'ECONNRESET' || (err?.message ?? '').includes('socket hang up');
}

/** A KubeConfig for a server URL and token (tests, `lbops up`), without a file. */
export function kubeConfigFor(server: string, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'lbops', server, skipTLSVerify: server.startsWith('http:') }],
    users: [{ name: 'lbops', ...(token !== undefined ? { token } : {}) }],
    contexts: [{ name: 'lbops', cluster: 'lbops', user: 'lbops', namespace: 'default' }],
    currentContext: 'lbops',
  });
  return kc;
}
