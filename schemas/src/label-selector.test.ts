import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatLabelSelector,
  matchesLabelSelector,
  normalizeLabelSelector,
  validateLabelSelector,
  type LabelSelector,
} from './label-selector.js';

const sel = (raw: unknown): LabelSelector => normalizeLabelSelector(raw);

describe('matchesLabelSelector', () => {
  const rows: Array<{ d: string; selector: unknown; labels: Record<string, string>; want: boolean }> = [
    { d: 'empty selector matches everything', selector: {}, labels: { a: 'b' }, want: true },
    { d: 'empty selector matches no labels', selector: {}, labels: {}, want: true },
    {
      d: 'matchLabels equal',
      selector: { matchLabels: { app: 'web' } },
      labels: { app: 'web', x: 'y' },
      want: true,
    },
    {
      d: 'matchLabels differ',
      selector: { matchLabels: { app: 'web' } },
      labels: { app: 'db' },
      want: false,
    },
    { d: 'matchLabels missing key', selector: { matchLabels: { app: 'web' } }, labels: {}, want: false },
    {
      d: 'In hit',
      selector: { matchExpressions: [{ key: 'z', operator: 'In', values: ['a', 'b'] }] },
      labels: { z: 'b' },
      want: true,
    },
    {
      d: 'In miss',
      selector: { matchExpressions: [{ key: 'z', operator: 'In', values: ['a'] }] },
      labels: { z: 'b' },
      want: false,
    },
    {
      d: 'In absent key',
      selector: { matchExpressions: [{ key: 'z', operator: 'In', values: ['a'] }] },
      labels: {},
      want: false,
    },
    {
      d: 'NotIn absent key matches',
      selector: { matchExpressions: [{ key: 'z', operator: 'NotIn', values: ['a'] }] },
      labels: {},
      want: true,
    },
    {
      d: 'NotIn listed value',
      selector: { matchExpressions: [{ key: 'z', operator: 'NotIn', values: ['a'] }] },
      labels: { z: 'a' },
      want: false,
    },
    {
      d: 'Exists',
      selector: { matchExpressions: [{ key: 'z', operator: 'Exists' }] },
      labels: { z: '' },
      want: true,
    },
    {
      d: 'Exists absent',
      selector: { matchExpressions: [{ key: 'z', operator: 'Exists' }] },
      labels: {},
      want: false,
    },
    {
      d: 'DoesNotExist',
      selector: { matchExpressions: [{ key: 'z', operator: 'DoesNotExist' }] },
      labels: {},
      want: true,
    },
    {
      d: 'DoesNotExist present',
      selector: { matchExpressions: [{ key: 'z', operator: 'DoesNotExist' }] },
      labels: { z: 'x' },
      want: false,
    },
    {
      d: 'AND of labels and expressions',
      selector: { matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }] },
      labels: { a: '1' },
      want: false,
    },
    {
      d: 'prototype keys are not labels',
      selector: { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] },
      labels: {},
      want: false,
    },
  ];
  for (const r of rows)
    test(r.d, () => assert.equal(matchesLabelSelector(sel(r.selector), r.labels), r.want));

  test('NotIn is the complement of In (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('a', 'b', 'c'),
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1 }),
        fc.option(fc.constantFrom('a', 'b', 'c')),
        (key, values, value) => {
          const labels: Record<string, string> = value === null ? {} : { [key]: value };
          const inSel = sel({ matchExpressions: [{ key, operator: 'In', values }] });
          const notInSel = sel({ matchExpressions: [{ key, operator: 'NotIn', values }] });
          assert.notEqual(matchesLabelSelector(inSel, labels), matchesLabelSelector(notInSel, labels));
        },
      ),
    );
  });
});

describe('validateLabelSelector', () => {
  const rows: Array<{ d: string; raw: unknown; paths: string[] }> = [
    {
      d: 'valid',
      raw: {
        matchLabels: { 'example.com/app': 'web' },
        matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }],
      },
      paths: [],
    },
    { d: 'null is fine', raw: null, paths: [] },
    { d: 'not an object', raw: 'app=web', paths: [''] },
    { d: 'bad key', raw: { matchLabels: { '-bad': 'x' } }, paths: ['/matchLabels/-bad'] },
    { d: 'bad prefix', raw: { matchLabels: { 'Bad_Prefix/x': 'x' } }, paths: ['/matchLabels/Bad_Prefix~1x'] },
    { d: 'value not string', raw: { matchLabels: { a: true } }, paths: ['/matchLabels/a'] },
    { d: 'value too long', raw: { matchLabels: { a: 'x'.repeat(64) } }, paths: ['/matchLabels/a'] },
    {
      d: 'bad operator',
      raw: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] },
      paths: ['/matchExpressions/0/operator'],
    },
    {
      d: 'In without values',
      raw: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      paths: ['/matchExpressions/0/values'],
    },
    {
      d: 'Exists with values',
      raw: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      paths: ['/matchExpressions/0/values'],
    },
    {
      d: 'missing key',
      raw: { matchExpressions: [{ operator: 'Exists' }] },
      paths: ['/matchExpressions/0/key'],
    },
  ];
  for (const r of rows) {
    test(r.d, () =>
      assert.deepEqual(
        validateLabelSelector(r.raw).map((p) => p.path),
        r.paths,
      ),
    );
  }
});

test('formatLabelSelector', () => {
  const s = sel({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 't', operator: 'In', values: ['a', 'b'] },
      { key: 'u', operator: 'NotIn', values: ['c'] },
      { key: 'e', operator: 'Exists' },
      { key: 'n', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(formatLabelSelector(s), 'app=web,t in (a,b),u notin (c),e,!n');
});
