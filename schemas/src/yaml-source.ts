// Multi-document YAML with source positions: parses files with the `yaml` package (keeping a
// LineCounter) and maps JSON pointers back to the line:column of the value they name. Also maps
// positions inside a YAML string embedded in a block scalar (the legacy ConfigMap's `config`)
// back into the outer file.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type ScalarTag,
} from 'yaml';
import type { Diagnostic } from './model.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A resolved location: the fields of a Diagnostic that say where. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly path: string;
}

/** One parsed YAML document that values can be located in. */
export interface SourceDocument {
  readonly file: string;
  readonly documentIndex: number;
  /** The document as plain JS (undefined when it could not be built). */
  readonly value: unknown;
  /** Location of the value (or with `key`, of the key `key` inside the map) at `pointer`. */
  locate(pointer: string, key?: string): Location;
}

export interface ParsedFile {
  readonly documents: SourceDocument[];
  readonly diagnostics: Diagnostic[];
}

type PositionMap = (p: Position) => Position;

const MAX_ALIAS_COUNT = 100;

// Kubernetes reads YAML with go-yaml v2 (YAML 1.1), where unquoted yes/no/on/off are booleans:
// `autoAssign: no` means false to kubectl, so it must here too. Other 1.1 rules (sexagesimal numbers
// such as 65000:10) are not applied, as go-yaml does not apply them either.
const yaml11Bool: ScalarTag = {
  identify: (v) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (text) => /^(?:y|Y|yes|Yes|YES|on|On|ON)$/.test(text),
};

function pointerSegments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function joinPointer(base: string, ...segments: Array<string | number>): string {
  return base + segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function deref(doc: Document, node: unknown): unknown {
  if (isAlias(node)) {
    try {
      return node.resolve(doc);
    } catch {
      return undefined;
    }
  }
  return node;
}

/** The node range [start, end) for the value (or key) at `pointer`, falling back to the nearest existing ancestor. */
function findRange(doc: Document, pointer: string, key: string | undefined): [number, number] | undefined {
  let node: unknown = doc.contents;
  let best: [number, number] | undefined = rangeOf(node);
  const segments = pointerSegments(pointer);
  if (key !== undefined) segments.push(key);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    const wantKey = key !== undefined && i === segments.length - 1;
    node = deref(doc, node);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === seg);
      if (pair === undefined) return best;
      const keyRange = rangeOf(pair.key);
      const value = deref(doc, pair.value);
      // Point at a value when there is one; at the key when the value is empty or the key was asked for.
      if (
        wantKey ||
        value === null ||
        value === undefined ||
        (isScalar(value) && value.value === null && rangeOf(value)?.[0] === rangeOf(value)?.[1])
      ) {
        return keyRange ?? best;
      }
      node = value;
    } else if (isSeq(node)) {
      const item: unknown = /^[0-9]+$/.test(seg) ? node.items[Number(seg)] : undefined;
      if (item === undefined || item === null) return best;
      node = deref(doc, item);
    } else {
      return best;
    }
    best = rangeOf(node) ?? best;
  }
  return best;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeOf(node: unknown): [number, number] | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as Node).range;
  if (range === undefined || range === null) return undefined;
  return [range[0], range[1]];
}

function makeDocument(
  file: string,
  documentIndex: number,
  doc: Document.Parsed,
  lineCounter: LineCounter,
  value: unknown,
  map: PositionMap,
  pointerPrefix: string,
): SourceDocument {
  const position = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return map({ line: p.line, column: p.col });
  };
  return {
    file,
    documentIndex,
    value,
    locate(pointer: string, key?: string): Location {
      const range = findRange(doc, pointer, key) ?? [0, 0];
      const start = position(range[0]);
      // End at the last character of the value on its first line, so carets underline the value itself.
      const end = position(Math.max(range[0], range[1]));
      const path = key === undefined ? pointer : joinPointer(pointer, key);
      return {
        file,
        line: start.line,
        column: start.column,
        endLine: end.line,
        endColumn: end.column,
        path: pointerPrefix + path,
      };
    },
  };
}

/**
 * Parses one file into its documents. YAML syntax errors become `yaml-syntax` diagnostics (the
 * document is then skipped); never throws.
 */
export function parseYamlFile(file: string, content: string): ParsedFile {
  return parseYaml(file, content, (p) => p, '');
}

function parseYaml(file: string, content: string, map: PositionMap, pointerPrefix: string): ParsedFile {
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const documents: SourceDocument[] = [];
  let parsed: Document.Parsed[];
  try {
    parsed = Array.from(
      parseAllDocuments(content, {
        lineCounter,
        prettyErrors: true,
        uniqueKeys: true,
        customTags: [yaml11Bool],
      }),
    );
  } catch (error) {
    diagnostics.push({
      severity: 'error',
      code: 'yaml-syntax',
      message: `cannot parse YAML: ${error instanceof Error ? error.message : String(error)}`,
      file,
      ...map({ line: 1, column: 1 }),
      path: pointerPrefix,
    });
    return { documents, diagnostics };
  }
  parsed.forEach((doc, documentIndex) => {
    const position = (offset: number): Position => {
      const p = lineCounter.linePos(offset);
      return map({ line: p.line, column: p.col });
    };
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const start = position(error.pos[0]);
        const end = position(error.pos[1]);
        diagnostics.push({
          severity: 'error',
          code: 'yaml-syntax',
          message: `YAML syntax error: ${firstLine(error.message)}`,
          file,
          line: start.line,
          column: start.column,
          endLine: end.line,
          endColumn: end.column,
          path: pointerPrefix,
          hint: yamlHint(error.code),
        });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const range = rangeOf(doc.contents) ?? [0, 0];
      diagnostics.push({
        severity: 'error',
        code: 'yaml-syntax',
        message: `cannot read YAML document: ${error instanceof Error ? firstLine(error.message) : String(error)}`,
        file,
        ...position(range[0]),
        path: pointerPrefix,
        hint: 'avoid deeply nested or excessive aliases',
      });
      return;
    }
    documents.push(makeDocument(file, documentIndex, doc, lineCounter, value, map, pointerPrefix));
  });
  return { documents, diagnostics };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the duplicate keys';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation (spaces only, no tabs) and the ":" after each key';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'a key must fit on one line; check for a missing ":" or wrong indentation on the line before';
    default:
      return 'fix the YAML syntax at this position';
  }
}

/**
 * Parses a YAML string embedded as the value at `pointer` of an outer document (the `config` key
 * of a legacy ConfigMap). Positions are mapped into the outer file exactly for block literals (`|`),
 * and to the start of the value otherwise. Paths are prefixed with `pointer`.
 */
/** A view of the value at `pointer` of a document as a document of its own (an item of a `kind: List`). */
export function subDocument(doc: SourceDocument, pointer: string, value: unknown): SourceDocument {
  return {
    file: doc.file,
    documentIndex: doc.documentIndex,
    value,
    locate: (p, key) => doc.locate(pointer + p, key),
  };
}

export function parseEmbeddedYaml(
  outer: SourceDocument,
  pointer: string,
  content: string,
  outerSource: string,
): ParsedFile {
  const anchor = outer.locate(pointer);
  const map = embeddedMap(outerSource, anchor, content);
  return parseYaml(outer.file, content, map, pointer);
}

function embeddedMap(source: string, anchor: Location, content: string): PositionMap {
  const fallback: PositionMap = () => ({ line: anchor.line, column: anchor.column });
  const lines = source.split(/\r?\n/);
  const header = lines[anchor.line - 1];
  if (header === undefined) return fallback;
  const indicator = header.slice(anchor.column - 1).trimStart();
  if (!indicator.startsWith('|')) return fallback;
  // The content starts on the line after the `|` header; its indentation is that of the first non-empty line.
  const firstContent = lines.slice(anchor.line).find((l) => l.trim().length > 0);
  if (firstContent === undefined) return fallback;
  const indent = firstContent.length - firstContent.trimStart().length;
  const contentLines = content.split('\n').length;
  return (p) =>
    p.line <= contentLines
      ? { line: anchor.line + p.line, column: indent + p.column }
      : { line: anchor.line, column: anchor.column };
}
