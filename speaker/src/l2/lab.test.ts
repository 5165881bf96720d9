/**
 * Layer 2 in the lab: real namespaces on a bridge, two nodes running the layer 2 speaker (cap + raw-socket),
 * a client with arping, ndisc6 and the kernel's neighbour table. Skipped (not in CI) without root or tools.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLab, labSkipReason, waitFor, type Lab } from '@lbops/lab';
import {
  firstFree,
  lastStatus,
  waitForStableOwner,
  neighbourMac,
  newKeyHex,
  readEvents,
  speakerConfig,
  startSpeaker,
} from './test-support/l2-lab.js';
import type { LabProcess } from '@lbops/lab';
import { solicitedNodeAddress } from './link-address.js';

const skip = labSkipReason(['ip', 'arping', 'ping']);

function announcing(proc: LabProcess, ip: string): boolean {
  return readEvents(proc).some((e) => e.event === 'status' && e['ip'] === ip && e['status'] === 'announcing');
}

describe('layer 2 in the lab', { skip: skip ?? false, timeout: 90_000 }, () => {
  let lab: Lab;
  const keyHex = newKeyHex();
  let v4 = '';
  let v6 = '';
  let conflictIp = '';
  const speakers = new Map<string, LabProcess>();

  before(async () => {
    lab = await createLab({ nodes: 2 });
    v4 = firstFree(lab.plan.lan.freeIpv4Range, 0);
    v6 = firstFree(lab.plan.lan.freeIpv6Range, 0);
    conflictIp = firstFree(lab.plan.lan.freeIpv4Range, 1);
    // A host already using an address: the client holds conflictIp on its LAN interface.
    await lab.exec(lab.plan.client.ns, [
      'ip',
      'addr',
      'add',
      `${conflictIp}/32`,
      'dev',
      lab.plan.client.ifname,
    ]);
    for (const node of lab.nodes) {
      speakers.set(
        node.name,
        await startSpeaker(lab, node, speakerConfig(lab, node, [v4, v6, conflictIp], keyHex)),
      );
    }
    await waitFor(
      () =>
        [...speakers.values()].some((p) => announcing(p, v4)) &&
        [...speakers.values()].some((p) => announcing(p, v6)),
      {
        timeoutMs: 10_000,
        description: 'a speaker announcing the Service IPs',
      },
    );
  });

  after(async () => {
    await lab?.teardown();
  });

  function owner(ip: string): { name: string; mac: string; proc: LabProcess } {
    const owners = lab.nodes.filter((node) => {
      const proc = speakers.get(node.name);
      if (proc === undefined || !proc.running) return false;
      const statuses = readEvents(proc).filter((e) => e.event === 'status' && e['ip'] === ip);
      return statuses.at(-1)?.['status'] === 'announcing';
    });
    assert.equal(
      owners.length,
      1,
      `exactly one speaker announces ${ip}: ${owners.map((o) => o.name).join(', ')}`,
    );
    const node = owners[0];
    assert.ok(node);
    const proc = speakers.get(node.name);
    assert.ok(proc);
    return { name: node.name, mac: node.mac.toLowerCase(), proc };
  }

  test('arping from the client gets exactly one reply per request, from the owner', async () => {
    const { mac } = owner(v4);
    const result = await lab.arping(lab.plan.client.ns, v4, { dev: lab.plan.client.ifname, count: 3 });
    // One reply per request (no duplicates from a second node), all from the owner's MAC.
    assert.equal(result.replies.length, 3, result.output);
    assert.deepEqual(result.macs, [mac], result.output);
    assert.match(result.output, /3 packets received.*\(0 extra\)/);
  });

  test('IPv6: the client resolves the Service IP through NDP to the owner', async () => {
    const { mac } = owner(v6);
    await lab.exec(lab.plan.client.ns, ['ping', '-6', '-c', '1', '-W', '1', v6], {
      allowFailure: true,
      timeoutMs: 5_000,
    });
    const neighbour = await waitFor(() => neighbourMac(lab, lab.plan.client.ns, v6), {
      timeoutMs: 3_000,
      description: 'IPv6 neighbour entry',
    });
    assert.equal(neighbour, mac);
    // The owner joined the solicited-node group of the Service IP (RFC 4861 §7.2.1) through raw-socket.
    const ownerNode = lab.nodes.find((node) => node.mac.toLowerCase() === mac);
    assert.ok(ownerNode);
    const groups = await lab.exec(ownerNode.ns, ['ip', '-6', 'maddr', 'show', 'dev', ownerNode.ifname]);
    assert.ok(groups.stdout.includes(solicitedNodeAddress(v6)), groups.stdout);
    // ndisc6 sends its own solicitation and prints the advertised target link-layer address.
    const nd = await lab.exec(
      lab.plan.client.ns,
      ['ndisc6', '-1', '-r', '2', '-w', '500', v6, lab.plan.client.ifname],
      {
        allowFailure: true,
        timeoutMs: 5_000,
      },
    );
    assert.ok(nd.stdout.toLowerCase().includes(`target link-layer address: ${mac}`), nd.stdout + nd.stderr);
  });

  test('an address already used on the LAN is detected by the probe and never announced', () => {
    for (const proc of speakers.values()) {
      const events = readEvents(proc).filter((e) => e['ip'] === conflictIp);
      assert.ok(!events.some((e) => e.event === 'status' && e['status'] === 'announcing'), 'never announced');
    }
    const conflicts = [...speakers.values()].flatMap((proc) =>
      readEvents(proc).filter((e) => e.event === 'conflict' && e['ip'] === conflictIp),
    );
    assert.ok(conflicts.length >= 1, 'the leader reported the conflict');
    assert.equal(conflicts[0]?.['mac'], lab.plan.client.mac.toLowerCase());
    assert.equal(conflicts[0]?.['phase'], 'probing');
  });

  test('SIGKILL of the owner: the client neighbour entry moves to the other node (gratuitous ARP)', async () => {
    const before = owner(v4);
    // Populate the client's kernel neighbour entry (ping has no answer: the IP is on no NIC; only ARP matters).
    await lab.exec(lab.plan.client.ns, ['ping', '-c', '1', '-W', '1', v4], {
      allowFailure: true,
      timeoutMs: 5_000,
    });
    assert.equal(await neighbourMac(lab, lab.plan.client.ns, v4), before.mac);
    const killedAt = Date.now();
    before.proc.signal('SIGKILL');
    const other = lab.nodes.find((node) => node.name !== before.name);
    assert.ok(other);
    await waitFor(async () => (await neighbourMac(lab, lab.plan.client.ns, v4)) === other.mac.toLowerCase(), {
      timeoutMs: 5_000,
      intervalMs: 10,
      description: 'client neighbour entry moved to the new owner',
    });
    const elapsed = Date.now() - killedAt;
    assert.ok(elapsed < 2_000, `failover took ${elapsed} ms`);
    await sleep(50);
    assert.equal(owner(v4).name, other.name);
  });
});

describe(
  'layer 2 failures in the lab: freeze, link cut, IPv6 takeover, conflicts while announcing',
  { skip: skip ?? false, timeout: 120_000 },
  () => {
    let lab: Lab;
    const keyHex = newKeyHex();
    let v4 = '';
    let v6 = '';
    const speakers = new Map<string, LabProcess>();

    before(async () => {
      lab = await createLab({ nodes: 3 });
      v4 = firstFree(lab.plan.lan.freeIpv4Range, 5);
      v6 = firstFree(lab.plan.lan.freeIpv6Range, 5);
      for (const node of lab.nodes)
        speakers.set(node.name, await startSpeaker(lab, node, speakerConfig(lab, node, [v4, v6], keyHex)));
    });

    after(async () => {
      await lab?.teardown();
    });

    const macOf = (name: string) => lab.nodes.find((node) => node.name === name)?.mac.toLowerCase();

    async function clientMovesAwayFrom(ip: string, mac: string, timeoutMs: number): Promise<string> {
      return waitFor(
        async () => {
          const now = await neighbourMac(lab, lab.plan.client.ns, ip);
          return now !== undefined && now !== mac ? now : undefined;
        },
        { timeoutMs, intervalMs: 10, description: `client neighbour entry for ${ip} leaves ${mac}` },
      );
    }

    test('SIGSTOP (frozen speaker): the others take over; after SIGCONT it refutes, and one owner remains that the client follows', async () => {
      const owner = await waitForStableOwner(lab, speakers, v4);
      const proc = speakers.get(owner.name) as LabProcess;
      proc.signal('SIGSTOP');
      try {
        const moved = await clientMovesAwayFrom(v4, owner.mac.toLowerCase(), 3_000);
        assert.notEqual(moved, owner.mac.toLowerCase());
        assert.ok(lab.nodes.some((node) => node.mac.toLowerCase() === moved));
      } finally {
        proc.signal('SIGCONT');
      }
      await waitFor(() => readEvents(proc).some((e) => e.event === 'refuted'), {
        timeoutMs: 5_000,
        description: 'the resumed speaker refutes its death',
      });
      const after = await waitForStableOwner(lab, speakers, v4, 10_000);
      // The ranking is deterministic: the resumed node ranks first again and takes the IP back.
      assert.equal(after.name, owner.name);
    });

    test('IPv6: SIGKILL of the owner moves the client neighbour entry (unsolicited NA with Override)', async () => {
      const owner = await waitForStableOwner(lab, speakers, v6);
      const proc = speakers.get(owner.name) as LabProcess;
      const killedAt = Date.now();
      proc.signal('SIGKILL');
      const moved = await clientMovesAwayFrom(v6, owner.mac.toLowerCase(), 3_000);
      assert.ok(Date.now() - killedAt < 2_000);
      const successor = await waitForStableOwner(lab, speakers, v6, 5_000);
      assert.equal(moved, successor.mac.toLowerCase());
      await proc.exited;
      speakers.set(owner.name, await startSpeaker(lab, owner, speakerConfig(lab, owner, [v4, v6], keyHex)));
      await waitForStableOwner(lab, speakers, v6, 10_000);
    });

    test('link cut: the owner is isolated, another node takes over; after repair the cluster converges on one owner', async () => {
      const owner = await waitForStableOwner(lab, speakers, v4);
      const cutAt = Date.now();
      await lab.setLanLink(owner, false);
      try {
        const moved = await clientMovesAwayFrom(v4, owner.mac.toLowerCase(), 3_000);
        assert.notEqual(moved, macOf(owner.name));
      } finally {
        await lab.setLanLink(owner, true);
      }
      const healed = await waitForStableOwner(lab, speakers, v4, 10_000);
      const trace = lab.nodes
        .map(
          (node) =>
            `${node.name}: ${readEvents(speakers.get(node.name) as LabProcess)
              .filter((e) => e.time >= cutAt && (e['ip'] === v4 || e.event !== 'status'))
              .map(
                (e) =>
                  `${e.time - cutAt}:${e.event}:${String(e['name'] ?? e['ip'])}:${String(e['state'] ?? e['status'] ?? e['claimed'])}`,
              )
              .join(' ')}`,
        )
        .join('\n');
      assert.equal(healed.name, owner.name, `the ranking puts the returning node first again\n${trace}`);
    });

    test('a foreign gratuitous ARP for an announced IP is reported as a conflict (and we keep answering)', async () => {
      const owner = await waitForStableOwner(lab, speakers, v4);
      const proc = speakers.get(owner.name) as LabProcess;
      const clientMac = lab.plan.client.mac.toLowerCase();
      const sentAt = Date.now();
      // arping 2.23: -U unsolicited, -S spoofs the source address: the client claims the Service IP.
      await lab.exec(
        lab.plan.client.ns,
        ['arping', '-c', '1', '-U', '-S', v4, '-I', lab.plan.client.ifname, v4],
        {
          allowFailure: true,
          timeoutMs: 5_000,
        },
      );
      const conflict = await waitFor(
        () =>
          readEvents(proc).find(
            (e) => e.event === 'conflict' && e['ip'] === v4 && e['mac'] === clientMac && e.time >= sentAt - 5,
          ),
        { timeoutMs: 3_000, description: 'conflict reported' },
      );
      assert.equal(conflict['phase'], 'announcing');
      assert.equal(conflict['interface'], owner.ifname);
      assert.equal(lastStatus(proc, v4), 'announcing');
    });
  },
);
