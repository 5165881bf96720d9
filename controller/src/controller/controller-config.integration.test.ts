// Configuration edge cases over HTTP: MetalLB's legacy ConfigMap, and a controller that starts with no valid
// configuration at all (nothing is allocated until one arrives).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resourcePath, type KubeObject } from '@lbops/kube';
import type { Controller } from './controller.js';
import {
  createObject,
  ingressOf,
  serviceObject,
  servicePath,
  startController,
  startHarness,
  waitFor,
  waitForIngress,
  type Harness,
} from './harness.test-support.js';

const configMapPath = resourcePath({
  apiVersion: 'v1',
  resource: 'configmaps',
  namespace: 'metallb-system',
  name: 'config',
});
const statePath = resourcePath({
  apiVersion: 'metallb.io/v1beta1',
  resource: 'configurationstates',
  namespace: 'metallb-system',
  name: 'controller',
});

const legacy = (range: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'config', namespace: 'metallb-system' },
  data: { config: `address-pools:\n- name: legacy-space\n  protocol: layer2\n  addresses:\n  - ${range}\n` },
});

describe('legacy ConfigMap, and no valid configuration at start', () => {
  let harness: Harness;
  let controller: Controller;

  before(async () => {
    harness = await startHarness();
    // Start and end swapped: MetalLB refuses the whole configuration.
    await createObject(harness.client, legacy('10.80.0.9-10.80.0.1'));
    controller = startController(harness.client);
  });

  after(async () => {
    await controller.stop();
    await harness.close();
  });

  it('with only an invalid configuration nothing is allocated, and the reason is reported', async () => {
    const { client } = harness;
    await createObject(client, serviceObject('default', 'early'));
    const state = await waitFor('ConfigurationState Invalid', async () => {
      const s = await client.get(statePath);
      return (s.status as { result?: string } | undefined)?.result === 'Invalid' ? s : undefined;
    });
    const status = state.status as { errorSummary: string; conditions: Array<{ reason: string }> };
    assert.match(status.errorSummary, /ConfigMap\/metallb-system\/config/);
    assert.equal(status.conditions[0]?.reason, 'NoValidConfig');
    assert.deepEqual(controller.readiness(), {
      ok: false,
      detail: 'leader, waiting for a valid configuration',
    });
    assert.match(
      (await controller.metrics.registry.metrics())
        .split('\n')
        .find((l) => l.startsWith('metallb_k8s_client_config_loaded_bool')) ?? '',
      / 0$/,
    );
    assert.deepEqual(ingressOf(await client.get(servicePath('default', 'early'))), []);
  });

  it('once the legacy ConfigMap is fixed, waiting Services get addresses from its pool', async () => {
    const { client } = harness;
    await client.mergePatch(configMapPath, legacy('10.80.0.1-10.80.0.9'));
    assert.deepEqual(await waitForIngress(client, 'default', 'early'), ['10.80.0.1']);
    const svc = await client.get(servicePath('default', 'early'));
    assert.equal(svc.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'], 'legacy-space');
    await waitFor('ConfigurationState Valid', async () => {
      const s = await client.get(statePath);
      return (s.status as { result?: string } | undefined)?.result === 'Valid' ? s : undefined;
    });
    assert.equal(controller.readiness().ok, true);
  });
});
