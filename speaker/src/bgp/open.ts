// OPEN message body (RFC 4271 §4.2) with the Capabilities optional parameter (RFC 5492 §4).

import { readU16, readU32, u16, writeU16 } from './bytes.js';
import {
  type Capability,
  capabilityEncodingLength,
  decodeCapability,
  encodeCapability,
  unsupportedParameter,
} from './capabilities.js';
import { ErrorCode, OpenSubcode, check } from './errors.js';
import { formatIpv4, parseIpv4 } from './ip.js';

/** RFC 6793 §9: the 2-octet AS placeholder for a 4-octet ASN. */
export const AS_TRANS = 23456;

const CAPABILITIES_PARAMETER = 2;

export interface OpenMessage {
  type: 'open';
  version: number;
  /** The 2-octet "My Autonomous System" field; AS_TRANS when the real ASN needs 4 octets. */
  myAs: number;
  holdTime: number;
  bgpIdentifier: string;
  /** One entry per Capabilities optional parameter, each with its capabilities (kept grouped as sent). */
  parameters: Capability[][];
}

export function openCapabilities(open: OpenMessage): Capability[] {
  return open.parameters.flat();
}

function parameterLength(caps: readonly Capability[]): number {
  let total = 0;
  for (const c of caps) total += capabilityEncodingLength(c);
  return total;
}

export function openEncodingLength(open: OpenMessage): number {
  let total = 10;
  for (const p of open.parameters) total += 2 + parameterLength(p);
  return total;
}

export function encodeOpen(open: OpenMessage, buf: Uint8Array, offset: number): number {
  const id = parseIpv4(open.bgpIdentifier);
  if (id === undefined) throw new TypeError(`BGP identifier is not an IPv4 address: ${open.bgpIdentifier}`);
  buf[offset] = open.version;
  writeU16(buf, offset + 1, open.myAs);
  writeU16(buf, offset + 3, open.holdTime);
  buf.set(id, offset + 5);
  let at = offset + 10;
  for (const caps of open.parameters) {
    buf[at] = CAPABILITIES_PARAMETER;
    buf[at + 1] = parameterLength(caps);
    at += 2;
    for (const c of caps) at += encodeCapability(c, buf, at);
  }
  buf[offset + 9] = at - offset - 10;
  return at - offset;
}

/** Decodes an OPEN body in buf[offset, end), applying the checks RFC 4271 §6.2 puts on the message itself. */
export function decodeOpen(
  buf: Uint8Array,
  offset: number,
  end: number,
): { value: OpenMessage; bytes: number } {
  check(end - offset >= 10, ErrorCode.MessageHeader, 2, 'OPEN shorter than 29 octets', () =>
    u16(end - offset + 19),
  );
  const version = buf[offset] ?? 0;
  // RFC 4271 §6.2: the data is the largest supported version.
  check(
    version === 4,
    ErrorCode.OpenMessage,
    OpenSubcode.UnsupportedVersionNumber,
    `version ${version}`,
    () => u16(4),
  );
  const myAs = readU16(buf, offset + 1);
  const holdTime = readU16(buf, offset + 3);
  // RFC 4271 §4.2: the hold time is zero or at least three seconds.
  check(
    holdTime === 0 || holdTime >= 3,
    ErrorCode.OpenMessage,
    OpenSubcode.UnacceptableHoldTime,
    `hold time ${holdTime}`,
  );
  // RFC 6286 §2.2: any non-zero 4-octet value is a valid identifier.
  check(
    readU32(buf, offset + 5) !== 0,
    ErrorCode.OpenMessage,
    OpenSubcode.BadBgpIdentifier,
    'BGP identifier 0',
  );
  const bgpIdentifier = formatIpv4(buf, offset + 5);
  const parametersLength = buf[offset + 9] ?? 0;
  const parametersEnd = offset + 10 + parametersLength;
  // A parameter length that disagrees with the message length is a bad message length (RFC 4271 §6.1 spirit;
  // FRR and BIRD answer the same way).
  check(
    parametersEnd === end,
    ErrorCode.MessageHeader,
    2,
    'OPEN parameter length disagrees with message',
    () => u16(end - offset + 19),
  );
  const parameters: Capability[][] = [];
  let at = offset + 10;
  while (at < parametersEnd) {
    check(at + 2 <= parametersEnd, ErrorCode.OpenMessage, 0, 'truncated optional parameter');
    const type = buf[at] ?? 0;
    const length = buf[at + 1] ?? 0;
    const valueEnd = at + 2 + length;
    check(valueEnd <= parametersEnd, ErrorCode.OpenMessage, 0, 'optional parameter overruns the OPEN');
    if (type !== CAPABILITIES_PARAMETER) throw unsupportedParameter(type);
    const caps: Capability[] = [];
    let p = at + 2;
    while (p < valueEnd) {
      const { value, bytes } = decodeCapability(buf, p, valueEnd);
      caps.push(value);
      p += bytes;
    }
    parameters.push(caps);
    at = valueEnd;
  }
  return { value: { type: 'open', version, myAs, holdTime, bgpIdentifier, parameters }, bytes: end - offset };
}
