// Configuration and state fixtures shared by the plan and sync tests.
import { STATE_FORMAT, STATE_VERSION, type StateFile, type StateService } from '../state-file.js';

export function poolYaml(name: string, addresses: readonly string[], extra = ''): string {
  return [
    'apiVersion: metallb.io/v1beta1',
    'kind: IPAddressPool',
    'metadata:',
    `  name: ${name}`,
    '  namespace: metallb-system',
    'spec:',
    '  addresses:',
    ...addresses.map((a) => `    - ${a}`),
    ...(extra === '' ? [] : [extra]),
    '',
  ].join('\n');
}

export const l2Yaml = [
  'apiVersion: metallb.io/v1beta1',
  'kind: L2Advertisement',
  'metadata:',
  '  name: lan',
  '  namespace: metallb-system',
  '',
].join('\n');

export function service(
  name: string,
  ips: readonly string[],
  options: { namespace?: string; created?: string; annotations?: Record<string, string>; pool?: string } = {},
): StateService {
  return {
    namespace: options.namespace ?? 'shop',
    name,
    uid: `uid-${name}`,
    creationTimestamp: options.created ?? '2025-06-01T00:00:00Z',
    labels: {},
    annotations: options.annotations ?? {},
    spec: { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 80 }] },
    ips,
    ...(options.pool !== undefined ? { pool: options.pool } : {}),
  };
}

export function state(services: readonly StateService[]): StateFile {
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    exportedAt: '2026-01-01T00:00:00Z',
    source: 'test',
    namespaces: Object.fromEntries([...new Set(services.map((s) => s.namespace))].map((ns) => [ns, {}])),
    services,
  };
}
