/**
 * Whole link-layer frames the responder sends and receives: Ethernet + ARP, or Ethernet + IPv6 + NS/NA.
 * Encoding fills in the IPv6 payload length and the ICMPv6 checksum; decoding applies the validity checks of
 * RFC 4861 §7.1 that need the IP header (hop limit 255, checksum, the unspecified-source rules).
 */
import { arpPacket, type ArpPacket } from './arp.js';
import { L2CodecError, need } from './codec-error.js';
import {
  ETHERNET_HEADER_LENGTH,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV6,
  ethernetHeader,
  type EthernetHeader,
} from './ethernet.js';
import { IPV6_HEADER_LENGTH, ipv6Header, NEXT_HEADER_ICMPV6, type Ipv6Header } from './ipv6.js';
import { isIpv6Multicast, solicitedNodeAddress, UNSPECIFIED_IPV6 } from './link-address.js';
import { icmpv6Checksum, linkLayerOption, ndpMessage, type NdpMessage } from './ndp.js';

/** RFC 4861 §7.1: NDP messages must arrive with hop limit 255, proving they were not forwarded by a router. */
export const NDP_HOP_LIMIT = 255;

export interface ArpFrame {
  readonly kind: 'arp';
  readonly ethernet: EthernetHeader;
  readonly arp: ArpPacket;
}

export interface NdpFrame {
  readonly kind: 'ndp';
  readonly ethernet: EthernetHeader;
  /** payloadLength and nextHeader are derived when encoding; hopLimit is normally NDP_HOP_LIMIT. */
  readonly ipv6: Ipv6Header;
  readonly message: NdpMessage;
}

export type L2Frame = ArpFrame | NdpFrame;

export const l2Frame = {
  encodingLength(value: L2Frame): number {
    if (value.kind === 'arp') return ETHERNET_HEADER_LENGTH + arpPacket.encodingLength(value.arp);
    return ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + ndpMessage.encodingLength(value.message);
  },
  encode(value: L2Frame, buf: Uint8Array, offset = 0): number {
    const length = l2Frame.encodingLength(value);
    need(buf, offset, length, 'frame');
    if (value.kind === 'arp') {
      const at = offset + ethernetHeader.encode({ ...value.ethernet, etherType: ETHERTYPE_ARP }, buf, offset);
      arpPacket.encode(value.arp, buf, at);
      return length;
    }
    let at = offset + ethernetHeader.encode({ ...value.ethernet, etherType: ETHERTYPE_IPV6 }, buf, offset);
    const messageLength = ndpMessage.encodingLength(value.message);
    at += ipv6Header.encode(
      { ...value.ipv6, payloadLength: messageLength, nextHeader: NEXT_HEADER_ICMPV6 },
      buf,
      at,
    );
    ndpMessage.encode(value.message, buf, at);
    const checksum = icmpv6Checksum(
      value.ipv6.source,
      value.ipv6.destination,
      buf.subarray(at, at + messageLength),
    );
    buf[at + 2] = checksum >> 8;
    buf[at + 3] = checksum & 0xff;
    return length;
  },
  decode(buf: Uint8Array, offset = 0): { value: L2Frame; bytes: number } {
    const { value: ethernet } = ethernetHeader.decode(buf, offset);
    let at = offset + ETHERNET_HEADER_LENGTH;
    if (ethernet.etherType === ETHERTYPE_ARP) {
      const { value: arp, bytes } = arpPacket.decode(buf, at);
      return { value: { kind: 'arp', ethernet, arp }, bytes: ETHERNET_HEADER_LENGTH + bytes };
    }
    if (ethernet.etherType !== ETHERTYPE_IPV6) {
      throw new L2CodecError('unsupported-protocol', `EtherType 0x${ethernet.etherType.toString(16)}`);
    }
    const { value: ipv6 } = ipv6Header.decode(buf, at);
    at += IPV6_HEADER_LENGTH;
    if (ipv6.nextHeader !== NEXT_HEADER_ICMPV6) {
      throw new L2CodecError('unsupported-protocol', `IPv6 next header ${ipv6.nextHeader} is not ICMPv6`);
    }
    need(buf, at, ipv6.payloadLength, 'IPv6 payload');
    const { value: message } = ndpMessage.decode(buf, at, ipv6.payloadLength);
    if (ipv6.hopLimit !== NDP_HOP_LIMIT) {
      throw new L2CodecError('bad-hop-limit', `NDP message with hop limit ${ipv6.hopLimit}, not 255`);
    }
    if (icmpv6Checksum(ipv6.source, ipv6.destination, buf.subarray(at, at + ipv6.payloadLength)) !== 0) {
      throw new L2CodecError('bad-checksum', 'ICMPv6 checksum does not match');
    }
    if (message.type === 'neighbor-solicitation' && ipv6.source === UNSPECIFIED_IPV6) {
      // RFC 4861 §7.1.1: a DAD solicitation goes to the target's solicited-node address, without a source LLA.
      if (ipv6.destination !== solicitedNodeAddress(message.target)) {
        throw new L2CodecError(
          'bad-address',
          `DAD solicitation for ${message.target} sent to ${ipv6.destination}`,
        );
      }
      if (linkLayerOption(message.options, 'source-link-layer-address') !== undefined) {
        throw new L2CodecError('bad-option', 'DAD solicitation carries a source link-layer address');
      }
    }
    // RFC 4861 §7.1.2: an advertisement sent to a multicast address must not have the Solicited flag.
    if (message.type === 'neighbor-advertisement' && message.solicited && isIpv6Multicast(ipv6.destination)) {
      throw new L2CodecError('bad-value', 'solicited advertisement sent to a multicast address');
    }
    return {
      value: { kind: 'ndp', ethernet, ipv6, message },
      bytes: ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + ipv6.payloadLength,
    };
  },
};

export function encodeFrame(frame: L2Frame): Uint8Array {
  const out = new Uint8Array(l2Frame.encodingLength(frame));
  l2Frame.encode(frame, out, 0);
  return out;
}
