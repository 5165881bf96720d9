import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { run } from './run.js';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { io: { stdout, stderr, cwd: process.cwd(), env: {} }, out: () => out, err: () => err };
}

test('--help lists the commands and exits 0', async () => {
  const c = capture();
  assert.equal(await run(['--help'], c.io), 0);
  assert.match(c.out(), /Usage: lbops <command>/);
});

test('an unknown command is a usage error that names it', async () => {
  const c = capture();
  assert.equal(await run(['frobnicate'], c.io), 2);
  assert.match(c.err(), /unknown command 'frobnicate'/);
});
