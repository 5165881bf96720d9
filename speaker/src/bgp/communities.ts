// Community text as MetalLB users write it: "65000:100" (RFC 1997) and "large:1:2:3" (RFC 8092).

import type { LargeCommunity } from './attributes.js';

const u16 = (s: string | undefined) =>
  s !== undefined && /^\d{1,5}$/.test(s) && Number(s) <= 0xffff ? Number(s) : undefined;
const u32 = (s: string | undefined) =>
  s !== undefined && /^\d{1,10}$/.test(s) && Number(s) <= 0xffffffff ? Number(s) : undefined;

export type ParsedCommunity = { kind: 'standard'; value: number } | { kind: 'large'; value: LargeCommunity };

/** Parses one community; undefined when the text is neither form. */
export function parseCommunity(text: string): ParsedCommunity | undefined {
  const parts = text.trim().split(':');
  if (parts.length === 4 && parts[0]?.toLowerCase() === 'large') {
    const [a, b, c] = [u32(parts[1]), u32(parts[2]), u32(parts[3])];
    if (a === undefined || b === undefined || c === undefined) return undefined;
    return { kind: 'large', value: [a, b, c] };
  }
  if (parts.length === 2) {
    const [high, low] = [u16(parts[0]), u16(parts[1])];
    if (high === undefined || low === undefined) return undefined;
    return { kind: 'standard', value: high * 0x10000 + low };
  }
  return undefined;
}

export function formatCommunity(value: number): string {
  return `${Math.floor(value / 0x10000)}:${value % 0x10000}`;
}
