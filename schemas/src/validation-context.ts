// The optional context of a validation: addresses outside the pools that the pools must not
// overlap (node addresses, gateways, pod and service CIDRs, other clusters' pools). MetalLB does not
// check these at all (MetalLB #364, #772), so a pool that includes the gateway is accepted there.
import { parseAddressRange, parseIp, type IpRange } from './address.js';
import { diagnostic } from './diagnostics.js';
import type { Diagnostic } from './model.js';
import { parseYamlFile, type Location } from './yaml-source.js';

export interface ReservedPool {
  readonly name: string;
  readonly addresses: readonly string[];
}

export interface ValidationContext {
  /** Node IPs (single addresses, CIDRs or ranges). */
  readonly nodeAddresses?: readonly string[];
  readonly gateways?: readonly string[];
  readonly podCidrs?: readonly string[];
  readonly serviceCidrs?: readonly string[];
  /** Pools of other clusters (or otherwise reserved addresses); plain strings are anonymous. */
  readonly reservedPools?: ReadonlyArray<ReservedPool | string>;
  /** Where the context came from, for diagnostics about its own entries (default "<context>"). */
  readonly source?: string;
}

export type ContextCategory = 'node' | 'gateway' | 'pod-cidr' | 'service-cidr' | 'reserved';

export interface ContextRange {
  readonly range: IpRange;
  readonly category: ContextCategory;
  /** e.g. `node address 10.0.0.5`, `reserved pool "cluster-b" (10.0.1.0/24)`. */
  readonly label: string;
}

const CATEGORY_CODE: Readonly<Record<ContextCategory, string>> = {
  node: 'pool-overlaps-node',
  gateway: 'pool-overlaps-gateway',
  'pod-cidr': 'pool-overlaps-pod-cidr',
  'service-cidr': 'pool-overlaps-service-cidr',
  reserved: 'pool-overlaps-reserved',
};

export function contextCode(category: ContextCategory): string {
  return CATEGORY_CODE[category];
}

/** Parses a context entry: a single address, a CIDR or a range. */
export function parseContextAddress(
  text: string,
): { ok: true; range: IpRange } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (!trimmed.includes('/') && !trimmed.includes('-')) {
    const ip = parseIp(trimmed);
    if (ip === undefined) return { ok: false, reason: `"${text}" is not an IP address` };
    return { ok: true, range: { family: ip.family, first: ip.value, last: ip.value } };
  }
  const parsed = parseAddressRange(trimmed);
  return parsed.ok ? { ok: true, range: parsed.range } : { ok: false, reason: parsed.reason };
}

/**
 * Turns a context into ranges; malformed entries become `invalid-context-address` diagnostics
 * (located at `locate(field, index)` when given, else at line 1 of the context source).
 */
export function contextRanges(
  context: ValidationContext,
  diagnostics: Diagnostic[],
  locate?: (pointer: string) => Location,
): ContextRange[] {
  const source = context.source ?? '<context>';
  const at = (pointer: string): Location =>
    locate?.(pointer) ?? { file: source, line: 1, column: 1, endLine: 1, endColumn: 1, path: pointer };
  const out: ContextRange[] = [];
  const add = (
    field: string,
    values: readonly string[] | undefined,
    category: ContextCategory,
    what: string,
  ): void => {
    (values ?? []).forEach((text, i) => {
      const parsed = parseContextAddress(text);
      if (!parsed.ok) {
        diagnostics.push(
          diagnostic(
            at(`/${field}/${i}`),
            'error',
            'invalid-context-address',
            `${what}: ${parsed.reason}`,
            'write an IP address, a CIDR or a range first-last',
          ),
        );
        return;
      }
      out.push({ range: parsed.range, category, label: `${what} ${text.trim()}` });
    });
  };
  add('nodeAddresses', context.nodeAddresses, 'node', 'node address');
  add('gateways', context.gateways, 'gateway', 'gateway');
  add('podCidrs', context.podCidrs, 'pod-cidr', 'pod CIDR');
  add('serviceCidrs', context.serviceCidrs, 'service-cidr', 'service CIDR');
  (context.reservedPools ?? []).forEach((pool, i) => {
    if (typeof pool === 'string') add(`reservedPools`, [pool], 'reserved', 'reserved range');
    else {
      (pool.addresses ?? []).forEach((text, j) => {
        const parsed = parseContextAddress(text);
        if (!parsed.ok) {
          diagnostics.push(
            diagnostic(
              at(`/reservedPools/${i}/addresses/${j}`),
              'error',
              'invalid-context-address',
              `reserved pool "${pool.name}": ${parsed.reason}`,
              'write an IP address, a CIDR or a range first-last',
            ),
          );
          return;
        }
        out.push({
          range: parsed.range,
          category: 'reserved',
          label: `reserved pool "${pool.name}" (${text.trim()})`,
        });
      });
    }
  });
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Loads a context file:
 * ```yaml
 * nodeAddresses: [192.168.1.10, 192.168.1.11]
 * gateways: [192.168.1.1]
 * podCidrs: [10.244.0.0/16]
 * serviceCidrs: [10.96.0.0/12]
 * reservedPools: [{ name: cluster-b, addresses: [192.168.1.200-192.168.1.220] }]
 * ```
 * Pure (takes the content). Entries that are not addresses are reported at their line:column.
 */
export function loadValidationContext(file: { name: string; content: string }): {
  context: ValidationContext | undefined;
  diagnostics: Diagnostic[];
} {
  const parsed = parseYamlFile(file.name, file.content);
  const diagnostics = [...parsed.diagnostics];
  const doc = parsed.documents.find((d) => d.value !== null && d.value !== undefined);
  if (doc === undefined)
    return { context: diagnostics.length > 0 ? undefined : { source: file.name }, diagnostics };
  const value = doc.value;
  if (!isRecord(value)) {
    diagnostics.push(
      diagnostic(
        doc.locate(''),
        'error',
        'invalid-context',
        'the context file must be a map with nodeAddresses, gateways, podCidrs, serviceCidrs, reservedPools',
        'see the example in the documentation',
      ),
    );
    return { context: undefined, diagnostics };
  }
  const known = ['nodeAddresses', 'gateways', 'podCidrs', 'serviceCidrs', 'reservedPools'];
  for (const k of Object.keys(value)) {
    if (!known.includes(k))
      diagnostics.push(
        diagnostic(
          doc.locate('', k),
          'warning',
          'unknown-field',
          `unknown field ${k} in the context file; it is ignored`,
          `known fields: ${known.join(', ')}`,
        ),
      );
  }
  const list = (field: string): string[] | undefined => {
    const v = value[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      diagnostics.push(
        diagnostic(
          doc.locate(`/${field}`),
          'error',
          'wrong-type',
          `${field} must be a list of addresses`,
          'write a YAML list',
        ),
      );
      return undefined;
    }
    const out: string[] = [];
    v.forEach((item: unknown, i) => {
      if (typeof item === 'string') out.push(item);
      else
        diagnostics.push(
          diagnostic(
            doc.locate(`/${field}/${i}`),
            'error',
            'wrong-type',
            `${field}[${i}] must be a string`,
            'quote the address',
          ),
        );
    });
    return out;
  };
  const reserved: Array<ReservedPool | string> = [];
  const rawReserved = value['reservedPools'];
  if (Array.isArray(rawReserved)) {
    rawReserved.forEach((item: unknown, i) => {
      if (typeof item === 'string') reserved.push(item);
      else if (isRecord(item) && Array.isArray(item['addresses'])) {
        reserved.push({
          name: typeof item['name'] === 'string' ? item['name'] : `#${i}`,
          addresses: (item['addresses'] as unknown[]).filter((a): a is string => typeof a === 'string'),
        });
      } else
        diagnostics.push(
          diagnostic(
            doc.locate(`/reservedPools/${i}`),
            'error',
            'wrong-type',
            'a reserved pool is an address string or { name, addresses: [...] }',
            'e.g. { name: cluster-b, addresses: [10.0.1.0/24] }',
          ),
        );
    });
  }
  const context: ValidationContext = {
    source: file.name,
    ...optional('nodeAddresses', list('nodeAddresses')),
    ...optional('gateways', list('gateways')),
    ...optional('podCidrs', list('podCidrs')),
    ...optional('serviceCidrs', list('serviceCidrs')),
    ...(reserved.length > 0 ? { reservedPools: reserved } : {}),
  };
  // Check the entries here, where their positions are known.
  contextRanges(context, diagnostics, (p) => doc.locate(p));
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  return { context: hasErrors ? undefined : context, diagnostics };
}

function optional<K extends string>(key: K, value: string[] | undefined): { [P in K]?: string[] } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string[] };
}
