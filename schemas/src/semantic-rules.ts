// Rules across all documents at once: everything MetalLB rejects (so nothing passes here that
// would fail at runtime), plus warnings MetalLB does not give. Overlaps are found by sorting
// (findOverlaps), never pairwise, so 10,000 pools validate in well under a second.
import {
  countBuggyIps,
  familyBits,
  findOverlaps,
  formatRange,
  rangeToCidrs,
  type IpFamily,
  type IpRange,
} from './address.js';
import { communityKey, formatCommunity, looksLikeCommunityLiteral, parseCommunity } from './community.js';
import { diagnostic, where } from './diagnostics.js';
import { formatLabelSelector, matchesLabelSelector, type LabelSelector } from './label-selector.js';
import type {
  BfdProfile,
  BgpCommunity,
  BgpPeer,
  CommunityAlias,
  Config,
  Diagnostic,
  ResourceBase,
} from './model.js';
import type {
  CommunityEntry,
  Entry,
  MutableBgpAdvertisement,
  MutableL2,
  PoolEntry,
  PoolRange,
} from './resources.js';
import {
  contextCode,
  contextRanges,
  type ContextRange,
  type ValidationContext,
} from './validation-context.js';

export interface CommunityResourceEntry {
  readonly base: ResourceBase;
  readonly at: Entry<unknown>['at'];
  readonly entries: readonly CommunityEntry[];
}

/** Everything collected from all files, before cross-resource rules. */
export interface Collected {
  readonly pools: PoolEntry[];
  readonly l2: Array<Entry<MutableL2>>;
  readonly bgp: Array<Entry<MutableBgpAdvertisement>>;
  readonly peers: Array<Entry<BgpPeer>>;
  readonly bfd: Array<Entry<BfdProfile>>;
  readonly communityResources: CommunityResourceEntry[];
  /** Names of documents that failed schema validation, per kind: references to them are not reported as unknown. */
  readonly invalidNames: Map<string, Set<string>>;
}

/**
 * MetalLB's BGP implementation, when known. Each refuses things the other accepts: FRR mode needs one
 * myASN and routerID per VRF and one BGPPeer per address; native mode has no BFD and no VRFs. When
 * undefined, the FRR checks are warnings and the native ones are skipped.
 */
export type BgpMode = 'frr' | 'native';

export function applySemanticRules(
  collected: Collected,
  diagnostics: Diagnostic[],
  context?: ValidationContext,
  bgpMode?: BgpMode,
): Config {
  const pools = uniqueByName('IPAddressPool', collected.pools, diagnostics);
  const l2 = uniqueByName('L2Advertisement', collected.l2, diagnostics);
  const bgp = uniqueByName('BGPAdvertisement', collected.bgp, diagnostics);
  const peers = uniqueByName('BGPPeer', collected.peers, diagnostics);
  const bfd = uniqueByName('BFDProfile', collected.bfd, diagnostics);
  uniqueByName(
    'Community',
    collected.communityResources.map((c) => ({ model: c.base, at: c.at })),
    diagnostics,
  );

  checkNamespaces(
    [
      ...pools,
      ...l2,
      ...bgp,
      ...peers,
      ...bfd,
      ...collected.communityResources.map((c) => ({ model: c.base, at: c.at })),
    ],
    diagnostics,
  );
  checkPoolOverlaps(collected.pools, diagnostics);
  checkBuggyIps(pools, diagnostics);
  if (context !== undefined) checkContext(pools, context, diagnostics);

  const { aliases, invalid: invalidAliases } = resolveAliases(collected.communityResources, diagnostics);
  const selection = new PoolSelection(pools, collected.invalidNames.get('IPAddressPool') ?? new Set());
  for (const adv of l2) selectPools(adv, selection, diagnostics);
  for (const adv of bgp) selectPools(adv, selection, diagnostics);

  const peerNames = new Set(peers.map((p) => p.model.name));
  const invalidPeers = collected.invalidNames.get('BGPPeer') ?? new Set();
  for (const adv of bgp) {
    adv.model.peers.forEach((name, i) => {
      if (!peerNames.has(name) && !invalidPeers.has(name)) {
        diagnostics.push(
          diagnostic(
            adv.at(`/spec/peers/${i}`),
            'error',
            'unknown-peer-ref',
            `BGPAdvertisement "${adv.model.name}" names BGPPeer "${name}", which does not exist`,
            hintFor(name, [...peerNames], 'BGPPeer'),
          ),
        );
      }
    });
    resolveAdvertisementCommunities(
      adv,
      aliases,
      invalidAliases,
      collected.invalidNames.get('Community') !== undefined,
      diagnostics,
    );
    checkAggregation(adv, selection, diagnostics);
  }
  checkLocalPref(bgp, diagnostics);
  checkPeers(peers, bfd, collected.invalidNames.get('BFDProfile') ?? new Set(), diagnostics);
  checkModeConstraints(peers, bfd, bgpMode, diagnostics);
  checkUnadvertised(pools, l2, bgp, diagnostics);
  checkFamilies(bgp, peers, selection, diagnostics);

  return {
    pools: pools.map((p) => p.model),
    l2Advertisements: l2.map((a) => a.model),
    bgpAdvertisements: bgp.map((a) => a.model),
    bgpPeers: peers.map((p) => p.model),
    communities: [...aliases.values()],
    bfdProfiles: bfd.map((b) => b.model),
  };
}

/** Reports repeated names of one kind (across all files) and returns the first of each. */
function uniqueByName<T extends Entry<ResourceBase>>(
  kind: string,
  entries: readonly T[],
  diagnostics: Diagnostic[],
): T[] {
  const first = new Map<string, T>();
  const out: T[] = [];
  for (const e of entries) {
    const prior = first.get(e.model.name);
    if (prior === undefined) {
      first.set(e.model.name, e);
      out.push(e);
      continue;
    }
    diagnostics.push(
      diagnostic(
        e.at('/metadata/name'),
        'error',
        'duplicate-name',
        `${kind} "${e.model.name}" is defined twice; the other is at ${where(prior.model.source)}`,
        `rename one of them or merge them: names are unique per kind`,
      ),
    );
  }
  return out;
}

/** MetalLB reads only its own namespace: a resource elsewhere is silently ignored by it. */
function checkNamespaces(entries: ReadonlyArray<Entry<ResourceBase>>, diagnostics: Diagnostic[]): void {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.model.namespace, (counts.get(e.model.namespace) ?? 0) + 1);
  if (counts.size < 2) return;
  const [main] = [...counts].sort(
    (a, b) => b[1] - a[1] || (a[0] === 'metallb-system' ? -1 : b[0] === 'metallb-system' ? 1 : 0),
  )[0] ?? [''];
  for (const e of entries) {
    if (e.model.namespace === main) continue;
    diagnostics.push(
      diagnostic(
        e.at('/metadata/namespace'),
        'warning',
        'namespace-mismatch',
        `${e.model.name} is in namespace "${e.model.namespace}", the others in "${main}"; MetalLB reads only the namespace it runs in and ignores the rest`,
        `move it to namespace "${main}" (or the namespace MetalLB runs in)`,
      ),
    );
  }
}

function checkPoolOverlaps(pools: readonly PoolEntry[], diagnostics: Diagnostic[]): void {
  const items: Array<{ range: IpRange; tag: { pool: PoolEntry; r: PoolRange } }> = [];
  for (const pool of pools) for (const r of pool.ranges) items.push({ range: r.range, tag: { pool, r } });
  for (const [a, b] of findOverlaps(items)) {
    const [x, y] =
      a.tag.r.index <= b.tag.r.index || a.tag.pool !== b.tag.pool ? [a.tag, b.tag] : [b.tag, a.tag];
    if (x.pool === y.pool) {
      // Identical entries are reported as duplicate-entry by the resource builder.
      if (x.r.text.trim() === y.r.text.trim()) continue;
      diagnostics.push(
        diagnostic(
          y.pool.at(`/spec/addresses/${y.r.index}`),
          'error',
          'pool-self-overlap',
          `"${y.r.text}" overlaps "${x.r.text}" in the same IPAddressPool "${y.pool.model.name}"`,
          'remove or shrink one of the two entries; an address may appear only once',
        ),
      );
    } else {
      diagnostics.push(
        diagnostic(
          y.pool.at(`/spec/addresses/${y.r.index}`),
          'error',
          'pool-overlap',
          `"${y.r.text}" in IPAddressPool "${y.pool.model.name}" overlaps "${x.r.text}" in IPAddressPool "${x.pool.model.name}" (${where(x.pool.at(`/spec/addresses/${x.r.index}`))})`,
          'pools must not share addresses: shrink one range or split it into non-overlapping ranges',
        ),
      );
    }
  }
}

function checkBuggyIps(pools: readonly PoolEntry[], diagnostics: Diagnostic[]): void {
  for (const pool of pools) {
    if (pool.model.avoidBuggyIPs) continue;
    const r = pool.ranges.find((x) => countBuggyIps(x.range) > 0n);
    if (r === undefined) continue;
    diagnostics.push(
      diagnostic(
        pool.at(`/spec/addresses/${r.index}`),
        'warning',
        'buggy-ips',
        `"${r.text}" in IPAddressPool "${pool.model.name}" contains addresses ending in .0 or .255, which some old clients and routers mishandle`,
        'set spec.avoidBuggyIPs: true to skip them, or exclude them from the range',
      ),
    );
  }
}

function checkContext(
  pools: readonly PoolEntry[],
  context: ValidationContext,
  diagnostics: Diagnostic[],
): void {
  const ranges = contextRanges(context, diagnostics);
  if (ranges.length === 0) return;
  const index = new ContextIndex(ranges);
  for (const pool of pools) {
    for (const r of pool.ranges) {
      const hit = index.firstOverlap(r.range);
      if (hit === undefined) continue;
      diagnostics.push(
        diagnostic(
          pool.at(`/spec/addresses/${r.index}`),
          'error',
          contextCode(hit.category),
          `"${r.text}" in IPAddressPool "${pool.model.name}" overlaps the ${hit.label}`,
          'remove those addresses from the pool: Services would get addresses already in use',
        ),
      );
    }
  }
}

/** Sorted context ranges with a running maximum of their ends: one binary search answers "does anything overlap [a, b]?". */
class ContextIndex {
  private readonly byFamily = new Map<IpFamily, { sorted: ContextRange[]; reach: ContextRange[] }>();
  constructor(ranges: readonly ContextRange[]) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      const sorted = ranges
        .filter((r) => r.range.family === family)
        .sort((a, b) => (a.range.first < b.range.first ? -1 : a.range.first > b.range.first ? 1 : 0));
      const reach: ContextRange[] = [];
      let best: ContextRange | undefined;
      for (const r of sorted) {
        if (best === undefined || r.range.last > best.range.last) best = r;
        reach.push(best);
      }
      this.byFamily.set(family, { sorted, reach });
    }
  }
  firstOverlap(range: IpRange): ContextRange | undefined {
    const entry = this.byFamily.get(range.family);
    if (entry === undefined || entry.sorted.length === 0) return undefined;
    // The last context range starting at or before range.last.
    let lo = 0;
    let hi = entry.sorted.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((entry.sorted[mid] as ContextRange).range.first <= range.last) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const reach = entry.reach[found] as ContextRange;
    return reach.range.last >= range.first ? reach : undefined;
  }
}

function resolveAliases(
  resources: readonly CommunityResourceEntry[],
  diagnostics: Diagnostic[],
): { aliases: Map<string, CommunityAlias>; invalid: Set<string> } {
  const aliases = new Map<string, CommunityAlias>();
  const locations = new Map<string, CommunityEntry>();
  for (const res of resources) {
    for (const e of res.entries) {
      const prior = locations.get(e.name);
      if (prior !== undefined) {
        diagnostics.push(
          diagnostic(
            e.at(`${e.pointer}/name`),
            'error',
            'duplicate-community-alias',
            `community alias "${e.name}" is defined twice; the other is at ${where(prior.at(`${prior.pointer}/name`))}`,
            'rename or remove one of them',
          ),
        );
        continue;
      }
      locations.set(e.name, e);
      if (e.value === undefined) continue;
      const at = e.at(`${e.pointer}/name`);
      aliases.set(e.name, {
        name: e.name,
        value: e.value,
        text: e.text,
        definedIn: e.resource,
        source: {
          file: at.file,
          line: at.line,
          column: at.column,
          path: at.path,
          documentIndex: res.base.source.documentIndex,
        },
      });
    }
  }
  // Aliases whose value was invalid still count as defined (their value is already reported).
  const invalid = new Set([...locations.keys()].filter((n) => !aliases.has(n)));
  return { aliases, invalid };
}

function resolveAdvertisementCommunities(
  adv: Entry<MutableBgpAdvertisement>,
  aliases: ReadonlyMap<string, CommunityAlias>,
  invalidAliasNames: ReadonlySet<string>,
  someCommunityInvalid: boolean,
  diagnostics: Diagnostic[],
): void {
  const resolved: BgpCommunity[] = [];
  const seen = new Map<string, number>();
  adv.model.communityRefs.forEach((ref, i) => {
    const pointer = `/spec/communities/${i}`;
    let value: BgpCommunity | undefined;
    if (looksLikeCommunityLiteral(ref)) {
      const parsed = parseCommunity(ref.trim());
      if (!parsed.ok) {
        diagnostics.push(
          diagnostic(
            adv.at(pointer),
            'error',
            'invalid-community',
            parsed.reason,
            'e.g. "65000:100", "large:65000:1:2", or the name of a Community alias',
          ),
        );
        return;
      }
      value = parsed.community;
    } else {
      value = aliases.get(ref)?.value;
      if (value === undefined) {
        if (!invalidAliasNames.has(ref) && !someCommunityInvalid) {
          diagnostics.push(
            diagnostic(
              adv.at(pointer),
              'error',
              'unknown-community',
              `"${ref}" is neither a community value nor the name of a Community alias`,
              hintFor(
                ref,
                [...aliases.keys()],
                'Community alias',
                'define it in a Community resource, or write the value, e.g. "65000:100"',
              ),
            ),
          );
        }
        return;
      }
    }
    const key = communityKey(value);
    const first = seen.get(key);
    if (first !== undefined) {
      diagnostics.push(
        diagnostic(
          adv.at(pointer),
          'error',
          'duplicate-entry',
          `community ${formatCommunity(value)} is listed twice (entries ${first} and ${i})`,
          'remove the repeated community',
        ),
      );
      return;
    }
    seen.set(key, i);
    resolved.push(value);
  });
  adv.model.communities = resolved;
}

/** Pools by name and by label, so that selectors do not scan every pool. */
class PoolSelection {
  readonly byName = new Map<string, PoolEntry>();
  readonly allNames: readonly string[];
  private readonly byLabel = new Map<string, PoolEntry[]>();
  private readonly prefixCache = new Map<PoolEntry, { ipv4: number; ipv6: number }>();
  constructor(
    readonly pools: readonly PoolEntry[],
    readonly invalidNames: ReadonlySet<string>,
  ) {
    for (const p of pools) {
      this.byName.set(p.model.name, p);
      for (const [k, v] of Object.entries(p.model.labels)) {
        const key = `${k}=${v}`;
        const list = this.byLabel.get(key);
        if (list === undefined) this.byLabel.set(key, [p]);
        else list.push(p);
      }
    }
    this.allNames = pools.map((p) => p.model.name);
  }
  matching(selector: LabelSelector): readonly PoolEntry[] {
    const firstLabel = Object.entries(selector.matchLabels)[0];
    const candidates =
      firstLabel === undefined ? this.pools : (this.byLabel.get(`${firstLabel[0]}=${firstLabel[1]}`) ?? []);
    return candidates.filter((p) => matchesLabelSelector(selector, p.model.labels));
  }
  /** The longest prefix among the CIDRs that make up the pool's ranges of a family (0 when none). */
  longestPrefix(pool: PoolEntry, family: IpFamily): number {
    let cached = this.prefixCache.get(pool);
    if (cached === undefined) {
      cached = { ipv4: 0, ipv6: 0 };
      for (const r of pool.model.addresses) {
        for (const c of rangeToCidrs(r)) cached[r.family] = Math.max(cached[r.family], c.prefixLength);
      }
      this.prefixCache.set(pool, cached);
    }
    return cached[family];
  }
}

/** Resolves which pools an advertisement selects (MetalLB: names OR selectors; neither = all pools). */
function selectPools(
  adv: Entry<MutableL2 | MutableBgpAdvertisement>,
  selection: PoolSelection,
  diagnostics: Diagnostic[],
): void {
  const m = adv.model;
  if (m.ipAddressPools.length === 0 && m.ipAddressPoolSelectors.length === 0) {
    m.selectedPools = selection.allNames;
    return;
  }
  const chosen = new Set<string>();
  m.ipAddressPools.forEach((name, i) => {
    if (selection.byName.has(name)) chosen.add(name);
    else if (!selection.invalidNames.has(name)) {
      diagnostics.push(
        diagnostic(
          adv.at(`/spec/ipAddressPools/${i}`),
          'error',
          'unknown-pool-ref',
          `${m.kind} "${m.name}" names IPAddressPool "${name}", which does not exist`,
          hintFor(name, [...selection.byName.keys()], 'IPAddressPool'),
        ),
      );
    }
  });
  m.ipAddressPoolSelectors.forEach((selector, i) => {
    const matched = selection.matching(selector);
    if (matched.length === 0) {
      diagnostics.push(
        diagnostic(
          adv.at(`/spec/ipAddressPoolSelectors/${i}`),
          'warning',
          'selector-matches-no-pool',
          `ipAddressPoolSelectors[${i}] (${formatLabelSelector(selector) || 'empty'}) of ${m.kind} "${m.name}" matches no IPAddressPool`,
          'check the labels in metadata.labels of the pools you meant',
        ),
      );
    }
    for (const p of matched) chosen.add(p.model.name);
  });
  m.selectedPools = [...chosen];
}

function checkAggregation(
  adv: Entry<MutableBgpAdvertisement>,
  selection: PoolSelection,
  diagnostics: Diagnostic[],
): void {
  const m = adv.model;
  const customAggregation = m.aggregationLength !== 32 || m.aggregationLengthV6 !== 128;
  if (customAggregation && m.serviceSelectors.length > 0) {
    diagnostics.push(
      diagnostic(
        adv.at('/spec/serviceSelectors'),
        'error',
        'service-selectors-with-aggregation',
        `BGPAdvertisement "${m.name}" has serviceSelectors and a non-default aggregation length`,
        'an aggregated prefix covers several Services, so it cannot be selected per Service: remove serviceSelectors or the aggregation length',
      ),
    );
  }
  for (const [family, length, field] of [
    ['ipv4', m.aggregationLength, 'aggregationLength'],
    ['ipv6', m.aggregationLengthV6, 'aggregationLengthV6'],
  ] as const) {
    if (length >= familyBits(family)) continue;
    for (const name of m.selectedPools) {
      const pool = selection.byName.get(name);
      if (pool === undefined) continue;
      const longest = selection.longestPrefix(pool, family);
      if (longest > length) {
        const offending = pool.model.addresses.find(
          (r) => r.family === family && rangeToCidrs(r).some((c) => c.prefixLength > length),
        );
        diagnostics.push(
          diagnostic(
            adv.at(`/spec/${field}`),
            'error',
            'aggregation-length-too-short',
            `${field} ${length} of BGPAdvertisement "${m.name}" is shorter than the /${longest} prefixes of IPAddressPool "${name}"${offending === undefined ? '' : ` (${formatRange(offending)})`}: the aggregate would announce addresses outside the pool`,
            `use an ${field} of at least ${longest}, or make the pool a CIDR of that size`,
          ),
        );
        break;
      }
    }
  }
}

/** Advertisements of one pool with the same aggregation towards a common peer must agree on localPref. */
function checkLocalPref(
  advs: ReadonlyArray<Entry<MutableBgpAdvertisement>>,
  diagnostics: Diagnostic[],
): void {
  // An unset localPref is 0 on the wire (MetalLB's default), so it conflicts with a set one too.
  if (!advs.some((a) => a.model.localPref !== undefined && a.model.localPref !== 0)) return;
  const perPool = new Map<string, Array<Entry<MutableBgpAdvertisement>>>();
  for (const a of advs) {
    for (const p of a.model.selectedPools) {
      const list = perPool.get(p);
      if (list === undefined) perPool.set(p, [a]);
      else list.push(a);
    }
  }
  const reported = new Set<string>();
  const checkedSignatures = new Set<string>();
  for (const [pool, list] of perPool) {
    if (list.length < 2) continue;
    const signature = list.map((a) => a.model.name).join('\0');
    if (checkedSignatures.has(signature)) continue;
    checkedSignatures.add(signature);
    const groups = new Map<string, Array<Entry<MutableBgpAdvertisement>>>();
    for (const a of list) {
      const key = `${a.model.aggregationLength}/${a.model.aggregationLengthV6}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, [a]);
      else g.push(a);
    }
    for (const group of groups.values()) {
      // The first advertisement seen per peer ('*' = all peers); a later one with another localPref conflicts.
      const firstByPeer = new Map<string, Entry<MutableBgpAdvertisement>>();
      const allPeers: Array<Entry<MutableBgpAdvertisement>> = [];
      for (const a of group) {
        const targets = a.model.peers.length === 0 ? ['*'] : a.model.peers;
        let conflict: Entry<MutableBgpAdvertisement> | undefined;
        for (const t of targets) {
          const candidates =
            t === '*' ? [...firstByPeer.values(), ...allPeers] : [firstByPeer.get(t), ...allPeers];
          conflict = candidates.find(
            (o) => o !== undefined && (o.model.localPref ?? 0) !== (a.model.localPref ?? 0),
          );
          if (conflict !== undefined) break;
        }
        if (conflict !== undefined) {
          const key = `${conflict.model.name}\0${a.model.name}`;
          if (!reported.has(key)) {
            reported.add(key);
            diagnostics.push(
              diagnostic(
                a.at(a.model.localPref === undefined ? '/metadata/name' : '/spec/localPref'),
                'error',
                'conflicting-local-pref',
                `BGPAdvertisement "${a.model.name}" announces IPAddressPool "${pool}" with localPref ${a.model.localPref ?? 0}, but "${conflict.model.name}" (${where(conflict.model.source)}) announces it to the same peers with the same aggregation and localPref ${conflict.model.localPref ?? 0}`,
                'use one localPref for a pool, aggregation length and peer, or split the peers between the advertisements',
              ),
            );
          }
          continue;
        }
        if (a.model.peers.length === 0) allPeers.push(a);
        else for (const t of a.model.peers) if (!firstByPeer.has(t)) firstByPeer.set(t, a);
      }
    }
  }
}

function checkPeers(
  peers: ReadonlyArray<Entry<BgpPeer>>,
  bfd: ReadonlyArray<Entry<BfdProfile>>,
  invalidBfd: ReadonlySet<string>,
  diagnostics: Diagnostic[],
): void {
  const profiles = new Set(bfd.map((b) => b.model.name));
  const seen = new Map<string, Entry<BgpPeer>>();
  for (const p of peers) {
    const m = p.model;
    if (m.bfdProfile !== undefined && !profiles.has(m.bfdProfile) && !invalidBfd.has(m.bfdProfile)) {
      diagnostics.push(
        diagnostic(
          p.at('/spec/bfdProfile'),
          'error',
          'unknown-bfd-profile',
          `BGPPeer "${m.name}" uses BFDProfile "${m.bfdProfile}", which does not exist`,
          hintFor(m.bfdProfile, [...profiles], 'BFDProfile'),
        ),
      );
    }
    const key = [
      m.peerAddress === undefined
        ? `if:${m.interface ?? ''}`
        : `${m.peerAddress.family}:${m.peerAddress.value}`,
      m.peerPort,
      m.vrf ?? '',
      m.myASN,
      m.peerASN ?? m.dynamicASN ?? '',
      m.sourceAddress?.value ?? '',
      m.nodeSelectors.map(formatLabelSelector).join(';'),
    ].join('|');
    const prior = seen.get(key);
    if (prior !== undefined) {
      diagnostics.push(
        diagnostic(
          p.at(m.peerAddress === undefined ? '/spec/interface' : '/spec/peerAddress'),
          'error',
          'duplicate-peer',
          `BGPPeer "${m.name}" describes the same session as BGPPeer "${prior.model.name}" (${where(prior.model.source)})`,
          'remove one of them; two identical sessions to one router cannot both be established',
        ),
      );
    } else seen.set(key, p);
  }
}

function checkModeConstraints(
  peers: ReadonlyArray<Entry<BgpPeer>>,
  bfd: ReadonlyArray<Entry<BfdProfile>>,
  mode: BgpMode | undefined,
  diagnostics: Diagnostic[],
): void {
  const frr = mode === 'frr' ? 'error' : 'warning';
  if (mode !== 'native') {
    // FRR runs one BGP router per VRF: one local ASN and router ID each, one neighbor per address.
    const firstByVrf = new Map<string, Entry<BgpPeer>>();
    const byAddress = new Map<string, Entry<BgpPeer>>();
    for (const p of peers) {
      const m = p.model;
      const vrf = m.vrf ?? '';
      const first = firstByVrf.get(vrf);
      if (first === undefined) firstByVrf.set(vrf, p);
      else {
        if (first.model.myASN !== m.myASN) {
          diagnostics.push(
            diagnostic(
              p.at('/spec/myASN'),
              frr,
              'frr-my-asn-mismatch',
              `BGPPeer "${m.name}" has myASN ${m.myASN}, but BGPPeer "${first.model.name}" in the same VRF has ${first.model.myASN}; MetalLB's FRR mode needs one myASN per VRF`,
              'use the same myASN for all peers of a VRF (or put the peers in different VRFs)',
            ),
          );
        }
        if ((first.model.routerID ?? '') !== (m.routerID ?? '')) {
          diagnostics.push(
            diagnostic(
              p.at(m.routerID === undefined ? '/metadata/name' : '/spec/routerID'),
              frr,
              'frr-router-id-mismatch',
              `BGPPeer "${m.name}" has routerID ${m.routerID ?? '(unset)'}, but BGPPeer "${first.model.name}" in the same VRF has ${first.model.routerID ?? '(unset)'}; MetalLB's FRR mode needs one router ID per VRF`,
              'use the same routerID (or none) for all peers of a VRF',
            ),
          );
        }
      }
      if (m.peerAddress === undefined) continue;
      const key = `${vrf}|${m.peerAddress.family}|${m.peerAddress.value}`;
      const prior = byAddress.get(key);
      if (prior === undefined) byAddress.set(key, p);
      else {
        diagnostics.push(
          diagnostic(
            p.at('/spec/peerAddress'),
            frr,
            'frr-duplicate-peer-address',
            `BGPPeer "${m.name}" peers with the same address as BGPPeer "${prior.model.name}" (${where(prior.model.source)}); MetalLB's FRR mode allows one BGPPeer per address and VRF`,
            'merge the two peers, or use nodeSelectors on one peer only',
          ),
        );
      }
    }
  }
  // Only when native mode is declared: FRR is MetalLB's default, and warning every BFD user would be noise.
  if (mode === 'native') {
    // MetalLB's native BGP speaker has no BFD, no VRFs, no unnumbered or dynamic-ASN sessions.
    for (const p of peers) {
      const m = p.model;
      const unsupported: Array<[string, string]> = [];
      if (m.bfdProfile !== undefined) unsupported.push(['/spec/bfdProfile', 'bfdProfile']);
      if (m.vrf !== undefined) unsupported.push(['/spec/vrf', 'vrf']);
      if (m.interface !== undefined) unsupported.push(['/spec/interface', 'interface']);
      if (m.dynamicASN !== undefined) unsupported.push(['/spec/dynamicASN', 'dynamicASN']);
      for (const [pointer, field] of unsupported) {
        diagnostics.push(
          diagnostic(
            p.at(pointer),
            'error',
            'native-mode-unsupported',
            `${field} on BGPPeer "${m.name}" needs MetalLB's FRR mode; the native BGP mode refuses it`,
            'deploy MetalLB in FRR mode, or remove the field',
          ),
        );
      }
    }
    {
      for (const b of bfd) {
        diagnostics.push(
          diagnostic(
            b.at('/metadata/name'),
            'error',
            'native-mode-unsupported',
            `BFDProfile "${b.model.name}" needs MetalLB's FRR mode; the native BGP mode refuses BFD profiles`,
            'deploy MetalLB in FRR mode, or delete the profile',
          ),
        );
      }
    }
  }
}

function checkUnadvertised(
  pools: readonly PoolEntry[],
  l2: ReadonlyArray<Entry<MutableL2>>,
  bgp: ReadonlyArray<Entry<MutableBgpAdvertisement>>,
  diagnostics: Diagnostic[],
): void {
  const advertised = new Set<string>();
  let all = false;
  for (const a of [...l2, ...bgp]) {
    if (a.model.ipAddressPools.length === 0 && a.model.ipAddressPoolSelectors.length === 0) {
      all = true;
      break;
    }
    for (const n of a.model.selectedPools) advertised.add(n);
  }
  if (all) return;
  for (const p of pools) {
    if (advertised.has(p.model.name)) continue;
    diagnostics.push(
      diagnostic(
        p.at('/metadata/name'),
        'warning',
        'pool-not-advertised',
        `no L2Advertisement or BGPAdvertisement selects IPAddressPool "${p.model.name}": its addresses would be handed out but never announced`,
        `add an L2Advertisement or BGPAdvertisement with ipAddressPools: [${p.model.name}]`,
      ),
    );
  }
}

/** A peer carries a family when its session is of that family, or when it is unnumbered or dual-stack (MP-BGP, RFC 4760). */
function peerCarries(peer: BgpPeer, family: IpFamily): boolean {
  if (peer.peerAddress === undefined) return true;
  if (peer.peerAddress.family === family) return true;
  return peer.dualStackAddressFamily && !peer.disableMP;
}

function checkFamilies(
  bgp: ReadonlyArray<Entry<MutableBgpAdvertisement>>,
  peers: ReadonlyArray<Entry<BgpPeer>>,
  selection: PoolSelection,
  diagnostics: Diagnostic[],
): void {
  if (peers.length === 0) return;
  const byName = new Map(peers.map((p) => [p.model.name, p]));
  for (const adv of bgp) {
    const families = new Map<IpFamily, string>();
    for (const name of adv.model.selectedPools) {
      const pool = selection.byName.get(name);
      if (pool === undefined) continue;
      for (const f of pool.model.families) if (!families.has(f)) families.set(f, name);
      if (families.size === 2) break;
    }
    const targets =
      adv.model.peers.length === 0
        ? peers
        : adv.model.peers.map((n) => byName.get(n)).filter((p) => p !== undefined);
    for (const [family, poolName] of families) {
      const missing = targets.filter((p) => !peerCarries(p.model, family));
      if (missing.length === 0) continue;
      const ipv6 = family === 'ipv6';
      const names =
        missing
          .map((p) => `"${p.model.name}"`)
          .slice(0, 3)
          .join(', ') + (missing.length > 3 ? `, and ${missing.length - 3} more` : '');
      diagnostics.push(
        diagnostic(
          adv.at(adv.model.peers.length === 0 ? '/metadata/name' : '/spec/peers'),
          'warning',
          ipv6 ? 'ipv6-pool-without-ipv6-peer' : 'ipv4-pool-without-ipv4-peer',
          `BGPAdvertisement "${adv.model.name}" announces the ${ipv6 ? 'IPv6' : 'IPv4'} addresses of IPAddressPool "${poolName}" to BGPPeer ${names}, whose session carries no ${ipv6 ? 'IPv6' : 'IPv4'} routes`,
          `peer over ${ipv6 ? 'an IPv6' : 'an IPv4'} address, set dualStackAddressFamily: true on the peer (and not disableMP), or limit the advertisement's peers`,
        ),
      );
    }
  }
}

/** "did you mean" for a misspelt reference. */
function hintFor(name: string, known: readonly string[], kind: string, fallback?: string): string {
  const close = closest(name, known);
  if (close !== undefined) return `did you mean "${close}"?`;
  return (
    fallback ??
    (known.length === 0
      ? `define a ${kind} named "${name}"`
      : `define a ${kind} named "${name}", or use one of: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', ...' : ''}`)
  );
}

function closest(name: string, known: readonly string[]): string | undefined {
  if (known.length > 2000) return undefined;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const k of known) {
    if (Math.abs(k.length - name.length) >= bestDistance) continue;
    const d = editDistance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
