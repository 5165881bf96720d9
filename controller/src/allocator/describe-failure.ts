import type { AllocationFailure, FailureReason } from './types.js';

const CONDITION_REASONS: Readonly<Record<FailureReason, string>> = {
  'invalid-request': 'InvalidRequest',
  'pool-not-found': 'PoolNotFound',
  'pool-not-allowed': 'PoolNotAllowed',
  'no-pool-matches': 'NoPoolMatches',
  'family-unavailable': 'FamilyUnavailable',
  'pool-exhausted': 'PoolExhausted',
  'ip-not-in-any-pool': 'IPNotInAnyPool',
  'ip-not-in-requested-pool': 'IPNotInRequestedPool',
  'ips-in-different-pools': 'IPsInDifferentPools',
  'ip-buggy': 'IPAvoided',
  'ip-in-use': 'IPInUse',
  'auto-assign-disabled': 'AutoAssignDisabled',
  'not-requested': 'NotRequested',
  'family-mismatch': 'FamilyMismatch',
};

/** The CamelCase reason for a Kubernetes condition or Event (e.g. `PoolExhausted`). */
export function failureConditionReason(failure: AllocationFailure): string {
  return CONDITION_REASONS[failure.reason];
}

/** One sentence that says what happened and what to do about it. */
export function describeFailure(failure: AllocationFailure): string {
  switch (failure.reason) {
    case 'invalid-request':
      return `invalid request: ${failure.detail}`;
    case 'pool-not-found':
      return `the requested pool "${failure.pool}" does not exist: fix the address-pool annotation or create the IPAddressPool`;
    case 'pool-not-allowed':
      return `pool "${failure.pool}" is reserved for other Services (${failure.detail}): request another pool or change its serviceAllocation`;
    case 'no-pool-matches':
      return `no pool can serve this Service: ${failure.detail}`;
    case 'family-unavailable':
      return `no eligible pool has ${failure.families.join(' and ')} addresses (${failure.detail}): add such addresses to a pool or change spec.ipFamilyPolicy`;
    case 'pool-exhausted': {
      const pools = failure.pools
        .map((p) => `"${p.pool}" (${p.family}, ${String(p.size)} addresses)`)
        .join(', ');
      return `no free address: pool${failure.pools.length === 1 ? '' : 's'} ${pools} ${failure.pools.length === 1 ? 'is' : 'are'} full: free addresses by deleting Services or grow the pool`;
    }
    case 'ip-not-in-any-pool':
      return `${failure.ip} is in no IPAddressPool: request an address from a pool or add it to one`;
    case 'ip-not-in-requested-pool':
      return `${failure.ip} is not in the requested pool "${failure.pool}": request an address of that pool or drop the address-pool annotation`;
    case 'ips-in-different-pools':
      return `the requested addresses ${failure.ips.join(', ')} are in different pools (${failure.pools.join(', ')}): both families must come from one pool`;
    case 'ip-buggy':
      return `${failure.ip} ends in .0 or .255 and pool "${failure.pool}" sets avoidBuggyIPs: request another address`;
    case 'ip-in-use':
      return `${failure.ip} is already used by ${failure.holders.join(', ')}: ${failure.detail}`;
    case 'auto-assign-disabled':
      return `${failure.ip} is in pool "${failure.pool}", which has autoAssign: false and was not requested: request the pool or the address explicitly`;
    case 'not-requested':
      return `the address does not match the request: ${failure.detail}`;
    case 'family-mismatch':
      return `address family mismatch: ${failure.detail}`;
  }
}
