/**
 * Conversions between the textual forms used in the rest of lbops (MAC `aa:bb:cc:dd:ee:ff`, IPv4 dotted quad,
 * IPv6 in RFC 5952 canonical form) and wire bytes. Codecs keep addresses as canonical strings so values compare
 * with `===` and print readably in tests and logs.
 */
import { formatIp, parseIp } from '@lbops/schemas/address';
import { L2CodecError, need } from './codec-error.js';

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC = '00:00:00:00:00:00';
export const UNSPECIFIED_IPV4 = '0.0.0.0';
export const UNSPECIFIED_IPV6 = '::';
/** RFC 4291 §2.7.1: all-nodes multicast, link-local scope. */
export const ALL_NODES_IPV6 = 'ff02::1';

const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function isMac(text: string): boolean {
  return MAC_PATTERN.test(text);
}

export function writeMac(mac: string, buf: Uint8Array, offset: number): number {
  const lower = mac.toLowerCase();
  if (!MAC_PATTERN.test(lower)) throw new L2CodecError('bad-address', `not a MAC address: "${mac}"`);
  need(buf, offset, 6, 'MAC address');
  for (let i = 0; i < 6; i += 1) buf[offset + i] = parseInt(lower.slice(i * 3, i * 3 + 2), 16);
  return 6;
}

export function readMac(buf: Uint8Array, offset: number): string {
  need(buf, offset, 6, 'MAC address');
  const parts: string[] = [];
  for (let i = 0; i < 6; i += 1) parts.push((buf[offset + i] ?? 0).toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** Canonical text of an IP address, or undefined when `text` is not one of `family`. */
export function canonicalIp(text: string, family?: 'ipv4' | 'ipv6'): string | undefined {
  const ip = parseIp(text);
  if (ip === undefined || (family !== undefined && ip.family !== family)) return undefined;
  return formatIp(ip);
}

function parseOrThrow(text: string, family: 'ipv4' | 'ipv6'): bigint {
  const ip = parseIp(text);
  if (ip === undefined || ip.family !== family) {
    throw new L2CodecError('bad-address', `not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address: "${text}"`);
  }
  return ip.value;
}

function writeBig(value: bigint, size: number, buf: Uint8Array, offset: number): void {
  need(buf, offset, size, 'IP address');
  for (let i = size - 1; i >= 0; i -= 1) {
    buf[offset + i] = Number(value & 0xffn);
    value >>= 8n;
  }
}

function readBig(buf: Uint8Array, offset: number, size: number): bigint {
  need(buf, offset, size, 'IP address');
  let value = 0n;
  for (let i = 0; i < size; i += 1) value = (value << 8n) | BigInt(buf[offset + i] ?? 0);
  return value;
}

export function writeIpv4(ip: string, buf: Uint8Array, offset: number): number {
  writeBig(parseOrThrow(ip, 'ipv4'), 4, buf, offset);
  return 4;
}

export function readIpv4(buf: Uint8Array, offset: number): string {
  return formatIp({ family: 'ipv4', value: readBig(buf, offset, 4) });
}

export function writeIpv6(ip: string, buf: Uint8Array, offset: number): number {
  writeBig(parseOrThrow(ip, 'ipv6'), 16, buf, offset);
  return 16;
}

export function readIpv6(buf: Uint8Array, offset: number): string {
  return formatIp({ family: 'ipv6', value: readBig(buf, offset, 16) });
}

export function ipv6Bytes(ip: string): Uint8Array {
  const out = new Uint8Array(16);
  writeIpv6(ip, out, 0);
  return out;
}

/** RFC 4291 §2.7: multicast addresses start with 0xff. */
export function isIpv6Multicast(ip: string): boolean {
  return ipv6Bytes(ip)[0] === 0xff;
}

/** RFC 4291 §2.7.1: the solicited-node multicast address ff02::1:ffXX:XXXX of an address (its low 24 bits). */
export function solicitedNodeAddress(ip: string): string {
  const bytes = ipv6Bytes(ip);
  const out = ipv6Bytes('ff02::1:ff00:0');
  out[13] = bytes[13] ?? 0;
  out[14] = bytes[14] ?? 0;
  out[15] = bytes[15] ?? 0;
  return readIpv6(out, 0);
}

/** RFC 2464 §7: an IPv6 multicast address maps to the MAC 33:33 followed by its low 32 bits. */
export function ipv6MulticastMac(ip: string): string {
  const bytes = ipv6Bytes(ip);
  const out = new Uint8Array([0x33, 0x33, bytes[12] ?? 0, bytes[13] ?? 0, bytes[14] ?? 0, bytes[15] ?? 0]);
  return readMac(out, 0);
}
