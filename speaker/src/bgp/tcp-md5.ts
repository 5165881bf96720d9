// TCP MD5 signatures (RFC 2385) and the IP TTL for eBGP multihop: socket options node:net cannot set, applied
// by our small Node-API addon (speaker/native/tcp-md5) to a socket fd before node:net takes it over.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseIp } from './ip.js';

interface TcpMd5Addon {
  socket(family: 4 | 6): number;
  setMd5(fd: number, family: 4 | 6, peer: Uint8Array, key: Uint8Array): void;
  setTtl(fd: number, family: 4 | 6, ttl: number): void;
  bind(fd: number, family: 4 | 6, address: Uint8Array, port: number): void;
  close(fd: number): void;
}

/** Where node-gyp leaves the addon, relative to this file in dist/bgp/. */
export const addonPath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../native/tcp-md5/build/Release/tcp_md5.node',
);

let loaded: { addon: TcpMd5Addon } | { error: string } | undefined;

function load(): { addon: TcpMd5Addon } | { error: string } {
  if (loaded === undefined) {
    try {
      loaded = { addon: createRequire(import.meta.url)(addonPath) as TcpMd5Addon };
    } catch (error) {
      loaded = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  return loaded;
}

/** Whether passwords and TTLs can be set here; the reason when not. */
export function tcpMd5Status(): { available: true } | { available: false; reason: string } {
  const result = load();
  return 'addon' in result ? { available: true } : { available: false, reason: result.error };
}

/** Thrown when a peer needs a socket option and the addon is missing: names the peer and the fix. */
export class SocketOptionUnavailableError extends Error {
  constructor(peer: string, option: string, reason: string) {
    super(
      `BGP peer ${peer}: ${option} needs the tcp-md5 addon, which could not be loaded (${reason}); ` +
        `build it with \`npx node-gyp rebuild -C speaker/native/tcp-md5\``,
    );
    this.name = 'SocketOptionUnavailableError';
  }
}

export interface SocketOptions {
  /** Names the peer in errors. */
  peer: string;
  address: string;
  password?: string;
  ttl?: number;
}

/**
 * A TCP socket fd with the MD5 key for `address` and/or the TTL set, ready for `new net.Socket({ fd })`.
 * Throws SocketOptionUnavailableError when the addon is missing, and the system error when the kernel refuses.
 */
export function preparedSocketFd(options: SocketOptions): number {
  const result = load();
  if (!('addon' in result)) {
    const option = options.password !== undefined ? 'a TCP MD5 password (RFC 2385)' : `TTL ${options.ttl}`;
    throw new SocketOptionUnavailableError(options.peer, option, result.error);
  }
  const ip = parseIp(options.address);
  if (ip === undefined)
    throw new TypeError(`BGP peer ${options.peer}: ${options.address} is not an IP address`);
  const family = ip.family === 'ipv4' ? 4 : 6;
  const { addon } = result;
  const fd = addon.socket(family);
  try {
    if (options.password !== undefined) {
      addon.setMd5(fd, family, ip.bytes, new TextEncoder().encode(options.password));
    }
    if (options.ttl !== undefined) addon.setTtl(fd, family, options.ttl);
  } catch (error) {
    addon.close(fd);
    // The key never appears in the message: only the peer and the kernel's reason.
    throw new Error(
      `BGP peer ${options.peer}: setting socket options failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return fd;
}

/**
 * A bound TCP socket fd carrying an MD5 key per peer, for `server.listen({ fd })`: Linux applies the key of a
 * peer to the connections accepted from it (RFC 2385 §3: the key is per connection endpoint pair).
 */
export function listeningSocketFd(options: {
  host: string;
  port: number;
  passwords: ReadonlyMap<string, string>;
}): number {
  const result = load();
  const peers = [...options.passwords.keys()].join(', ');
  if (!('addon' in result)) {
    throw new SocketOptionUnavailableError(
      peers,
      'a TCP MD5 password (RFC 2385) on the listener',
      result.error,
    );
  }
  const local = parseIp(options.host);
  if (local === undefined) throw new TypeError(`BGP listener: ${options.host} is not an IP address`);
  const family = local.family === 'ipv4' ? 4 : 6;
  const { addon } = result;
  const fd = addon.socket(family);
  try {
    for (const [address, password] of options.passwords) {
      const peer = parseIp(address);
      if (peer === undefined || peer.family !== local.family) {
        throw new Error(
          `peer ${address} is not an ${local.family} address like the listener's ${options.host}`,
        );
      }
      addon.setMd5(fd, family, peer.bytes, new TextEncoder().encode(password));
    }
    addon.bind(fd, family, local.bytes, options.port);
  } catch (error) {
    addon.close(fd);
    throw new Error(
      `BGP listener on ${options.host}:${options.port} (peers ${peers}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return fd;
}
