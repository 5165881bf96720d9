// Git credentials from a Secret read through the API: against the embedded API server, with a real git
// smart-HTTP server that demands Basic authentication (HTTPS token / basic-auth password) and a stand-in `ssh`
// that records what git hands it (no sshd in the test environment).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeClient, kubeConfigFor, startApiServer, type KubeObject } from '@lbops/kube';
import {
  credentialsFromSecret,
  parseSecretRef,
  readCredentialsSecret,
  type SecretRef,
} from './git-credentials-secret.js';
import { GitSource, gitCredentialEnv } from './git-source.js';
import { createTestRepo } from './test/git-repo.js';
import { startGitHttpServer } from './test/git-http-server.js';

const TOKEN = 'ghs_' + 'T'.repeat(36);
const REF: SecretRef = { namespace: 'metallb-system', name: 'git-credentials' };
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>, type = 'Opaque'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: REF.name, namespace: REF.namespace },
  type,
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

test('parseSecretRef: NAMESPACE/NAME with Kubernetes name rules', () => {
  assert.deepEqual(parseSecretRef('flux-system/git.creds'), { namespace: 'flux-system', name: 'git.creds' });
  for (const bad of [
    '',
    'name',
    'a/b/c',
    '/name',
    'ns/',
    'NS/name',
    'ns/Name',
    'ns/-x',
    `${'n'.repeat(64)}/x`,
  ])
    assert.equal(parseSecretRef(bad), undefined, bad);
});

test('credentialsFromSecret: token, basic-auth, ssh-auth, stringData; a Secret without them names keys only', () => {
  assert.deepEqual(credentialsFromSecret(secret({ token: `${TOKEN}\n` }), REF), {
    ok: true,
    keys: ['token'],
    credentials: { token: TOKEN },
  });
  assert.deepEqual(
    credentialsFromSecret(
      secret({ username: 'lbops-bot', password: 'hunter22' }, 'kubernetes.io/basic-auth'),
      REF,
    ),
    { ok: true, keys: ['password'], credentials: { token: 'hunter22', username: 'lbops-bot' } },
  );
  const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----';
  assert.deepEqual(
    credentialsFromSecret(
      secret({ 'ssh-privatekey': key, known_hosts: 'github.com ssh-ed25519 AAAA' }, 'kubernetes.io/ssh-auth'),
      REF,
    ),
    {
      ok: true,
      keys: ['ssh-privatekey'],
      credentials: { sshPrivateKey: key, knownHosts: 'github.com ssh-ed25519 AAAA' },
    },
  );
  const fromStringData = { ...secret({}), data: undefined, stringData: { token: TOKEN } } as KubeObject;
  assert.deepEqual(credentialsFromSecret(fromStringData, REF), {
    ok: true,
    keys: ['token'],
    credentials: { token: TOKEN },
  });
  const none = credentialsFromSecret(secret({ apikey: TOKEN, token: '  \n' }), REF);
  assert.equal(none.ok, false);
  if (!none.ok) {
    assert.match(
      none.problem,
      /metallb-system\/git-credentials has none of the keys token, password, ssh-privatekey/,
    );
    assert.match(none.problem, /its keys: apikey, token/);
    assert.ok(!none.problem.includes(TOKEN));
  }
});

test('gitCredentialEnv: token as a Basic Authorization header (user name configurable), key and known_hosts for ssh', () => {
  const env = gitCredentialEnv({ token: 'tok', username: 'bot' });
  assert.equal(env.GIT_CONFIG_VALUE_0, `Authorization: Basic ${b64('bot:tok')}`);
  assert.equal(
    gitCredentialEnv({ token: 'tok' }).GIT_CONFIG_VALUE_0,
    `Authorization: Basic ${b64('x-access-token:tok')}`,
  );
  const ssh =
    gitCredentialEnv({}, { sshKeyFile: "/k/it's", knownHostsFile: '/k/hosts' }).GIT_SSH_COMMAND ?? '';
  assert.match(ssh, /-i '\/k\/it'\\''s'/);
  assert.match(ssh, /StrictHostKeyChecking=yes -o UserKnownHostsFile='\/k\/hosts'/);
  assert.match(gitCredentialEnv({ sshKeyFile: '/k/id' }).GIT_SSH_COMMAND ?? '', /accept-new/);
  assert.deepEqual(gitCredentialEnv(undefined), {});
});

test('HTTPS: the token of a Secret read through the API authenticates the fetch; a rotated Secret is used without restart', async (t) => {
  const server = await startApiServer({ port: 0 });
  const client = new KubeClient(kubeConfigFor(server.url, server.token));
  const root = mkdtempSync(path.join(tmpdir(), 'lbops-git-http-'));
  const cache = mkdtempSync(path.join(tmpdir(), 'lbops-git-cache-'));
  const remote = await createTestRepo({ bare: true, dir: path.join(root, 'net.git') });
  const work = await createTestRepo();
  const http = await startGitHttpServer({ root, username: 'lbops-bot', password: TOKEN });
  t.after(async () => {
    await http.close();
    await server.close();
    work.cleanup();
    remote.cleanup();
    rmSync(root, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });
  const sha = await work.commit({ 'pools/a.yaml': 'x: 1\n' }, 'one');
  await work.run(['push', '-q', remote.dir, 'HEAD:refs/heads/main']);

  assert.deepEqual(await readCredentialsSecret(client, REF), {
    ok: false,
    problem: 'the git credentials Secret metallb-system/git-credentials does not exist',
  });
  const secretPath = `/api/v1/namespaces/${REF.namespace}/secrets/${REF.name}`;
  await client.create(
    `/api/v1/namespaces/${REF.namespace}/secrets`,
    secret({ username: 'lbops-bot', password: 'wrong-password-1234' }, 'kubernetes.io/basic-auth'),
  );
  let reads = 0;
  const source = new GitSource({
    url: `${http.url}/net.git`,
    branch: 'main',
    cacheDir: cache,
    credentialsProvider: async () => {
      reads += 1;
      const read = await readCredentialsSecret(client, REF);
      if (!read.ok) throw new Error(read.problem);
      return read.credentials;
    },
  });
  // Wrong password: refused by the server; the error says so without any secret material.
  await assert.rejects(source.fetch(), (error: Error) => {
    assert.match(error.message, /cannot fetch main from http:\/\/127\.0\.0\.1:\d+\/net\.git/);
    for (const s of ['wrong-password-1234', b64('lbops-bot:wrong-password-1234'), TOKEN])
      assert.ok(!error.message.includes(s), error.message);
    return true;
  });
  assert.ok(http.authorizations.includes(`Basic ${b64('lbops-bot:wrong-password-1234')}`));
  // Rotated in the cluster: the next fetch reads it (no restart).
  await client.mergePatch(secretPath, { data: { password: b64(`${TOKEN}\n`) } });
  assert.equal(await source.fetch(), sha);
  assert.equal(reads, 2);
  assert.equal(http.authorizations.at(-1), `Basic ${b64(`lbops-bot:${TOKEN}`)}`);
  // A `token` key (Opaque) with the default user name is refused by this server (it wants lbops-bot), which
  // shows the user name is the Secret's and not a constant.
  await client.replace(secretPath, secret({ token: TOKEN }));
  await assert.rejects(source.fetch(), /cannot fetch main/);
  assert.equal(http.authorizations.at(-1), `Basic ${b64(`x-access-token:${TOKEN}`)}`);
  // The Secret deleted: an actionable error.
  await client.delete(secretPath);
  await assert.rejects(source.fetch(), /Secret metallb-system\/git-credentials does not exist/);
  source.close();
});

test('SSH: the private key of a Secret reaches ssh as a 0600 file (newline restored), with known_hosts; close() removes it', async (t) => {
  const server = await startApiServer({ port: 0 });
  const client = new KubeClient(kubeConfigFor(server.url, server.token));
  const dir = mkdtempSync(path.join(tmpdir(), 'lbops-fake-ssh-'));
  const cache = path.join(dir, 'cache');
  const savedPath = process.env.PATH;
  t.after(async () => {
    process.env.PATH = savedPath;
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // A stand-in ssh first on PATH: records the options, the key file's mode and content, then fails as an
  // unreachable host would.
  const log = path.join(dir, 'log');
  writeFileSync(
    path.join(dir, 'ssh'),
    `#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    -i) key="$2"; shift;;
    -o) echo "option $2" >> '${log}'; shift;;
    *) echo "arg $1" >> '${log}';;
  esac
  shift
done
echo "key $key" >> '${log}'
echo "mode $(stat -c %a "$key")" >> '${log}'
cp "$key" '${dir}/key-seen'
echo "ssh: connect to host: Connection refused" >&2
exit 255
`,
  );
  chmodSync(path.join(dir, 'ssh'), 0o755);
  process.env.PATH = `${dir}:${savedPath ?? ''}`;
  const key =
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
  await client.create(
    `/api/v1/namespaces/${REF.namespace}/secrets`,
    secret(
      { 'ssh-privatekey': key, known_hosts: 'git.example ssh-ed25519 AAAAC3Nza' },
      'kubernetes.io/ssh-auth',
    ),
  );
  const source = new GitSource({
    url: 'ssh://git@git.example/org/net.git',
    branch: 'main',
    cacheDir: cache,
    credentialsProvider: async () => {
      const read = await readCredentialsSecret(client, REF);
      if (!read.ok) throw new Error(read.problem);
      return read.credentials;
    },
  });
  await assert.rejects(source.fetch(), (error: Error) => {
    assert.match(
      error.message,
      /cannot fetch main from ssh:\/\/\*\*\*@git\.example\/org\/net\.git: ssh: connect to host/,
    );
    assert.ok(!error.message.includes('b3BlbnNzaC1rZXktdjEAAAAA'));
    return true;
  });
  const lines = readFileSync(log, 'utf8').split('\n');
  assert.ok(lines.includes('mode 600'), lines.join('\n'));
  assert.ok(lines.includes('option IdentitiesOnly=yes'));
  assert.ok(lines.includes('option StrictHostKeyChecking=yes'));
  assert.ok(lines.includes('option BatchMode=yes'));
  assert.equal(readFileSync(path.join(dir, 'key-seen'), 'utf8'), `${key}\n`);
  const keyFile = lines.find((l) => l.startsWith('key '))?.slice(4) ?? '';
  const hostsOption = lines.find((l) => l.startsWith('option UserKnownHostsFile='))?.slice(26) ?? '';
  assert.equal(readFileSync(hostsOption, 'utf8'), 'git.example ssh-ed25519 AAAAC3Nza\n');
  assert.equal(statSync(path.dirname(keyFile)).mode & 0o777, 0o700);
  source.close();
  assert.equal(existsSync(keyFile), false);
  assert.equal(existsSync(hostsOption), false);
});
