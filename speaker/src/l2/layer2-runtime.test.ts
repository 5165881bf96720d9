import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { arpRequest } from './arp.js';
import { encodeFrame, l2Frame, type L2Frame } from './frame.js';
import type { LinkInfo } from './interfaces.js';
import { Layer2Runtime } from './layer2-runtime.js';
import type { LinkLayerPort } from './link-layer.js';
import { createLayer2Metrics } from './metrics.js';

const CLIENT = '02:00:00:00:0c:01';

function link(name: string, index: number, mac: string, up = true): LinkInfo {
  return { name, index, mac, up, noarp: false, loopback: false };
}

/** Fake link layer: records what is sent, lets the test inject received frames. */
function fakeLinks(initial: LinkInfo[]) {
  let links = initial;
  const sent: Array<{ iface: string; frame: L2Frame }> = [];
  const receivers = new Map<string, (frame: Uint8Array) => void>();
  const closed: string[] = [];
  return {
    sent,
    closed,
    setLinks(next: LinkInfo[]) {
      links = next;
    },
    deliver(iface: string, frame: L2Frame) {
      receivers.get(iface)?.(encodeFrame(frame));
    },
    deliverBytes(iface: string, bytes: Uint8Array) {
      receivers.get(iface)?.(bytes);
    },
    options: {
      listLinks: () => Promise.resolve(links),
      openPort: (name: string, onFrame: (frame: Uint8Array) => void): LinkLayerPort => {
        receivers.set(name, onFrame);
        return {
          interfaceName: name,
          send: (bytes) => sent.push({ iface: name, frame: l2Frame.decode(bytes, 0).value }),
          close: () => {
            closed.push(name);
            receivers.delete(name);
          },
        };
      },
      watchLinks: false,
      joinGroups: false,
    },
  };
}

async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = (metric?.values ?? []).find((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return value?.value ?? 0;
}

describe('layer 2 runtime (fake link layer)', () => {
  test('answers, announces on a timer, and counts it all in MetalLB-named metrics', async () => {
    const registry = new Registry();
    const fake = fakeLinks([link('eth0', 2, '02:00:00:00:01:01'), link('veth9', 3, '02:00:00:00:01:09')]);
    const runtime = new Layer2Runtime({
      ...fake.options,
      metrics: createLayer2Metrics(registry),
      timings: {
        probeCount: 0,
        probeIntervalMs: 10,
        announceWaitMs: 10,
        gratuitousOffsetsMs: [0, 30],
        conflictRetryMs: 1000,
      },
    });
    try {
      await runtime.start();
      assert.deepEqual(runtime.interfaces(), ['eth0'], 'veth* is skipped by default');
      runtime.setIp('10.0.0.50', { leader: true, probe: true });
      assert.equal(fake.sent.length, 2, 'first gratuitous round at once: ARP request + reply');
      await sleep(80);
      assert.equal(fake.sent.length, 4, 'second round from the timer');
      fake.deliver('eth0', {
        kind: 'arp',
        ethernet: { destination: 'ff:ff:ff:ff:ff:ff', source: CLIENT, etherType: 0x806 },
        arp: arpRequest(CLIENT, '10.0.0.9', '10.0.0.50'),
      });
      fake.deliver('eth0', {
        kind: 'arp',
        ethernet: { destination: 'ff:ff:ff:ff:ff:ff', source: CLIENT, etherType: 0x806 },
        arp: arpRequest(CLIENT, '10.0.0.9', '10.0.0.77'),
      });
      fake.deliverBytes('eth0', new Uint8Array([1, 2, 3]));
      const reply = fake.sent.at(-1);
      assert.equal(reply?.frame.kind === 'arp' && reply.frame.arp.operation, 'reply');
      assert.equal(await metricValue(registry, 'metallb_layer2_requests_received', { ip: '10.0.0.50' }), 1);
      assert.equal(await metricValue(registry, 'metallb_layer2_responses_sent', { ip: '10.0.0.50' }), 1);
      assert.equal(await metricValue(registry, 'metallb_layer2_gratuitous_sent', { ip: '10.0.0.50' }), 4);
      assert.equal(await metricValue(registry, 'lbops_layer2_dropped_total', { reason: 'not-ours' }), 1);
      assert.equal(await metricValue(registry, 'lbops_layer2_dropped_total', { reason: 'malformed' }), 1);
      assert.equal(
        await metricValue(registry, 'lbops_layer2_ownership_changes_total', {
          ip: '10.0.0.50',
          status: 'announcing',
        }),
        1,
      );
    } finally {
      runtime.stop();
    }
  });

  test('rescan: a link going down is closed, a new one opened and announced on at once', async () => {
    const fake = fakeLinks([link('eth0', 2, '02:00:00:00:01:01')]);
    const runtime = new Layer2Runtime({
      ...fake.options,
      timings: {
        probeCount: 0,
        probeIntervalMs: 10,
        announceWaitMs: 10,
        gratuitousOffsetsMs: [0],
        conflictRetryMs: 1000,
      },
    });
    try {
      await runtime.start();
      runtime.setIp('10.0.0.50', { leader: true, probe: false });
      fake.sent.length = 0;
      fake.setLinks([link('eth0', 2, '02:00:00:00:01:01', false), link('eth1', 4, '02:00:00:00:01:02')]);
      await runtime.rescan();
      assert.deepEqual(fake.closed, ['eth0']);
      assert.deepEqual(runtime.interfaces(), ['eth1']);
      assert.deepEqual(
        [...new Set(fake.sent.map((s) => s.iface))],
        ['eth1'],
        'a gratuitous round goes out on the new interface',
      );
    } finally {
      runtime.stop();
    }
  });
});
