import type { LabelSelector, LabelSelectorRequirement } from '@lbops/schemas';
import { getPath, type JsonObject } from './json.js';

/** The `labelSelector` query string form (`a=b,c!=d,e in (f,g),h,!i`) as a structured selector. */
export function parseLabelSelector(text: string): LabelSelector | { error: string } {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const raw of splitTopLevel(text)) {
    const term = raw.trim();
    if (term === '') continue;
    const setMatch = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (setMatch !== null) {
      const [, key = '', op, values = ''] = setMatch;
      matchExpressions.push({
        key,
        operator: op === 'in' ? 'In' : 'NotIn',
        values: values
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== ''),
      });
      continue;
    }
    const eq = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
    if (eq !== null) {
      const [, key = '', op, value = ''] = eq;
      if (op === '!=') matchExpressions.push({ key, operator: 'NotIn', values: [value] });
      else matchLabels[key] = value;
      continue;
    }
    const exists = /^(!?)([^\s!=(),]+)$/.exec(term);
    if (exists !== null) {
      const [, not, key = ''] = exists;
      matchExpressions.push({ key, operator: not === '!' ? 'DoesNotExist' : 'Exists', values: [] });
      continue;
    }
    return { error: `unable to parse requirement: "${term}"` };
  }
  return { matchLabels, matchExpressions };
}

/** Splits on commas outside parentheses (`a in (x,y),b` is two terms). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export interface FieldRequirement {
  readonly path: readonly string[];
  readonly equals: boolean;
  readonly value: string;
}

/**
 * The `fieldSelector` form (`metadata.name=x,spec.type!=ClusterIP`). kube-apiserver allows a few
 * fields per kind; this server accepts any dotted path, a superset that gives the same answers.
 */
export function parseFieldSelector(text: string): FieldRequirement[] | { error: string } {
  const out: FieldRequirement[] = [];
  for (const raw of text.split(',')) {
    const term = raw.trim();
    if (term === '') continue;
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (m === null) return { error: `invalid field selector: "${term}"` };
    const [, path = '', op, value = ''] = m;
    out.push({ path: path.split('.'), equals: op !== '!=', value });
  }
  return out;
}

export function matchesFields(obj: JsonObject, requirements: readonly FieldRequirement[]): boolean {
  return requirements.every((r) => {
    const v = getPath(obj, r.path);
    const text = typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
    return (text === r.value) === r.equals;
  });
}
