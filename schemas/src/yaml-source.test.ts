import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEmbeddedYaml, parseYamlFile } from './yaml-source.js';

const TEXT = `a: 1
list:
  - x
  - { k: v }
empty:
nested:
  deep:
    value: "quoted"
---
second: true
`;

test('locate maps JSON pointers to the value, the key, or the nearest ancestor', () => {
  const { documents, diagnostics } = parseYamlFile('f.yaml', TEXT);
  assert.deepEqual(diagnostics, []);
  const [first, second] = documents;
  assert.ok(first !== undefined && second !== undefined);
  const at = (p: string, key?: string) => {
    const l = first.locate(p, key);
    return [l.line, l.column];
  };
  assert.deepEqual(at('/a'), [1, 4]);
  assert.deepEqual(at('/list/1/k'), [4, 10]);
  assert.deepEqual(at('/empty'), [5, 1], 'an empty value points at its key');
  assert.deepEqual(at('/nested/deep/value'), [8, 12]);
  assert.deepEqual(at('/nested', 'deep'), [7, 3]);
  assert.deepEqual(at('/nested/deep/missing'), [8, 5], 'missing: nearest existing ancestor');
  assert.equal(second.documentIndex, 1);
  assert.deepEqual([second.locate('/second').line, second.locate('/second').column], [10, 9]);
});

test('syntax errors are diagnostics with positions, never exceptions', () => {
  const { documents, diagnostics } = parseYamlFile('bad.yaml', 'a: [1, 2\nb: c\n');
  assert.equal(documents.length, 0);
  assert.ok(diagnostics.length > 0 && diagnostics.every((d) => d.code === 'yaml-syntax' && d.line >= 1));
});

test('positions inside an embedded block literal map back into the outer file', () => {
  const outer = `data:\n  config: |\n    pools:\n    - name: a\n      bad: [x\n`;
  const { documents } = parseYamlFile('cm.yaml', outer);
  const doc = documents[0];
  assert.ok(doc !== undefined);
  const embedded = (doc.value as { data: { config: string } }).data.config;
  const ok = parseEmbeddedYaml(doc, '/data/config', 'pools:\n- name: a\n', outer);
  assert.deepEqual(
    [ok.documents[0]?.locate('/pools/0/name').line, ok.documents[0]?.locate('/pools/0/name').column],
    [4, 13],
  );
  assert.equal(ok.documents[0]?.locate('/pools/0/name').path, '/data/config/pools/0/name');
  const bad = parseEmbeddedYaml(doc, '/data/config', embedded, outer);
  assert.ok(bad.diagnostics.length > 0);
  assert.ok(
    bad.diagnostics.every((d) => d.line >= 3 && d.line <= 6),
    JSON.stringify(bad.diagnostics),
  );
});
