/**
 * Solicited-node multicast membership (RFC 4861 §7.2.1: a node joins the solicited-node group of each of its
 * addresses) through an ICMPv6 raw socket from `raw-socket`, which accepts a struct for setsockopt. Joining makes
 * the NIC accept 33:33:ff:xx:xx:xx frames even when it filters multicast. One socket per interface; its own
 * receive path is paused because frames are read through the capture in link-layer.ts.
 */
import { createRequire } from 'node:module';
import { ipv6Bytes, solicitedNodeAddress } from './link-address.js';

interface RawSocket {
  setOption(level: number, option: number, value: Buffer, length: number): void;
  pauseRecv(): void;
  close(): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

interface RawSocketModule {
  createSocket(options: { addressFamily: number; protocol: number }): RawSocket;
  AddressFamily: { IPv6: number };
  Protocol: { ICMPv6: number };
}

const require = createRequire(import.meta.url);
// Linux <netinet/in.h>: IPPROTO_IPV6 41, IPV6_ADD_MEMBERSHIP (IPV6_JOIN_GROUP) 20, IPV6_DROP_MEMBERSHIP 21.
const IPPROTO_IPV6 = 41;
const IPV6_ADD_MEMBERSHIP = 20;
const IPV6_DROP_MEMBERSHIP = 21;

/** struct ipv6_mreq { struct in6_addr ipv6mr_multiaddr; unsigned int ipv6mr_interface; } in host byte order. */
export function ipv6Mreq(group: string, ifindex: number): Buffer {
  const out = Buffer.alloc(20);
  out.set(ipv6Bytes(group), 0);
  out.writeUInt32LE(ifindex, 16);
  return out;
}

export class SolicitedNodeGroups {
  private readonly socket: RawSocket;
  private readonly joined = new Map<string, number>();

  constructor(private readonly ifindex: number) {
    const raw = require('raw-socket') as RawSocketModule;
    this.socket = raw.createSocket({ addressFamily: raw.AddressFamily.IPv6, protocol: raw.Protocol.ICMPv6 });
    this.socket.on('error', () => undefined);
    this.socket.pauseRecv();
  }

  /** Reference-counted: two Service IPs can share one group (same low 24 bits). */
  join(ip: string): void {
    const group = solicitedNodeAddress(ip);
    const count = this.joined.get(group) ?? 0;
    if (count === 0)
      this.socket.setOption(IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, ipv6Mreq(group, this.ifindex), 20);
    this.joined.set(group, count + 1);
  }

  leave(ip: string): void {
    const group = solicitedNodeAddress(ip);
    const count = this.joined.get(group) ?? 0;
    if (count === 0) return;
    if (count === 1) {
      this.joined.delete(group);
      this.socket.setOption(IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, ipv6Mreq(group, this.ifindex), 20);
    } else this.joined.set(group, count - 1);
  }

  close(): void {
    this.socket.close();
  }
}
