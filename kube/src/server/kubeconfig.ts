import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

/** A kubeconfig for kubectl and client-node: plain http to the embedded server, a token user. */
export function kubeconfigYaml(server: string, token: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain http unless insecure-skip-tls-verify is set (there is no TLS to
    // verify); kubectl accepts the flag as well.
    clusters: [
      {
        name: 'lbops',
        cluster: { server, ...(server.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}) },
      },
    ],
    users: [{ name: 'lbops-admin', user: { token } }],
    contexts: [{ name: 'lbops', context: { cluster: 'lbops', user: 'lbops-admin', namespace } }],
    'current-context': 'lbops',
    preferences: {},
  });
}

/** Writes the kubeconfig readable by its owner only: it holds the token. */
export function writeKubeconfig(path: string, server: string, token: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(server, token), { mode: 0o600 });
}
