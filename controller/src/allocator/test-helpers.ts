// Builders shared by the allocator's tests and bench (not exported from the package index).
import { parseAddressRange } from '@lbops/schemas/address';
import type { IpRange } from '@lbops/schemas/address';
import type { AllocationRequest, AllocatorPool } from './types.js';

export function ranges(texts: readonly string[]): IpRange[] {
  return texts.map((text) => {
    const parsed = parseAddressRange(text);
    if (!parsed.ok) throw new Error(`test pool address ${text}: ${parsed.reason}`);
    return parsed.range;
  });
}

export function pool(
  name: string,
  addresses: readonly string[],
  options: Partial<Omit<AllocatorPool, 'name' | 'addresses'>> = {},
): AllocatorPool {
  return {
    name,
    addresses: ranges(addresses),
    autoAssign: options.autoAssign ?? true,
    avoidBuggyIPs: options.avoidBuggyIPs ?? false,
    ...(options.serviceAllocation === undefined ? {} : { serviceAllocation: options.serviceAllocation }),
  };
}

let counter = 0;

/** A request for `namespace/name`; creation time increases with each call unless given. */
export function svc(key: string, options: Partial<AllocationRequest> = {}): AllocationRequest {
  const [namespace = 'default', name = key] = key.includes('/') ? key.split('/') : ['default', key];
  counter += 1;
  return {
    namespace,
    name,
    uid: options.uid ?? `uid-${name}`,
    creationTimestamp:
      options.creationTimestamp ?? new Date(Date.UTC(2026, 0, 1) + counter * 1000).toISOString(),
    ...options,
  };
}

export const tcp = (port: number) => ({ protocol: 'TCP', port });
export const udp = (port: number) => ({ protocol: 'UDP', port });
