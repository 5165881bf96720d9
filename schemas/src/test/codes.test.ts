import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIAGNOSTIC_CODES } from '../diagnostic-codes.js';
import { loadConfig } from '../load-config.js';
import { caseFiles } from './corpus-harness.js';
import { INVALID, VALID, WARNINGS } from './corpus-cases.js';

// Codes that only guard schema keywords no MetalLB field currently needs, or the context file loader
// (tested in validation-context.test.ts).
const NOT_IN_CORPUS = new Set([
  'schema-violation',
  'invalid-format',
  'value-too-long',
  'empty-list',
  'invalid-context',
  'invalid-context-address',
]);

test('every rule in the catalogue has a corpus case, and the corpus uses only catalogued codes', () => {
  const marked = new Set<string>();
  const emitted = new Set<string>();
  for (const c of [...VALID, ...INVALID, ...WARNINGS]) {
    const { files, expected } = caseFiles(c);
    for (const e of expected) marked.add(e.code);
    for (const d of loadConfig(files, {
      ...(c.context === undefined ? {} : { context: c.context }),
      ...(c.bgpMode === undefined ? {} : { bgpMode: c.bgpMode }),
    }).diagnostics) {
      emitted.add(d.code);
      assert.ok(d.code in DIAGNOSTIC_CODES, `code ${d.code} is catalogued`);
      const info = DIAGNOSTIC_CODES[d.code];
      // unknown-field is an error in legacy configs; mode checks are errors when bgpMode is given.
      if (info !== undefined && d.code !== 'unknown-field' && c.bgpMode === undefined)
        assert.equal(d.severity, info.severity, `severity of ${d.code}`);
    }
  }
  const missing = Object.keys(DIAGNOSTIC_CODES).filter(
    (code) => !marked.has(code) && !NOT_IN_CORPUS.has(code),
  );
  assert.deepEqual(missing, [], 'codes without a corpus case');
  for (const code of Object.keys(DIAGNOSTIC_CODES)) assert.match(code, /^[a-z0-9]+(-[a-z0-9]+)*$/);
});
