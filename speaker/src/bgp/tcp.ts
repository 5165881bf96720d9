// The socket edge of a BGP session: dials the peer (or accepts its connections) with node:net and feeds
// bytes to the state machine. Everything protocol-related lives in session.ts.

import net from 'node:net';
import type { Connection, ConnectionEvents, Dial } from './session.js';
import { preparedSocketFd, tcpMd5Status, SocketOptionUnavailableError } from './tcp-md5.js';

export interface TcpPeer {
  address: string;
  /** Defaults to 179. */
  port?: number;
  /** Source address for our connections (MetalLB sourceAddress). */
  localAddress?: string;
  /** TCP MD5 password (RFC 2385); needs the tcp-md5 addon. */
  password?: string;
  /** IP TTL of our packets, for eBGP multihop (MetalLB ebgpMultiHop); needs the tcp-md5 addon. */
  ttl?: number;
  /** Names the peer in errors; defaults to the address. */
  name?: string;
}

function wrap(socket: net.Socket, events: ConnectionEvents): Connection {
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) =>
    events.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)),
  );
  // 'close' always follows 'error'; report the error's text there.
  let lastError = 'connection closed by peer';
  socket.on('error', (error: Error) => {
    lastError = error.message;
  });
  socket.on('close', () => events.closed(lastError));
  return {
    write: (bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    },
    close: () => {
      // end() flushes a NOTIFICATION we just wrote; destroy soon after in case the peer never reads.
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  };
}

/**
 * Dials the peer over TCP. With a password or TTL the socket is prepared by the tcp-md5 addon; when that
 * cannot be loaded this throws SocketOptionUnavailableError at once, naming the peer, rather than failing
 * every connection attempt later.
 */
export function tcpDialer(peer: TcpPeer): Dial {
  const name = peer.name ?? peer.address;
  const needsAddon = peer.password !== undefined || peer.ttl !== undefined;
  if (needsAddon) {
    const status = tcpMd5Status();
    if (!status.available) {
      const option = peer.password !== undefined ? 'a TCP MD5 password (RFC 2385)' : `TTL ${peer.ttl}`;
      throw new SocketOptionUnavailableError(name, option, status.reason);
    }
  }
  return (events) => {
    const target = {
      host: peer.address,
      port: peer.port ?? 179,
      ...(peer.localAddress !== undefined ? { localAddress: peer.localAddress } : {}),
    };
    let socket: net.Socket;
    if (needsAddon) {
      const fd = preparedSocketFd({
        peer: name,
        address: peer.address,
        ...(peer.password !== undefined ? { password: peer.password } : {}),
        ...(peer.ttl !== undefined ? { ttl: peer.ttl } : {}),
      });
      socket = new net.Socket({ fd }).connect(target);
    } else {
      socket = net.connect(target);
    }
    socket.once('connect', () => events.connected());
    return wrap(socket, events);
  };
}

/** Hands an accepted socket to a session (for `BgpSession.accept`). */
export function acceptSocket(socket: net.Socket): (events: ConnectionEvents) => Connection {
  return (events) => wrap(socket, events);
}

/** Strips the IPv4-mapped prefix Node reports for IPv4 peers on dual-stack listeners. */
export function remoteAddressOf(socket: net.Socket): string {
  const address = socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
