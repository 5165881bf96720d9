// /metrics, /healthz and /readyz on one small HTTP server (an edge: the checks themselves are passed in).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthCheck {
  readonly ok: boolean;
  /** Why not ready, for `curl /readyz` and the logs. */
  readonly detail: string;
}

export interface EndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly ready: () => HealthCheck;
  readonly healthy?: () => HealthCheck;
}

export interface HttpEndpoints {
  readonly url: string;
  close(): Promise<void>;
}

/** Parses `HOST:PORT` or `[V6]:PORT` (`:9090` means every address). */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):([0-9]{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export function startHttpEndpoints(options: EndpointOptions): Promise<HttpEndpoints> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (check: HealthCheck): void => {
      res.writeHead(check.ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${check.ok ? 'ok' : 'not ready'}${check.detail === '' ? '' : `: ${check.detail}`}\n`);
    };
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': options.registry.contentType });
          res.end(text);
        },
        (error: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`metrics failed: ${String(error)}\n`);
        },
      );
    } else if (path === '/healthz' || path === '/livez') {
      answer(options.healthy?.() ?? { ok: true, detail: '' });
    } else if (path === '/readyz') {
      answer(options.ready());
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found: try /metrics, /healthz or /readyz\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${host}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
