// What a Service asks of the controller: nothing (not a LoadBalancer, or another controller's class), an
// allocation request for the allocator, or an error in the Service itself that the user must fix.
import type { IpFamily } from '@lbops/schemas';
import { serviceBackendKey } from '../allocator/index.js';
import type { AllocationRequest, IpFamilyPolicy, ServicePort } from '../allocator/index.js';
import { timestampText, type ServiceObject } from '@lbops/kube';

export const ANNOTATION_PREFIX = 'metallb.io/';
/** MetalLB's pre-0.13 prefix, still read, with a `deprecatedAnnotation` Warning Event. */
export const DEPRECATED_ANNOTATION_PREFIX = 'metallb.universe.tf/';
export const LOAD_BALANCER_IPS = 'loadBalancerIPs';
export const ADDRESS_POOL = 'address-pool';
export const ALLOW_SHARED_IP = 'allow-shared-ip';
/** Written by the controller: the pool the Service's addresses come from. */
export const ALLOCATED_FROM_POOL_ANNOTATION = 'metallb.io/ip-allocated-from-pool';

export interface IntentOptions {
  /** Handle only Services of this loadBalancerClass; undefined: only Services without a class (MetalLB's default). */
  readonly loadBalancerClass?: string | undefined;
}

export type IgnoreReason = 'not-load-balancer' | 'other-class';

export type ServiceIntent =
  | { readonly kind: 'ignore'; readonly reason: IgnoreReason }
  | {
      readonly kind: 'invalid';
      /** One sentence naming the field and what to do. */
      readonly message: string;
      readonly deprecated: readonly string[];
    }
  | { readonly kind: 'request'; readonly request: AllocationRequest; readonly deprecated: readonly string[] };

const FAMILY_NAMES: Readonly<Record<string, IpFamily>> = { IPv4: 'ipv4', IPv6: 'ipv6' };
const POLICIES: readonly IpFamilyPolicy[] = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];

type Annotations = Readonly<Record<string, string>>;

/**
 * Reads one of MetalLB's Service annotations under both prefixes. Both present with different values is an
 * error: the user cannot tell which one wins.
 */
function readAnnotation(
  annotations: Annotations,
  name: string,
  deprecated: string[],
): { ok: true; value: string | undefined } | { ok: false; message: string } {
  const current = annotations[ANNOTATION_PREFIX + name];
  const old = annotations[DEPRECATED_ANNOTATION_PREFIX + name];
  if (old !== undefined) deprecated.push(DEPRECATED_ANNOTATION_PREFIX + name);
  if (current !== undefined && old !== undefined && current.trim() !== old.trim()) {
    return {
      ok: false,
      message: `annotations ${ANNOTATION_PREFIX + name} ("${current}") and ${DEPRECATED_ANNOTATION_PREFIX + name} ("${old}") disagree: keep only ${ANNOTATION_PREFIX + name}`,
    };
  }
  const value = (current ?? old)?.trim();
  return { ok: true, value: value === '' ? undefined : value };
}

/** Whether this controller handles the Service at all (type and loadBalancerClass). */
export function ignoreReason(service: ServiceObject, options: IntentOptions): IgnoreReason | undefined {
  if (service.spec?.type !== 'LoadBalancer') return 'not-load-balancer';
  const serviceClass = service.spec.loadBalancerClass ?? '';
  const wanted = options.loadBalancerClass ?? '';
  return serviceClass === wanted ? undefined : 'other-class';
}

/** Translates a Service (and its namespace's labels) into what the allocator needs. Pure. */
export function serviceIntent(
  service: ServiceObject,
  namespaceLabels: Annotations | undefined,
  options: IntentOptions = {},
): ServiceIntent {
  const ignore = ignoreReason(service, options);
  if (ignore !== undefined) return { kind: 'ignore', reason: ignore };
  const spec = service.spec ?? {};
  const metadata = service.metadata ?? {};
  const annotations = metadata.annotations ?? {};
  const deprecated: string[] = [];
  const invalid = (message: string): ServiceIntent => ({ kind: 'invalid', message, deprecated });

  const ipsAnnotation = readAnnotation(annotations, LOAD_BALANCER_IPS, deprecated);
  const poolAnnotation = readAnnotation(annotations, ADDRESS_POOL, deprecated);
  const sharingAnnotation = readAnnotation(annotations, ALLOW_SHARED_IP, deprecated);
  if (!ipsAnnotation.ok) return invalid(ipsAnnotation.message);
  if (!poolAnnotation.ok) return invalid(poolAnnotation.message);
  if (!sharingAnnotation.ok) return invalid(sharingAnnotation.message);

  const specIp = spec.loadBalancerIP?.trim() ?? '';
  if (specIp !== '' && ipsAnnotation.value !== undefined) {
    // MetalLB refuses both: which one would win is not obvious, and the annotation replaces the deprecated field.
    return invalid(
      `spec.loadBalancerIP (${specIp}) and the loadBalancerIPs annotation (${ipsAnnotation.value}) are both set: keep only the annotation`,
    );
  }
  const requestedIps =
    ipsAnnotation.value !== undefined
      ? ipsAnnotation.value
          .split(',')
          .map((ip) => ip.trim())
          .filter((ip) => ip !== '')
      : specIp !== ''
        ? [specIp]
        : [];

  const ipFamilies: IpFamily[] = [];
  for (const name of spec.ipFamilies ?? []) {
    const family = FAMILY_NAMES[name];
    if (family === undefined) return invalid(`spec.ipFamilies contains "${name}": use IPv4 or IPv6`);
    ipFamilies.push(family);
  }
  let ipFamilyPolicy: IpFamilyPolicy | undefined;
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== '') {
    if (!POLICIES.includes(spec.ipFamilyPolicy as IpFamilyPolicy)) {
      return invalid(`spec.ipFamilyPolicy "${spec.ipFamilyPolicy}" is not one of ${POLICIES.join(', ')}`);
    }
    ipFamilyPolicy = spec.ipFamilyPolicy as IpFamilyPolicy;
  }
  const ports: ServicePort[] = (spec.ports ?? []).map((p) => ({
    protocol: (p.protocol ?? 'TCP').toUpperCase(),
    port: p.port ?? 0,
  }));

  const request: AllocationRequest = {
    namespace: metadata.namespace ?? '',
    name: metadata.name ?? '',
    uid: metadata.uid ?? '',
    creationTimestamp: timestampText(metadata.creationTimestamp),
    serviceLabels: metadata.labels ?? {},
    namespaceLabels: namespaceLabels ?? {},
    requestedIps,
    requestedPool: poolAnnotation.value,
    sharingKey: sharingAnnotation.value,
    ports,
    backendKey: serviceBackendKey(spec.externalTrafficPolicy, spec.selector),
    ...(ipFamilies.length > 0 ? { ipFamilies } : {}),
    ...(ipFamilyPolicy !== undefined ? { ipFamilyPolicy } : {}),
  };
  return { kind: 'request', request, deprecated };
}
