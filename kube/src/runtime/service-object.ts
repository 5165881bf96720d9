// The parts of a core/v1 Service the controller reads and writes. Structural, so both plain JSON from the API
// and @kubernetes/client-node's V1Service (whose timestamps are Date objects) fit.

export interface ServiceCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
  readonly lastTransitionTime?: string | Date | undefined;
  readonly observedGeneration?: number | undefined;
}

export interface ServiceIngress {
  readonly ip?: string | undefined;
  readonly hostname?: string | undefined;
  readonly ipMode?: string | undefined;
}

export interface ServiceObject {
  readonly metadata?:
    | {
        readonly name?: string | undefined;
        readonly namespace?: string | undefined;
        readonly uid?: string | undefined;
        readonly creationTimestamp?: string | Date | undefined;
        readonly generation?: number | undefined;
        readonly labels?: Readonly<Record<string, string>> | undefined;
        readonly annotations?: Readonly<Record<string, string>> | undefined;
      }
    | undefined;
  readonly spec?:
    | {
        readonly type?: string | undefined;
        readonly loadBalancerIP?: string | undefined;
        readonly loadBalancerClass?: string | undefined;
        readonly ipFamilies?: readonly string[] | undefined;
        readonly ipFamilyPolicy?: string | undefined;
        readonly ports?:
          | ReadonlyArray<{ readonly protocol?: string | undefined; readonly port?: number | undefined }>
          | undefined;
        readonly externalTrafficPolicy?: string | undefined;
        readonly selector?: Readonly<Record<string, string>> | undefined;
      }
    | undefined;
  readonly status?:
    | {
        readonly loadBalancer?: { readonly ingress?: readonly ServiceIngress[] | undefined } | undefined;
        readonly conditions?: readonly ServiceCondition[] | undefined;
      }
    | undefined;
}

/** namespace/name, the work-queue key of a Service. */
export function serviceObjectKey(service: ServiceObject): string {
  return `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
}

/** The addresses in status.loadBalancer.ingress, in order. */
export function ingressIps(service: ServiceObject): string[] {
  return (service.status?.loadBalancer?.ingress ?? [])
    .map((entry) => entry.ip ?? '')
    .filter((ip) => ip !== '');
}

export function timestampText(value: string | Date | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.toISOString();
}
