// The reconcile decision for one Service: from what the Service asks and what the allocator answered, the
// status, annotation and condition it must carry and the Events that tell the user what happened. Pure: the
// controller applies the patches and records the Events.
import { failureConditionReason, type AllocationResult } from '../allocator/index.js';
import { ALLOCATED_FROM_POOL_ANNOTATION, type IgnoreReason } from './service-intent.js';
import { ingressIps, timestampText, type ServiceCondition, type ServiceObject } from '@lbops/kube';

/** The condition where a pending Service says why (kubectl get svc -o yaml, kubectl describe). */
export const ALLOCATED_CONDITION = 'lbops.io/IPAllocated';

/** MetalLB's Event reasons, so existing alerts and habits keep working. */
export type EventReason =
  'IPAllocated' | 'AllocationFailed' | 'ClearAssignment' | 'LoadBalancerFailed' | 'deprecatedAnnotation';

export interface ServiceEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: EventReason;
  readonly message: string;
}

export type ServiceOutcome =
  | { readonly kind: 'ignore'; readonly reason: IgnoreReason }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'allocated'; readonly result: AllocationResult };

export interface DecisionContext {
  readonly now: Date;
  /** Why the Service's previous addresses were taken away (config change, restore conflict), when known. */
  readonly cleared?: string | undefined;
  /** Deprecated annotations to warn about (the caller decides how often). */
  readonly deprecated?: readonly string[];
}

export interface ConditionValue {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

/** JSON merge patches (RFC 7386); undefined when that part is already as desired. */
export interface ServicePatches {
  readonly metadata?: { metadata: { annotations: Record<string, string | null> } };
  readonly status?: {
    status: {
      loadBalancer?: { ingress: Array<{ ip: string }> | null };
      conditions?: ServiceCondition[] | null;
    };
  };
}

export interface ServiceDecision {
  readonly patches: ServicePatches;
  readonly events: readonly ServiceEvent[];
  /** The addresses the Service must show, primary family first. */
  readonly ingress: readonly string[];
  readonly pool: string | undefined;
  /** Set when the Service waits for an address: the condition reason (PoolExhausted, ...). */
  readonly pendingReason?: string;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((value, i) => value === b[i]);

function ownCondition(service: ServiceObject): ServiceCondition | undefined {
  return service.status?.conditions?.find((c) => c.type === ALLOCATED_CONDITION);
}

/** Our condition's new value, keeping lastTransitionTime while the status does not flip (API conventions). */
function conditionValue(
  current: ServiceCondition | undefined,
  status: 'True' | 'False',
  reason: string,
  message: string,
  service: ServiceObject,
  now: Date,
): ConditionValue {
  const generation = service.metadata?.generation;
  const kept =
    current !== undefined && current.status === status ? timestampText(current.lastTransitionTime) : '';
  return {
    type: ALLOCATED_CONDITION,
    status,
    reason,
    message,
    lastTransitionTime: kept !== '' ? kept : now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}

function conditionEquals(current: ServiceCondition | undefined, next: ConditionValue | undefined): boolean {
  if (current === undefined || next === undefined) return current === next;
  return (
    current.status === next.status &&
    current.reason === next.reason &&
    current.message === next.message &&
    timestampText(current.lastTransitionTime) === next.lastTransitionTime &&
    current.observedGeneration === next.observedGeneration
  );
}

/** The message of the True condition. */
export function allocatedMessage(ips: readonly string[], pool: string | undefined): string {
  return `assigned ${ips.join(', ')}${pool === undefined ? '' : ` from pool "${pool}"`}`;
}

const quoted = (ips: readonly string[]): string => `[${ips.map((ip) => JSON.stringify(ip)).join(', ')}]`;

/** Decides what the Service must look like and which Events say why. */
export function decideService(
  service: ServiceObject,
  outcome: ServiceOutcome,
  context: DecisionContext,
): ServiceDecision {
  const key = `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
  const currentIngress = ingressIps(service);
  const currentPool = service.metadata?.annotations?.[ALLOCATED_FROM_POOL_ANNOTATION];
  const currentCondition = ownCondition(service);
  const events: ServiceEvent[] = [];
  for (const annotation of context.deprecated ?? []) {
    const replacement = annotation.replace(/^metallb\.universe\.tf\//, 'metallb.io/');
    events.push({
      type: 'Warning',
      reason: 'deprecatedAnnotation',
      message: `annotation ${annotation} is deprecated: use ${replacement}`,
    });
  }

  let ingress: string[];
  let pool: string | undefined;
  let condition: ConditionValue | undefined;
  let pendingReason: string | undefined;
  switch (outcome.kind) {
    case 'ignore': {
      // Another controller's class may own the ingress: clear it only where we left our marks.
      const ours = currentPool !== undefined || currentCondition !== undefined;
      ingress = outcome.reason === 'not-load-balancer' || ours ? [] : currentIngress;
      pool = undefined;
      condition = undefined;
      break;
    }
    case 'invalid': {
      ingress = [];
      pool = undefined;
      pendingReason = 'InvalidService';
      condition = conditionValue(
        currentCondition,
        'False',
        'InvalidService',
        outcome.message,
        service,
        context.now,
      );
      if (currentCondition?.message !== outcome.message || currentIngress.length > 0) {
        if (currentIngress.length > 0) {
          events.push({
            type: 'Warning',
            reason: 'ClearAssignment',
            message: `cleared ${currentIngress.join(', ')}: ${outcome.message}`,
          });
        }
        events.push({ type: 'Warning', reason: 'LoadBalancerFailed', message: outcome.message });
      }
      break;
    }
    case 'allocated': {
      const result = outcome.result;
      if (result.ok) {
        ingress = [...result.assignment.addresses];
        pool = result.assignment.pool;
        const from = pool === undefined ? '' : ` from pool "${pool}"`;
        condition = conditionValue(
          currentCondition,
          'True',
          'IPAllocated',
          allocatedMessage(ingress, pool),
          service,
          context.now,
        );
        if (!sameList(currentIngress, ingress)) {
          if (currentIngress.length > 0) {
            events.push({
              type: 'Warning',
              reason: 'ClearAssignment',
              message: `current IP ${quoted(currentIngress)} ${context.cleared !== undefined ? `not allowed any more (${context.cleared})` : 'no longer matches the Service'}: moving to ${quoted(ingress)}`,
            });
          }
          events.push({
            type: 'Normal',
            reason: 'IPAllocated',
            message: `Assigned IP ${quoted(ingress)}${from}`,
          });
        }
      } else {
        ingress = [];
        pool = undefined;
        pendingReason = failureConditionReason(result.failure);
        condition = conditionValue(
          currentCondition,
          'False',
          pendingReason,
          result.message,
          service,
          context.now,
        );
        if (currentIngress.length > 0) {
          events.push({
            type: 'Warning',
            reason: 'ClearAssignment',
            message: `current IP ${quoted(currentIngress)} cleared: ${context.cleared ?? result.message}`,
          });
        }
        if (
          currentIngress.length > 0 ||
          currentCondition?.message !== result.message ||
          currentCondition.status !== 'False'
        ) {
          events.push({
            type: 'Warning',
            reason: 'AllocationFailed',
            message: `Failed to allocate IP for "${key}": ${result.message}`,
          });
        }
      }
      break;
    }
  }

  const patches: {
    metadata?: NonNullable<ServicePatches['metadata']>;
    status?: NonNullable<ServicePatches['status']>;
  } = {};
  if (currentPool !== pool) {
    patches.metadata = { metadata: { annotations: { [ALLOCATED_FROM_POOL_ANNOTATION]: pool ?? null } } };
  }
  const status: NonNullable<ServicePatches['status']>['status'] = {};
  if (!sameList(currentIngress, ingress)) {
    status.loadBalancer = { ingress: ingress.length === 0 ? null : ingress.map((ip) => ({ ip })) };
  }
  if (!conditionEquals(currentCondition, condition)) {
    const others = (service.status?.conditions ?? []).filter((c) => c.type !== ALLOCATED_CONDITION);
    const conditions: ServiceCondition[] = condition === undefined ? others : [...others, condition];
    status.conditions = conditions.length === 0 ? null : conditions;
  }
  if (status.loadBalancer !== undefined || status.conditions !== undefined) patches.status = { status };
  return {
    patches,
    events,
    ingress,
    pool,
    ...(pendingReason !== undefined ? { pendingReason } : {}),
  };
}
