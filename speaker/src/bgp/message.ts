// BGP messages with their 19-octet header (RFC 4271 §4.1): OPEN, UPDATE, NOTIFICATION, KEEPALIVE and
// ROUTE-REFRESH (RFC 2918 §3).

import type { AttributeContext } from './attributes.js';
import { readU16, u16, writeU16 } from './bytes.js';
import { ErrorCode, HeaderSubcode, check } from './errors.js';
import { type OpenMessage, decodeOpen, encodeOpen, openEncodingLength } from './open.js';
import { type UpdateMessage, decodeUpdate, encodeUpdate, updateEncodingLength } from './update.js';

export const HEADER_LENGTH = 19;
/** RFC 4271 §4.1; RFC 8654 (extended messages) is not negotiated. */
export const MAX_MESSAGE_LENGTH = 4096;

export const MessageType = { Open: 1, Update: 2, Notification: 3, Keepalive: 4, RouteRefresh: 5 } as const;

export interface NotificationMessage {
  type: 'notification';
  code: number;
  subcode: number;
  data: Uint8Array;
}

export interface KeepaliveMessage {
  type: 'keepalive';
}

export interface RouteRefreshMessage {
  type: 'route-refresh';
  afi: number;
  /** RFC 2918 §3 reserved octet; RFC 7313 uses it as a subtype. */
  subtype: number;
  safi: number;
}

export type BgpMessage =
  OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

const typeCode: Record<BgpMessage['type'], number> = {
  open: MessageType.Open,
  update: MessageType.Update,
  notification: MessageType.Notification,
  keepalive: MessageType.Keepalive,
  'route-refresh': MessageType.RouteRefresh,
};

/** Decoding and encoding depend on what the session negotiated. */
export type MessageContext = AttributeContext;

function bodyLength(message: BgpMessage, ctx: MessageContext): number {
  switch (message.type) {
    case 'open':
      return openEncodingLength(message);
    case 'update':
      return updateEncodingLength(message, ctx);
    case 'notification':
      return 2 + message.data.length;
    case 'keepalive':
      return 0;
    case 'route-refresh':
      return 4;
  }
}

export function messageEncodingLength(message: BgpMessage, ctx: MessageContext): number {
  return HEADER_LENGTH + bodyLength(message, ctx);
}

export function encodeMessage(
  message: BgpMessage,
  ctx: MessageContext,
  buf: Uint8Array,
  offset: number,
): number {
  const length = messageEncodingLength(message, ctx);
  if (length > MAX_MESSAGE_LENGTH) {
    throw new RangeError(`${message.type} message of ${length} octets exceeds ${MAX_MESSAGE_LENGTH}`);
  }
  buf.fill(0xff, offset, offset + 16);
  writeU16(buf, offset + 16, length);
  buf[offset + 18] = typeCode[message.type];
  const at = offset + HEADER_LENGTH;
  switch (message.type) {
    case 'open':
      encodeOpen(message, buf, at);
      break;
    case 'update':
      encodeUpdate(message, ctx, buf, at);
      break;
    case 'notification':
      buf[at] = message.code;
      buf[at + 1] = message.subcode;
      buf.set(message.data, at + 2);
      break;
    case 'keepalive':
      break;
    case 'route-refresh':
      writeU16(buf, at, message.afi);
      buf[at + 2] = message.subtype;
      buf[at + 3] = message.safi;
      break;
  }
  return length;
}

/** Allocates and encodes one message. */
export function serializeMessage(message: BgpMessage, ctx: MessageContext): Uint8Array {
  const out = new Uint8Array(messageEncodingLength(message, ctx));
  encodeMessage(message, ctx, out, 0);
  return out;
}

/**
 * Checks the header at offset (at least 19 octets must be present) and returns the message length.
 * RFC 4271 §6.1: marker all ones, 19 <= length <= 4096, known type.
 */
export function checkHeader(buf: Uint8Array, offset: number): { length: number; type: number } {
  for (let i = 0; i < 16; i++) {
    check(
      buf[offset + i] === 0xff,
      ErrorCode.MessageHeader,
      HeaderSubcode.ConnectionNotSynchronized,
      'marker is not all ones',
    );
  }
  const length = readU16(buf, offset + 16);
  const type = buf[offset + 18] ?? 0;
  const badLength = () => u16(length);
  check(
    length >= HEADER_LENGTH && length <= MAX_MESSAGE_LENGTH,
    ErrorCode.MessageHeader,
    HeaderSubcode.BadMessageLength,
    `length ${length}`,
    badLength,
  );
  check(type >= 1 && type <= 5, ErrorCode.MessageHeader, HeaderSubcode.BadMessageType, `type ${type}`, () =>
    Uint8Array.of(type),
  );
  // RFC 4271 §6.1: per-type minimum (and for KEEPALIVE exact) lengths; RFC 2918 §3 for ROUTE-REFRESH.
  const fits =
    type === MessageType.Open
      ? length >= 29
      : type === MessageType.Update
        ? length >= 23
        : type === MessageType.Notification
          ? length >= 21
          : type === MessageType.Keepalive
            ? length === 19
            : length === 23;
  check(
    fits,
    ErrorCode.MessageHeader,
    HeaderSubcode.BadMessageLength,
    `length ${length} for type ${type}`,
    badLength,
  );
  return { length, type };
}

/** Decodes one complete message at offset; throws BgpError with the NOTIFICATION to send. */
export function decodeMessage(
  buf: Uint8Array,
  offset: number,
  ctx: MessageContext,
): { value: BgpMessage; bytes: number } {
  check(
    buf.length - offset >= HEADER_LENGTH,
    ErrorCode.MessageHeader,
    HeaderSubcode.BadMessageLength,
    'truncated header',
    () => u16(buf.length - offset),
  );
  const { length, type } = checkHeader(buf, offset);
  check(
    buf.length - offset >= length,
    ErrorCode.MessageHeader,
    HeaderSubcode.BadMessageLength,
    'message shorter than its length field',
    () => u16(length),
  );
  const at = offset + HEADER_LENGTH;
  const end = offset + length;
  switch (type) {
    case MessageType.Open:
      return { value: decodeOpen(buf, at, end).value, bytes: length };
    case MessageType.Update:
      return { value: decodeUpdate(buf, at, end, ctx).value, bytes: length };
    case MessageType.Notification:
      return {
        value: {
          type: 'notification',
          code: buf[at] ?? 0,
          subcode: buf[at + 1] ?? 0,
          data: buf.slice(at + 2, end),
        },
        bytes: length,
      };
    case MessageType.Keepalive:
      return { value: { type: 'keepalive' }, bytes: length };
    default:
      return {
        value: {
          type: 'route-refresh',
          afi: readU16(buf, at),
          subtype: buf[at + 2] ?? 0,
          safi: buf[at + 3] ?? 0,
        },
        bytes: length,
      };
  }
}

/**
 * Splits a TCP byte stream into whole messages. The header is checked as soon as it arrives so a bad length
 * is answered at once instead of waiting for bytes that never come.
 */
export class MessageFramer {
  private pending: Uint8Array = new Uint8Array(0);

  /** Appends a chunk and returns the complete messages (each a copy-free view) it finished. */
  push(chunk: Uint8Array): Uint8Array[] {
    let buf: Uint8Array;
    if (this.pending.length === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending, 0);
      buf.set(chunk, this.pending.length);
    }
    const out: Uint8Array[] = [];
    let at = 0;
    while (buf.length - at >= HEADER_LENGTH) {
      const { length } = checkHeader(buf, at);
      if (buf.length - at < length) break;
      out.push(buf.subarray(at, at + length));
      at += length;
    }
    this.pending = at === buf.length ? new Uint8Array(0) : buf.slice(at);
    return out;
  }

  get buffered(): number {
    return this.pending.length;
  }
}
