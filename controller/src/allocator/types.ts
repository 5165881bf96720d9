import type { IpAddress, IpFamily, IpRange, LabelSelector } from '@lbops/schemas';

/**
 * What the allocator needs of an IPAddressPool. The config model's `IpAddressPool` satisfies it as is, so the
 * controller and `lbops plan` pass `config.pools` straight in.
 */
export interface AllocatorPool {
  readonly name: string;
  readonly addresses: readonly IpRange[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly serviceAllocation?:
    | {
        /** Lower wins; undefined or 0 ranks after every pool with a priority, as in MetalLB. */
        readonly priority?: number | undefined;
        readonly namespaces: readonly string[];
        readonly namespaceSelectors: readonly LabelSelector[];
        readonly serviceSelectors: readonly LabelSelector[];
      }
    | undefined;
}

export type IpFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export interface ServicePort {
  /** TCP, UDP or SCTP. */
  readonly protocol: string;
  readonly port: number;
}

/** One LoadBalancer Service, as the allocator sees it. */
export interface AllocationRequest {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** metadata.creationTimestamp (RFC 3339); the oldest Service keeps a contested IP on restore. */
  readonly creationTimestamp: string;
  readonly serviceLabels?: Readonly<Record<string, string>>;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** From the loadBalancerIPs annotation or spec.loadBalancerIP: at most one address per family. */
  readonly requestedIps?: readonly string[];
  /** From the address-pool annotation. */
  readonly requestedPool?: string | undefined;
  /** From the allow-shared-ip annotation; empty or undefined means the Service does not share. */
  readonly sharingKey?: string | undefined;
  readonly ports?: readonly ServicePort[];
  /** See `serviceBackendKey`: Services sharing an IP must have equal backend keys. */
  readonly backendKey?: string;
  /** spec.ipFamilies, primary first; default: the families of the requested IPs, else IPv4. */
  readonly ipFamilies?: readonly IpFamily[];
  /** spec.ipFamilyPolicy; default SingleStack. */
  readonly ipFamilyPolicy?: IpFamilyPolicy;
}

/** Why two Services cannot share an address. */
export type SharingConflict =
  'no-sharing-key' | 'sharing-key-mismatch' | 'backend-mismatch' | 'port-conflict';

export interface ExhaustedPool {
  readonly pool: string;
  readonly family: IpFamily;
  /** Allocatable addresses of that family in the pool (buggy ones excluded when avoided). */
  readonly size: bigint;
}

/** Why a Service got no address, or why its address is no longer allowed. `reason` is stable (metrics, tests). */
export type AllocationFailure =
  | { readonly reason: 'invalid-request'; readonly detail: string }
  | { readonly reason: 'pool-not-found'; readonly pool: string }
  | { readonly reason: 'pool-not-allowed'; readonly pool: string; readonly detail: string }
  | { readonly reason: 'no-pool-matches'; readonly detail: string }
  | {
      readonly reason: 'family-unavailable';
      readonly families: readonly IpFamily[];
      readonly pools: readonly string[];
      readonly detail: string;
    }
  | { readonly reason: 'pool-exhausted'; readonly pools: readonly ExhaustedPool[] }
  | { readonly reason: 'ip-not-in-any-pool'; readonly ip: string }
  | { readonly reason: 'ip-not-in-requested-pool'; readonly ip: string; readonly pool: string }
  | {
      readonly reason: 'ips-in-different-pools';
      readonly ips: readonly string[];
      readonly pools: readonly string[];
    }
  | { readonly reason: 'ip-buggy'; readonly ip: string; readonly pool: string }
  | {
      readonly reason: 'ip-in-use';
      readonly ip: string;
      readonly holders: readonly string[];
      readonly conflict: SharingConflict;
      readonly detail: string;
    }
  | { readonly reason: 'auto-assign-disabled'; readonly pool: string; readonly ip: string }
  | { readonly reason: 'not-requested'; readonly detail: string }
  | { readonly reason: 'family-mismatch'; readonly detail: string };

export type FailureReason = AllocationFailure['reason'];

/** A Service's current addresses. */
export interface Assignment {
  /** namespace/name */
  readonly service: string;
  readonly ips: readonly IpAddress[];
  /** Formatted addresses, primary family first as the Service asked. */
  readonly addresses: readonly string[];
  /** The pool holding the addresses; undefined only for a stale assignment outside every pool. */
  readonly pool: string | undefined;
  /** Set when the assignment is no longer allowed but was kept (policy `keep`). */
  readonly stale?: AllocationFailure;
  readonly sharingKey: string;
}

export type AllocationResult =
  | {
      readonly ok: true;
      readonly service: string;
      readonly assignment: Assignment;
      /** unchanged: same addresses as before; assigned: had none; changed: had others (see previous). */
      readonly change: 'unchanged' | 'assigned' | 'changed';
      readonly previous?: Assignment;
    }
  | {
      readonly ok: false;
      readonly service: string;
      readonly failure: AllocationFailure;
      /** One sentence a user can act on. */
      readonly message: string;
      /** The assignment the Service lost, if it had one. */
      readonly previous?: Assignment;
    };

/** What to do with Services whose address is no longer allowed. */
export type InvalidPolicy = 'reassign' | 'keep';

export interface Invalidation {
  readonly service: string;
  readonly assignment: Assignment;
  readonly failure: AllocationFailure;
  readonly message: string;
}

export interface SetPoolsResult {
  /**
   * Every Service whose address is not allowed by the new pools (moved when the policy is reassign, else marked
   * stale), oldest first. With `keep`, Services already stale are listed again; their `assignment.stale` holds
   * the earlier reason, so `assignment.stale === undefined` picks the newly invalidated ones.
   */
  readonly invalidated: readonly Invalidation[];
  /** Addresses unchanged whose pool changed name (the ip-allocated-from-pool annotation must follow). */
  readonly repooled: ReadonlyArray<{
    readonly service: string;
    readonly from: string | undefined;
    readonly to: string;
  }>;
  /** Allocations run after the change, oldest Service first: the invalidated (policy reassign) and the pending. */
  readonly allocations: readonly AllocationResult[];
}

/** One Service as recorded in the cluster: its request and the addresses in its status. */
export interface RecordedAssignment {
  readonly request: AllocationRequest;
  /** status.loadBalancer.ingress[].ip; empty when the Service has none yet. */
  readonly ips: readonly string[];
}

export interface RestoreConflict {
  readonly service: string;
  readonly ips: readonly string[];
  readonly failure: AllocationFailure;
  readonly message: string;
  /** True when an older Service holds the address (the Service must move); false when only the config changed. */
  readonly contested: boolean;
}

export interface RestoreResult {
  /** Services whose recorded addresses were kept, oldest first. */
  readonly restored: readonly Assignment[];
  /** Every recorded assignment that could not be kept as is. */
  readonly conflicts: readonly RestoreConflict[];
  /** Allocations run after restoring, oldest first: conflicts to move and Services that had no address. */
  readonly allocations: readonly AllocationResult[];
}

export interface FamilyStats {
  readonly total: bigint;
  readonly used: bigint;
  readonly free: bigint;
}

export interface PoolStats {
  readonly pool: string;
  readonly ipv4: FamilyStats;
  readonly ipv6: FamilyStats;
}
