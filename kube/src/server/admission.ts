// Admission for the metallb.io kinds: the server asks an Admission function about every create,
// update and patch of such an object, together with the other stored metallb.io objects, and
// refuses the write (422 Invalid, one cause per field) when it reports an error.
import { parseAddressRange } from '@lbops/schemas';
import { isObject, type JsonObject } from './json.js';

export interface AdmissionDiagnostic {
  readonly severity: 'error' | 'warning';
  /** JSON pointer inside the object, e.g. `/spec/addresses/1`. */
  readonly path: string;
  readonly message: string;
  readonly code?: string;
  readonly hint?: string;
}

/** `object` is the candidate; `others` are the other stored objects of the admitted group. */
export type Admission = (object: JsonObject, others: readonly JsonObject[]) => readonly AdmissionDiagnostic[];

/** `/spec/addresses/1` -> `spec.addresses[1]`, the field notation of Kubernetes' StatusCause. */
export function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (acc, part) => (/^[0-9]+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`),
      '',
    );
}

/**
 * Structural checks of IPAddressPools only: the fallback until the configuration language's
 * loadConfig is wired in (see `loadConfigAdmission`).
 */
export const basicAdmission: Admission = (object) => {
  if (object.kind !== 'IPAddressPool') return [];
  const spec = object.spec;
  if (!isObject(spec) || !Array.isArray(spec.addresses) || spec.addresses.length === 0) {
    return [
      {
        severity: 'error',
        path: '/spec/addresses',
        message: 'Required value: a pool needs at least one address range',
      },
    ];
  }
  return spec.addresses.flatMap((entry: unknown, i): AdmissionDiagnostic[] => {
    if (typeof entry !== 'string') {
      return [
        {
          severity: 'error',
          path: `/spec/addresses/${i}`,
          message: 'must be a string (a CIDR or a range a-b)',
        },
      ];
    }
    const parsed = parseAddressRange(entry);
    return parsed.ok
      ? []
      : [{ severity: 'error', path: `/spec/addresses/${i}`, message: `Invalid value: ${parsed.reason}` }];
  });
};
