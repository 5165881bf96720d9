/**
 * UDP transport for the SWIM membership, every datagram sealed with AES-256-GCM (NIST SP 800-38D): a random
 * 96-bit nonce per message, the version byte as associated data. A datagram that fails authentication is
 * dropped and counted, never parsed. The key comes from the `memberlist` Secret; it is never logged.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { Membership } from './membership.js';
import {
  type MemberState,
  type MembershipEffect,
  type MemberUpdate,
  type SwimMessage,
} from './membership.js';

const VERSION = 1;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

/**
 * A 32-byte AES key from the Secret's bytes. MetalLB's `secretkey` is 128 random bytes (base64), so anything
 * that is not already 32 bytes is hashed with SHA-256 under a domain label: deterministic on every speaker.
 */
export function memberlistKey(secret: Uint8Array): Buffer {
  if (secret.length === 0)
    throw new Error('memberlist key is empty: set the secretkey of the memberlist Secret');
  if (secret.length === 32) return Buffer.from(secret);
  return createHash('sha256').update('lbops memberlist v1\0').update(secret).digest();
}

export function sealMessage(key: Buffer, message: SwimMessage): Buffer {
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from([VERSION]));
  const body = Buffer.concat([cipher.update(JSON.stringify(message), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
}

const STATES: ReadonlySet<string> = new Set<MemberState>(['alive', 'suspect', 'dead']);
const KINDS: ReadonlySet<string> = new Set(['ping', 'ping-req', 'ack', 'gossip']);

function isUpdate(value: unknown): value is MemberUpdate {
  if (typeof value !== 'object' || value === null) return false;
  const u = value as Record<string, unknown>;
  return (
    typeof u['name'] === 'string' &&
    typeof u['address'] === 'string' &&
    typeof u['state'] === 'string' &&
    STATES.has(u['state']) &&
    Number.isSafeInteger(u['incarnation'])
  );
}

/** Opens a datagram; undefined when it is not authentic (wrong key, tampered, truncated) or not a message. */
export function openMessage(key: Buffer, datagram: Buffer): SwimMessage | undefined {
  if (datagram.length < 1 + NONCE_LENGTH + TAG_LENGTH || datagram[0] !== VERSION) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, datagram.subarray(1, 1 + NONCE_LENGTH), {
      authTagLength: TAG_LENGTH,
    });
    decipher.setAAD(datagram.subarray(0, 1));
    decipher.setAuthTag(datagram.subarray(datagram.length - TAG_LENGTH));
    const plain = Buffer.concat([
      decipher.update(datagram.subarray(1 + NONCE_LENGTH, datagram.length - TAG_LENGTH)),
      decipher.final(),
    ]);
    const value: unknown = JSON.parse(plain.toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const m = value as Record<string, unknown>;
    if (
      typeof m['kind'] !== 'string' ||
      !KINDS.has(m['kind']) ||
      !Number.isSafeInteger(m['seq']) ||
      typeof m['from'] !== 'string'
    )
      return undefined;
    if (!Array.isArray(m['updates']) || !m['updates'].every(isUpdate)) return undefined;
    if (m['kind'] === 'ping-req' && typeof m['target'] !== 'string') return undefined;
    return value as SwimMessage;
  } catch {
    return undefined;
  }
}

export function parseHostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`membership address "${address}" is not host:port`);
  }
  return { host, port };
}

export interface UdpMembershipOptions {
  readonly membership: Membership;
  /** host:port to bind, also the address other members use for us. */
  readonly bind: string;
  readonly key: Uint8Array;
  readonly clock?: () => number;
  readonly onEffect?: (effect: Exclude<MembershipEffect, { type: 'send' }>) => void;
  readonly onRejected?: () => void;
}

export class UdpMembership {
  private readonly socket: Socket;
  private readonly key: Buffer;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: UdpMembershipOptions) {
    this.key = memberlistKey(options.key);
    this.clock = options.clock ?? (() => performance.timeOrigin + performance.now());
    const { host } = parseHostPort(options.bind);
    this.socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    this.socket.on('message', (datagram) => {
      const message = openMessage(this.key, datagram);
      if (message === undefined) {
        options.onRejected?.();
        return;
      }
      this.apply(options.membership.receive(this.clock(), message));
    });
    this.socket.on('error', () => undefined);
  }

  async start(): Promise<void> {
    const { host, port } = parseHostPort(this.options.bind);
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(port, host, () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
    this.apply(this.options.membership.tick(this.clock()));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket.close();
  }

  private apply(effects: readonly MembershipEffect[]): void {
    if (this.stopped) return;
    for (const effect of effects) {
      if (effect.type !== 'send') {
        this.options.onEffect?.(effect);
        continue;
      }
      const { host, port } = parseHostPort(effect.to);
      this.socket.send(sealMessage(this.key, effect.message), port, host, () => undefined);
    }
    clearTimeout(this.timer);
    const delay = Math.max(0, this.options.membership.nextDeadline() - this.clock());
    this.timer = setTimeout(() => this.apply(this.options.membership.tick(this.clock())), delay);
  }
}
