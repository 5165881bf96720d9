// End to end in the lab: the API server in the root namespace (reached over the management link), the
// controller, and one speaker per node namespace (not a dry run). A Service with a ready endpoint is answered
// for over layer 2 by exactly the node its ServiceL2Status names, and announced over BGP from every node;
// deleting the Service withdraws both. Skipped (not in CI) without root or tools.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Controller } from '@lbops/controller';
import {
  KubeClient,
  kubeConfigFor,
  resourcePath,
  startApiServer,
  writeKubeconfig,
  type KubeObject,
} from '@lbops/kube';
import { rankNodes } from '../l2/leader.js';
import { labSkipReason, nextHopsOf, waitFor, withLab, type LabProcess } from '@lbops/lab';

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lab-runner.test-support.js');
const NS = 'metallb-system';
const NODE_ASN = 64600;
const ROUTER_ASN = 64512;
const skip = labSkipReason(['ip', 'arping', 'bird', 'birdc']);

test(
  'speakers in the lab: one layer 2 owner (as ServiceL2Status says) and BGP ECMP; deleting withdraws both',
  {
    skip: skip ?? false,
    timeout: 120_000,
  },
  async (t) => {
    const server = await startApiServer({ host: '0.0.0.0', port: 0 });
    const client = new KubeClient(kubeConfigFor(`http://127.0.0.1:${server.port}`, server.token));
    const controller = new Controller({ client, leaderElection: false, statusDelayMs: 50 });
    try {
      await withLab(
        {
          nodes: 2,
          bird: {
            peers: [
              { node: 0, asn: NODE_ASN },
              { node: 1, asn: NODE_ASN },
            ],
          },
        },
        async (lab) => {
          const speakers = new Map<string, LabProcess>();
          const create = async (obj: KubeObject): Promise<void> => {
            await client.create(await client.pathOf(obj, { collection: true }), obj);
          };
          const [start = ''] = lab.plan.lan.freeIpv4Range.split('-');
          const ip = start;
          for (const node of lab.nodes) {
            await create({
              apiVersion: 'v1',
              kind: 'Node',
              metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name } },
            });
            // Status is a subresource: the create ignores it.
            await client.mergePatch(`/api/v1/nodes/${node.name}/status`, {
              status: { addresses: [{ type: 'InternalIP', address: node.ipv4 }] },
            });
          }
          await create({
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'memberlist', namespace: NS },
            data: { secretkey: randomBytes(64).toString('base64') },
          });
          await create({
            apiVersion: 'metallb.io/v1beta1',
            kind: 'IPAddressPool',
            metadata: { name: 'lan', namespace: NS },
            spec: { addresses: [`${ip}/32`] },
          });
          await create({
            apiVersion: 'metallb.io/v1beta1',
            kind: 'L2Advertisement',
            metadata: { name: 'l2', namespace: NS },
            spec: { ipAddressPools: ['lan'] },
          });
          await create({
            apiVersion: 'metallb.io/v1beta2',
            kind: 'BGPPeer',
            metadata: { name: 'router', namespace: NS },
            spec: { myASN: NODE_ASN, peerASN: ROUTER_ASN, peerAddress: lab.router.ipv4, holdTime: '3s' },
          });
          await create({
            apiVersion: 'metallb.io/v1beta1',
            kind: 'BGPAdvertisement',
            metadata: { name: 'bgp', namespace: NS },
            spec: { ipAddressPools: ['lan'] },
          });
          controller.start();
          for (const node of lab.nodes) {
            const kubeconfig = lab.path(`kubeconfig-${node.name}`);
            writeKubeconfig(kubeconfig, `http://${node.mgmt.hostIpv4}:${server.port}`, server.token);
            speakers.set(
              node.name,
              await lab.spawn(node.ns, [process.execPath, runner, kubeconfig, node.name], {
                name: `speaker-${node.name}`,
              }),
            );
          }
          await create({
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'web', namespace: 'default' },
            spec: {
              type: 'LoadBalancer',
              selector: { app: 'web' },
              ports: [{ port: 80, protocol: 'TCP' }],
              allocateLoadBalancerNodePorts: false,
            },
          });
          await create({
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            metadata: {
              name: 'web-1',
              namespace: 'default',
              labels: { 'kubernetes.io/service-name': 'web' },
            },
            addressType: 'IPv4',
            endpoints: [
              { addresses: ['10.244.0.10'], conditions: { ready: true }, nodeName: lab.nodes[0]?.name ?? '' },
            ],
          });
          const l2Path = resourcePath({
            apiVersion: 'metallb.io/v1beta1',
            resource: 'servicel2statuses',
            namespace: NS,
          });
          // The owner is determined (rank by sha256(node#ip)); at start the speakers may briefly disagree while
          // the membership converges (a speaker not yet up is dead to the others), so wait for the settled state.
          const owner = rankNodes(
            ip,
            lab.nodes.map((n) => n.name),
          )[0];
          const ownerNode = lab.nodes.find((n) => n.name === owner);
          assert.ok(owner !== undefined && ownerNode !== undefined);
          await waitFor(
            async () => {
              const items = (await client.list(l2Path)).items;
              return (
                items.length === 1 && (items[0]?.status as { node?: string } | undefined)?.node === owner
              );
            },
            { timeoutMs: 20_000, description: `the ServiceL2Status naming ${owner} only` },
          );
          // The probe (RFC 5227) runs first: wait for answers, then require exactly the owner's MAC.
          const answer = await waitFor(
            async () => {
              const result = await lab.arping(lab.clients.lan.ns, ip, { count: 3 });
              return result.macs.length > 0 && result.macs.includes(ownerNode.mac.toLowerCase())
                ? result
                : undefined;
            },
            { timeoutMs: 15_000, description: `ARP replies from ${owner} for ${ip}` },
          );
          assert.deepEqual(answer.macs, [ownerNode.mac.toLowerCase()], answer.output);
          const prefix = `${ip}/32`;
          const expected = lab.nodes.map((n) => n.ipv4).sort();
          await lab.bird.waitRoute(prefix, (paths) => nextHopsOf(paths, prefix).length === expected.length);
          assert.deepEqual(nextHopsOf(await lab.bird.routes('ipv4'), prefix), expected);

          // Failover: the owner's speaker killed, the other node answers and its ServiceL2Status is the only one.
          const other = lab.nodes.find((n) => n.name !== owner);
          assert.ok(other !== undefined);
          const ownerSpeaker = speakers.get(owner);
          assert.ok(ownerSpeaker !== undefined);
          const killedAt = Date.now();
          ownerSpeaker.signal('SIGKILL');
          const moved = await waitFor(
            async () => {
              const result = await lab.arping(lab.clients.lan.ns, ip, { count: 1, deadlineSeconds: 1 });
              return result.macs.length === 1 && result.macs[0] === other.mac.toLowerCase()
                ? result
                : undefined;
            },
            { timeoutMs: 10_000, description: `${other.name} answering for ${ip}` },
          );
          assert.deepEqual(moved.macs, [other.mac.toLowerCase()]);
          const failoverMs = Date.now() - killedAt;
          await waitFor(
            async () => {
              const items = (await client.list(l2Path)).items;
              return (
                items.length === 1 && (items[0]?.status as { node?: string } | undefined)?.node === other.name
              );
            },
            { timeoutMs: 10_000, description: `the ServiceL2Status naming ${other.name} only` },
          );
          // The dead node's BGP session expires with the hold time; the route keeps only the live next hop.
          await lab.bird.waitRoute(prefix, (paths) => nextHopsOf(paths, prefix).join() === other.ipv4);
          t.diagnostic(
            `layer 2 failover after SIGKILL: ${failoverMs} ms (arping from the client, 1 s rounds)`,
          );

          // The owner's speaker back: after its startup grace it takes the IP back (ranked first), one answer.
          await lab.spawn(ownerNode.ns, [process.execPath, runner, lab.path(`kubeconfig-${owner}`), owner], {
            name: `speaker-${owner}-again`,
          });
          await waitFor(
            async () => {
              const items = (await client.list(l2Path)).items;
              return (
                items.length === 1 && (items[0]?.status as { node?: string } | undefined)?.node === owner
              );
            },
            { timeoutMs: 10_000, description: `the ServiceL2Status naming ${owner} again` },
          );
          const back = await waitFor(
            async () => {
              const result = await lab.arping(lab.clients.lan.ns, ip, { count: 2 });
              return result.macs.length > 0 && result.macs[0] === ownerNode.mac.toLowerCase()
                ? result
                : undefined;
            },
            { timeoutMs: 10_000, description: `${owner} answering again` },
          );
          assert.deepEqual(back.macs, [ownerNode.mac.toLowerCase()], back.output);
          await lab.bird.waitRoute(prefix, (paths) => nextHopsOf(paths, prefix).length === expected.length);

          await client.delete('/api/v1/namespaces/default/services/web');
          await lab.bird.waitRoute(prefix, (paths) => paths.length === 0);
          await waitFor(async () => (await client.list(l2Path)).items.length === 0, {
            timeoutMs: 10_000,
            description: 'ServiceL2Status deleted',
          });
          const after = await lab.arping(lab.clients.lan.ns, ip, { count: 3 });
          assert.deepEqual(after.macs, [], after.output);
        },
      );
    } finally {
      await controller.stop();
      await server.close();
    }
  },
);
