// The examples are the user's first contact: every valid one must pass, every broken one must fail with
// exactly the diagnostics in its golden files (human and GitHub formats). LBOPS_UPDATE_GOLDEN=1 rewrites them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run } from './run.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const invalidDir = path.join(repoRoot, 'examples', 'invalid');
const update = process.env.LBOPS_UPDATE_GOLDEN === '1';

async function lbops(args: string[], cwd = repoRoot) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await run(args, { stdout, stderr, cwd, env: {} });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

function checkGolden(file: string, actual: string) {
  if (update || !existsSync(file)) {
    if (!update)
      assert.fail(`golden file ${path.relative(repoRoot, file)} is missing; run with LBOPS_UPDATE_GOLDEN=1`);
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from ${path.relative(repoRoot, file)}`);
}

test('lbops validate examples/ accepts every example (and skips examples/invalid via .lbopsignore)', async () => {
  const result = await lbops(['validate', '--no-color', 'examples']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^valid: \d+ files checked, 0 errors/m);
  assert.doesNotMatch(result.stdout, /examples\/invalid/);
});

const invalidFiles = readdirSync(invalidDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

test('there are broken examples to check', () => {
  assert.ok(invalidFiles.length >= 10);
});

for (const name of invalidFiles) {
  test(`examples/invalid/${name} is rejected with its golden diagnostics`, async () => {
    const relative = path.join('examples', 'invalid', name);
    const human = await lbops(['validate', '--no-color', relative]);
    assert.equal(human.code, 1, human.stdout + human.stderr);
    checkGolden(path.join(invalidDir, name.replace(/\.yaml$/, '.golden.txt')), human.stdout);
    const github = await lbops(['validate', '--format', 'github', relative]);
    assert.equal(github.code, 1);
    assert.match(github.stdout, /^::error file=examples\/invalid\//m);
    checkGolden(path.join(invalidDir, name.replace(/\.yaml$/, '.golden.github.txt')), github.stdout);
  });
}

test('the MetalLB tutorial ConfigMap converts into resources that validate and mean the same', async () => {
  const tutorial = path.join('examples', 'legacy', 'metallb-tutorial-config.yaml');
  const converted = await lbops(['convert', tutorial]);
  assert.equal(converted.code, 0, converted.stderr);
  assert.match(converted.stdout, /kind: IPAddressPool/);
  assert.match(converted.stdout, /name: metallb-ip-space/);
  assert.match(converted.stdout, /10\.10\.95\.200-10\.10\.95\.250/);
  assert.match(converted.stdout, /kind: L2Advertisement/);
  const dir = mkdtempSync(path.join(tmpdir(), 'lbops-convert-'));
  try {
    const written = await lbops(['convert', path.join(repoRoot, tutorial), '-o', dir]);
    assert.equal(written.code, 0, written.stderr);
    assert.ok(readdirSync(dir).length >= 2);
    const validated = await lbops(['validate', '--format', 'json', dir]);
    assert.equal(validated.code, 0, validated.stdout);
    const report = JSON.parse(validated.stdout) as { valid: boolean; diagnostics: unknown[] };
    assert.equal(report.valid, true);
    assert.deepEqual(report.diagnostics, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2 and name the problem', async () => {
  assert.equal((await lbops(['validate', '--format', 'xml', 'examples'])).code, 2);
  const missing = await lbops(['validate', 'no/such/dir']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read no\/such\/dir/);
  assert.equal((await lbops(['convert'])).code, 2);
});

test('convert refuses an invalid legacy ConfigMap and writes nothing', async () => {
  const result = await lbops(['convert', path.join('examples', 'invalid', 'legacy-bad-range.yaml')]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /legacy-bad-range.yaml:10:17: error\[invalid-value\]/);
});
