// BGP capabilities carried in the OPEN message's Capabilities optional parameter (RFC 5492 §4).

import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { BgpError, ErrorCode, OpenSubcode } from './errors.js';

export const Afi = { Ipv4: 1, Ipv6: 2 } as const;
export const Safi = { Unicast: 1 } as const;

export const CapabilityCode = {
  Multiprotocol: 1,
  RouteRefresh: 2,
  GracefulRestart: 64,
  FourOctetAs: 65,
} as const;

export interface GracefulRestartFamily {
  afi: number;
  safi: number;
  /** F bit: forwarding state was preserved across the restart (RFC 4724 §3). */
  forwardingState: boolean;
}

export type Capability =
  /** RFC 4760 §8. */
  | { kind: 'multiprotocol'; afi: number; safi: number }
  /** RFC 2918 §2. */
  | { kind: 'route-refresh' }
  /** RFC 6793 §3. */
  | { kind: 'four-octet-as'; asn: number }
  /**
   * RFC 4724 §3. `flags` are the 4 high bits of the first octet (0x8 = R, restart state; 0x4 = N, RFC 8538).
   */
  | { kind: 'graceful-restart'; flags: number; restartTime: number; families: GracefulRestartFamily[] }
  /** Anything else is kept as sent, so it can be logged and re-encoded. */
  | { kind: 'unknown'; code: number; value: Uint8Array };

export function capabilityEncodingLength(cap: Capability): number {
  switch (cap.kind) {
    case 'multiprotocol':
      return 2 + 4;
    case 'route-refresh':
      return 2;
    case 'four-octet-as':
      return 2 + 4;
    case 'graceful-restart':
      return 2 + 2 + 4 * cap.families.length;
    case 'unknown':
      return 2 + cap.value.length;
  }
}

export function encodeCapability(cap: Capability, buf: Uint8Array, offset: number): number {
  const length = capabilityEncodingLength(cap);
  buf[offset + 1] = length - 2;
  const at = offset + 2;
  switch (cap.kind) {
    case 'multiprotocol':
      buf[offset] = CapabilityCode.Multiprotocol;
      writeU16(buf, at, cap.afi);
      buf[at + 2] = 0; // reserved
      buf[at + 3] = cap.safi;
      break;
    case 'route-refresh':
      buf[offset] = CapabilityCode.RouteRefresh;
      break;
    case 'four-octet-as':
      buf[offset] = CapabilityCode.FourOctetAs;
      writeU32(buf, at, cap.asn);
      break;
    case 'graceful-restart':
      buf[offset] = CapabilityCode.GracefulRestart;
      writeU16(buf, at, ((cap.flags & 0xf) << 12) | (cap.restartTime & 0xfff));
      cap.families.forEach((f, i) => {
        writeU16(buf, at + 2 + 4 * i, f.afi);
        buf[at + 4 + 4 * i] = f.safi;
        buf[at + 5 + 4 * i] = f.forwardingState ? 0x80 : 0;
      });
      break;
    case 'unknown':
      buf[offset] = cap.code;
      buf.set(cap.value, at);
      break;
  }
  return length;
}

function malformed(what: string): BgpError {
  // RFC 5492 names no subcode for a malformed capability; Unsupported Capability (7) would tell the peer to
  // retry without it, so like FRR we send OPEN error with subcode 0 (unspecific).
  return new BgpError(ErrorCode.OpenMessage, 0, `malformed ${what} capability`);
}

/** Decodes one capability TLV at offset (bounded by end). */
export function decodeCapability(
  buf: Uint8Array,
  offset: number,
  end: number,
): { value: Capability; bytes: number } {
  if (offset + 2 > end) throw malformed('truncated');
  const code = buf[offset] ?? 0;
  const length = buf[offset + 1] ?? 0;
  const at = offset + 2;
  if (at + length > end) throw malformed('overlong');
  const bytes = 2 + length;
  switch (code) {
    case CapabilityCode.Multiprotocol:
      if (length !== 4) throw malformed('multiprotocol');
      return { value: { kind: 'multiprotocol', afi: readU16(buf, at), safi: buf[at + 3] ?? 0 }, bytes };
    case CapabilityCode.RouteRefresh:
      if (length !== 0) throw malformed('route refresh');
      return { value: { kind: 'route-refresh' }, bytes };
    case CapabilityCode.FourOctetAs:
      if (length !== 4) throw malformed('4-octet AS');
      return { value: { kind: 'four-octet-as', asn: readU32(buf, at) }, bytes };
    case CapabilityCode.GracefulRestart: {
      if (length < 2 || (length - 2) % 4 !== 0) throw malformed('graceful restart');
      const head = readU16(buf, at);
      const families: GracefulRestartFamily[] = [];
      for (let p = at + 2; p < at + length; p += 4) {
        families.push({
          afi: readU16(buf, p),
          safi: buf[p + 2] ?? 0,
          forwardingState: ((buf[p + 3] ?? 0) & 0x80) !== 0,
        });
      }
      return {
        value: { kind: 'graceful-restart', flags: head >>> 12, restartTime: head & 0xfff, families },
        bytes,
      };
    }
    default:
      return { value: { kind: 'unknown', code, value: buf.slice(at, at + length) }, bytes };
  }
}

/** Raises the RFC 4271 §6.2 OPEN error for an optional parameter other than Capabilities. */
export function unsupportedParameter(type: number): BgpError {
  return new BgpError(
    ErrorCode.OpenMessage,
    OpenSubcode.UnsupportedOptionalParameter,
    `unsupported optional parameter ${type}`,
  );
}
