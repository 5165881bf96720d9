// Helpers to make, order and de-duplicate diagnostics.
import type { Diagnostic, Severity } from './model.js';
import type { Location } from './yaml-source.js';

export function diagnostic(
  at: Location,
  severity: Severity,
  code: string,
  message: string,
  hint?: string,
): Diagnostic {
  return {
    severity,
    code,
    message,
    file: at.file,
    line: at.line,
    column: at.column,
    endLine: at.endLine,
    endColumn: at.endColumn,
    path: at.path,
    ...(hint === undefined ? {} : { hint }),
  };
}

/** Sorts by file, line, column, then code; drops exact repeats (a rule caught by both the schema and a check). */
export function finishDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.code}\0${d.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** `file:line` for "also defined at" messages. */
export function where(at: { file: string; line: number }): string {
  return `${at.file}:${at.line}`;
}
