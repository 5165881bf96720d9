/**
 * Leader per IP without a lock (MetalLB's scheme): every speaker ranks the live, eligible nodes by
 * sha256(node + "#" + ip) and the first one announces. All speakers with the same membership view agree.
 */
import { createHash } from 'node:crypto';

function rankKey(node: string, ip: string): Buffer {
  return createHash('sha256').update(`${node}#${ip}`).digest();
}

/** Nodes in announcement order for `ip`: the first is the leader, the next takes over if it dies. */
export function rankNodes(ip: string, nodes: Iterable<string>): string[] {
  const keyed = [...new Set(nodes)].map((node) => ({ node, key: rankKey(node, ip) }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key) || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  return keyed.map((entry) => entry.node);
}

export function leaderFor(ip: string, nodes: Iterable<string>): string | undefined {
  return rankNodes(ip, nodes)[0];
}
