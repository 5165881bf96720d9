// Git credentials from a Kubernetes Secret, read through the API (not a mounted file), so a rotated token (a
// GitHub App installation token lives one hour) is picked up at the next fetch without a restart. Keys follow
// the Kubernetes Secret types: `token` (Opaque), `username`/`password` (kubernetes.io/basic-auth),
// `ssh-privatekey` (kubernetes.io/ssh-auth), plus `known_hosts` (as Flux reads it) to pin the SSH host key.
// Values are never logged nor put into messages; only key names are.
import { isNotFound, resourcePath, type KubeClient, type KubeObject } from '@lbops/kube';
import type { GitCredentials } from './git-source.js';

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/** `NAMESPACE/NAME` (a namespace is a DNS label, a Secret name a DNS subdomain). */
export function parseSecretRef(text: string): SecretRef | undefined {
  const parts = text.split('/');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  return DNS_LABEL.test(namespace) && DNS_SUBDOMAIN.test(name) ? { namespace, name } : undefined;
}

export const CREDENTIAL_KEYS = ['token', 'password', 'ssh-privatekey'] as const;

export type SecretCredentials =
  | { readonly ok: true; readonly credentials: GitCredentials; readonly keys: readonly string[] }
  | { readonly ok: false; readonly problem: string };

function value(secret: KubeObject, key: string): string | undefined {
  const s = secret as { data?: Record<string, string>; stringData?: Record<string, string> };
  const encoded = s.data?.[key];
  const text = encoded !== undefined ? Buffer.from(encoded, 'base64').toString('utf8') : s.stringData?.[key];
  return text === undefined || text.trim() === '' ? undefined : text;
}

/**
 * Pure: the credentials a Secret holds. `token` wins over `password` (both are the HTTPS password; `username`
 * defaults to x-access-token, which GitHub accepts with any token); `ssh-privatekey` is used for SSH URLs. A
 * Secret with none of them is a problem naming the keys it does have, never their values.
 */
export function credentialsFromSecret(secret: KubeObject, ref: SecretRef): SecretCredentials {
  const token = value(secret, 'token') ?? value(secret, 'password');
  const username = value(secret, 'username')?.trim();
  const sshPrivateKey = value(secret, 'ssh-privatekey');
  const knownHosts = value(secret, 'known_hosts');
  const present = CREDENTIAL_KEYS.filter((k) => value(secret, k) !== undefined);
  if (present.length === 0) {
    const s = secret as { data?: Record<string, string>; stringData?: Record<string, string> };
    const keys = [...new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})])].sort();
    return {
      ok: false,
      problem:
        `Secret ${ref.namespace}/${ref.name} has none of the keys ${CREDENTIAL_KEYS.join(', ')} ` +
        `(or they are empty); its keys: ${keys.length === 0 ? 'none' : keys.join(', ')}`,
    };
  }
  return {
    ok: true,
    keys: present,
    credentials: {
      // A token saved with `kubectl create secret --from-file` usually ends with a newline.
      ...(token !== undefined ? { token: token.trim() } : {}),
      ...(username !== undefined && token !== undefined ? { username } : {}),
      ...(sshPrivateKey !== undefined ? { sshPrivateKey } : {}),
      ...(knownHosts !== undefined && sshPrivateKey !== undefined ? { knownHosts } : {}),
    },
  };
}

/** Reads the Secret through the API; a missing or unreadable Secret is a problem the user can act on. */
export async function readCredentialsSecret(client: KubeClient, ref: SecretRef): Promise<SecretCredentials> {
  let secret: KubeObject;
  try {
    secret = await client.get<KubeObject>(
      resourcePath({ apiVersion: 'v1', resource: 'secrets', namespace: ref.namespace, name: ref.name }),
    );
  } catch (error) {
    if (isNotFound(error))
      return { ok: false, problem: `the git credentials Secret ${ref.namespace}/${ref.name} does not exist` };
    // API errors carry the path and the server's message (for example RBAC's "forbidden"), never Secret data.
    return {
      ok: false,
      problem: `cannot read the git credentials Secret ${ref.namespace}/${ref.name}: ${(error as Error).message}`,
    };
  }
  return credentialsFromSecret(secret, ref);
}
