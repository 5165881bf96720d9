/**
 * Ethernet II header (IEEE 802.3 with an EtherType >= 0x0600): destination, source, type. No 802.1Q tag: the
 * responder captures on the (sub)interface, where the kernel has already removed the tag.
 */
import { L2CodecError, need } from './codec-error.js';
import { readMac, writeMac } from './link-address.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERNET_HEADER_LENGTH = 14;

export interface EthernetHeader {
  readonly destination: string;
  readonly source: string;
  readonly etherType: number;
}

export const ethernetHeader = {
  encodingLength(_value: EthernetHeader): number {
    return ETHERNET_HEADER_LENGTH;
  },
  encode(value: EthernetHeader, buf: Uint8Array, offset = 0): number {
    need(buf, offset, ETHERNET_HEADER_LENGTH, 'Ethernet header');
    if (!Number.isInteger(value.etherType) || value.etherType < 0x0600 || value.etherType > 0xffff) {
      throw new L2CodecError('bad-value', `EtherType ${value.etherType} is not in 0x0600..0xffff`);
    }
    writeMac(value.destination, buf, offset);
    writeMac(value.source, buf, offset + 6);
    buf[offset + 12] = value.etherType >> 8;
    buf[offset + 13] = value.etherType & 0xff;
    return ETHERNET_HEADER_LENGTH;
  },
  decode(buf: Uint8Array, offset = 0): { value: EthernetHeader; bytes: number } {
    need(buf, offset, ETHERNET_HEADER_LENGTH, 'Ethernet header');
    const etherType = ((buf[offset + 12] ?? 0) << 8) | (buf[offset + 13] ?? 0);
    // Values below 0x0600 are 802.3 lengths (LLC frames), which carry neither ARP nor IPv6 here.
    if (etherType < 0x0600)
      throw new L2CodecError('unsupported-protocol', `802.3 length field ${etherType}, not Ethernet II`);
    return {
      value: { destination: readMac(buf, offset), source: readMac(buf, offset + 6), etherType },
      bytes: ETHERNET_HEADER_LENGTH,
    };
  },
};
