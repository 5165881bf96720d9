// Admission for the metallb.io kinds: the server asks an Admission function about every create,
// update and patch of such an object, together with the other stored metallb.io objects, and
// refuses the write (422 Invalid, one cause per field) when it reports an error.
import type { JsonObject } from './json.js';

export interface AdmissionDiagnostic {
  readonly severity: 'error' | 'warning';
  /** JSON pointer inside the object, e.g. `/spec/addresses/1`. */
  readonly path: string;
  readonly message: string;
  readonly code?: string;
  readonly hint?: string;
}

/** `object` is the candidate; `others` are the other stored objects of the admitted kinds. */
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
