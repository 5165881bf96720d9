/**
 * ARP for IPv4 over Ethernet (RFC 826), plus the RFC 5227 packet shapes used for conflict detection.
 * Only hardware type 1 (Ethernet) with protocol 0x0800 (IPv4) is accepted: everything else is not ours to answer.
 */
import { L2CodecError, need } from './codec-error.js';
import { ETHERTYPE_IPV4 } from './ethernet.js';
import { readIpv4, readMac, UNSPECIFIED_IPV4, writeIpv4, writeMac, ZERO_MAC } from './link-address.js';

export const ARP_LENGTH = 28;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
const HARDWARE_ETHERNET = 1;

export type ArpOperation = 'request' | 'reply';

export interface ArpPacket {
  readonly operation: ArpOperation;
  readonly senderHardwareAddress: string;
  readonly senderProtocolAddress: string;
  readonly targetHardwareAddress: string;
  readonly targetProtocolAddress: string;
}

export const arpPacket = {
  encodingLength(_value: ArpPacket): number {
    return ARP_LENGTH;
  },
  encode(value: ArpPacket, buf: Uint8Array, offset = 0): number {
    need(buf, offset, ARP_LENGTH, 'ARP packet');
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    view.setUint16(offset, HARDWARE_ETHERNET);
    view.setUint16(offset + 2, ETHERTYPE_IPV4);
    buf[offset + 4] = 6;
    buf[offset + 5] = 4;
    view.setUint16(offset + 6, value.operation === 'request' ? ARP_REQUEST : ARP_REPLY);
    writeMac(value.senderHardwareAddress, buf, offset + 8);
    writeIpv4(value.senderProtocolAddress, buf, offset + 14);
    writeMac(value.targetHardwareAddress, buf, offset + 18);
    writeIpv4(value.targetProtocolAddress, buf, offset + 24);
    return ARP_LENGTH;
  },
  decode(buf: Uint8Array, offset = 0): { value: ArpPacket; bytes: number } {
    need(buf, offset, 8, 'ARP header');
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const hardware = view.getUint16(offset);
    const protocol = view.getUint16(offset + 2);
    // RFC 826 "Packet Reception": a receiver that does not speak the (ar$hrd, ar$pro) pair discards the packet.
    if (hardware !== HARDWARE_ETHERNET || buf[offset + 4] !== 6) {
      throw new L2CodecError(
        'unsupported-hardware',
        `ARP hardware type ${hardware}/length ${buf[offset + 4]}`,
      );
    }
    if (protocol !== ETHERTYPE_IPV4 || buf[offset + 5] !== 4) {
      throw new L2CodecError(
        'unsupported-protocol',
        `ARP protocol 0x${protocol.toString(16)}/length ${buf[offset + 5]}`,
      );
    }
    const op = view.getUint16(offset + 6);
    if (op !== ARP_REQUEST && op !== ARP_REPLY)
      throw new L2CodecError('bad-operation', `ARP operation ${op}`);
    need(buf, offset, ARP_LENGTH, 'ARP packet');
    return {
      value: {
        operation: op === ARP_REQUEST ? 'request' : 'reply',
        senderHardwareAddress: readMac(buf, offset + 8),
        senderProtocolAddress: readIpv4(buf, offset + 14),
        targetHardwareAddress: readMac(buf, offset + 18),
        targetProtocolAddress: readIpv4(buf, offset + 24),
      },
      bytes: ARP_LENGTH,
    };
  },
};

/** A request asking who has `targetIp` (RFC 826); the target hardware address is left zero. */
export function arpRequest(senderMac: string, senderIp: string, targetIp: string): ArpPacket {
  return {
    operation: 'request',
    senderHardwareAddress: senderMac,
    senderProtocolAddress: senderIp,
    targetHardwareAddress: ZERO_MAC,
    targetProtocolAddress: targetIp,
  };
}

/** The reply to `request`: `ip` is at `mac`, sent back to the requester (RFC 826 "swap" step). */
export function arpReply(request: ArpPacket, mac: string): ArpPacket {
  return {
    operation: 'reply',
    senderHardwareAddress: mac,
    senderProtocolAddress: request.targetProtocolAddress,
    targetHardwareAddress: request.senderHardwareAddress,
    targetProtocolAddress: request.senderProtocolAddress,
  };
}

/** RFC 5227 §2.1.1: an ARP probe has sender IP 0.0.0.0 so that it pollutes no cache, target MAC zero. */
export function arpProbe(mac: string, ip: string): ArpPacket {
  return arpRequest(mac, UNSPECIFIED_IPV4, ip);
}

/**
 * RFC 5227 §2.3: an announcement is a request with sender and target IP both the claimed address. We also send
 * the reply form (as MetalLB does) because some stacks only update their cache from replies.
 */
export function arpAnnouncement(mac: string, ip: string, operation: ArpOperation = 'request'): ArpPacket {
  return {
    operation,
    senderHardwareAddress: mac,
    senderProtocolAddress: ip,
    targetHardwareAddress: operation === 'request' ? ZERO_MAC : mac,
    targetProtocolAddress: ip,
  };
}

export function isArpProbe(packet: ArpPacket): boolean {
  return packet.operation === 'request' && packet.senderProtocolAddress === UNSPECIFIED_IPV4;
}

/** Gratuitous: the sender announces its own address (sender IP equals target IP). */
export function isGratuitousArp(packet: ArpPacket): boolean {
  return packet.senderProtocolAddress === packet.targetProtocolAddress;
}
