/**
 * The one error type every layer 2 decoder throws, so a receive loop can drop a malformed frame with a single
 * `instanceof` check while anything else (a bug) still surfaces.
 */
export type L2CodecErrorCode =
  | 'truncated'
  | 'unsupported-hardware'
  | 'unsupported-protocol'
  | 'bad-operation'
  | 'bad-version'
  | 'bad-length'
  | 'bad-checksum'
  | 'bad-hop-limit'
  | 'bad-code'
  | 'bad-option'
  | 'bad-address'
  | 'bad-value';

export class L2CodecError extends Error {
  override readonly name = 'L2CodecError';
  constructor(
    readonly code: L2CodecErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Throws `truncated` unless `length` bytes are readable at `offset` (bounds check before every read). */
export function need(buf: Uint8Array, offset: number, length: number, what: string): void {
  if (offset < 0 || offset + length > buf.length) {
    throw new L2CodecError(
      'truncated',
      `${what}: need ${length} bytes at offset ${offset}, have ${Math.max(0, buf.length - offset)}`,
    );
  }
}
