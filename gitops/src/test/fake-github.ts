// A local GitHub for tests, over real HTTP: every request is checked against GitHub's own OpenAPI description
// (the extract in testdata/, see its x-provenance) — route, path and query parameters, body, auth — and every
// answer is checked against the description of its response before it is sent. Comments are recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Schema = Record<string, unknown>;
interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema?: Schema;
}
interface Operation {
  readonly operationId: string;
  readonly parameters: readonly Parameter[];
  readonly requestBody?: {
    readonly required?: boolean;
    readonly content: Record<string, { schema: Schema }>;
  };
  readonly responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

const extractFile = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'testdata',
  'github-openapi-extract.json',
);

interface Route {
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly operation: Operation;
}

export interface StoredComment {
  id: number;
  issue: string;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly operationId: string | undefined;
  readonly status: number;
}

/** A scripted failure for the next request(s) matching an operation. */
export interface Failure {
  readonly operationId?: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly message: string;
}

/** Values for every required field of a schema, so answers are complete as GitHub's are. */
export function sample(schema: Schema | undefined, overrides: unknown = undefined): unknown {
  if (
    overrides !== undefined &&
    (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))
  )
    return overrides;
  if (schema === undefined) return overrides ?? {};
  const anyOf = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  if (anyOf !== undefined && anyOf[0] !== undefined) return sample(anyOf[0], overrides);
  const allOf = schema['allOf'] as Schema[] | undefined;
  if (allOf !== undefined) return Object.assign({}, ...allOf.map((s) => sample(s, overrides) as object));
  if (schema['nullable'] === true && overrides === undefined) return null;
  const enumValues = schema['enum'] as unknown[] | undefined;
  if (enumValues !== undefined) return enumValues[0];
  switch (schema['type']) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
      const given = (overrides ?? {}) as Record<string, unknown>;
      for (const key of (schema['required'] ?? []) as string[])
        out[key] = sample(properties[key], given[key]);
      for (const [key, value] of Object.entries(given))
        out[key] = properties[key] === undefined ? value : sample(properties[key], value);
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      return schema['format'] === 'date-time'
        ? '2026-01-01T00:00:00Z'
        : schema['format'] === 'uri'
          ? 'https://github.example/x'
          : schema['format'] === 'email'
            ? 'x@example.com'
            : 'x';
    default:
      return overrides ?? {};
  }
}

function bodyText(body: unknown): string {
  const value = (body as { body?: unknown } | undefined)?.body;
  return typeof value === 'string' ? value : '';
}

export class FakeGithub {
  readonly comments: StoredComment[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Every way a request (or an answer) departed from GitHub's description; tests assert it stays empty. */
  readonly violations: string[] = [];
  readonly failures: Failure[] = [];
  /** Pull requests by commit SHA, for "list pull requests associated with a commit". */
  readonly pullsByCommit = new Map<
    string,
    Array<{ number: number; state: 'open' | 'closed'; headSha: string; mergeSha?: string }>
  >();
  private readonly routes: Route[] = [];
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<Schema, ValidateFunction>();
  private server: Server | undefined;
  private nextId = 1000;
  url = '';

  constructor(readonly token: string) {
    const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;
    addFormats(this.ajv);
    const description = JSON.parse(readFileSync(extractFile, 'utf8')) as {
      paths: Record<string, Record<string, Operation>>;
    };
    for (const [template, methods] of Object.entries(description.paths))
      for (const [method, operation] of Object.entries(methods)) {
        const names: string[] = [];
        const pattern = new RegExp(
          `^${template
            .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
            .replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
              names.push(name);
              return '([^/]+)';
            })}$`,
        );
        this.routes.push({ method: method.toUpperCase(), template, pattern, names, operation });
      }
  }

  private validate(schema: Schema, value: unknown, what: string): void {
    let validator = this.validators.get(schema);
    if (validator === undefined) this.validators.set(schema, (validator = this.ajv.compile(schema)));
    if (!validator(value))
      this.violations.push(
        `${what}: ${(validator.errors ?? [])
          .slice(0, 3)
          .map((e) => `${e.instancePath} ${e.message ?? ''}`)
          .join('; ')}`,
      );
  }

  private coerce(schema: Schema | undefined, text: string): unknown {
    const type = schema?.['type'];
    if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
    return text;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
  }

  private send(
    res: ServerResponse,
    route: Route | undefined,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const schema = route?.operation.responses[String(status)]?.content?.['application/json']?.schema;
    if (route !== undefined && status < 300) {
      if (route.operation.responses[String(status)] === undefined)
        this.violations.push(`${route.operation.operationId} never answers ${status}`);
      if (schema !== undefined) this.validate(schema, body, `answer of ${route.operation.operationId}`);
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse, text: string): void {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const route = this.routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    const record = (status: number) =>
      this.requests.push({
        method,
        path: url.pathname + url.search,
        operationId: route?.operation.operationId,
        status,
      });
    if (route === undefined) {
      this.violations.push(`${method} ${url.pathname} is not an operation of the description`);
      record(404);
      return this.send(res, undefined, 404, { message: 'Not Found' });
    }
    const op = route.operation;
    // Authentication: GitHub accepts "token X" and "Bearer X".
    const auth = req.headers.authorization ?? '';
    if (
      auth !== `token ${this.token}` &&
      auth !== `bearer ${this.token}` &&
      auth !== `Bearer ${this.token}`
    ) {
      record(401);
      return this.send(res, route, 401, { message: 'Bad credentials' });
    }
    if (
      !(req.headers.accept ?? '').includes('application/vnd.github') &&
      !(req.headers.accept ?? '').includes('application/json')
    )
      this.violations.push(`${op.operationId}: accept header "${req.headers.accept ?? ''}"`);
    if ((req.headers['user-agent'] ?? '') === '')
      this.violations.push(`${op.operationId}: no user-agent (GitHub requires one)`);
    const params: Record<string, unknown> = {};
    const match = route.pattern.exec(url.pathname) as RegExpExecArray;
    route.names.forEach((name, i) => {
      const spec = op.parameters.find((p) => p.in === 'path' && p.name === name);
      params[name] = this.coerce(spec?.schema, decodeURIComponent(match[i + 1] ?? ''));
      if (spec?.schema !== undefined)
        this.validate(spec.schema, params[name], `${op.operationId} path parameter ${name}`);
    });
    for (const [name, value] of url.searchParams) {
      const spec = op.parameters.find((p) => p.in === 'query' && p.name === name);
      if (spec === undefined) this.violations.push(`${op.operationId}: unknown query parameter ${name}`);
      else if (spec.schema !== undefined)
        this.validate(spec.schema, this.coerce(spec.schema, value), `${op.operationId} query ${name}`);
    }
    for (const p of op.parameters)
      if (p.required === true && p.in === 'query' && !url.searchParams.has(p.name))
        this.violations.push(`${op.operationId}: missing query ${p.name}`);
    let body: unknown;
    if (op.requestBody !== undefined) {
      try {
        body = JSON.parse(text);
      } catch {
        this.violations.push(`${op.operationId}: body is not JSON`);
      }
      const schema = op.requestBody.content['application/json']?.schema;
      if (schema !== undefined) this.validate(schema, body, `${op.operationId} request body`);
    } else if (text !== '') this.violations.push(`${op.operationId}: unexpected body`);

    const failureIndex = this.failures.findIndex(
      (f) => f.operationId === undefined || f.operationId === op.operationId,
    );
    if (failureIndex >= 0) {
      const [failure] = this.failures.splice(failureIndex, 1);
      if (failure !== undefined) {
        record(failure.status);
        return this.send(
          res,
          route,
          failure.status,
          { message: failure.message, documentation_url: 'https://docs.github.com/rest' },
          failure.headers,
        );
      }
    }
    const owner = String(params['owner']);
    const repo = String(params['repo']);
    const schemaOf = (status: string) => op.responses[status]?.content?.['application/json']?.schema;
    const commentJson = (c: StoredComment) => {
      const item = schemaOf('200') ?? schemaOf('201');
      const one = (item?.['type'] === 'array' ? item['items'] : item) as Schema | undefined;
      return sample(one, {
        id: c.id,
        node_id: `IC_${c.id}`,
        url: `${this.url}/repos/${owner}/${repo}/issues/comments/${c.id}`,
        html_url: `https://github.com/${owner}/${repo}/pull/${c.issue.split('#')[1] ?? ''}#issuecomment-${c.id}`,
        issue_url: `${this.url}/repos/${owner}/${repo}/issues/${c.issue.split('#')[1] ?? ''}`,
        body: c.body,
        user: { login: 'lbops-bot', id: 1, type: 'Bot' },
        created_at: c.created_at,
        updated_at: c.updated_at,
        author_association: 'NONE',
      });
    };
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    switch (op.operationId) {
      case 'issues/list-comments': {
        const issue = `${owner}/${repo}#${String(params['issue_number'])}`;
        const all = this.comments.filter((c) => c.issue === issue);
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link = (p: number, rel: string) => {
          const u = new URL(url.toString());
          u.searchParams.set('page', String(p));
          u.searchParams.set('per_page', String(perPage));
          return `<${u.toString()}>; rel="${rel}"`;
        };
        const links = [
          ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
          ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : []),
        ];
        record(200);
        return this.send(
          res,
          route,
          200,
          slice.map(commentJson),
          links.length > 0 ? { link: links.join(', ') } : {},
        );
      }
      case 'issues/create-comment': {
        const c: StoredComment = {
          id: this.nextId++,
          issue: `${owner}/${repo}#${String(params['issue_number'])}`,
          body: bodyText(body),
          created_at: now,
          updated_at: now,
        };
        this.comments.push(c);
        record(201);
        return this.send(res, route, 201, commentJson(c));
      }
      case 'issues/update-comment': {
        const c = this.comments.find((x) => x.id === params['comment_id']);
        if (c === undefined) {
          record(404);
          return this.send(res, route, 404, { message: 'Not Found' });
        }
        c.body = bodyText(body);
        c.updated_at = now;
        record(200);
        return this.send(res, route, 200, commentJson(c));
      }
      case 'repos/list-pull-requests-associated-with-commit': {
        const pulls = this.pullsByCommit.get(String(params['commit_sha'])) ?? [];
        const item = (schemaOf('200')?.['items'] ?? {}) as Schema;
        record(200);
        return this.send(
          res,
          route,
          200,
          pulls.map((p) =>
            sample(item, {
              number: p.number,
              state: p.state,
              html_url: `https://github.com/${owner}/${repo}/pull/${p.number}`,
              merged_at: p.mergeSha === undefined ? null : now,
              merge_commit_sha: p.mergeSha ?? null,
              head: { sha: p.headSha, ref: 'change', label: 'x:change' },
            }),
          ),
        );
      }
      default:
        record(501);
        return this.send(res, route, 501, { message: 'not implemented by the fake' });
    }
  }
}
