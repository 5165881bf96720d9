import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, isLogLevel, parseListen, startHttpEndpoints, type HttpEndpoints } from '@lbops/kube';
import { KubeClient } from '@lbops/kube';
import { parseDuration } from '@lbops/schemas';
import {
  ElectedSync,
  GitSource,
  GitSync,
  SYNC_LEASE_NAME,
  parseSecretRef,
  readCredentialsSecret,
  type GitCredentials,
  GithubClient,
  githubTokenFromEnv,
  redactUrl,
  webhookHandler,
  type SyncResult,
} from '@lbops/gitops';
import { ExitCode, type Command, type CommandIo } from '../command.js';
import { untilSignal } from './controller.js';

const usage = `Usage: lbops sync --git-url URL [--git-branch main] [--git-path DIR] [options]

Keeps the cluster's metallb.io resources equal to a Git branch. Each new commit is validated with the same
rules as \`lbops validate\`. Valid: its resources are applied with server-side apply (field manager lbops,
label app.kubernetes.io/managed-by=lbops, annotation lbops.io/git-commit), owned resources that left Git are
deleted, and once the controller has allocated, the commit's pull request gets a report. Invalid: nothing is
applied, the last good commit stays in force, and the reason goes to the ConfigurationState lbops-gitops, the
metrics, the log and the pull request. Every sync re-applies the commit in force, repairing drift.

A dedicated process (not part of \`lbops controller\`): it needs write access to metallb.io resources, which
the controller does not, and it can run outside the cluster. Run one replica, or several with --leader-elect:
one holds the Lease and syncs, the others wait (only the leader is ready, so a webhook Service that routes to
ready pods reaches it; a push delivered to a follower is left to the leader's next poll).

Options:
  --git-url URL            repository to follow (https://, ssh:// or a path)
  --git-branch NAME        branch (default main)
  --git-path DIR           configuration directory inside the repository (default: all of it)
  --interval DURATION      polling interval (default 60s; 0 disables polling)
  --webhook-listen ADDR    serve GitHub push webhooks on HOST:PORT; secret from $LBOPS_WEBHOOK_SECRET
  --kubeconfig PATH        cluster (default: in-cluster, else $KUBECONFIG or ~/.kube/config)
  --namespace NS           namespace for documents without one (default metallb-system)
  --github-repo OWNER/REPO report on pull requests (token from $LBOPS_GITHUB_TOKEN / $GITHUB_TOKEN)
  --metrics-listen ADDR    /metrics, /healthz, /readyz (default 127.0.0.1:7474)
  --cache-dir DIR          where the git objects are kept (default: a directory under $TMPDIR)
  --once                   sync once and exit: 0 applied or unchanged, 1 the head commit is invalid, 2 error
  --leader-elect           elect one active replica through the Lease ${SYNC_LEASE_NAME} (identity: $POD_NAME,
                           else the host name and a random suffix)
  --lease-namespace NS     namespace of the Lease (default: --namespace)
  --log-level LEVEL        debug, info, warn or error (default info)

Git credentials (never logged):
  --git-credentials-secret NAMESPACE/NAME
                           a Secret read through the API before each fetch (rotation needs no restart):
                           \`token\`, or \`password\` with \`username\` (kubernetes.io/basic-auth) for HTTPS;
                           \`ssh-privatekey\` (kubernetes.io/ssh-auth) and optional \`known_hosts\` for SSH
  $LBOPS_GIT_TOKEN         HTTPS token (or --git-token-file FILE, e.g. a mounted Secret)
  --git-ssh-key FILE       private key for SSH URLs
`;

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        'git-url': { type: 'string' },
        'git-branch': { type: 'string', default: 'main' },
        'git-path': { type: 'string', default: '' },
        'git-token-file': { type: 'string' },
        'git-ssh-key': { type: 'string' },
        'git-credentials-secret': { type: 'string' },
        interval: { type: 'string', default: '60s' },
        'webhook-listen': { type: 'string' },
        kubeconfig: { type: 'string' },
        namespace: { type: 'string', default: 'metallb-system' },
        'github-repo': { type: 'string' },
        'metrics-listen': { type: 'string', default: '127.0.0.1:7474' },
        'cache-dir': { type: 'string' },
        once: { type: 'boolean', default: false },
        'leader-elect': { type: 'boolean', default: false },
        'lease-namespace': { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
      },
    }));
  } catch (error) {
    io.stderr.write(`lbops sync: ${(error as Error).message}\n${usage}`);
    return ExitCode.usage;
  }
  const fail = (message: string) => {
    io.stderr.write(`lbops sync: ${message}\n`);
    return ExitCode.usage;
  };
  const url = values['git-url'];
  if (url === undefined) return fail('--git-url is required');
  const level = values['log-level'];
  if (!isLogLevel(level)) return fail(`--log-level must be debug, info, warn or error, not "${level}"`);
  const interval = parseDuration(values.interval);
  if (interval === undefined)
    return fail(`--interval must be a duration such as 30s or 5m, not "${values.interval}"`);
  const webhookListen =
    values['webhook-listen'] === undefined ? undefined : parseListen(values['webhook-listen']);
  if (values['webhook-listen'] !== undefined && webhookListen === undefined)
    return fail(`--webhook-listen wants HOST:PORT, got "${values['webhook-listen']}"`);
  const secret = io.env.LBOPS_WEBHOOK_SECRET;
  if (webhookListen !== undefined && (secret === undefined || secret === ''))
    return fail('--webhook-listen needs the shared secret in $LBOPS_WEBHOOK_SECRET');
  const metricsListen = parseListen(values['metrics-listen']);
  if (metricsListen === undefined)
    return fail(`--metrics-listen wants HOST:PORT, got "${values['metrics-listen']}"`);
  const secretName = values['git-credentials-secret'];
  const secretRef = secretName === undefined ? undefined : parseSecretRef(secretName);
  if (secretName !== undefined && secretRef === undefined)
    return fail(`--git-credentials-secret wants NAMESPACE/NAME, got "${secretName}"`);
  if (
    secretRef !== undefined &&
    (values['git-token-file'] !== undefined || values['git-ssh-key'] !== undefined)
  )
    return fail('--git-credentials-secret cannot be combined with --git-token-file or --git-ssh-key');
  let token = io.env.LBOPS_GIT_TOKEN;
  if (values['git-token-file'] !== undefined) {
    try {
      token = (await readFile(path.resolve(io.cwd, values['git-token-file']), 'utf8')).trim();
    } catch (error) {
      return fail(`cannot read --git-token-file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  const logger = createLogger({ level, write: (line) => io.stderr.write(line) });
  const cacheDir =
    values['cache-dir'] ??
    path.join(
      tmpdir(),
      `lbops-git-${createHash('sha256').update(`${url}\0${values['git-branch']}`).digest('hex').slice(0, 12)}`,
    );
  const githubToken = githubTokenFromEnv(io.env);
  const repository = values['github-repo'];
  const client = KubeClient.fromKubeconfig(
    values.kubeconfig === undefined ? undefined : path.resolve(io.cwd, values.kubeconfig),
  );
  const source = new GitSource({
    url: /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || url.includes('@') ? url : path.resolve(io.cwd, url),
    branch: values['git-branch'],
    cacheDir,
    // The Secret wins over $LBOPS_GIT_TOKEN; read before each fetch. Its problems (missing, no usable key) fail
    // that sync with a message naming the Secret and its keys, never a value.
    ...(secretRef !== undefined
      ? {
          credentialsProvider: async (): Promise<GitCredentials> => {
            const read = await readCredentialsSecret(client, secretRef);
            if (!read.ok) throw new Error(read.problem);
            return read.credentials;
          },
        }
      : { credentials: { token, sshKeyFile: values['git-ssh-key'] } }),
  });
  const sync = new GitSync({
    source,
    client,
    path: values['git-path'],
    namespace: values.namespace,
    repository,
    branch: values['git-branch'],
    github:
      repository !== undefined && githubToken !== undefined
        ? new GithubClient({
            token: githubToken,
            ...(io.env.GITHUB_API_URL !== undefined ? { baseUrl: io.env.GITHUB_API_URL } : {}),
          })
        : undefined,
    ...(io.env.GITHUB_SERVER_URL !== undefined ? { githubServerUrl: io.env.GITHUB_SERVER_URL } : {}),
    logger,
  });
  const describe = (r: SyncResult) =>
    r.result === 'error' ? `error: ${r.message}` : `${r.result} ${r.commit.slice(0, 12)}`;
  const elected =
    values['leader-elect'] && !values.once
      ? new ElectedSync({
          sync,
          client,
          namespace: values['lease-namespace'] ?? values.namespace,
          identity:
            io.env.POD_NAME !== undefined && io.env.POD_NAME !== ''
              ? io.env.POD_NAME
              : `${hostname()}-${randomBytes(3).toString('hex')}`,
          intervalMs: interval * 1000,
          logger,
        })
      : undefined;
  if (values.once) {
    const result = await sync.trigger('once');
    await sync.stop();
    source.close();
    io.stdout.write(`lbops sync: ${describe(result)}\n`);
    return result.result === 'invalid'
      ? ExitCode.rejected
      : result.result === 'error'
        ? ExitCode.usage
        : ExitCode.ok;
  }
  let endpoints: HttpEndpoints;
  try {
    endpoints = await startHttpEndpoints({
      host: metricsListen.host,
      port: metricsListen.port,
      registry: sync.metrics.registry,
      ready: () =>
        elected !== undefined && !elected.isLeader
          ? { ok: false, detail: 'not the leader' }
          : sync.commitInForce === undefined
            ? { ok: false, detail: 'no commit applied yet' }
            : { ok: true, detail: `commit ${sync.commitInForce} in force` },
    });
  } catch (error) {
    return fail(`cannot listen on ${values['metrics-listen']}: ${(error as Error).message}`);
  }
  const hook =
    webhookListen === undefined
      ? undefined
      : createServer(
          webhookHandler({
            secret: secret as string,
            // Tags, other branches and the deletion of the branch are answered and ignored.
            branch: values['git-branch'],
            onPush: (event) => {
              logger.info('push received', { after: event.after, delivery: event.deliveryId });
              if (elected === undefined) void sync.trigger('webhook');
              else if (elected.trigger('webhook') === undefined)
                logger.info('push left to the leader (this replica is not leading)', {
                  delivery: event.deliveryId,
                });
            },
            onOutcome: (outcome) => {
              if (outcome.kind === 'refused')
                logger.warn('webhook delivery refused', { status: outcome.status, reason: outcome.reason });
              else if (outcome.kind === 'ignored' && outcome.reason !== undefined)
                logger.debug('push ignored', { reason: outcome.reason });
            },
          }),
        );
  if (hook !== undefined && webhookListen !== undefined)
    await new Promise<void>((resolve) => hook.listen(webhookListen.port, webhookListen.host, resolve));
  logger.info('following', {
    url: redactUrl(url),
    branch: values['git-branch'],
    path: values['git-path'],
    interval,
  });
  if (elected !== undefined) elected.start();
  else if (interval > 0) sync.start(interval * 1000);
  else void sync.trigger('start');
  const signal = await untilSignal();
  logger.info('stopping', { signal });
  // A leader releases the Lease, so another replica takes over at once.
  if (elected !== undefined) await elected.stop();
  else await sync.stop();
  source.close();
  hook?.closeAllConnections();
  await new Promise<void>((resolve) => (hook === undefined ? resolve() : hook.close(() => resolve())));
  await endpoints.close();
  return ExitCode.ok;
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'follow a Git branch: apply valid commits to the cluster, refuse invalid ones, report on the PR',
  usage,
  run,
};
