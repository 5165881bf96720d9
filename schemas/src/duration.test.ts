import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration.js';

test('parseDuration reads Go durations', () => {
  const rows: Array<[string, number | undefined]> = [
    ['0', 0],
    ['0s', 0],
    ['90s', 90],
    ['1m30s', 90],
    ['1.5h', 5400],
    ['500ms', 0.5],
    ['3m', 180],
    ['', undefined],
    ['90', undefined],
    ['ninety', undefined],
    ['1m 30s', undefined],
    ['-3s', undefined],
  ];
  for (const [text, want] of rows) assert.equal(parseDuration(text), want, text);
});

test('formatDuration round trips whole seconds (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), (s) =>
      assert.equal(parseDuration(formatDuration(s)), s),
    ),
  );
});
