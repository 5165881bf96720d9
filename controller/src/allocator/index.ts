export { Allocator, allocationMismatch } from './allocator.js';
export type { AllocatorOptions } from './allocator.js';
export { describeFailure, failureConditionReason } from './describe-failure.js';
export { IntervalSet } from './interval-set.js';
export type { Interval } from './interval-set.js';
export { PoolSpace, isBuggyValue } from './pool-space.js';
export {
  ageKey,
  compareAge,
  sortByAge,
  normalizeRequest,
  requestFingerprint,
  serviceBackendKey,
  serviceKey,
} from './request.js';
export type { NormalizedRequest, StackMode } from './request.js';
export type * from './types.js';
