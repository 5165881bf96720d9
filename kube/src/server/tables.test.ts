import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ResourceRegistry, typesFromCrd } from './resource-types.js';
import { METALLB_CRDS } from './metallb-crds.js';
import { openApiV3Document, openApiV3Root } from './openapi.js';
import { humanAge, simpleJsonPath, toTable } from './tables.js';

const now = new Date('2026-01-01T12:00:00Z');

describe('tables for kubectl get', () => {
  test('ages as kubectl rounds them', () => {
    const rows: [string, string][] = [
      ['2026-01-01T11:59:55Z', '5s'],
      ['2026-01-01T11:57:30Z', '2m30s'],
      ['2026-01-01T11:30:00Z', '30m'],
      ['2026-01-01T07:00:00Z', '5h'],
      ['2025-12-25T12:00:00Z', '7d'],
    ];
    for (const [created, age] of rows) assert.equal(humanAge(created, now), age, created);
  });

  test('Service rows: pending, assigned and ClusterIP', () => {
    const type = new ResourceRegistry().find('', 'v1', 'services');
    assert.ok(type !== undefined);
    const svc = (name: string, spec: object, status: object = {}): Record<string, unknown> => ({
      metadata: { name, creationTimestamp: '2026-01-01T11:59:00Z' },
      spec,
      status,
    });
    const table = toTable(
      type,
      [
        svc('pending', {
          type: 'LoadBalancer',
          clusterIP: '10.96.0.1',
          ports: [{ port: 80, nodePort: 30001, protocol: 'TCP' }],
        }),
        svc(
          'assigned',
          { type: 'LoadBalancer', clusterIP: '10.96.0.2', ports: [{ port: 53, protocol: 'UDP' }] },
          { loadBalancer: { ingress: [{ ip: '192.0.2.1' }, { ip: '2001:db8::1' }] } },
        ),
        svc('internal', { type: 'ClusterIP', clusterIP: '10.96.0.3', ports: [] }),
      ],
      '7',
      now,
      'Metadata',
    );
    const rows = (table.rows as { cells: unknown[] }[]).map((r) => r.cells.slice(0, 6));
    assert.deepEqual(rows, [
      ['pending', 'LoadBalancer', '10.96.0.1', '<pending>', '80:30001/TCP', '60s'],
      ['assigned', 'LoadBalancer', '10.96.0.2', '192.0.2.1,2001:db8::1', '53/UDP', '60s'],
      ['internal', 'ClusterIP', '10.96.0.3', '<none>', '<none>', '60s'],
    ]);
  });

  test('CRD printer columns (IPAddressPool)', () => {
    const pool = METALLB_CRDS.flatMap((c) => typesFromCrd(c)).find((t) => t.kind === 'IPAddressPool');
    assert.ok(pool !== undefined);
    const table = toTable(
      pool,
      [
        {
          metadata: { name: 'p', creationTimestamp: '2026-01-01T11:00:00Z' },
          spec: { addresses: ['10.0.0.0/24'], autoAssign: false },
        },
      ],
      '1',
      now,
      'None',
    );
    const names = (table.columnDefinitions as { name: string }[]).map((c) => c.name);
    assert.deepEqual(names, ['Name', 'Auto Assign', 'Avoid Buggy IPs', 'Addresses', 'Age']);
    assert.deepEqual((table.rows as { cells: unknown[] }[])[0]?.cells, [
      'p',
      false,
      null,
      '["10.0.0.0/24"]',
      '60m',
    ]);
    assert.equal(simpleJsonPath({ spec: { list: ['a', 'b'] } }, '.spec.list[1]'), 'b');
  });
});

describe('OpenAPI v3', () => {
  test('every kind has a PATCH that takes fieldValidation, and a schema with its GVK', () => {
    const registry = new ResourceRegistry();
    for (const crd of METALLB_CRDS)
      registry.setCrd(String((crd.metadata as { name: string }).name), typesFromCrd(crd));
    const root = openApiV3Root(registry) as { paths: Record<string, { serverRelativeURL: string }> };
    assert.match(
      root.paths['apis/metallb.io/v1beta1']?.serverRelativeURL ?? '',
      /^\/openapi\/v3\/apis\/metallb\.io\/v1beta1\?hash=[0-9A-F]+$/,
    );
    for (const type of registry.all()) {
      const doc = openApiV3Document([type]) as {
        paths: Record<
          string,
          { patch: { parameters: { name: string }[]; 'x-kubernetes-group-version-kind': { kind: string } } }
        >;
        components: { schemas: Record<string, { 'x-kubernetes-group-version-kind': { kind: string }[] }> };
      };
      const patch = Object.values(doc.paths)[0]?.patch;
      assert.equal(patch?.['x-kubernetes-group-version-kind'].kind, type.kind);
      assert.ok(
        patch?.parameters.some((p) => p.name === 'fieldValidation'),
        type.kind,
      );
      assert.equal(
        Object.values(doc.components.schemas)[0]?.['x-kubernetes-group-version-kind'][0]?.kind,
        type.kind,
      );
    }
  });
});
