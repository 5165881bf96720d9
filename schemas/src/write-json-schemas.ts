// Writes schemas/json/** from json-schemas.ts: `node schemas/dist/write-json-schemas.js [outDir]`.
// An adapter (it touches files); the schemas themselves live in json-schemas.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_FILES } from './json-schemas.js';

export const DEFAULT_JSON_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'json');

/** The exact text written for a schema (2-space JSON and a final newline, as prettier leaves it). */
export function schemaFileText(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export function writeJsonSchemas(outDir: string = DEFAULT_JSON_DIR): string[] {
  const written: string[] = [];
  for (const entry of SCHEMA_FILES) {
    const target = path.join(outDir, entry.file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, schemaFileText(entry.schema));
    written.push(target);
  }
  return written;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of writeJsonSchemas(process.argv[2])) console.log(`wrote ${file}`);
}
