import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { serverSideApply } from './server-side-apply.js';

describe('JSON merge patch (RFC 7386)', () => {
  test('the RFC appendix examples', () => {
    const rows: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [
        ['a', 'b'],
        ['c', 'd'],
        ['c', 'd'],
      ],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    ];
    for (const [target, patch, expected] of rows) assert.deepEqual(mergePatch(target, patch), expected);
  });

  test('property: applying a patch twice is the same as once, and the input is untouched', () => {
    // __proto__ is dropped by the server (see patch.ts), so the property excludes it.
    const key = fc.string().filter((k) => k !== '__proto__');
    const json = fc.jsonValue();
    fc.assert(
      fc.property(fc.dictionary(key, json), fc.dictionary(key, json), (target, patch) => {
        const before = JSON.stringify(target);
        const once = mergePatch(target, patch);
        assert.equal(JSON.stringify(mergePatch(once, patch)), JSON.stringify(once));
        assert.equal(JSON.stringify(target), before);
      }),
    );
  });
});

describe('JSON patch (RFC 6902)', () => {
  test('add, remove, replace, move, copy, test, with ~1 escapes and "-"', () => {
    const doc = { a: { 'x/y': 1 }, list: [1, 2] };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'replace', path: '/a/x~1y', value: 2 },
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'move', from: '/list/0', path: '/first' },
      { op: 'remove', path: '/b' },
      { op: 'test', path: '/first', value: 1 },
    ]);
    assert.deepEqual(out, { a: { 'x/y': 2 }, list: [2, 3], first: 1 });
    assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/list/0', value: 9 }]), /test failed/);
    assert.throws(() => jsonPatch(doc, [{ op: 'remove', path: '/missing' }]), /nonexistent/);
  });
});

describe('strategic merge patch (simplified)', () => {
  const svc = {
    spec: {
      ports: [
        { name: 'http', port: 80 },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
      selector: { app: 'a' },
    },
  };

  test('Service ports merge by port; $patch: delete removes one; null deletes a map key', () => {
    assert.deepEqual(
      strategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } }),
      {
        spec: {
          ports: [
            { name: 'http', port: 80, targetPort: 8080 },
            { name: 'dns', port: 53, protocol: 'UDP' },
            { port: 443 },
          ],
          selector: { app: 'a' },
        },
      },
    );
    assert.deepEqual(
      strategicMergePatch(svc, {
        spec: { ports: [{ port: 53, $patch: 'delete' }], selector: { app: null } },
      }),
      {
        spec: { ports: [{ name: 'http', port: 80 }], selector: {} },
      },
    );
  });

  test('$setElementOrder, $deleteFromPrimitiveList, $patch: replace, $retainKeys', () => {
    const ordered = strategicMergePatch(svc, {
      spec: { $setElementOrder: undefined, '$setElementOrder/ports': [{ port: 53 }, { port: 80 }] },
    }) as typeof svc;
    assert.deepEqual(
      ordered.spec.ports.map((p) => p.port),
      [53, 80],
    );
    assert.deepEqual(
      strategicMergePatch(
        { metadata: { finalizers: ['a', 'b'] } },
        { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      ),
      { metadata: { finalizers: ['b'] } },
    );
    assert.deepEqual(strategicMergePatch(svc, { spec: { $patch: 'replace', type: 'ClusterIP' } }), {
      spec: { type: 'ClusterIP' },
    });
    assert.deepEqual(
      strategicMergePatch({ s: { type: 'A', a: 1, b: 2 } }, { s: { $retainKeys: ['type', 'b'], type: 'B' } }),
      { s: { type: 'B', b: 2 } },
    );
  });

  test('containers merge by name, env by name; unknown lists are replaced', () => {
    const pod = {
      spec: {
        containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }],
        tolerations: [{ key: 'k' }],
      },
    };
    const out = strategicMergePatch(pod, {
      spec: { containers: [{ name: 'a', env: [{ name: 'F', value: '2' }] }], tolerations: [{ key: 'j' }] },
    });
    assert.deepEqual(out, {
      spec: {
        containers: [
          {
            name: 'a',
            image: 'x',
            env: [
              { name: 'E', value: '1' },
              { name: 'F', value: '2' },
            ],
          },
        ],
        tolerations: [{ key: 'j' }],
      },
    });
  });
});

describe('server-side apply (simplified)', () => {
  const base = { apiVersion: 'metallb.io/v1beta1', now: '2026-01-01T00:00:00Z', force: false };
  test('rows in sequence: create, change, drop a field, conflict, force', () => {
    const first = serverSideApply({
      ...base,
      existing: undefined,
      manager: 'a',
      applied: { spec: { addresses: ['x'], autoAssign: false } },
    });
    assert.deepEqual(first.spec, { addresses: ['x'], autoAssign: false });
    const second = serverSideApply({
      ...base,
      existing: first,
      manager: 'a',
      applied: { spec: { addresses: ['x'] } },
    });
    assert.deepEqual(second.spec, { addresses: ['x'] }, 'a field the manager stopped applying is removed');
    const shared = serverSideApply({
      ...base,
      existing: second,
      manager: 'b',
      applied: { spec: { addresses: ['x'] } },
    });
    assert.equal(
      (shared.metadata as { managedFields: unknown[] }).managedFields.length,
      2,
      'same value: shared ownership, no conflict',
    );
    assert.throws(
      () =>
        serverSideApply({ ...base, existing: shared, manager: 'c', applied: { spec: { addresses: ['y'] } } }),
      /conflict with "a"/,
    );
    const forced = serverSideApply({
      ...base,
      force: true,
      existing: shared,
      manager: 'c',
      applied: { spec: { addresses: ['y'] } },
    });
    assert.deepEqual(forced.spec, { addresses: ['y'] });
    const managers = (forced.metadata as { managedFields: { manager: string }[] }).managedFields.map(
      (m) => m.manager,
    );
    assert.deepEqual(managers, ['c'], 'forcing takes the field from both previous owners');
  });
});
