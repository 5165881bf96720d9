// The configuration files of a commit, selected as `lbops validate DIR` selects them on disk: .yaml/.yml files,
// hidden directories, node_modules and build output skipped, and each directory's .lbopsignore honoured.
import type { ConfigFile } from '@lbops/schemas';
import { listTree, readBlobs, type TreeEntry } from './git.js';

const yamlExtension = /\.ya?ml$/i;
const skippedDirectories = new Set(['node_modules', 'dist', '.turbo']);
export const IGNORE_FILE = '.lbopsignore';

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${escaped}$`);
}

export function parseIgnoreFile(text: string): RegExp[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => patternToRegExp(line.replace(/^\/+|\/+$/g, '')));
}

/**
 * Pure: which of `paths` (repository-relative) under `root` are configuration files, given the .lbopsignore
 * patterns of each directory (keyed by directory path, '' for the repository root).
 */
export function selectConfigPaths(
  paths: readonly string[],
  root: string,
  ignores: ReadonlyMap<string, readonly RegExp[]>,
): string[] {
  const prefix = root === '' ? '' : `${root}/`;
  const selected: string[] = [];
  for (const full of paths) {
    if (!full.startsWith(prefix) || !yamlExtension.test(full)) continue;
    const parts = full.slice(prefix.length).split('/');
    let directory = root;
    let keep = true;
    for (let i = 0; i < parts.length && keep; i += 1) {
      const name = parts[i] as string;
      const isDirectory = i < parts.length - 1;
      if ((ignores.get(directory) ?? []).some((pattern) => pattern.test(name))) keep = false;
      else if (isDirectory && (skippedDirectories.has(name) || name.startsWith('.'))) keep = false;
      directory = directory === '' ? name : `${directory}/${name}`;
    }
    if (keep) selected.push(full);
  }
  return selected.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface CommitFiles {
  readonly commit: string;
  /** Named by their path from the repository root, so diagnostics link to the file on the forge. */
  readonly files: ConfigFile[];
}

/** Reads the configuration files under `subdir` at `commit` from git objects (no checkout). */
export async function readConfigFilesAt(repo: string, commit: string, subdir = ''): Promise<CommitFiles> {
  const root = subdir.replace(/^\.?\/+|\/+$/g, '').replace(/^\.$/, '');
  const entries = await listTree(repo, commit, root);
  const byPath = new Map<string, TreeEntry>(entries.map((entry) => [entry.path, entry]));
  const ignoreEntries = entries.filter((entry) => entry.path.split('/').pop() === IGNORE_FILE);
  const ignoreTexts = await readBlobs(
    repo,
    ignoreEntries.map((entry) => entry.blob),
  );
  const ignores = new Map<string, RegExp[]>();
  for (const entry of ignoreEntries) {
    const directory = entry.path.includes('/') ? entry.path.slice(0, entry.path.lastIndexOf('/')) : '';
    ignores.set(directory, parseIgnoreFile(ignoreTexts.get(entry.blob) ?? ''));
  }
  const selected = selectConfigPaths([...byPath.keys()], root, ignores);
  const blobs = [...new Set(selected.map((path) => (byPath.get(path) as TreeEntry).blob))];
  const contents = await readBlobs(repo, blobs);
  return {
    commit,
    files: selected.map((path) => ({
      name: path,
      content: contents.get((byPath.get(path) as TreeEntry).blob) ?? '',
    })),
  };
}
