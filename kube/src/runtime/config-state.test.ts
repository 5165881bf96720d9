import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '@lbops/schemas';
import { configFiles } from './config-documents.js';
import { configurationStateStatus, evaluateConfig } from './config-state.js';

const pool = (name: string, addresses: string[]) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: 'metallb-system', resourceVersion: '12', managedFields: [{ manager: 'x' }] },
  spec: { addresses },
  status: { assignedIPv4: 3 },
});

describe('config documents through loadConfig', () => {
  it('names each object kind/namespace/name and drops server bookkeeping', () => {
    const files = configFiles([pool('b', ['10.0.1.0/24']), pool('a', ['10.0.0.0/24'])]);
    assert.deepEqual(
      files.map((f) => f.name),
      ['IPAddressPool/metallb-system/a', 'IPAddressPool/metallb-system/b'],
    );
    assert.ok(!files[0]?.content.includes('managedFields'));
    assert.ok(!files[0]?.content.includes('status'));
    const evaluation = evaluateConfig(loadConfig(files));
    assert.equal(evaluation.accepted?.pools.length, 2);
    assert.equal(configurationStateStatus(evaluation, true, new Date(0)).result, 'Valid');
  });

  it('the legacy ConfigMap is read too', () => {
    const files = configFiles([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'config', namespace: 'metallb-system' },
        data: {
          config: 'address-pools:\n- name: legacy\n  protocol: layer2\n  addresses:\n  - 10.9.0.0/29\n',
        },
      },
    ]);
    const evaluation = evaluateConfig(loadConfig(files));
    assert.deepEqual(
      evaluation.accepted?.pools.map((p) => p.name),
      ['legacy'],
    );
  });

  it('an invalid config is refused with file and field in the summary', () => {
    const evaluation = evaluateConfig(
      loadConfig(configFiles([pool('a', ['10.0.0.0/24']), pool('b', ['10.0.0.128/25'])])),
    );
    assert.equal(evaluation.accepted, undefined);
    assert.match(evaluation.summary, /IPAddressPool\/metallb-system\/[ab]:\d+:\d+ \/spec\/addresses/);
    const state = configurationStateStatus(evaluation, true, new Date(0));
    assert.equal(state.result, 'Invalid');
    assert.equal(state.conditions[0]?.reason, 'LastGoodConfigKept');
    assert.equal(state.errorSummary, evaluation.summary);
  });
});
