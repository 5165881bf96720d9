// Kubernetes label selectors (metav1.LabelSelector), as used by MetalLB's ipAddressPoolSelectors,
// nodeSelectors, namespaceSelectors and serviceSelectors.

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values: readonly string[];
}

/** A normalised selector: both parts always present (possibly empty). */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** A problem found in a selector; `path` is relative to the selector (JSON pointer). */
export interface LabelSelectorProblem {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

export const LABEL_SELECTOR_OPERATORS: readonly LabelSelectorOperator[] = [
  'In',
  'NotIn',
  'Exists',
  'DoesNotExist',
];

// Label names: optional DNS-subdomain prefix (<= 253) + '/' + name (<= 63), per Kubernetes
// IsQualifiedName; label values: empty or <= 63 characters of the same alphabet.
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key prefix "${prefix}" must be a lowercase DNS subdomain of at most 253 characters`;
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    return `label key "${key}" must be at most 63 alphanumeric characters, '-', '_' or '.', starting and ending alphanumeric`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > 63 || !NAME_PART.test(value)) {
    return `label value "${value}" must be empty or at most 63 alphanumeric characters, '-', '_' or '.', starting and ending alphanumeric`;
  }
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a raw selector (as parsed from YAML) the way the API server does.
 * Structural type errors are reported too, so this is usable without a schema.
 */
export function validateLabelSelector(raw: unknown): LabelSelectorProblem[] {
  const problems: LabelSelectorProblem[] = [];
  if (raw === null || raw === undefined) return problems;
  if (!isRecord(raw))
    return [
      { path: '', message: 'a label selector must be an object with matchLabels and/or matchExpressions' },
    ];
  const { matchLabels, matchExpressions } = raw;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) {
      problems.push({ path: '/matchLabels', message: 'matchLabels must be a map of label key to value' });
    } else {
      for (const [k, v] of Object.entries(matchLabels)) {
        const p = `/matchLabels/${escapePointer(k)}`;
        const keyProblem = labelKeyProblem(k);
        if (keyProblem !== undefined) problems.push({ path: p, message: keyProblem });
        if (typeof v !== 'string')
          problems.push({
            path: p,
            message: `the value of label "${k}" must be a string`,
            hint: 'quote it, e.g. "true"',
          });
        else {
          const valueProblem = labelValueProblem(v);
          if (valueProblem !== undefined) problems.push({ path: p, message: valueProblem });
        }
      }
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) {
      problems.push({
        path: '/matchExpressions',
        message: 'matchExpressions must be a list of {key, operator, values}',
      });
    } else {
      matchExpressions.forEach((expr: unknown, i) => {
        const p = `/matchExpressions/${i}`;
        if (!isRecord(expr)) {
          problems.push({ path: p, message: 'a match expression must be an object {key, operator, values}' });
          return;
        }
        if (typeof expr['key'] !== 'string')
          problems.push({ path: `${p}/key`, message: 'a match expression needs a string key' });
        else {
          const keyProblem = labelKeyProblem(expr['key']);
          if (keyProblem !== undefined) problems.push({ path: `${p}/key`, message: keyProblem });
        }
        const op = expr['operator'];
        const values = expr['values'];
        if (typeof op !== 'string' || !(LABEL_SELECTOR_OPERATORS as readonly string[]).includes(op)) {
          problems.push({
            path: `${p}/operator`,
            message: `operator must be one of ${LABEL_SELECTOR_OPERATORS.join(', ')}`,
          });
          return;
        }
        const list = Array.isArray(values)
          ? values
          : values === undefined || values === null
            ? []
            : undefined;
        if (list === undefined) {
          problems.push({ path: `${p}/values`, message: 'values must be a list of strings' });
          return;
        }
        if ((op === 'In' || op === 'NotIn') && list.length === 0) {
          problems.push({
            path: `${p}/values`,
            message: `operator ${op} needs at least one value`,
            hint: 'add values, or use Exists / DoesNotExist',
          });
        }
        if ((op === 'Exists' || op === 'DoesNotExist') && list.length > 0) {
          problems.push({
            path: `${p}/values`,
            message: `operator ${op} takes no values`,
            hint: 'remove values',
          });
        }
        list.forEach((v: unknown, j) => {
          if (typeof v !== 'string')
            problems.push({ path: `${p}/values/${j}`, message: 'values must be strings' });
          else {
            const valueProblem = labelValueProblem(v);
            if (valueProblem !== undefined)
              problems.push({ path: `${p}/values/${j}`, message: valueProblem });
          }
        });
      });
    }
  }
  return problems;
}

/** Builds a normalised selector from a raw (already validated) object; unknown shapes become empty parts. */
export function normalizeLabelSelector(raw: unknown): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  if (isRecord(raw)) {
    if (isRecord(raw['matchLabels'])) {
      for (const [k, v] of Object.entries(raw['matchLabels'])) if (typeof v === 'string') matchLabels[k] = v;
    }
    if (Array.isArray(raw['matchExpressions'])) {
      for (const expr of raw['matchExpressions'] as unknown[]) {
        if (!isRecord(expr) || typeof expr['key'] !== 'string') continue;
        const op = expr['operator'];
        if (typeof op !== 'string' || !(LABEL_SELECTOR_OPERATORS as readonly string[]).includes(op)) continue;
        const values = Array.isArray(expr['values'])
          ? (expr['values'] as unknown[]).filter((v): v is string => typeof v === 'string')
          : [];
        matchExpressions.push({ key: expr['key'], operator: op as LabelSelectorOperator, values });
      }
    }
  }
  return { matchLabels, matchExpressions };
}

/**
 * Whether `labels` satisfy the selector. As in Kubernetes, an empty selector matches everything,
 * NotIn matches objects without the key, and all requirements must hold (AND).
 */
export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  for (const req of selector.matchExpressions) {
    const has = Object.hasOwn(labels, req.key);
    const value = labels[req.key];
    switch (req.operator) {
      case 'In':
        if (!has || value === undefined || !req.values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && req.values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Whether any selector in the list matches (MetalLB ORs the entries of a selector list). */
export function matchesAnyLabelSelector(
  selectors: readonly LabelSelector[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return selectors.some((s) => matchesLabelSelector(s, labels));
}

/** Kubernetes' string form, e.g. `app=web,tier in (a,b),!canary`; "" for the empty selector. */
export function formatLabelSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions) {
    if (r.operator === 'In') parts.push(`${r.key} in (${r.values.join(',')})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${r.values.join(',')})`);
    else if (r.operator === 'Exists') parts.push(r.key);
    else parts.push(`!${r.key}`);
  }
  return parts.join(',');
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
