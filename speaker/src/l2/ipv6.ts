/** The fixed IPv6 header (RFC 8200 §3). Extension headers are not decoded: NDP messages never carry them. */
import { L2CodecError, need } from './codec-error.js';
import { readIpv6, writeIpv6 } from './link-address.js';

export const IPV6_HEADER_LENGTH = 40;
export const NEXT_HEADER_ICMPV6 = 58;

export interface Ipv6Header {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly source: string;
  readonly destination: string;
}

function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new L2CodecError('bad-value', `IPv6 ${name} ${value} is not in 0..${max}`);
  }
}

export const ipv6Header = {
  encodingLength(_value: Ipv6Header): number {
    return IPV6_HEADER_LENGTH;
  },
  encode(value: Ipv6Header, buf: Uint8Array, offset = 0): number {
    need(buf, offset, IPV6_HEADER_LENGTH, 'IPv6 header');
    checkRange('traffic class', value.trafficClass, 0xff);
    checkRange('flow label', value.flowLabel, 0xfffff);
    checkRange('payload length', value.payloadLength, 0xffff);
    checkRange('next header', value.nextHeader, 0xff);
    checkRange('hop limit', value.hopLimit, 0xff);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    view.setUint32(offset, ((6 << 28) | (value.trafficClass << 20) | value.flowLabel) >>> 0);
    view.setUint16(offset + 4, value.payloadLength);
    buf[offset + 6] = value.nextHeader;
    buf[offset + 7] = value.hopLimit;
    writeIpv6(value.source, buf, offset + 8);
    writeIpv6(value.destination, buf, offset + 24);
    return IPV6_HEADER_LENGTH;
  },
  decode(buf: Uint8Array, offset = 0): { value: Ipv6Header; bytes: number } {
    need(buf, offset, IPV6_HEADER_LENGTH, 'IPv6 header');
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const first = view.getUint32(offset);
    if (first >>> 28 !== 6)
      throw new L2CodecError('bad-version', `IP version ${first >>> 28} in an IPv6 frame`);
    return {
      value: {
        trafficClass: (first >>> 20) & 0xff,
        flowLabel: first & 0xfffff,
        payloadLength: view.getUint16(offset + 4),
        nextHeader: buf[offset + 6] ?? 0,
        hopLimit: buf[offset + 7] ?? 0,
        source: readIpv6(buf, offset + 8),
        destination: readIpv6(buf, offset + 24),
      },
      bytes: IPV6_HEADER_LENGTH,
    };
  },
};
