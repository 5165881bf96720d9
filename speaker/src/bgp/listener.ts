// Accepts BGP connections from configured peers (RFC 4271 §8: a speaker listens on port 179) and hands each
// to that peer's session; connections from anyone else are closed at once.

import net from 'node:net';
import type { BgpSession } from './session.js';
import { acceptSocket, remoteAddressOf } from './tcp.js';
import { listeningSocketFd } from './tcp-md5.js';

export interface ListenerOptions {
  /** Default 179. */
  port?: number;
  /** Default all addresses. */
  host?: string;
  /**
   * TCP MD5 passwords by peer address (RFC 2385), set on the listening socket by the tcp-md5 addon; needs
   * `host` (an address of the same family as the peers).
   */
  passwords?: ReadonlyMap<string, string>;
}

export class BgpListener {
  private readonly sessions = new Map<string, BgpSession>();
  private readonly server: net.Server;
  /** Connections refused because no session is configured for their source address. */
  rejected = 0;

  constructor(private readonly options: ListenerOptions = {}) {
    this.server = net.createServer((socket) => {
      const session = this.sessions.get(remoteAddressOf(socket));
      if (session === undefined) {
        this.rejected++;
        socket.destroy();
        return;
      }
      session.accept(acceptSocket(socket));
    });
  }

  /** Routes connections from `address` to `session`. */
  add(address: string, session: BgpSession): void {
    this.sessions.set(address, session);
  }

  remove(address: string): void {
    this.sessions.delete(address);
  }

  /** Starts listening; rejects with the system error (EADDRINUSE, EACCES) naming the port. */
  listen(): Promise<void> {
    const port = this.options.port ?? 179;
    const passwords = this.options.passwords;
    return new Promise((resolve, reject) => {
      // A handle `{ fd }` makes node:net adopt our prepared, bound socket and listen on it.
      let target: net.ListenOptions | { fd: number };
      if (passwords !== undefined && passwords.size > 0) {
        try {
          target = { fd: listeningSocketFd({ host: this.options.host ?? '0.0.0.0', port, passwords }) };
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
      } else {
        target = { port, ...(this.options.host !== undefined ? { host: this.options.host } : {}) };
      }
      const failed = (error: Error) => reject(new Error(`BGP listener on port ${port}: ${error.message}`));
      this.server.once('error', failed);
      this.server.listen(target, () => {
        this.server.off('error', failed);
        resolve();
      });
    });
  }

  get port(): number | undefined {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
