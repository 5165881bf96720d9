import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../load-config.js';
import { caseFiles, type CorpusCase } from './corpus-harness.js';
import { INVALID, VALID, WARNINGS } from './corpus-cases.js';

function run(c: CorpusCase, kind: 'valid' | 'invalid' | 'warning'): void {
  const { files, expected } = caseFiles(c);
  const result = loadConfig(files, {
    ...(c.context === undefined ? {} : { context: c.context }),
    ...(c.bgpMode === undefined ? {} : { bgpMode: c.bgpMode }),
  });
  const show = result.diagnostics
    .map((d) => `${d.file}:${d.line}:${d.column} ${d.severity}[${d.code}] ${d.message}`)
    .join('\n');
  for (const e of expected) {
    const hit = result.diagnostics.find(
      (d) => d.file === e.file && d.code === e.code && d.line === e.line && d.column === e.column,
    );
    assert.ok(
      hit !== undefined,
      `expected ${e.severity}[${e.code}] at ${e.file}:${e.line}:${e.column}; got:\n${show}`,
    );
    assert.equal(hit.severity, e.severity, `severity of ${e.code}`);
    assert.ok(
      hit.message.length > 0 && hit.hint !== undefined && hit.hint.length > 0,
      `${e.code} has a message and a hint`,
    );
  }
  // No error that the case does not mark: every error is accounted for.
  const expectedErrors = expected.filter((e) => e.severity === 'error');
  const unexpected = result.diagnostics.filter(
    (d) =>
      d.severity === 'error' &&
      !expectedErrors.some(
        (e) => e.file === d.file && e.code === d.code && e.line === d.line && e.column === d.column,
      ),
  );
  assert.deepEqual(
    unexpected.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`),
    [],
    `unexpected errors:\n${show}`,
  );
  if (kind === 'invalid') {
    assert.ok(expectedErrors.length > 0, 'an invalid case marks at least one error');
    assert.equal(result.config, undefined, 'no config when there are errors');
  } else {
    assert.ok(result.config !== undefined, `valid case yields a config:\n${show}`);
  }
}

describe('corpus: valid configurations', () => {
  for (const c of VALID) test(c.name, () => run(c, 'valid'));
});
describe('corpus: invalid configurations', () => {
  for (const c of INVALID) test(c.name, () => run(c, 'invalid'));
});
describe('corpus: warnings', () => {
  for (const c of WARNINGS) test(c.name, () => run(c, 'warning'));
});

test('the corpus covers at least 60 cases', () => {
  assert.ok(VALID.length + INVALID.length + WARNINGS.length >= 60);
});
