// Admission through the configuration language: the candidate object is validated together with
// every other stored metallb.io object, by the same loadConfig the CLI, the PR check, the
// controller and the speakers run, so what the API accepts is what the controller will use.
// Only problems the candidate introduces refuse the write: problems the stored objects already
// had (compared by running loadConfig without the candidate) are not blamed on it.
import { loadConfig, METALLB_KINDS, type Diagnostic } from '@lbops/schemas';
import type { Admission, AdmissionDiagnostic } from './admission.js';
import { stringField, type JsonObject } from './json.js';

const CONFIG_KINDS: ReadonlySet<string> = new Set(METALLB_KINDS);

function fileName(obj: JsonObject): string {
  return `${String(obj.kind)}/${stringField(obj.metadata, 'namespace') ?? ''}/${stringField(obj.metadata, 'name') ?? ''}`;
}

/** What loadConfig sees of a stored object: its configuration, without server-set fields. */
function document(obj: JsonObject): string {
  const meta = (obj.metadata ?? {}) as JsonObject;
  const clean: JsonObject = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      ...(meta.labels !== undefined ? { labels: meta.labels } : {}),
      ...(meta.annotations !== undefined ? { annotations: meta.annotations } : {}),
    },
  };
  if (obj.spec !== undefined) clean.spec = obj.spec;
  // JSON is YAML: loadConfig parses it with positions all the same.
  return JSON.stringify(clean, null, 1);
}

/**
 * References to objects that do not exist (yet) are warnings here, not refusals: `kubectl apply -f
 * dir/` applies files and documents in order, so an advertisement may arrive before its pool. The
 * configuration stays invalid (and the controller keeps the last good one) until the target exists.
 */
const DANGLING_REFERENCES: ReadonlySet<string> = new Set([
  'unknown-pool-ref',
  'unknown-peer-ref',
  'unknown-bfd-profile',
  'unknown-community',
]);

const identity = (d: Diagnostic): string => `${d.severity}|${d.code}|${d.file}|${d.path}|${d.message}`;

export const loadConfigAdmission: Admission = (object, others) => {
  if (!CONFIG_KINDS.has(String(object.kind))) return [];
  const namespace = stringField(object.metadata, 'namespace');
  // MetalLB reads the configuration of its own namespace only; other namespaces are separate.
  const peers = others.filter(
    (o) => CONFIG_KINDS.has(String(o.kind)) && stringField(o.metadata, 'namespace') === namespace,
  );
  const files = peers.map((o) => ({ name: fileName(o), content: document(o) }));
  const candidate = fileName(object);
  const before = new Set(loadConfig(files).diagnostics.map(identity));
  const after = loadConfig([...files, { name: candidate, content: document(object) }]).diagnostics;
  return after
    .filter((d) => !before.has(identity(d)))
    .map((d): AdmissionDiagnostic => {
      const elsewhere = d.file !== candidate;
      return {
        severity: DANGLING_REFERENCES.has(d.code) ? 'warning' : d.severity,
        path: elsewhere ? '' : d.path,
        message: elsewhere
          ? `${d.message} (with ${d.file}${d.path !== '' ? ` at ${d.path}` : ''})`
          : d.message,
        code: d.code,
        ...(d.hint !== undefined ? { hint: d.hint } : {}),
      };
    });
};
