// BGP messages captured from real daemons on loopback (2026-11-26) by capture-listener.ts, which accepted the
// daemon's connection, answered OPEN (MP IPv4+IPv6, route refresh, 4-octet AS 64512, graceful restart) and
// KEEPALIVE, recorded every frame, and finally sent a message of unknown type 9 to provoke a NOTIFICATION.
// Hex is the whole message, header included.

export interface CapturedVector {
  name: string;
  /** Which daemon, version and configuration produced it. */
  source: string;
  hex: string;
}

const BIRD =
  'BIRD 2.0.12 (Debian 12): local 127.0.0.2 as 65001, multihop, graceful restart on; static 198.51.100.0/24, 198.51.100.128/25, 2001:db8:100::/48; export filter adds community (65001,100) and large community (65001,1,2); ipv4 next hop self, ipv6 next hop address 2001:db8::2';
const FRR =
  'FRR bgpd 8.4.4 (Debian 12, -Z): router bgp 65002, id 192.0.2.3, update-source 127.0.0.3, ebgp-multihop 2; network 203.0.113.0/24 and 2001:db8:200::/48 with route-map setting community 65002:100 and large-community 65002:1:2';
const GOBGP =
  'GoBGP 3.10.0 (Debian 12): as 65003, id 192.0.2.4, local 127.0.0.4, ebgp-multihop, graceful restart (ipv4+ipv6); gobgp global rib add 192.0.2.128/25 nexthop 192.0.2.44 and 2001:db8:300::/48 nexthop 2001:db8::44, both community 65003:100 large-community 65003:1:2';

export const capturedVectors: CapturedVector[] = [
  {
    name: 'BIRD OPEN',
    source: BIRD,
    hex: 'ffffffffffffffffffffffffffffffff00430104fde900f0c00002022602240104000100010104000200010200400a0078000101000002010041040000fde946004700',
  },
  {
    name: 'BIRD KEEPALIVE',
    source: BIRD,
    hex: 'ffffffffffffffffffffffffffffffff001304',
  },
  {
    name: 'BIRD UPDATE IPv4 (two prefixes, communities, large community)',
    source: BIRD,
    hex: 'ffffffffffffffffffffffffffffffff004a020000002a4001010040020602010000fde94003047f000002c00804fde90064c0200c0000fde9000000010000000218c6336419c6336480',
  },
  {
    name: 'BIRD End-of-RIB IPv4',
    source: BIRD,
    hex: 'ffffffffffffffffffffffffffffffff00170200000000',
  },
  {
    name: 'BIRD UPDATE IPv6 MP_REACH_NLRI (extended length)',
    source: BIRD,
    hex: 'ffffffffffffffffffffffffffffffff005a0200000043900e001c0002011020010db8000000000000000000000002003020010db801004001010040020602010000fde9c00804fde90064c0200c0000fde90000000100000002',
  },
  {
    name: 'BIRD End-of-RIB IPv6',
    source: BIRD,
    hex: 'ffffffffffffffffffffffffffffffff001d0200000006800f03000201',
  },
  {
    name: 'BIRD NOTIFICATION 1/3 for message type 9',
    source: BIRD,
    hex: 'ffffffffffffffffffffffffffffffff001603010309',
  },
  {
    name: 'FRR OPEN (one optional parameter per capability, FQDN capability)',
    source: FRR,
    hex: 'ffffffffffffffffffffffffffffffff007a0104fdea00b4c00002035d02060104000100010206010400020001020280000202020002024600020641040000fdea02020600020a45080001010100020101020749050363617000020c400ac07800010100000201000210470e0001018000000000020180000000',
  },
  {
    name: 'FRR UPDATE IPv4 (AS_PATH with extended length flag, MED 0)',
    source: FRR,
    hex: 'ffffffffffffffffffffffffffffffff004d0200000032400101005002000602010000fdea4003047f00000380040400000000c00804fdea0064c0200c0000fdea000000010000000218cb0071',
  },
  {
    name: 'FRR UPDATE IPv6 MP_REACH_NLRI (IPv4-mapped next hop)',
    source: FRR,
    hex: 'ffffffffffffffffffffffffffffffff0062020000004b900e001c0002011000000000000000000000ffff7f000003003020010db80200400101005002000602010000fdea80040400000000c00804fdea0064c0200c0000fdea0000000100000002',
  },
  {
    name: 'FRR End-of-RIB IPv4',
    source: FRR,
    hex: 'ffffffffffffffffffffffffffffffff00170200000000',
  },
  {
    name: 'FRR End-of-RIB IPv6',
    source: FRR,
    hex: 'ffffffffffffffffffffffffffffffff001d0200000006800f03000201',
  },
  {
    name: 'FRR NOTIFICATION 1/3 for message type 9',
    source: FRR,
    hex: 'ffffffffffffffffffffffffffffffff001603010309',
  },
  {
    name: 'GoBGP OPEN (extended next hop and FQDN capabilities)',
    source: GOBGP,
    hex: 'ffffffffffffffffffffffffffffffff004d0104fdeb005ac000020430022e0200490402766d0001040001000101040002000141040000fdeb400a007800010100000201000506000100010002',
  },
  {
    name: 'GoBGP UPDATE IPv6 MP_REACH_NLRI',
    source: GOBGP,
    hex: 'ffffffffffffffffffffffffffffffff005902000000424001010240020602010000fdebc00804fdeb0064800e1c0002011020010db8000000000000000000000044003020010db80300c0200c0000fdeb0000000100000002',
  },
  {
    name: 'GoBGP End-of-RIB IPv6',
    source: GOBGP,
    hex: 'ffffffffffffffffffffffffffffffff001d0200000006800f03000201',
  },
  {
    name: 'GoBGP UPDATE IPv4 (ORIGIN incomplete)',
    source: GOBGP,
    hex: 'ffffffffffffffffffffffffffffffff0046020000002a4001010240020602010000fdeb400304c000022cc00804fdeb0064c0200c0000fdeb000000010000000219c0000280',
  },
  {
    name: 'GoBGP End-of-RIB IPv4',
    source: GOBGP,
    hex: 'ffffffffffffffffffffffffffffffff00170200000000',
  },
];
