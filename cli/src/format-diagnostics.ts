import type { Diagnostic } from '@lbops/schemas';

export type OutputFormat = 'human' | 'json' | 'github';

export interface Summary {
  readonly files: number;
  readonly errors: number;
  readonly warnings: number;
}

export function summarize(diagnostics: readonly Diagnostic[], files: number): Summary {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return { files, errors, warnings: diagnostics.length - errors };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function summaryLine(summary: Summary): string {
  const counts = `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}`;
  return summary.errors > 0
    ? `invalid: ${counts} in ${plural(summary.files, 'file')}`
    : `valid: ${plural(summary.files, 'file')} checked, ${counts}`;
}

interface Palette {
  readonly error: (text: string) => string;
  readonly warning: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const colours: Palette = { error: ansi(31, 39), warning: ansi(33, 39), bold: ansi(1, 22), dim: ansi(2, 22) };
const plain: Palette = { error: (t) => t, warning: (t) => t, bold: (t) => t, dim: (t) => t };

/** Compiler-style text: the location, the message, the source line with a caret under the value, a hint. */
export function formatHuman(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  summary: Summary,
  options: { colour: boolean },
): string {
  const paint = options.colour ? colours : plain;
  const lines: string[] = [];
  for (const d of diagnostics) {
    const label =
      d.severity === 'error' ? paint.error(`error[${d.code}]`) : paint.warning(`warning[${d.code}]`);
    lines.push(`${paint.bold(`${d.file}:${d.line}:${d.column}`)}: ${label}: ${paint.bold(d.message)}`);
    const sourceLine = sources.get(d.file)?.split('\n')[d.line - 1];
    if (sourceLine !== undefined) {
      const gutter = String(d.line);
      const width =
        d.endLine === d.line && d.endColumn !== undefined && d.endColumn > d.column
          ? d.endColumn - d.column
          : 1;
      lines.push(`${paint.dim(`${gutter} |`)} ${sourceLine.replace(/\r$/, '')}`);
      const marker = '^'.repeat(Math.max(1, Math.min(width, sourceLine.length - d.column + 1)));
      lines.push(
        `${' '.repeat(gutter.length)} ${paint.dim('|')} ${' '.repeat(d.column - 1)}${paint.error(marker)}`,
      );
    }
    if (d.path !== '') lines.push(`${' '.repeat(String(d.line).length)} = at ${d.path}`);
    if (d.hint !== undefined) lines.push(`${' '.repeat(String(d.line).length)} = hint: ${d.hint}`);
    lines.push('');
  }
  lines.push(summaryLine(summary));
  return lines.join('\n') + '\n';
}

export function formatJson(diagnostics: readonly Diagnostic[], summary: Summary): string {
  return JSON.stringify({ valid: summary.errors === 0, summary, diagnostics }, null, 2) + '\n';
}

// GitHub workflow commands: data escapes %, CR, LF; property values also escape ':' and ','.
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::error file=…,line=…,col=…,title=…::message` lines, so a workflow annotates the lines on a pull request. */
export function formatGithub(diagnostics: readonly Diagnostic[], summary: Summary): string {
  const lines = diagnostics.map((d) => {
    const properties = [
      `file=${escapeProperty(d.file)}`,
      `line=${d.line}`,
      `col=${d.column}`,
      ...(d.endLine !== undefined ? [`endLine=${d.endLine}`] : []),
      ...(d.endColumn !== undefined && d.endLine === d.line ? [`endColumn=${d.endColumn}`] : []),
      `title=${escapeProperty(`lbops ${d.code}`)}`,
    ];
    const message = d.hint === undefined ? d.message : `${d.message}\nhint: ${d.hint}`;
    return `::${d.severity === 'error' ? 'error' : 'warning'} ${properties.join(',')}::${escapeData(message)}`;
  });
  lines.push(summaryLine(summary));
  return lines.join('\n') + '\n';
}
