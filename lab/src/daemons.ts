import { resolvePeer, type BgpDaemon, type ResolvedDaemonSpec } from './bgp-daemon.js';
import {
  staticRoute,
  type BgpDaemonKind,
  type BgpDaemonSpec,
  type BgpPeerRef,
  type BgpPeerSpec,
} from './bgp-types.js';
import { BirdDaemon } from './bird.js';
import { FrrDaemon } from './frr.js';
import { GobgpDaemon } from './gobgp.js';
import type { Lab } from './lab.js';
import type { Host, LabPlan } from './plan.js';
import type { ToolName } from './requirements.js';

export const defaultAsn: Record<BgpDaemonKind, number> = { bird: 64512, frr: 64513, gobgp: 64514 };

export interface DaemonSpecs {
  readonly bird?: BgpDaemonSpec | false;
  readonly frr?: BgpDaemonSpec;
  readonly gobgp?: BgpDaemonSpec;
}

/** Which daemons run: BIRD by default (the router), FRR and GoBGP only when given. */
export function enabledDaemons(specs: DaemonSpecs): Array<[BgpDaemonKind, BgpDaemonSpec]> {
  const enabled: Array<[BgpDaemonKind, BgpDaemonSpec]> = [];
  if (specs.bird !== false) enabled.push(['bird', specs.bird ?? {}]);
  if (specs.frr !== undefined) enabled.push(['frr', specs.frr]);
  if (specs.gobgp !== undefined) enabled.push(['gobgp', specs.gobgp]);
  return enabled;
}

export function toolsFor(specs: DaemonSpecs): ToolName[] {
  const needed: Record<BgpDaemonKind, ToolName[]> = {
    bird: ['bird', 'birdc'],
    frr: ['bgpd', 'vtysh'],
    gobgp: ['gobgpd', 'gobgp'],
  };
  return enabledDaemons(specs).flatMap(([kind]) => needed[kind]);
}

export function daemonHost(plan: LabPlan, kind: BgpDaemonKind): Host {
  return kind === 'bird' ? plan.router : kind === 'frr' ? plan.frr : plan.gobgp;
}

/** Turns a peer given by role (`{ node: 0 }`, `{ daemon: 'frr' }`) into addresses, ASN and port. */
export function resolvePeerRef(plan: LabPlan, specs: DaemonSpecs, ref: BgpPeerRef): BgpPeerSpec {
  if ('node' in ref) {
    const { node: index, family, ...rest } = ref;
    const node = plan.nodes[index];
    if (node === undefined)
      throw new Error(`lab: peer refers to node ${index}, but the lab has ${plan.nodes.length} nodes`);
    return { ...rest, address: family === 'ipv6' ? node.ipv6 : node.ipv4 };
  }
  if ('daemon' in ref) {
    const { daemon, family, ...rest } = ref;
    const spec = daemon === 'bird' ? specs.bird : specs[daemon];
    if (spec === undefined || spec === false)
      throw new Error(`lab: peer refers to ${daemon}, which is not part of the lab spec`);
    const host = daemonHost(plan, daemon);
    return {
      ...rest,
      address: family === 'ipv6' ? host.ipv6 : host.ipv4,
      asn: spec.asn ?? defaultAsn[daemon],
      ...(spec.port === undefined ? {} : { port: spec.port }),
    };
  }
  return ref;
}

export function resolveDaemonSpec(
  plan: LabPlan,
  specs: DaemonSpecs,
  kind: BgpDaemonKind,
  spec: BgpDaemonSpec,
): ResolvedDaemonSpec {
  const host = daemonHost(plan, kind);
  return {
    asn: spec.asn ?? defaultAsn[kind],
    port: spec.port ?? 179,
    routerId: spec.routerId ?? host.ipv4,
    peers: (spec.peers ?? []).map((ref, index) => resolvePeer(resolvePeerRef(plan, specs, ref), index)),
    staticRoutes: (spec.staticRoutes ?? []).map(staticRoute),
    extraConfig: spec.extraConfig ?? '',
  };
}

/** Creates and starts the daemons of the spec, in parallel. */
export async function startDaemons(lab: Lab, specs: DaemonSpecs): Promise<Map<BgpDaemonKind, BgpDaemon>> {
  const daemons = new Map<BgpDaemonKind, BgpDaemon>();
  for (const [kind, spec] of enabledDaemons(specs)) {
    const resolved = resolveDaemonSpec(lab.plan, specs, kind, spec);
    const host = daemonHost(lab.plan, kind);
    const daemon =
      kind === 'bird'
        ? new BirdDaemon(lab, host, resolved, kind)
        : kind === 'frr'
          ? new FrrDaemon(lab, host, resolved, kind)
          : new GobgpDaemon(lab, host, resolved, kind);
    daemons.set(kind, daemon);
  }
  await Promise.all([...daemons.values()].map((daemon) => daemon.start()));
  return daemons;
}
