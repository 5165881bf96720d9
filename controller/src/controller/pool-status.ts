// IPAddressPool status as MetalLB reports it: assigned and available addresses per family.
import type { PoolStats } from '../allocator/index.js';

export interface PoolStatus {
  readonly assignedIPv4: number;
  readonly assignedIPv6: number;
  readonly availableIPv4: number;
  readonly availableIPv6: number;
}

/**
 * The status fields are int64 in MetalLB's CRD; a JSON number is exact only up to 2^53, so larger counts (an
 * IPv6 /64 has 2^64 addresses) are capped at Number.MAX_SAFE_INTEGER rather than written wrong.
 */
function capped(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

export function poolStatus(stats: PoolStats): PoolStatus {
  return {
    assignedIPv4: capped(stats.ipv4.used),
    assignedIPv6: capped(stats.ipv6.used),
    availableIPv4: capped(stats.ipv4.free),
    availableIPv6: capped(stats.ipv6.free),
  };
}

export function samePoolStatus(a: Partial<PoolStatus> | undefined, b: PoolStatus): boolean {
  return (
    a !== undefined &&
    a.assignedIPv4 === b.assignedIPv4 &&
    a.assignedIPv6 === b.assignedIPv6 &&
    a.availableIPv4 === b.availableIPv4 &&
    a.availableIPv6 === b.availableIPv6
  );
}
