// Test harness for the configuration corpus: each case is YAML in which «code» markers sit exactly
// where a diagnostic must point (the marker is removed before loading). «!code» marks a warning.
import type { ConfigFile } from '../load-config.js';
import type { ValidationContext } from '../validation-context.js';

export interface CorpusCase {
  readonly name: string;
  /** One YAML file (named after the case) or several files by name. */
  readonly yaml: string | Readonly<Record<string, string>>;
  readonly context?: ValidationContext;
  readonly bgpMode?: 'frr' | 'native';
}

export interface ExpectedDiagnostic {
  readonly file: string;
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly line: number;
  readonly column: number;
}

const MARKER = /«(!?)([a-z0-9-]+)»/g;

/** Strips the markers, returning the clean text and where each marker was (1-based line and column). */
export function extractMarkers(
  file: string,
  text: string,
): { content: string; expected: ExpectedDiagnostic[] } {
  const expected: ExpectedDiagnostic[] = [];
  let content = '';
  let last = 0;
  for (const m of text.matchAll(MARKER)) {
    content += text.slice(last, m.index);
    last = m.index + m[0].length;
    const before = content.split('\n');
    expected.push({
      file,
      code: m[2] as string,
      severity: m[1] === '!' ? 'warning' : 'error',
      line: before.length,
      column: (before[before.length - 1] as string).length + 1,
    });
  }
  content += text.slice(last);
  return { content, expected };
}

export function caseFiles(c: CorpusCase): { files: ConfigFile[]; expected: ExpectedDiagnostic[] } {
  const entries =
    typeof c.yaml === 'string'
      ? [[`${c.name.replace(/[^a-z0-9]+/gi, '-')}.yaml`, c.yaml] as const]
      : Object.entries(c.yaml);
  const files: ConfigFile[] = [];
  const expected: ExpectedDiagnostic[] = [];
  for (const [name, text] of entries) {
    const x = extractMarkers(name, text);
    files.push({ name, content: x.content });
    expected.push(...x.expected);
  }
  return { files, expected };
}
