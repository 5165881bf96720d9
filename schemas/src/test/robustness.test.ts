// Random, truncated and mutated YAML only ever yields diagnostics: loadConfig never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadConfig } from '../load-config.js';
import { caseFiles } from './corpus-harness.js';
import { INVALID, VALID, WARNINGS } from './corpus-cases.js';
import type { ConfigFile } from '../load-config.js';

const corpusTexts: string[] = [...VALID, ...INVALID, ...WARNINGS].flatMap((c) =>
  caseFiles(c).files.map((f) => f.content),
);

function assertOnlyDiagnostics(files: ConfigFile[]): void {
  const result = loadConfig(files);
  for (const d of result.diagnostics) {
    assert.ok(d.code.length > 0 && /^[a-z0-9-]+$/.test(d.code), `kebab-case code: ${d.code}`);
    assert.ok(Number.isInteger(d.line) && d.line >= 1, `line >= 1 (${d.code})`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, `column >= 1 (${d.code})`);
    assert.ok(d.severity === 'error' || d.severity === 'warning');
    assert.ok(d.message.length > 0);
  }
  if (result.diagnostics.some((d) => d.severity === 'error')) assert.equal(result.config, undefined);
}

test('arbitrary strings never throw', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) =>
      assertOnlyDiagnostics([{ name: 'x.yaml', content: text }]),
    ),
    { numRuns: 300 },
  );
});

test('truncated corpus documents never throw, and positions stay inside the file', () => {
  fc.assert(
    fc.property(fc.constantFrom(...corpusTexts), fc.nat(), (text, cut) => {
      const content = text.slice(0, cut % (text.length + 1));
      const result = loadConfig([{ name: 't.yaml', content }]);
      const lines = content.split('\n').length;
      for (const d of result.diagnostics)
        assert.ok(d.line <= lines + 1, `${d.code} at line ${d.line} of ${lines}`);
    }),
    { numRuns: 400 },
  );
});

test('mutated corpus documents never throw', () => {
  const edit = fc.record({
    at: fc.nat(),
    remove: fc.nat({ max: 5 }),
    insert: fc.constantFrom(
      '',
      ':',
      '-',
      ' ',
      '\n',
      '[',
      '{',
      '"',
      '*a',
      '&a ',
      '!!str ',
      '\t',
      'null',
      '0',
      '- -',
      '|',
    ),
  });
  fc.assert(
    fc.property(fc.constantFrom(...corpusTexts), fc.array(edit, { maxLength: 5 }), (text, edits) => {
      let content = text;
      for (const e of edits) {
        const at = e.at % (content.length + 1);
        content = content.slice(0, at) + e.insert + content.slice(at + e.remove);
      }
      assertOnlyDiagnostics([{ name: 'm.yaml', content }]);
    }),
    { numRuns: 400 },
  );
});

test('random objects of MetalLB kinds never throw', () => {
  const kinds = fc.constantFrom(
    'IPAddressPool',
    'L2Advertisement',
    'BGPAdvertisement',
    'BGPPeer',
    'Community',
    'BFDProfile',
    'ConfigMap',
  );
  const versions = fc.constantFrom('metallb.io/v1beta1', 'metallb.io/v1beta2', 'v1');
  const value = fc.anything({
    maxDepth: 3,
    withNullPrototype: false,
    withBigInt: false,
    withDate: false,
    withTypedArray: false,
    withSparseArray: false,
    withMap: false,
    withSet: false,
    withBoxedValues: false,
  });
  const spec = fc.dictionary(
    fc.constantFrom(
      'addresses',
      'ipAddressPools',
      'peers',
      'communities',
      'myASN',
      'peerASN',
      'peerAddress',
      'holdTime',
      'keepaliveTime',
      'aggregationLength',
      'nodeSelectors',
      'ipAddressPoolSelectors',
      'serviceAllocation',
      'passwordSecret',
      'config',
    ),
    value,
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          apiVersion: versions,
          kind: kinds,
          metadata: fc.record({ name: fc.constantFrom('a', 'b', 'config') }),
          spec,
          data: fc.option(fc.record({ config: fc.string() })),
        }),
        { maxLength: 4 },
      ),
      (docs) => {
        const content = docs.map((d) => stringify(d)).join('---\n');
        assertOnlyDiagnostics([{ name: 'r.yaml', content }]);
      },
    ),
    { numRuns: 300 },
  );
});

test('alias bombs are refused as diagnostics', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 8; i++)
    bomb.push(
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
        .fill(`*${String.fromCharCode(97 + i)}`)
        .join(', ')}]`,
    );
  const result = loadConfig([{ name: 'bomb.yaml', content: bomb.join('\n') }]);
  assert.ok(result.diagnostics.some((d) => d.code === 'yaml-syntax'));
});
