// The catalogue of diagnostic codes: stable, kebab-case, one per rule. `metallb: true` marks rules
// MetalLB itself enforces (a config failing them is rejected at runtime); the others are lbops's own.
import type { Severity } from './model.js';

export interface DiagnosticCodeInfo {
  readonly severity: Severity;
  readonly metallb: boolean;
  readonly summary: string;
}

const e = (metallb: boolean, summary: string): DiagnosticCodeInfo => ({
  severity: 'error',
  metallb,
  summary,
});
const w = (summary: string): DiagnosticCodeInfo => ({ severity: 'warning', metallb: false, summary });

export const DIAGNOSTIC_CODES: Readonly<Record<string, DiagnosticCodeInfo>> = {
  // Reading the files
  'yaml-syntax': e(true, 'the YAML cannot be parsed'),
  'not-an-object': e(true, 'a document is not a map'),
  'missing-kind': e(true, 'a document has no apiVersion or kind'),
  'unknown-api-version': e(true, 'a MetalLB kind with a version (or group) that does not exist'),
  'unknown-kind': w('a document that is not MetalLB configuration; ignored'),
  'ignored-document': w('a ConfigMap that holds no MetalLB configuration; ignored'),
  'legacy-config': w('a legacy MetalLB ConfigMap, which MetalLB 0.13+ ignores'),
  'empty-legacy-config': w('a legacy ConfigMap whose config is empty'),
  'invalid-legacy-config': e(true, 'a legacy config holding several YAML documents'),
  'bgp-advertisements-on-layer2': e(true, 'a legacy layer2 pool with bgp-advertisements'),
  // Schema
  'missing-field': e(true, 'a required field is missing'),
  'wrong-type': e(true, 'a value of the wrong type'),
  'invalid-value': e(true, 'a value outside its enumeration'),
  'out-of-range': e(true, 'a number outside its range'),
  'empty-list': e(true, 'a list that must not be empty'),
  'empty-value': e(true, 'a string that must not be empty'),
  'value-too-long': e(true, 'a string longer than allowed'),
  'invalid-format': e(true, 'a string of the wrong format'),
  'invalid-name': e(true, 'metadata.name is not a valid Kubernetes name'),
  'invalid-duration': e(true, 'a duration that Go cannot parse'),
  'unknown-field': w(
    'a field the schema does not know (an error in legacy configs, parsed strictly by MetalLB)',
  ),
  'schema-violation': e(true, 'any other schema violation'),
  // Pools
  'pool-missing-addresses': e(true, 'an IPAddressPool without addresses'),
  'invalid-address': e(true, 'an address entry that is neither a CIDR nor a range'),
  'address-range-reversed': e(true, 'a range whose start is after its end'),
  'cidr-host-bits': w('a CIDR with host bits set (it means the whole network)'),
  'pool-self-overlap': e(true, 'two entries of one pool overlap'),
  'pool-overlap': e(true, 'two pools share addresses'),
  'buggy-ips': w('a pool with .0/.255 addresses and avoidBuggyIPs off'),
  'pool-not-advertised': w('no advertisement selects the pool'),
  'pool-overlaps-node': e(false, 'a pool includes a node address (context)'),
  'pool-overlaps-gateway': e(false, 'a pool includes a gateway (context)'),
  'pool-overlaps-pod-cidr': e(false, 'a pool overlaps the pod CIDR (context)'),
  'pool-overlaps-service-cidr': e(false, 'a pool overlaps the service CIDR (context)'),
  'pool-overlaps-reserved': e(false, "a pool overlaps another cluster's pool (context)"),
  'invalid-context': e(false, 'the context file is not a map'),
  'invalid-context-address': e(false, 'a context entry is not an address, CIDR or range'),
  // Names and references
  'duplicate-name': e(true, 'two resources of one kind share a name'),
  'namespace-mismatch': w('resources in different namespaces (MetalLB reads only its own)'),
  'duplicate-entry': e(true, 'a list holds the same entry twice'),
  'unknown-pool-ref': e(true, 'an advertisement names a pool that does not exist'),
  'unknown-peer-ref': e(true, 'a BGPAdvertisement names a peer that does not exist'),
  'unknown-community': e(true, 'a community is neither a value nor a defined alias'),
  'unknown-bfd-profile': e(true, 'a peer names a BFDProfile that does not exist'),
  'invalid-label-selector': e(true, 'a label selector the API server would refuse'),
  'selector-matches-no-pool': w('an ipAddressPoolSelectors entry matches no pool'),
  // Peers
  'peer-missing-my-asn': e(true, 'a BGPPeer without myASN'),
  'peer-asn-missing': e(true, 'a BGPPeer with neither peerASN nor dynamicASN'),
  'peer-asn-conflict': e(true, 'a BGPPeer with both peerASN and dynamicASN'),
  'peer-address-missing': e(true, 'a BGPPeer with neither peerAddress nor interface'),
  'peer-address-conflict': e(true, 'a BGPPeer with both peerAddress and interface'),
  'invalid-peer-address': e(true, 'peerAddress is not an IP address'),
  'invalid-source-address': e(true, 'sourceAddress is not an IP address'),
  'ebgp-multihop-ibgp': e(true, 'ebgpMultiHop on an iBGP session'),
  'hold-time-too-short': e(true, 'holdTime neither 0 nor at least 3s (RFC 4271 §4.2)'),
  'keepalive-exceeds-hold': e(true, 'keepaliveTime longer than holdTime'),
  'connect-time-out-of-range': e(true, 'connectTime outside 1s..65535s'),
  'invalid-router-id': e(true, 'routerID is not an IP address'),
  'router-id-not-ipv4': w('routerID is IPv6, but a BGP identifier is 32 bits'),
  'password-conflict': e(true, 'both password and passwordSecret'),
  'duplicate-peer': e(true, 'two BGPPeers describe the same session'),
  'frr-my-asn-mismatch': w("peers of one VRF with different myASN (an error with bgpMode 'frr')"),
  'frr-router-id-mismatch': w("peers of one VRF with different routerID (an error with bgpMode 'frr')"),
  'frr-duplicate-peer-address': w("two BGPPeers with one address and VRF (an error with bgpMode 'frr')"),
  'native-mode-unsupported': w(
    "bfdProfile, vrf, interface, dynamicASN or BFDProfile (an error with bgpMode 'native')",
  ),
  // Advertisements
  'aggregation-length-too-long': e(true, 'aggregationLength > 32 or aggregationLengthV6 > 128'),
  'aggregation-length-too-short': e(true, "an aggregation length shorter than the pool's own prefixes"),
  'conflicting-local-pref': e(true, 'different localPref for one pool, aggregation and peer'),
  'service-selectors-with-aggregation': e(true, 'serviceSelectors with a non-default aggregation length'),
  'invalid-community': e(true, 'a community value that is malformed'),
  'duplicate-community-alias': e(true, 'a community alias defined twice'),
  'ipv6-pool-without-ipv6-peer': w('IPv6 addresses announced to a peer whose session carries no IPv6'),
  'ipv4-pool-without-ipv4-peer': w('IPv4 addresses announced to a peer whose session carries no IPv4'),
  // BFD
  'bfd-out-of-range': e(true, 'a BFDProfile value outside its range'),
};
