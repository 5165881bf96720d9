// `npm run bench -- <suite>`: runs one benchmark suite, prints a table and writes .bench/<suite>.json.
// A suite is `<workspace>/dist/bench/<suite>.bench.js`, whose default export resolves to rows
// `{ name, value, unit, baseline?, ratio?, target? }`; ratios compare with a baseline measured in the same run.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { workspaces } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function suites() {
  const found = new Map();
  for (const workspace of workspaces) {
    const dir = path.join(root, workspace, 'dist', 'bench');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      if (file.endsWith('.bench.js')) found.set(file.slice(0, -'.bench.js'.length), path.join(dir, file));
    }
  }
  return found;
}

const available = suites();
const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
if (requested.length === 0) {
  console.error(
    `usage: npm run bench -- <suite> [<suite>...]\nsuites: ${[...available.keys()].sort().join(', ')}`,
  );
  process.exit(2);
}
const unknown = requested.filter((name) => !available.has(name));
if (unknown.length > 0) {
  console.error(`unknown suite: ${unknown.join(', ')}; suites: ${[...available.keys()].sort().join(', ')}`);
  process.exit(2);
}

function format(value) {
  if (typeof value !== 'number') return value === undefined ? '' : String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toPrecision(4);
}

let failedTargets = 0;
for (const name of requested) {
  const module = await import(pathToFileURL(available.get(name)).href);
  const started = performance.now();
  const rows = await module.default();
  const seconds = (performance.now() - started) / 1000;
  const header = ['name', 'value', 'unit', 'baseline', 'ratio', 'target'];
  const table = rows.map((row) => [
    row.name,
    format(row.value),
    row.unit,
    format(row.baseline),
    format(row.ratio),
    row.target ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((cells) => String(cells[i]).length)));
  const line = (cells) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join('  ');
  console.log(`\nsuite ${name} (${seconds.toFixed(1)} s)`);
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const cells of table) console.log(line(cells));
  for (const row of rows) if (row.met === false) failedTargets += 1;
  mkdirSync(path.join(root, '.bench'), { recursive: true });
  writeFileSync(path.join(root, '.bench', `${name}.json`), JSON.stringify(rows, null, 2) + '\n');
  console.log(`wrote .bench/${name}.json`);
}
if (failedTargets > 0) console.log(`\n${failedTargets} row(s) missed their target`);
