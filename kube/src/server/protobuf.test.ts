import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeKubernetesProtobuf, ProtobufError } from './protobuf.js';

// Captured from `kubectl create deploy desoapp --image=r.deso.tech/whoami/whoami -n default -v=9`
// (kubectl v1.32.4): the request body kubectl's typed client sends.
const DEPLOYMENT_HEX =
  '6b3873000a150a0761707073' +
  '2f763112' +
  '0a4465706c6f796d656e7412d8010a2e' +
  '0a0764' +
  '65736f61707012001a0764656661756c7422002a00320038004200' +
  '5a0e0a036170701207646573' +
  '6f6170701297010801121' +
  '00a0e0a03617070120764' +
  '65736f6170701a790a200a0012001a0022002a00320038004200' +
  '5a0e0a03617070120764' +
  '65736f61707012551237' +
  '0a0677686f616d6912' +
  '19722e6465736f2e74656368' +
  '2f77686f616d692f77686f616d69' +
  '2a0042006a00720080010088010090010' +
  '0a201001a0032004200' +
  '4a00520058006000680082010' +
  '08a01009a0100c20100' +
  '22020a00280038001a0c0800100018002000280038001a002200';

describe('Kubernetes protobuf request bodies', () => {
  test('the Deployment kubectl create deploy sends', () => {
    const obj = decodeKubernetesProtobuf(Buffer.from(DEPLOYMENT_HEX, 'hex'));
    assert.deepEqual(obj, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'desoapp', namespace: 'default', labels: { app: 'desoapp' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'desoapp' } },
        template: {
          metadata: { labels: { app: 'desoapp' } },
          spec: { containers: [{ name: 'whoami', image: 'r.deso.tech/whoami/whoami', resources: {} }] },
        },
        strategy: {},
      },
    });
  });

  test('truncated or foreign bytes raise ProtobufError only', () => {
    const bytes = Buffer.from(DEPLOYMENT_HEX, 'hex');
    for (let cut = 5; cut < bytes.length; cut += 7) {
      try {
        decodeKubernetesProtobuf(bytes.subarray(0, cut));
      } catch (e) {
        assert.ok(e instanceof ProtobufError, `cut at ${cut}: ${String(e)}`);
      }
    }
    assert.throws(() => decodeKubernetesProtobuf(Buffer.from('{"a":1}')), ProtobufError);
  });
});
