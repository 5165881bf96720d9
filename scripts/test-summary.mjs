// Sums the node:test TAP results that each workspace wrote, and prints one closing line for CI.
import { existsSync, readFileSync, rmSync } from 'node:fs';

const root = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// `--clean` removes the results of an earlier run first, so that a package that fails to run is not
// counted with stale results.
if (process.argv.includes('--clean')) {
  for (const workspace of root.workspaces)
    rmSync(new URL(`../${workspace}/.test-results.tap`, import.meta.url), { force: true });
  process.exit(0);
}
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const workspace of root.workspaces) {
  const file = new URL(`../${workspace}/.test-results.tap`, import.meta.url);
  if (!existsSync(file)) {
    missing.push(workspace);
    continue;
  }
  const tap = readFileSync(file, 'utf8');
  const count = (key) => sumKey(tap, key);
  passed += count('pass');
  failed += count('fail');
  skipped += count('skipped') + count('todo');
}
function sumKey(tap, key) {
  let total = 0;
  for (const match of tap.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))) total += Number(match[1]);
  return total;
}
if (missing.length > 0) console.log(`no test results from: ${missing.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 ? 1 : 0);
