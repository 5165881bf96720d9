// The speaker against the embedded API server: endpoints appear and disappear, nodes are excluded,
// configuration changes; status objects, Events, metrics and protocol calls follow.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  KubeClient,
  kubeConfigFor,
  resourcePath,
  startApiServer,
  type ApiServer,
  type KubeObject,
} from '@lbops/kube';
import { rankNodes } from '../l2/leader.js';
import { EXCLUDE_LABEL } from './cluster-state.js';
import type { BgpAnnouncement, L2Announcement } from './decide.js';
import type { ProtocolHandler, ProtocolProblem } from './protocol.js';
import { NODE_LABEL, Speaker } from './speaker.js';

const NS = 'metallb-system';
const IP = '192.0.2.5';
const BGP_IP = '198.51.100.9';
const NODES = ['node-a', 'node-b', 'node-c'];

let server: ApiServer;
let client: KubeClient;
const speakers: Speaker[] = [];

async function create(object: KubeObject): Promise<KubeObject> {
  return client.create(await client.pathOf(object, { collection: true }), object);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
}

const statusPath = (resource: string): string =>
  resourcePath({ apiVersion: 'metallb.io/v1beta1', resource, namespace: NS });

async function statuses(resource: 'servicel2statuses' | 'servicebgpstatuses'): Promise<KubeObject[]> {
  return (await client.list(statusPath(resource))).items;
}

const statusNodes = (items: readonly KubeObject[]): string[] =>
  items.map((i) => (i.status as { node?: string } | undefined)?.node ?? '').sort();

async function setNodeLabels(name: string, labels: Record<string, string | null>): Promise<void> {
  await client.mergePatch(`/api/v1/nodes/${name}`, { metadata: { labels } });
}

function slice(ready: boolean, nodeName: string): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready }, nodeName }],
    ports: [{ port: 80, protocol: 'TCP' }],
  };
}

const slicePath = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-1';

/** Records what the speaker asks of a protocol. */
class RecordingProtocol<A extends { ip: string }> implements ProtocolHandler<A> {
  readonly balancers = new Map<string, string[]>();
  configs = 0;
  constructor(readonly protocol: 'layer2' | 'bgp') {}
  setConfig(): [] {
    this.configs++;
    return [];
  }
  setNode(): [] {
    return [];
  }
  /** A problem to report for each setBalancer, as a protocol that cannot announce would. */
  failWith: string | undefined;
  setBalancer(service: string, announcements: readonly A[]): ProtocolProblem[] {
    this.balancers.set(
      service,
      announcements.map((a) => a.ip),
    );
    return this.failWith === undefined ? [] : [{ service, message: this.failWith }];
  }
  deleteBalancer(service: string): void {
    this.balancers.delete(service);
  }
  stop(): void {}
}

const recordingL2 = new RecordingProtocol<L2Announcement>('layer2');
const recordingBgp = new RecordingProtocol<BgpAnnouncement>('bgp');

describe('speaker against the embedded API server', () => {
  before(async () => {
    server = await startApiServer({ host: '127.0.0.1', port: 0 });
    client = new KubeClient(kubeConfigFor(server.url, server.token));
    for (const name of NODES) {
      await create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name } },
        status: { addresses: [{ type: 'InternalIP', address: `10.0.0.${NODES.indexOf(name) + 11}` }] },
      });
    }
    await create({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'l2pool', namespace: NS },
      spec: { addresses: ['192.0.2.0/28'] },
    });
    await create({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'l2', namespace: NS },
      spec: { ipAddressPools: ['l2pool'] },
    });
    const svc = await create({
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
    assert.ok(svc.metadata?.name === 'web');
    await client.mergePatch('/api/v1/namespaces/default/services/web/status', {
      status: { loadBalancer: { ingress: [{ ip: IP }] } },
    });
    for (const node of NODES) {
      const speaker = new Speaker({
        client,
        node,
        dryRun: node !== 'node-a',
        debounceMs: 10,
        ...(node === 'node-a' ? { protocols: { layer2: recordingL2, bgp: recordingBgp } } : {}),
      });
      speaker.start();
      speakers.push(speaker);
    }
    for (const speaker of speakers) assert.ok(await speaker.settled(8_000));
  });

  after(async () => {
    await Promise.all(speakers.map((s) => s.stop()));
    await server?.close();
  });

  test('each speaker reports a valid ConfigurationState', async () => {
    for (const node of NODES) {
      const state = await waitFor(`ConfigurationState of ${node}`, async () => {
        const obj = await client.get(
          resourcePath({
            apiVersion: 'metallb.io/v1beta1',
            resource: 'configurationstates',
            namespace: NS,
            name: `speaker-${node}`,
          }),
        );
        return (obj.status as { result?: string } | undefined)?.result === 'Valid' ? obj : undefined;
      });
      assert.equal(state.metadata?.labels?.[NODE_LABEL], node);
    }
  });

  test('no ready endpoint: nothing announced', async () => {
    assert.deepEqual(await statuses('servicel2statuses'), []);
    await create(slice(false, 'node-b'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await statuses('servicel2statuses'), []);
    assert.equal(recordingL2.balancers.size, 0);
  });

  test('a ready endpoint: exactly the ranked owner announces, with status, Event and metric', async () => {
    await client.mergePatch(slicePath, slice(true, 'node-b'));
    const owner = rankNodes(IP, NODES)[0] ?? '';
    const items = await waitFor('one ServiceL2Status', async () => {
      const list = await statuses('servicel2statuses');
      return list.length === 1 && (list[0]?.status as { node?: string } | undefined)?.node !== undefined
        ? list
        : undefined;
    });
    assert.deepEqual(statusNodes(items), [owner]);
    const status = items[0]?.status as { serviceName?: string; serviceNamespace?: string };
    assert.equal(status.serviceName, 'web');
    assert.equal(status.serviceNamespace, 'default');
    const event = await waitFor('nodeAssigned Event', async () => {
      const events = (await client.list('/api/v1/namespaces/default/events')).items;
      return events.find((e) => e.reason === 'nodeAssigned');
    });
    assert.equal(event.message, `announcing from node "${owner}" with protocol "layer2"`);
    const ownerSpeaker = speakers.find((s) => s.node === owner);
    const metrics = await ownerSpeaker?.registry.metrics();
    assert.match(
      metrics ?? '',
      new RegExp(
        `metallb_speaker_announced\\{service="default/web",protocol="layer2",node="${owner}",ip="${IP.replace(/\./g, '\\.')}"\\} 1`,
      ),
    );
    // The speaker with protocols was told exactly when it owns the IP.
    assert.deepEqual(recordingL2.balancers.get('default/web'), owner === 'node-a' ? [IP] : undefined);
  });

  test('excluding the owner moves the announcement to the next ranked node', async () => {
    const [first, second] = rankNodes(IP, NODES);
    assert.ok(first !== undefined && second !== undefined);
    await setNodeLabels(first, { [EXCLUDE_LABEL]: 'true' });
    const items = await waitFor('the status to move', async () => {
      const list = await statuses('servicel2statuses');
      return list.length === 1 && statusNodes(list)[0] === second ? list : undefined;
    });
    assert.deepEqual(statusNodes(items), [second]);
    await setNodeLabels(first, { [EXCLUDE_LABEL]: null });
    await waitFor('the status to move back', async () => {
      const list = await statuses('servicel2statuses');
      return list.length === 1 && statusNodes(list)[0] === first ? list : undefined;
    });
  });

  test('the endpoint going unready withdraws everything', async () => {
    await client.mergePatch(slicePath, slice(false, 'node-b'));
    await waitFor('no ServiceL2Status', async () =>
      (await statuses('servicel2statuses')).length === 0 ? true : undefined,
    );
    for (const speaker of speakers) assert.ok(await speaker.settled(5_000));
    assert.equal(recordingL2.balancers.size, 0);
    await client.mergePatch(slicePath, slice(true, 'node-b'));
    await waitFor('the ServiceL2Status back', async () =>
      (await statuses('servicel2statuses')).length === 1 ? true : undefined,
    );
  });

  test('configuration changes: BGP advertised from every node, L2 withdrawn with its advertisement', async () => {
    await create({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'bgppool', namespace: NS },
      spec: { addresses: ['198.51.100.0/24'] },
    });
    await create({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'router', namespace: NS },
      spec: { myASN: 64512, peerASN: 64512, peerAddress: '10.0.0.1' },
    });
    await create({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'bgp', namespace: NS },
      spec: { ipAddressPools: ['bgppool'] },
    });
    recordingBgp.failWith = 'no session to router';
    await client.mergePatch('/api/v1/namespaces/default/services/web/status', {
      status: { loadBalancer: { ingress: [{ ip: IP }, { ip: BGP_IP }] } },
    });
    const items = await waitFor('a ServiceBGPStatus per node', async () => {
      const list = await statuses('servicebgpstatuses');
      return list.length === NODES.length && statusNodes(list).every((n) => n !== '') ? list : undefined;
    });
    assert.deepEqual(statusNodes(items), NODES);
    for (const item of items) assert.deepEqual((item.status as { peers?: string[] }).peers, ['router']);
    await waitFor('the BGP protocol told', () =>
      Promise.resolve(
        recordingBgp.balancers.get('default/web')?.includes(BGP_IP) === true ? true : undefined,
      ),
    );
    recordingBgp.failWith = undefined;
    const failed = await waitFor('announceFailed Event', async () => {
      const events = (await client.list('/api/v1/namespaces/default/events')).items;
      return events.find((e) => e.reason === 'announceFailed');
    });
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.message, 'bgp: no session to router');
    // Excluding a node withdraws its BGP announcement only.
    await setNodeLabels('node-c', { [EXCLUDE_LABEL]: '' });
    await waitFor('node-c withdrawn', async () => {
      const list = await statuses('servicebgpstatuses');
      return statusNodes(list).join() === 'node-a,node-b' ? true : undefined;
    });
    await client.delete(
      resourcePath({
        apiVersion: 'metallb.io/v1beta1',
        resource: 'l2advertisements',
        namespace: NS,
        name: 'l2',
      }),
    );
    await waitFor('L2 withdrawn', async () =>
      (await statuses('servicel2statuses')).length === 0 ? true : undefined,
    );
    assert.equal((await statuses('servicebgpstatuses')).length, 2);
  });

  test('deleting the Service withdraws everything and deletes the status objects', async () => {
    await client.delete('/api/v1/namespaces/default/services/web');
    await waitFor('no status objects', async () =>
      (await statuses('servicebgpstatuses')).length + (await statuses('servicel2statuses')).length === 0
        ? true
        : undefined,
    );
    for (const speaker of speakers) assert.ok(await speaker.settled(5_000));
    assert.equal(recordingBgp.balancers.size, 0);
    const metrics = await speakers[0]?.registry.metrics();
    assert.doesNotMatch(metrics ?? '', /metallb_speaker_announced\{/);
  });
});
