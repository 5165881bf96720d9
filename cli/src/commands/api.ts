import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startApiServer, writeKubeconfig } from '@lbops/kube';
import { ExitCode, type Command, type CommandIo } from '../command.js';

const usage = `Usage: lbops api [--listen 127.0.0.1:PORT] [--data-dir DIR] [--kubeconfig PATH]

Runs the embedded Kubernetes-compatible API server (namespaces, Services, Nodes, Secrets,
ConfigMaps, Events, Deployments, EndpointSlices, Leases, CRDs and the metallb.io kinds) for
kubectl and the lbops components. Not for production: one process and no authorization
(kubectl sends no token over plain http), so it listens on loopback unless told otherwise.

Options:
  --listen ADDR:PORT  Where to listen (default 127.0.0.1:6443; port 0 picks a free one).
  --data-dir DIR      Persist objects there (snapshot + append log); in memory when absent.
                      The kubeconfig token is kept there too, so it survives restarts.
  --kubeconfig PATH   Where to write the kubeconfig (default DIR/kubeconfig with --data-dir,
                      else .lbops/kubeconfig in the current directory).

Then: kubectl --kubeconfig PATH get svc -A
`;

interface Options {
  host: string;
  port: number;
  dataDir?: string;
  kubeconfig?: string;
}

function parse(args: readonly string[]): Options | string {
  const options: Options = { host: '127.0.0.1', port: 6443 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--listen': {
        const v = value();
        const m = v === undefined ? null : /^(?:\[([^\]]+)\]|([^:]+)):([0-9]{1,5})$/.exec(v);
        if (m === null || Number(m[3]) > 65535)
          return `--listen wants HOST:PORT (e.g. 127.0.0.1:6443), got "${v ?? ''}"`;
        options.host = m[1] ?? m[2] ?? '127.0.0.1';
        options.port = Number(m[3]);
        break;
      }
      case '--data-dir': {
        const v = value();
        if (v === undefined) return '--data-dir wants a directory';
        options.dataDir = v;
        break;
      }
      case '--kubeconfig': {
        const v = value();
        if (v === undefined) return '--kubeconfig wants a path';
        options.kubeconfig = v;
        break;
      }
      default:
        return `unknown option "${arg}"`;
    }
  }
  return options;
}

/** With a data dir, the token is kept there so restarts do not invalidate kubeconfigs. */
function tokenFor(dataDir: string | undefined): string | undefined {
  if (dataDir === undefined) return undefined;
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'token');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  return undefined;
}

export const apiCommand: Command = {
  name: 'api',
  summary: 'Run the embedded Kubernetes-compatible API server (for kubectl and local use)',
  usage,
  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const options = parse(args);
    if (typeof options === 'string') {
      io.stderr.write(`lbops api: ${options}\n${usage}`);
      return ExitCode.usage;
    }
    if (!/^(127\.|::1$|localhost$)/.test(options.host)) {
      io.stderr.write(
        `lbops api: warning: listening on ${options.host}, not loopback: anyone who can connect has full access (kubectl sends no token over plain http)\n`,
      );
    }
    const dataDir = options.dataDir !== undefined ? resolve(io.cwd, options.dataDir) : undefined;
    const token = tokenFor(dataDir);
    let server;
    try {
      server = await startApiServer({
        host: options.host,
        port: options.port,
        ...(dataDir !== undefined ? { dataDir } : {}),
        ...(token !== undefined ? { token } : {}),
      });
    } catch (e) {
      io.stderr.write(
        `lbops api: cannot listen on ${options.host}:${options.port}: ${(e as Error).message}\n`,
      );
      return ExitCode.rejected;
    }
    if (dataDir !== undefined && token === undefined)
      writeFileSync(join(dataDir, 'token'), server.token, { mode: 0o600 });
    const kubeconfig = resolve(
      io.cwd,
      options.kubeconfig ??
        (dataDir !== undefined ? join(dataDir, 'kubeconfig') : join('.lbops', 'kubeconfig')),
    );
    writeKubeconfig(kubeconfig, server.url, server.token);
    io.stdout.write(
      `lbops api listening on ${server.url}${dataDir !== undefined ? ` (data in ${dataDir})` : ' (in memory)'}\n` +
        `kubeconfig: ${kubeconfig}\n` +
        `try: kubectl --kubeconfig ${kubeconfig} get ipaddresspools -A\n`,
    );
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    io.stdout.write('lbops api stopped\n');
    return ExitCode.ok;
  },
};
