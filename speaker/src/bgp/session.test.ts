import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from './clock.js';
import { type BgpMessage, MessageFramer, decodeMessage, serializeMessage } from './message.js';
import { AS_TRANS, type OpenMessage, openCapabilities } from './open.js';
import {
  BgpSession,
  type Connection,
  type ConnectionEvents,
  type DownReason,
  type SessionConfig,
  type SessionState,
} from './session.js';

/** One fake TCP connection: records what the session wrote, lets the test play the peer. */
class FakeConnection implements Connection {
  readonly sent: BgpMessage[] = [];
  closed = false;
  private readonly framer = new MessageFramer();
  constructor(readonly events: ConnectionEvents) {}
  write(bytes: Uint8Array): void {
    assert.ok(!this.closed, 'write after close');
    for (const frame of this.framer.push(bytes))
      this.sent.push(decodeMessage(frame, 0, { fourOctetAs: true }).value);
  }
  close(): void {
    this.closed = true;
  }
  /** The peer sends a message. */
  receive(message: BgpMessage): void {
    this.events.data(serializeMessage(message, { fourOctetAs: true }));
  }
  types(): string[] {
    return this.sent.map((m) => (m.type === 'notification' ? `notification ${m.code}/${m.subcode}` : m.type));
  }
}

function peerOpen(overrides: Partial<OpenMessage> = {}): OpenMessage {
  return {
    type: 'open',
    version: 4,
    myAs: 65001,
    holdTime: 30,
    bgpIdentifier: '192.0.2.1',
    parameters: [
      [
        { kind: 'multiprotocol', afi: 1, safi: 1 },
        { kind: 'multiprotocol', afi: 2, safi: 1 },
        { kind: 'four-octet-as', asn: 65001 },
        { kind: 'graceful-restart', flags: 0, restartTime: 120, families: [] },
      ],
    ],
    ...overrides,
  };
}

function setup(config: Partial<SessionConfig> = {}) {
  const clock = new FakeClock();
  const connections: FakeConnection[] = [];
  const dials: number[] = [];
  const states: SessionState[] = [];
  const downs: DownReason[] = [];
  let established = 0;
  const session = new BgpSession(
    { name: 'peer1', localAsn: 64512, peerAsn: 65001, routerId: '10.0.0.1', holdTime: 90, ...config },
    clock,
    (events) => {
      dials.push(clock.now());
      const conn = new FakeConnection(events);
      connections.push(conn);
      return conn;
    },
    {
      stateChanged: (s) => states.push(s),
      down: (r) => downs.push(r),
      established: () => established++,
    },
  );
  const last = () => {
    const conn = connections.at(-1);
    assert.ok(conn, 'no connection dialled');
    return conn;
  };
  /** Plays a well-behaved peer up to Established on the latest connection. */
  const establish = (open = peerOpen()) => {
    const conn = last();
    conn.events.connected();
    conn.receive(open);
    conn.receive({ type: 'keepalive' });
    return conn;
  };
  return {
    clock,
    session,
    connections,
    dials,
    states,
    downs,
    last,
    establish,
    established: () => established,
  };
}

describe('BgpSession (RFC 4271 §8)', () => {
  test('active session: OPEN, KEEPALIVE exchange, Established with negotiated values', () => {
    const t = setup();
    t.session.start();
    assert.equal(t.session.state, 'connect');
    const conn = t.last();
    conn.events.connected();
    assert.equal(t.session.state, 'opensent');
    const ours = conn.sent[0];
    assert.ok(ours?.type === 'open');
    assert.equal(ours.myAs, 64512);
    assert.equal(ours.holdTime, 90);
    assert.equal(ours.bgpIdentifier, '10.0.0.1');
    assert.deepEqual(
      openCapabilities(ours).map((c) => c.kind),
      ['multiprotocol', 'multiprotocol', 'route-refresh', 'four-octet-as'],
    );
    conn.receive(peerOpen());
    assert.equal(t.session.state, 'openconfirm');
    assert.deepEqual(conn.types(), ['open', 'keepalive']);
    conn.receive({ type: 'keepalive' });
    assert.equal(t.session.state, 'established');
    assert.equal(t.established(), 1);
    assert.deepEqual(t.session.negotiated, {
      peerAsn: 65001,
      peerId: '192.0.2.1',
      holdTime: 30,
      keepaliveTime: 10,
      fourOctetAs: true,
      families: ['ipv4', 'ipv6'],
      routeRefresh: false,
      gracefulRestart: false,
      internal: false,
    });
    assert.deepEqual(t.states, ['connect', 'opensent', 'openconfirm', 'established']);
  });

  test('keepalives every hold/3 and the hold timer is restarted by each message', () => {
    const t = setup();
    t.session.start();
    const conn = t.establish();
    const before = conn.sent.length;
    t.clock.advance(9_999);
    assert.equal(conn.sent.length, before);
    t.clock.advance(1);
    assert.equal(conn.sent.length, before + 1);
    assert.equal(conn.sent.at(-1)?.type, 'keepalive');
    conn.receive({ type: 'keepalive' });
    for (let i = 0; i < 10; i++) {
      t.clock.advance(20_000);
      conn.receive({ type: 'keepalive' });
    }
    assert.equal(t.session.state, 'established');
  });

  test('hold timer expiry sends NOTIFICATION 4 and reconnects after 1 s', () => {
    const t = setup();
    t.session.start();
    const conn = t.establish();
    t.clock.advance(30_000);
    assert.equal(conn.types().at(-1), 'notification 4/0');
    assert.ok(conn.closed);
    assert.deepEqual(t.downs, [
      { kind: 'notification-sent', code: 4, subcode: 0, message: 'BGP error 4/0: no message for 30 s' },
    ]);
    assert.equal(t.session.state, 'active');
    t.clock.advance(1_000);
    assert.equal(t.connections.length, 2);
    t.establish();
    assert.equal(t.established(), 2);
  });

  test('hold time 0 on either side: no keepalives and no hold timer', () => {
    const t = setup({ holdTime: 0 });
    t.session.start();
    const conn = t.establish();
    const sent = conn.sent.length;
    t.clock.advance(3_600_000);
    assert.equal(conn.sent.length, sent);
    assert.equal(t.session.state, 'established');
    assert.equal(t.session.negotiated?.holdTime, 0);
  });

  test('a configured keepalive shorter than hold/3 is used', () => {
    const t = setup({ keepaliveTime: 3 });
    t.session.start();
    t.establish();
    assert.equal(t.session.negotiated?.keepaliveTime, 3);
  });

  test('connect retry delays double from 1 s and stop growing at the cap', () => {
    const t = setup({ connectRetry: { initialMs: 1000, maxMs: 8000 } });
    t.session.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const dialled = t.connections.length;
      const failedAt = t.clock.now();
      t.last().events.closed('connection refused');
      let waited = 0;
      while (t.connections.length === dialled && waited < 60_000) {
        t.clock.advance(100);
        waited += 100;
      }
      delays.push((t.dials.at(-1) ?? 0) - failedAt);
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000, 8000]);
  });

  test('a TCP connection that never completes is abandoned after connectTime', () => {
    const t = setup({ connectTime: 5 });
    t.session.start();
    t.clock.advance(5_000);
    assert.ok(t.connections[0]?.closed);
    t.clock.advance(1_000);
    assert.equal(t.connections.length, 2);
  });

  test('the backoff resets once a session is established', () => {
    const t = setup();
    t.session.start();
    t.last().events.closed('refused');
    t.clock.advance(1_000);
    t.last().events.closed('refused');
    t.clock.advance(2_000);
    t.establish().events.closed('peer reset');
    assert.equal(t.downs.at(-1)?.kind, 'connection-lost');
    const before = t.connections.length;
    t.clock.advance(1_000);
    assert.equal(t.connections.length, before + 1);
  });

  test('wrong peer AS is refused with OPEN error 2/2', () => {
    const t = setup();
    t.session.start();
    const conn = t.last();
    conn.events.connected();
    conn.receive(peerOpen({ myAs: 65002, parameters: [[{ kind: 'four-octet-as', asn: 65002 }]] }));
    assert.deepEqual(conn.types(), ['open', 'notification 2/2']);
    assert.ok(conn.closed);
  });

  test('dynamic ASN internal/external', () => {
    const internal = setup({ peerAsn: 'internal' });
    internal.session.start();
    internal.establish(peerOpen({ myAs: 64512, parameters: [[{ kind: 'four-octet-as', asn: 64512 }]] }));
    assert.equal(internal.session.negotiated?.internal, true);
    const external = setup({ peerAsn: 'external' });
    external.session.start();
    external.establish();
    assert.equal(external.session.negotiated?.internal, false);
  });

  test('iBGP peer with our own BGP identifier gets 2/3', () => {
    const t = setup({ peerAsn: 64512 });
    t.session.start();
    const conn = t.last();
    conn.events.connected();
    conn.receive(peerOpen({ myAs: 64512, bgpIdentifier: '10.0.0.1', parameters: [] }));
    assert.equal(conn.types().at(-1), 'notification 2/3');
  });

  test('an UPDATE before OPEN is an FSM error (RFC 6608 subcode 1)', () => {
    const t = setup();
    t.session.start();
    const conn = t.last();
    conn.events.connected();
    conn.receive({ type: 'update', withdrawn: [], attributes: [], nlri: [] });
    assert.equal(conn.types().at(-1), 'notification 5/1');
  });

  test('garbage from the peer is answered with the decoder NOTIFICATION', () => {
    const t = setup();
    t.session.start();
    const conn = t.establish();
    conn.events.data(new Uint8Array(19));
    assert.equal(conn.types().at(-1), 'notification 1/1');
    assert.equal(t.downs.at(-1)?.kind, 'notification-sent');
  });

  test('a NOTIFICATION from the peer closes the session and it retries', () => {
    const t = setup();
    t.session.start();
    const conn = t.establish();
    conn.receive({ type: 'notification', code: 6, subcode: 2, data: new Uint8Array(0) });
    assert.ok(conn.closed);
    assert.deepEqual(t.downs, [{ kind: 'notification-received', code: 6, subcode: 2 }]);
    t.clock.advance(1_000);
    assert.equal(t.connections.length, 2);
  });

  test('4-octet local ASN is sent as AS_TRANS plus the capability (RFC 6793 §4.1)', () => {
    const t = setup({ localAsn: 4_200_000_000 });
    t.session.start();
    const conn = t.last();
    conn.events.connected();
    const open = conn.sent[0];
    assert.ok(open?.type === 'open');
    assert.equal(open.myAs, AS_TRANS);
    assert.ok(openCapabilities(open).some((c) => c.kind === 'four-octet-as' && c.asn === 4_200_000_000));
  });

  test('graceful restart is negotiated only when both sides offer it', () => {
    const t = setup({ gracefulRestart: { restartTime: 120 } });
    t.session.start();
    const conn = t.establish();
    assert.ok(openCapabilities(conn.sent[0] as OpenMessage).some((c) => c.kind === 'graceful-restart'));
    assert.equal(t.session.negotiated?.gracefulRestart, true);
    const plain = setup({ gracefulRestart: { restartTime: 120 } });
    plain.session.start();
    plain.establish(peerOpen({ parameters: [] }));
    assert.equal(plain.session.negotiated?.gracefulRestart, false);
    // RFC 4760 §8: no multiprotocol capability means IPv4 unicast only.
    assert.deepEqual(plain.session.negotiated?.families, ['ipv4']);
    assert.equal(plain.session.negotiated?.fourOctetAs, false);
  });

  test('passive mode never dials and accepts the peer', () => {
    const t = setup({ passive: true });
    t.session.start();
    t.clock.advance(60_000);
    assert.equal(t.connections.length, 0);
    assert.equal(t.session.state, 'active');
    let conn: FakeConnection | undefined;
    t.session.accept((events) => (conn = new FakeConnection(events)));
    assert.ok(conn);
    conn.receive(peerOpen());
    conn.receive({ type: 'keepalive' });
    assert.equal(t.session.state, 'established');
  });

  test('connection collision: the connection opened by the higher BGP identifier survives (§6.8)', () => {
    // Our identifier 10.0.0.1 is lower than the peer's 192.0.2.1: our outgoing connection must close.
    const t = setup();
    t.session.start();
    const outgoing = t.last();
    outgoing.events.connected();
    outgoing.receive(peerOpen());
    let incoming: FakeConnection | undefined;
    t.session.accept((events) => (incoming = new FakeConnection(events)));
    assert.ok(incoming);
    incoming.receive(peerOpen());
    assert.ok(outgoing.closed);
    assert.equal(outgoing.types().at(-1), 'notification 6/7');
    assert.ok(!incoming.closed);
    incoming.receive({ type: 'keepalive' });
    assert.equal(t.session.state, 'established');
  });

  test('connection collision with a lower peer identifier keeps our connection', () => {
    const t = setup({ routerId: '198.51.100.1' });
    t.session.start();
    const outgoing = t.last();
    outgoing.events.connected();
    outgoing.receive(peerOpen());
    let incoming: FakeConnection | undefined;
    t.session.accept((events) => (incoming = new FakeConnection(events)));
    assert.ok(incoming);
    incoming.receive(peerOpen());
    assert.ok(incoming.closed);
    assert.ok(!outgoing.closed);
  });

  test('stop sends Cease/Administrative Shutdown and stays idle', () => {
    const t = setup();
    t.session.start();
    const conn = t.establish();
    t.session.stop();
    assert.equal(conn.types().at(-1), 'notification 6/2');
    assert.equal(t.session.state, 'idle');
    assert.deepEqual(t.downs, [{ kind: 'stopped' }]);
    t.clock.advance(600_000);
    assert.equal(t.connections.length, 1);
    assert.equal(t.clock.pending, 0);
  });

  test('send only works while established', () => {
    const t = setup();
    t.session.start();
    assert.equal(t.session.send({ type: 'keepalive' }), false);
    const conn = t.establish();
    assert.equal(
      t.session.send({ type: 'update', withdrawn: ['10.0.0.0/8'], attributes: [], nlri: [] }),
      true,
    );
    assert.equal(conn.sent.at(-1)?.type, 'update');
  });
});
