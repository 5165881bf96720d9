// BGP communities as MetalLB writes them: standard "65000:100" (RFC 1997: two 16-bit halves)
// and large "large:1:2:3" (RFC 8092: three 32-bit parts).
import type { BgpCommunity } from './model.js';

export type ParsedCommunity = { ok: true; community: BgpCommunity } | { ok: false; reason: string };

const DECIMAL = /^[0-9]+$/;

/** Whether a communities entry is written as a literal (and not as the name of an alias). */
export function looksLikeCommunityLiteral(text: string): boolean {
  return /^[0-9]+:[0-9]*$/.test(text) || /^large:/i.test(text) || /^[0-9]+:/.test(text);
}

export function parseCommunity(text: string): ParsedCommunity {
  const parts = text.split(':');
  if (parts[0]?.toLowerCase() === 'large') {
    const nums = parts.slice(1);
    if (nums.length !== 3 || !nums.every((n) => DECIMAL.test(n) && Number(n) <= 0xffffffff)) {
      return {
        ok: false,
        reason: `"${text}" is not a large community: write large:<global admin>:<local 1>:<local 2>, each 0..4294967295 (RFC 8092)`,
      };
    }
    const [globalAdmin, localData1, localData2] = nums.map(Number) as [number, number, number];
    return { ok: true, community: { type: 'large', globalAdmin, localData1, localData2 } };
  }
  if (parts.length !== 2 || !parts.every((n) => DECIMAL.test(n) && Number(n) <= 0xffff)) {
    return {
      ok: false,
      reason: `"${text}" is not a community: write <asn>:<value>, each 0..65535 (RFC 1997), or large:<a>:<b>:<c>`,
    };
  }
  return { ok: true, community: { type: 'standard', asn: Number(parts[0]), value: Number(parts[1]) } };
}

export function formatCommunity(c: BgpCommunity): string {
  return c.type === 'standard'
    ? `${c.asn}:${c.value}`
    : `large:${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}

export function communityKey(c: BgpCommunity): string {
  return formatCommunity(c);
}
