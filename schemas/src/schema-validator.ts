// Validates raw documents against the JSON Schemas with ajv (draft 2020-12, all errors) and turns
// ajv's errors into located, actionable problems with stable codes. Schemas are compiled once.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { SCHEMA_FILES, LEGACY_CONFIG_ID, type SchemaFile } from './json-schemas.js';
import type { Severity } from './model.js';

/** A schema violation, before it is given a file position. */
export interface SchemaProblem {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  /** JSON pointer of the offending value (for a missing field: of the object that lacks it). */
  readonly pointer: string;
  /** When set, point at the key of this member of `pointer` rather than at a value (unknown fields). */
  readonly key?: string;
  /** Set for a missing required field: the problem is reported at the key of the object that lacks it. */
  readonly missing?: string;
  readonly hint?: string;
}

// ajv-formats is a CommonJS module whose default export is the plugin function.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

let compiled: Map<string, ValidateFunction> | undefined;

function validators(): Map<string, ValidateFunction> {
  if (compiled !== undefined) return compiled;
  const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strict: true });
  addFormats(ajv);
  const map = new Map<string, ValidateFunction>();
  for (const entry of SCHEMA_FILES) map.set(schemaKey(entry), ajv.compile(entry.schema));
  compiled = map;
  return map;
}

function schemaKey(entry: Pick<SchemaFile, 'apiVersion' | 'kind'>): string {
  return `${entry.apiVersion}|${entry.kind}`;
}

/** Whether a schema exists for this apiVersion and kind. */
export function hasSchema(apiVersion: string, kind: string): boolean {
  return SCHEMA_FILES.some((e) => e.apiVersion === apiVersion && e.kind === kind);
}

/** The key under which the legacy configuration (the YAML inside the ConfigMap) is validated. */
export const LEGACY_CONFIG_KEY = { apiVersion: '', kind: 'MetalLBLegacyConfig' } as const;
export { LEGACY_CONFIG_ID };

/** Validates `value` against the schema of (apiVersion, kind); returns every problem (allErrors). */
export function validateAgainstSchema(apiVersion: string, kind: string, value: unknown): SchemaProblem[] {
  const validate = validators().get(schemaKey({ apiVersion, kind }));
  if (validate === undefined) return [];
  if (validate(value)) return [];
  return (validate.errors ?? []).flatMap((e) => describe(kind, e, value));
}

function segments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function lastKey(pointer: string): string {
  const s = segments(pointer);
  return s[s.length - 1] ?? '';
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const s of segments(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[s];
  }
  return current;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Human name of the field at a pointer, e.g. `spec.addresses[1]`. */
export function fieldName(pointer: string): string {
  let out = '';
  for (const s of segments(pointer)) out += /^[0-9]+$/.test(s) ? `[${s}]` : out === '' ? s : `.${s}`;
  return out === '' ? 'the document' : out;
}

// MetalLB-specific codes for the rules the schema enforces, so that a rule has the same code
// whether the schema or a semantic check catches it.
function specificCode(kind: string, pointer: string, keyword: string, missing?: string): string | undefined {
  const field = missing ?? lastKey(pointer);
  if (keyword === 'required' || keyword === 'minItems') {
    if (field === 'addresses') return 'pool-missing-addresses';
    if (field === 'myASN' || field === 'my-asn') return 'peer-missing-my-asn';
    if (field === 'peerASN' || field === 'peer-asn') return 'peer-asn-missing';
    if (field === 'peerAddress' || field === 'peer-address') return 'peer-address-missing';
  }
  if (keyword === 'minimum' || keyword === 'maximum') {
    if (kind === 'BFDProfile' || pointer.includes('/bfd-profiles/')) return 'bfd-out-of-range';
    if (/^aggregation-?[lL]ength(-?[vV]6)?$/.test(field)) {
      return keyword === 'maximum' ? 'aggregation-length-too-long' : 'out-of-range';
    }
  }
  if (keyword === 'pattern' && /[tT]ime$/.test(field)) return 'invalid-duration';
  return undefined;
}

function describe(kind: string, error: ErrorObject, root: unknown): SchemaProblem[] {
  const pointer = error.instancePath;
  const where = fieldName(pointer);
  const params = error.params as Record<string, unknown>;
  const value = valueAt(root, pointer);
  switch (error.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      const full = fieldName(`${pointer}/${missing}`);
      return [
        {
          severity: 'error',
          code: specificCode(kind, pointer, 'required', missing) ?? 'missing-field',
          message: `${kind} is missing required field ${full}`,
          pointer,
          missing,
          hint: `add ${full}`,
        },
      ];
    }
    case 'additionalProperties': {
      const extra = String(params['additionalProperty']);
      // Unknown fields are warnings: the API server prunes them, so MetalLB never sees them, but they
      // are almost always a typo of a real field.
      return [
        {
          severity: 'warning',
          code: 'unknown-field',
          message: `unknown field ${fieldName(`${pointer}/${extra}`)} in ${kind}; it is ignored`,
          pointer,
          key: extra,
          hint: 'check the spelling against the schema (field names are case-sensitive)',
        },
      ];
    }
    case 'type':
      return [
        {
          severity: 'error',
          code: 'wrong-type',
          message: `${where} must be ${articleType(String(params['type']))}, not ${show(value)}`,
          pointer,
          hint: typeHint(String(params['type'])),
        },
      ];
    case 'enum':
    case 'const': {
      const allowed = (
        error.keyword === 'enum' ? (params['allowedValues'] as unknown[]) : [params['allowedValue']]
      ).map(show);
      return [
        {
          severity: 'error',
          code: 'invalid-value',
          message: `${where} is ${show(value)}, which is not one of ${allowed.join(', ')}`,
          pointer,
          hint: `use one of ${allowed.join(', ')}`,
        },
      ];
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const limit = String(params['limit']);
      const cmp = String(params['comparison']);
      return [
        {
          severity: 'error',
          code: specificCode(kind, pointer, error.keyword) ?? 'out-of-range',
          message: `${where} is ${show(value)}; it must be ${cmp} ${limit}`,
          pointer,
          hint: `use a value ${cmp} ${limit}`,
        },
      ];
    }
    case 'minItems':
      return [
        {
          severity: 'error',
          code: specificCode(kind, pointer, 'minItems') ?? 'empty-list',
          message: `${where} must not be empty`,
          pointer,
          hint: 'add at least one entry',
        },
      ];
    case 'minLength':
      return [
        {
          severity: 'error',
          code: 'empty-value',
          message: `${where} must not be empty`,
          pointer,
          hint: 'write a value, or remove the field',
        },
      ];
    case 'maxLength':
      return [
        {
          severity: 'error',
          code: 'value-too-long',
          message: `${where} is longer than ${String(params['limit'])} characters`,
          pointer,
          hint: `shorten it to at most ${String(params['limit'])} characters`,
        },
      ];
    case 'pattern': {
      const code = specificCode(kind, pointer, 'pattern') ?? 'invalid-format';
      const isName = lastKey(pointer) === 'name' && pointer.includes('metadata');
      return [
        {
          severity: 'error',
          code: isName ? 'invalid-name' : code,
          message: isName
            ? `name ${show(value)} is not a valid Kubernetes name`
            : code === 'invalid-duration'
              ? `${where} is ${show(value)}, which is not a duration`
              : `${where} is ${show(value)}, which has the wrong format`,
          pointer,
          hint: isName
            ? 'use lowercase letters, digits, "-" and ".", starting and ending with a letter or digit'
            : code === 'invalid-duration'
              ? 'write a Go duration such as "90s", "1m30s" or "500ms"'
              : `it must match ${String(params['pattern'])}`,
        },
      ];
    }
    default:
      return [
        {
          severity: 'error',
          code: 'schema-violation',
          message: `${where} ${error.message ?? 'is invalid'}`,
          pointer,
          hint: 'see the schema in schemas/json for the allowed values',
        },
      ];
  }
}

function typeHint(type: string): string {
  if (type.startsWith('string')) return 'quote the value, e.g. "64500" or "10.0.0.0/24"';
  if (type === 'boolean') return 'write true or false (without quotes)';
  if (type === 'integer' || type === 'number') return 'write a number without quotes';
  if (type.startsWith('array')) return 'write a YAML list: one "- item" per line, or [a, b]';
  return 'write a map of "key: value" lines, indented under this key';
}

function articleType(type: string): string {
  const names = type.split(',').filter((t) => t !== 'null');
  const t = names.join(' or ');
  return t === 'object' ? 'a map' : t === 'array' ? 'a list' : t === 'integer' ? 'an integer' : `a ${t}`;
}
