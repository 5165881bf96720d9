// A speaker process for lab tests: runs inside a node's network namespace (started by lab-speaker), peers as
// the control file says, re-reads it on SIGHUP, and writes its sessions' states to `<file>.status`.
// Usage: node lab-runner.test-support.js CONTROL.json

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Route } from './announcer.js';
import { systemClock } from './clock.js';
import { BgpPeer } from './peer.js';
import type { SessionConfig, SessionState } from './session.js';
import { BgpListener } from './listener.js';
import { tcpDialer } from './tcp.js';

export interface RunnerPeer extends SessionConfig {
  address: string;
  port?: number;
  localAddress?: string;
  password?: string;
  ttl?: number;
  routes: Route[];
  /** Also announce `count` consecutive /32s from `first` via `nextHop` (bulk benchmarks: no 6 MB JSON). */
  generate?: { first: string; count: number; nextHop: string };
}

function generated(spec: NonNullable<RunnerPeer['generate']>): Route[] {
  const [a = 0, b = 0, c = 0, d = 0] = spec.first.split('.').map(Number);
  const base = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  return Array.from({ length: spec.count }, (_, i) => {
    const n = (base + i) >>> 0;
    return {
      prefix: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/32`,
      nextHop: spec.nextHop,
    };
  });
}

export interface RunnerControl {
  peers: RunnerPeer[];
  /** Listen for passive peers on this port (all addresses). */
  listenPort?: number;
}

export interface RunnerStatus {
  pid: number;
  generation: number;
  peers: Record<string, { state: SessionState; announced: number; pending: number; problems: string[] }>;
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: lab-runner CONTROL.json');
const read = () => JSON.parse(readFileSync(file, 'utf8')) as RunnerControl;

const peers = new Map<string, BgpPeer>();
const problems = new Map<string, string[]>();
let generation = 0;

function writeStatus(): void {
  const status: RunnerStatus = { pid: process.pid, generation, peers: {} };
  for (const [name, peer] of peers) {
    status.peers[name] = {
      state: peer.session.state,
      announced: peer.announcedCount,
      pending: peer.pendingCount,
      problems: problems.get(name) ?? [],
    };
  }
  writeFileSync(`${file}.status.tmp`, JSON.stringify(status));
  renameSync(`${file}.status.tmp`, `${file}.status`);
}

let listener: BgpListener | undefined;

function apply(control: RunnerControl): void {
  generation++;
  if (control.listenPort !== undefined && listener === undefined) {
    // Passwords of passive peers go on the listening socket (RFC 2385 keys are per peer address).
    const passwords = new Map(
      control.peers
        .filter((p) => p.passive === true && p.password !== undefined)
        .map((p) => [p.address, p.password ?? '']),
    );
    listener = new BgpListener({ port: control.listenPort, host: '0.0.0.0', passwords });
    listener.listen().catch((error: unknown) => {
      console.log(`listener: ${String(error)}`);
      process.exit(1);
    });
  }
  for (const spec of control.peers) {
    let peer = peers.get(spec.name);
    if (peer === undefined) {
      peer = new BgpPeer(
        spec,
        systemClock,
        spec.passive === true
          ? undefined
          : tcpDialer({
              address: spec.address,
              ...(spec.port !== undefined ? { port: spec.port } : {}),
              ...(spec.localAddress !== undefined ? { localAddress: spec.localAddress } : {}),
              ...(spec.password !== undefined ? { password: spec.password } : {}),
              ...(spec.ttl !== undefined ? { ttl: spec.ttl } : {}),
            }),
        {
          stateChanged: (state, previous) => {
            console.log(`${new Date().toISOString()} ${spec.name}: ${previous} -> ${state}`);
            writeStatus();
          },
          connectionClosed: (reason) =>
            console.log(
              `${new Date().toISOString()} ${spec.name}: connection closed ${JSON.stringify(reason)}`,
            ),
          down: (reason) =>
            console.log(`${new Date().toISOString()} ${spec.name}: down ${JSON.stringify(reason)}`),
          announced: (counts) => {
            console.log(`${new Date().toISOString()} ${spec.name}: sent ${JSON.stringify(counts)}`);
            writeStatus();
          },
        },
      );
      peers.set(spec.name, peer);
      listener?.add(spec.address, peer.session);
      peer.start();
    }
    problems.set(
      spec.name,
      peer
        .setRoutes(spec.generate === undefined ? spec.routes : [...spec.routes, ...generated(spec.generate)])
        .map((p) => `${p.prefix}: ${p.reason}`),
    );
  }
  for (const [name, peer] of peers) {
    if (!control.peers.some((p) => p.name === name)) {
      peer.stop();
      peers.delete(name);
    }
  }
  writeStatus();
}

process.on('SIGHUP', () => apply(read()));
process.on('SIGTERM', () => {
  for (const peer of peers.values()) peer.stop();
  // Let the Cease NOTIFICATIONs go out.
  setTimeout(() => process.exit(0), 200);
});
// The session's timers are unref'd; this keeps the process alive between connection attempts.
setInterval(() => {}, 60_000);
apply(read());
