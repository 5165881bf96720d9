import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchesLabelSelector } from '@lbops/schemas';
import { matchesFields, parseFieldSelector, parseLabelSelector } from './selectors.js';

describe('selectors in query strings', () => {
  test('label selector terms', () => {
    const rows: [string, Record<string, string>, boolean][] = [
      ['app=web', { app: 'web' }, true],
      ['app==web,tier!=db', { app: 'web', tier: 'db' }, false],
      ['tier in (a, b)', { tier: 'b' }, true],
      ['tier notin (a,b)', {}, true],
      ['canary', { canary: '' }, true],
      ['!canary', { canary: 'x' }, false],
      ['', { any: 'thing' }, true],
    ];
    for (const [text, labels, expected] of rows) {
      const sel = parseLabelSelector(text);
      assert.ok(!('error' in sel), text);
      if (!('error' in sel)) assert.equal(matchesLabelSelector(sel, labels), expected, text);
    }
    assert.ok('error' in parseLabelSelector('a in (b'));
  });

  test('field selectors on dotted paths', () => {
    const svc = { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer' } };
    const sel = parseFieldSelector('metadata.name=web,spec.type!=ClusterIP');
    assert.ok(Array.isArray(sel));
    if (Array.isArray(sel)) assert.equal(matchesFields(svc, sel), true);
    const other = parseFieldSelector('spec.type=NodePort');
    if (Array.isArray(other)) assert.equal(matchesFields(svc, other), false);
    assert.ok('error' in parseFieldSelector('nonsense'));
  });
});
