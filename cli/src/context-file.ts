import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadValidationContext, type Diagnostic, type ValidationContext } from '@lbops/schemas';

export type LoadedContext =
  | { ok: true; context: ValidationContext | undefined; diagnostics: Diagnostic[] }
  | { ok: false; problem: string };

/** Reads a `--context` file (node addresses, gateways, pod/service CIDRs, reserved pools). */
export async function loadContextFile(file: string, cwd: string): Promise<LoadedContext> {
  let content: string;
  try {
    content = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    return {
      ok: false,
      problem: `cannot read the context file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    };
  }
  const loaded = loadValidationContext({ name: file, content });
  return { ok: true, context: loaded.context, diagnostics: loaded.diagnostics };
}
