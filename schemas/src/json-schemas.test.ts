import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMA_FILES } from './json-schemas.js';
import { DEFAULT_JSON_DIR } from './write-json-schemas.js';
import { validateAgainstSchema } from './schema-validator.js';

test('schemas/json files match json-schemas.ts (run node schemas/dist/write-json-schemas.js, then prettier)', () => {
  for (const entry of SCHEMA_FILES) {
    const onDisk: unknown = JSON.parse(readFileSync(path.join(DEFAULT_JSON_DIR, entry.file), 'utf8'));
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(entry.schema)), entry.file);
  }
});

test('every schema has a unique $id under https://lbops.dev/schemas/ and the 2020-12 dialect', () => {
  const ids = SCHEMA_FILES.map((e) => e.schema['$id']);
  assert.equal(new Set(ids).size, ids.length);
  for (const e of SCHEMA_FILES) {
    assert.match(String(e.schema['$id']), /^https:\/\/lbops\.dev\/schemas\/.+\.json$/);
    assert.equal(e.schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
    assert.ok(String(e.schema['$id']).endsWith(e.file), `${e.file} is served at its $id path`);
  }
});

test('a valid pool passes; all errors are reported, not just the first', () => {
  const ok = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'a' },
    spec: { addresses: ['10.0.0.0/24'] },
  };
  assert.deepEqual(validateAgainstSchema('metallb.io/v1beta1', 'IPAddressPool', ok), []);
  const bad = { ...ok, spec: { addresses: [], autoAssign: 'yes', avoidBuggyIPs: 3, extra: 1 } };
  const problems = validateAgainstSchema('metallb.io/v1beta1', 'IPAddressPool', bad);
  assert.deepEqual(problems.map((p) => [p.code, p.pointer, p.severity]).sort(), [
    ['pool-missing-addresses', '/spec/addresses', 'error'],
    ['unknown-field', '/spec', 'warning'],
    ['wrong-type', '/spec/autoAssign', 'error'],
    ['wrong-type', '/spec/avoidBuggyIPs', 'error'],
  ]);
});

test('BFD ranges and BGPPeer versions', () => {
  const bfd = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BFDProfile',
    metadata: { name: 'b' },
    spec: { receiveInterval: 5, detectMultiplier: 256, minimumTtl: 0 },
  };
  assert.deepEqual(
    validateAgainstSchema('metallb.io/v1beta1', 'BFDProfile', bfd).map((p) => p.code),
    ['bfd-out-of-range', 'bfd-out-of-range', 'bfd-out-of-range'],
  );
  const peer = {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name: 'p' },
    spec: { myASN: 64500, dynamicASN: 'external', peerAddress: '10.0.0.1', holdTime: '90s' },
  };
  assert.deepEqual(validateAgainstSchema('metallb.io/v1beta2', 'BGPPeer', peer), []);
  const v1 = { ...peer, apiVersion: 'metallb.io/v1beta1' };
  assert.deepEqual(
    validateAgainstSchema('metallb.io/v1beta1', 'BGPPeer', v1)
      .map((p) => p.code)
      .sort(),
    ['peer-asn-missing', 'unknown-field'],
  );
  const badHold = { ...peer, spec: { ...peer.spec, holdTime: '90 seconds' } };
  assert.deepEqual(
    validateAgainstSchema('metallb.io/v1beta2', 'BGPPeer', badHold).map((p) => p.code),
    ['invalid-duration'],
  );
});
