import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseIpLinkJson, selectInterfaces } from './interfaces.js';

// Shape of `ip -j -d link show` (iproute2 6.1, Debian 12), trimmed to the fields we read.
const IP_LINK = JSON.stringify([
  {
    ifindex: 1,
    ifname: 'lo',
    flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
    operstate: 'UNKNOWN',
    link_type: 'loopback',
    address: '00:00:00:00:00:00',
  },
  {
    ifindex: 2,
    ifname: 'eth0',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    link_type: 'ether',
    address: '02:AA:00:00:00:01',
  },
  {
    ifindex: 3,
    ifname: 'eth1',
    flags: ['BROADCAST', 'MULTICAST'],
    operstate: 'DOWN',
    link_type: 'ether',
    address: '02:aa:00:00:00:02',
  },
  {
    ifindex: 4,
    ifname: 'ifb0',
    flags: ['BROADCAST', 'NOARP', 'UP', 'LOWER_UP'],
    operstate: 'UNKNOWN',
    link_type: 'ether',
    address: '9a:4b:5e:05:91:5e',
  },
  {
    ifindex: 5,
    ifname: 'ens1',
    flags: ['BROADCAST', 'MULTICAST', 'SLAVE', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    link_type: 'ether',
    address: '02:aa:00:00:00:05',
    linkinfo: { info_slave_kind: 'bond' },
  },
  {
    ifindex: 6,
    ifname: 'bond0',
    flags: ['BROADCAST', 'MULTICAST', 'MASTER', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    link_type: 'ether',
    address: '02:aa:00:00:00:05',
    linkinfo: { info_kind: 'bond' },
  },
  {
    ifindex: 7,
    ifname: 'veth12ab',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    link_type: 'ether',
    address: '02:aa:00:00:00:07',
    linkinfo: { info_kind: 'veth' },
  },
  {
    ifindex: 8,
    ifname: 'cali0a1b',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    link_type: 'ether',
    address: '02:aa:00:00:00:08',
  },
  {
    ifindex: 9,
    ifname: 'docker0',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    link_type: 'ether',
    address: '02:aa:00:00:00:09',
  },
  {
    ifindex: 10,
    ifname: 'br0',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    link_type: 'ether',
    address: '02:aa:00:00:00:0a',
    linkinfo: { info_kind: 'bridge' },
  },
  { ifname: 'broken' },
]);

describe('interface selection', () => {
  test('default: skip down, NOARP, bond slaves, lo, veth*, cali*, docker*', () => {
    const { usable, skipped } = selectInterfaces(parseIpLinkJson(IP_LINK));
    assert.deepEqual(
      usable.map((l) => [l.name, l.mac]),
      [
        ['eth0', '02:aa:00:00:00:01'],
        ['bond0', '02:aa:00:00:00:05'],
        ['br0', '02:aa:00:00:00:0a'],
      ],
    );
    assert.deepEqual(skipped, [
      { name: 'lo', reason: 'loopback' },
      { name: 'eth1', reason: 'down' },
      { name: 'ifb0', reason: 'noarp' },
      { name: 'ens1', reason: 'bond-slave' },
      { name: 'veth12ab', reason: 'excluded-name' },
      { name: 'cali0a1b', reason: 'excluded-name' },
      { name: 'docker0', reason: 'excluded-name' },
    ]);
  });

  test('an allow-list (L2Advertisement.interfaces) wins over name exclusions but not over down/bond-slave', () => {
    const { usable, skipped } = selectInterfaces(parseIpLinkJson(IP_LINK), {
      allowList: ['veth12ab', 'eth1', 'ens1'],
    });
    assert.deepEqual(
      usable.map((l) => l.name),
      ['veth12ab'],
    );
    assert.deepEqual(
      skipped.filter((s) => s.reason !== 'not-in-allow-list'),
      [
        { name: 'eth1', reason: 'down' },
        { name: 'ens1', reason: 'bond-slave' },
      ],
    );
  });

  test('garbage input yields no links rather than a crash', () => {
    assert.deepEqual(parseIpLinkJson('{}'), []);
    assert.deepEqual(parseIpLinkJson('[1, null, "x"]'), []);
  });
});
