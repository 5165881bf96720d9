/**
 * ICMPv6 Neighbor Solicitation and Neighbor Advertisement (RFC 4861 §4.3, §4.4) with their link-layer address
 * options (§4.6.1). The checksum field is written as zero here and filled in by `icmpv6Checksum`, which needs the
 * IPv6 pseudo-header (RFC 8200 §8.1); `ndpFrame` in frame.ts does both.
 */
import { L2CodecError, need } from './codec-error.js';
import { ipv6Bytes, readIpv6, readMac, writeIpv6, writeMac } from './link-address.js';
import { NEXT_HEADER_ICMPV6 } from './ipv6.js';

export const ICMPV6_NEIGHBOR_SOLICITATION = 135;
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
export const OPTION_SOURCE_LINK_LAYER_ADDRESS = 1;
export const OPTION_TARGET_LINK_LAYER_ADDRESS = 2;
/** Type, code, checksum, reserved/flags and the 16-byte target: RFC 4861 §7.1.1 "ICMP length ... is 24 or more". */
const FIXED_LENGTH = 24;

export type NdpOption =
  | { readonly type: 'source-link-layer-address'; readonly mac: string }
  | { readonly type: 'target-link-layer-address'; readonly mac: string }
  /** RFC 4861 §4.6: receivers silently ignore options they do not recognise; we keep them for round trips. */
  | { readonly type: 'unknown'; readonly code: number; readonly data: Uint8Array };

export interface NeighborSolicitation {
  readonly type: 'neighbor-solicitation';
  readonly target: string;
  readonly options: readonly NdpOption[];
}

export interface NeighborAdvertisement {
  readonly type: 'neighbor-advertisement';
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly target: string;
  readonly options: readonly NdpOption[];
}

export type NdpMessage = NeighborSolicitation | NeighborAdvertisement;

function optionLength(option: NdpOption): number {
  if (option.type === 'unknown') return Math.ceil((2 + option.data.length) / 8) * 8;
  return 8; // 2 bytes of type/length + a 6-byte MAC: exactly one 8-octet unit for Ethernet (RFC 2464 §6).
}

export const ndpMessage = {
  encodingLength(value: NdpMessage): number {
    return value.options.reduce((sum, option) => sum + optionLength(option), FIXED_LENGTH);
  },
  encode(value: NdpMessage, buf: Uint8Array, offset = 0): number {
    const length = ndpMessage.encodingLength(value);
    need(buf, offset, length, 'NDP message');
    buf.fill(0, offset, offset + length);
    buf[offset] =
      value.type === 'neighbor-solicitation' ? ICMPV6_NEIGHBOR_SOLICITATION : ICMPV6_NEIGHBOR_ADVERTISEMENT;
    if (value.type === 'neighbor-advertisement') {
      // RFC 4861 §4.4: R, S, O are the top three bits of the 32-bit word after the checksum.
      buf[offset + 4] =
        (value.router ? 0x80 : 0) | (value.solicited ? 0x40 : 0) | (value.override ? 0x20 : 0);
    }
    writeIpv6(value.target, buf, offset + 8);
    let at = offset + FIXED_LENGTH;
    for (const option of value.options) {
      const size = optionLength(option);
      if (option.type === 'unknown') {
        if (!Number.isInteger(option.code) || option.code < 0 || option.code > 255) {
          throw new L2CodecError('bad-option', `NDP option type ${option.code}`);
        }
        buf[at] = option.code;
        buf.set(option.data, at + 2);
      } else {
        buf[at] =
          option.type === 'source-link-layer-address'
            ? OPTION_SOURCE_LINK_LAYER_ADDRESS
            : OPTION_TARGET_LINK_LAYER_ADDRESS;
        writeMac(option.mac, buf, at + 2);
      }
      buf[at + 1] = size / 8;
      at += size;
    }
    return length;
  },
  /** Decodes `length` bytes of ICMPv6 (the IPv6 payload length); validates the RFC 4861 §7.1 message rules. */
  decode(buf: Uint8Array, offset = 0, length = buf.length - offset): { value: NdpMessage; bytes: number } {
    need(buf, offset, length, 'NDP message');
    if (length < FIXED_LENGTH)
      throw new L2CodecError('bad-length', `ICMPv6 length ${length} < ${FIXED_LENGTH}`);
    const type = buf[offset];
    if (type !== ICMPV6_NEIGHBOR_SOLICITATION && type !== ICMPV6_NEIGHBOR_ADVERTISEMENT) {
      throw new L2CodecError('unsupported-protocol', `ICMPv6 type ${type} is not NS/NA`);
    }
    // RFC 4861 §7.1.1/§7.1.2: ICMP Code is 0.
    if (buf[offset + 1] !== 0) throw new L2CodecError('bad-code', `ICMPv6 code ${buf[offset + 1]} in NS/NA`);
    const target = readIpv6(buf, offset + 8);
    if (ipv6Bytes(target)[0] === 0xff)
      throw new L2CodecError('bad-address', `NDP target ${target} is multicast`);
    const options: NdpOption[] = [];
    let at = offset + FIXED_LENGTH;
    const end = offset + length;
    while (at < end) {
      need(buf, at, 2, 'NDP option header');
      const code = buf[at] ?? 0;
      const units = buf[at + 1] ?? 0;
      // RFC 4861 §4.6: a zero length option makes the whole packet invalid.
      if (units === 0) throw new L2CodecError('bad-option', `NDP option ${code} has length 0`);
      if (at + units * 8 > end)
        throw new L2CodecError('bad-option', `NDP option ${code} runs past the message`);
      if (code === OPTION_SOURCE_LINK_LAYER_ADDRESS || code === OPTION_TARGET_LINK_LAYER_ADDRESS) {
        if (units !== 1)
          throw new L2CodecError('bad-option', `link-layer address option of ${units * 8} bytes on Ethernet`);
        const mac = readMac(buf, at + 2);
        options.push({
          type:
            code === OPTION_SOURCE_LINK_LAYER_ADDRESS
              ? 'source-link-layer-address'
              : 'target-link-layer-address',
          mac,
        });
      } else {
        options.push({ type: 'unknown', code, data: buf.slice(at + 2, at + units * 8) });
      }
      at += units * 8;
    }
    if (type === ICMPV6_NEIGHBOR_SOLICITATION) {
      return { value: { type: 'neighbor-solicitation', target, options }, bytes: length };
    }
    const flags = buf[offset + 4] ?? 0;
    return {
      value: {
        type: 'neighbor-advertisement',
        router: (flags & 0x80) !== 0,
        solicited: (flags & 0x40) !== 0,
        override: (flags & 0x20) !== 0,
        target,
        options,
      },
      bytes: length,
    };
  },
};

/** The one's-complement checksum of RFC 4443 §2.3 over the IPv6 pseudo-header (RFC 8200 §8.1) and the message. */
export function icmpv6Checksum(source: string, destination: string, message: Uint8Array): number {
  let sum = 0;
  const add = (bytes: Uint8Array): void => {
    for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  };
  add(ipv6Bytes(source));
  add(ipv6Bytes(destination));
  sum += (message.length >>> 16) + (message.length & 0xffff) + NEXT_HEADER_ICMPV6;
  add(message);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function linkLayerOption(
  options: readonly NdpOption[],
  type: 'source-link-layer-address' | 'target-link-layer-address',
): string | undefined {
  for (const option of options) if (option.type === type) return option.mac;
  return undefined;
}
