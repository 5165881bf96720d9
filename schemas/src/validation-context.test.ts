import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './load-config.js';
import { loadValidationContext } from './validation-context.js';

const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: lan
spec:
  addresses: [192.168.1.100-192.168.1.150, "fd00::/120"]
`;

test('a context file is loaded and its bad entries are located', () => {
  const good = loadValidationContext({
    name: 'ctx.yaml',
    content:
      'nodeAddresses: [192.168.1.10, "fd00::5"]\ngateways: [192.168.1.1]\nreservedPools:\n- name: b\n  addresses: [192.168.1.140/30]\n',
  });
  assert.deepEqual(good.diagnostics, []);
  assert.ok(good.context !== undefined);
  const result = loadConfig([{ name: 'p.yaml', content: POOL }], { context: good.context });
  assert.deepEqual(
    result.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.line, d.column]),
    [
      ['pool-overlaps-reserved', 6, 15],
      ['pool-overlaps-node', 6, 44],
    ],
  );
  const bad = loadValidationContext({
    name: 'ctx.yaml',
    content: 'gateways:\n  - 192.168.1.1\n  - router\n',
  });
  assert.equal(bad.context, undefined);
  assert.deepEqual(
    bad.diagnostics.map((d) => [d.code, d.line, d.column]),
    [['invalid-context-address', 3, 5]],
  );
});

test('context entries given directly (flags) are checked too', () => {
  const result = loadConfig([{ name: 'p.yaml', content: POOL }], {
    context: { podCidrs: ['not-a-cidr'], serviceCidrs: ['192.168.0.0/16'], source: '--service-cidr' },
  });
  assert.deepEqual(
    result.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.file]),
    [
      ['invalid-context-address', '--service-cidr'],
      ['pool-overlaps-service-cidr', 'p.yaml'],
    ],
  );
});
