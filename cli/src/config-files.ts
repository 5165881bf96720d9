import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface ConfigFile {
  readonly name: string;
  readonly content: string;
}

export interface CollectedFiles {
  readonly files: ConfigFile[];
  /** Paths that could not be read, each with the reason: usage errors, not configuration errors. */
  readonly problems: string[];
}

const yamlExtension = /\.ya?ml$/i;
/** Directories never walked: VCS metadata, dependencies, build output. */
const skippedDirectories = new Set(['.git', 'node_modules', 'dist', '.turbo']);
/** A file listing what a directory's walk skips, one pattern a line (`*` wildcards, `#` comments). */
export const ignoreFileName = '.lbopsignore';

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${escaped}$`);
}

async function readIgnorePatterns(directory: string): Promise<RegExp[]> {
  try {
    const text = await readFile(path.join(directory, ignoreFileName), 'utf8');
    return text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => patternToRegExp(line.replace(/^\/+|\/+$/g, '')));
  } catch {
    return [];
  }
}

async function walk(directory: string, relativeTo: string, ignored: RegExp[], out: string[]): Promise<void> {
  const own = await readIgnorePatterns(directory);
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    const local = path.relative(relativeTo, full).split(path.sep).join('/');
    if (own.some((pattern) => pattern.test(entry.name)) || ignored.some((pattern) => pattern.test(local)))
      continue;
    if (entry.isDirectory()) {
      if (skippedDirectories.has(entry.name) || entry.name.startsWith('.')) continue;
      await walk(full, relativeTo, ignored, out);
    } else if (entry.isFile() && yamlExtension.test(entry.name)) {
      out.push(full);
    }
  }
}

/**
 * Collects configuration files: a file argument is read whatever its extension; a directory is walked for
 * `.yaml`/`.yml` files, skipping hidden directories, node_modules and what `.lbopsignore` files list.
 * Names are kept relative to `cwd` so diagnostics point where the user typed.
 */
export async function collectConfigFiles(paths: readonly string[], cwd: string): Promise<CollectedFiles> {
  const problems: string[] = [];
  const found: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    try {
      const info = await stat(absolute);
      if (info.isDirectory()) await walk(absolute, absolute, [], found);
      else found.push(absolute);
    } catch (error) {
      problems.push(`cannot read ${given}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  const unique = [...new Set(found)];
  const files: ConfigFile[] = [];
  for (const file of unique) {
    try {
      files.push({ name: path.relative(cwd, file) || file, content: await readFile(file, 'utf8') });
    } catch (error) {
      problems.push(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  return { files, problems };
}
