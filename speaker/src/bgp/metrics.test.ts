import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { FakeClock } from './clock.js';
import { MessageFramer, decodeMessage, serializeMessage } from './message.js';
import { BgpMetrics, combineObservers } from './metrics.js';
import { BgpPeer } from './peer.js';
import type { ConnectionEvents } from './session.js';

test('BGP metrics: session up, UPDATEs, announced and pending prefixes, messages, notifications, flaps', async () => {
  const registry = new Registry();
  const metrics = new BgpMetrics(registry);
  const clock = new FakeClock();
  let events: ConnectionEvents | undefined;
  const states: string[] = [];
  const peer = new BgpPeer(
    { name: '192.0.2.1', localAsn: 64512, peerAsn: 65001, routerId: '10.0.0.1', holdTime: 90 },
    clock,
    (e) => {
      events = e;
      const framer = new MessageFramer();
      return {
        write: (b) => framer.push(b).forEach((f) => decodeMessage(f, 0, { fourOctetAs: true })),
        close: () => {},
      };
    },
    combineObservers(metrics.observer('192.0.2.1'), { stateChanged: (s) => states.push(s) }),
  );
  metrics.track(peer);
  peer.setRoutes([
    { prefix: '10.0.0.1/32', nextHop: '192.0.2.10' },
    { prefix: '10.0.0.2/32', nextHop: '192.0.2.10' },
  ]);
  peer.start();
  const value = async (name: string, labels: Record<string, string> = { peer: '192.0.2.1' }) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const found = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return found?.value;
  };
  assert.equal(await value('metallb_bgp_session_up'), 0);
  assert.equal(await value('metallb_bgp_pending_prefixes_total'), 2);
  assert.ok(events);
  events.connected();
  const ctx = { fourOctetAs: false };
  events.data(
    serializeMessage(
      { type: 'open', version: 4, myAs: 65001, holdTime: 90, bgpIdentifier: '192.0.2.1', parameters: [] },
      ctx,
    ),
  );
  events.data(serializeMessage({ type: 'keepalive' }, ctx));
  assert.equal(await value('metallb_bgp_session_up'), 1);
  assert.equal(await value('metallb_bgp_updates_total'), 1);
  assert.equal(await value('metallb_bgp_announced_prefixes_total'), 2);
  assert.equal(await value('metallb_bgp_pending_prefixes_total'), 0);
  assert.equal(
    await value('lbops_bgp_messages_total', { peer: '192.0.2.1', direction: 'in', type: 'open' }),
    1,
  );
  assert.equal(
    await value('lbops_bgp_messages_total', { peer: '192.0.2.1', direction: 'out', type: 'keepalive' }),
    1,
  );
  events.data(serializeMessage({ type: 'notification', code: 6, subcode: 2, data: new Uint8Array(0) }, ctx));
  assert.equal(await value('metallb_bgp_session_up'), 0);
  assert.equal(await value('lbops_bgp_session_flaps_total'), 1);
  assert.equal(
    await value('lbops_bgp_notifications_total', {
      peer: '192.0.2.1',
      direction: 'in',
      code: '6',
      subcode: '2',
    }),
    1,
  );
  assert.equal(await value('metallb_bgp_pending_prefixes_total'), 2);
  assert.ok(states.includes('established'), 'the other observer saw the states too');
  metrics.untrack('192.0.2.1');
  assert.equal(await value('metallb_bgp_announced_prefixes_total'), undefined);
  peer.stop();
});
