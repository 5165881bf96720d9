// Fuzz: arbitrary and mutated bytes must only ever raise BgpError (never a TypeError, RangeError or hang).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { message } from './arbitraries.test-support.js';
import { BgpError } from './errors.js';
import {
  MAX_MESSAGE_LENGTH,
  MessageFramer,
  decodeMessage,
  messageEncodingLength,
  serializeMessage,
} from './message.js';

/** xorshift32: deterministic and fast enough for 100,000+ cases in well under a second of generation. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (limit: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % limit;
  };
}

const RANDOM = 40_000;
const MUTATED = 80_000;

test(`${RANDOM + MUTATED} random and mutated inputs raise only BgpError`, () => {
  const seed = Number(process.env.BGP_FUZZ_SEED ?? 0x5eed);
  const next = rng(seed);
  const ctxs = [{ fourOctetAs: true }, { fourOctetAs: false }];
  const corpus = fc
    .sample(message(true), { numRuns: 400, seed })
    .filter((m) => messageEncodingLength(m, ctxs[0]!) <= MAX_MESSAGE_LENGTH)
    .map((m) => serializeMessage(m, ctxs[0]!));
  let protocolErrors = 0;
  let decoded = 0;
  const run = (bytes: Uint8Array, i: number) => {
    const ctx = ctxs[i & 1]!;
    try {
      decodeMessage(bytes, 0, ctx);
      decoded++;
    } catch (error) {
      if (!(error instanceof BgpError)) {
        assert.fail(`seed ${seed} case ${i}: ${String(error)} for ${Buffer.from(bytes).toString('hex')}`);
      }
      protocolErrors++;
    }
  };
  for (let i = 0; i < RANDOM; i++) {
    // A valid marker and a length that matches, so the body decoders are reached.
    const length = 19 + next(120);
    const bytes = new Uint8Array(length);
    for (let j = 16; j < length; j++) bytes[j] = next(256);
    bytes.fill(0xff, 0, 16);
    if (next(4) !== 0) {
      bytes[16] = length >> 8;
      bytes[17] = length & 0xff;
      bytes[18] = 1 + next(5);
    }
    run(bytes, i);
  }
  for (let i = 0; i < MUTATED; i++) {
    const original = corpus[next(corpus.length)]!;
    let bytes: Uint8Array = original.slice();
    const edits = 1 + next(4);
    for (let e = 0; e < edits; e++) {
      const at = next(bytes.length);
      switch (next(5)) {
        case 0:
          bytes[at] = (bytes[at] ?? 0) ^ (1 << next(8));
          break;
        case 1:
          bytes[at] = next(256);
          break;
        case 2:
          bytes[at] = [0, 1, 0x7f, 0x80, 0xff][next(5)]!;
          break;
        case 3:
          bytes = bytes.subarray(0, Math.max(19, at));
          break;
        default: {
          const grown = new Uint8Array(bytes.length + 1 + next(8));
          grown.set(bytes);
          for (let j = bytes.length; j < grown.length; j++) grown[j] = next(256);
          bytes = grown;
        }
      }
    }
    // Usually keep the header length in step with the edit so the mutation reaches the body decoder.
    if (next(3) !== 0 && bytes.length >= 19) {
      bytes[16] = bytes.length >> 8;
      bytes[17] = bytes.length & 0xff;
    }
    run(bytes, i);
  }
  // The framer sees the same kind of garbage as a stream.
  const framer = new MessageFramer();
  for (let i = 0; i < 2000; i++) {
    const chunk = new Uint8Array(1 + next(64)).map(() => (next(2) === 0 ? 0xff : next(256)));
    try {
      for (const frame of framer.push(chunk)) run(frame, i);
    } catch (error) {
      assert.ok(error instanceof BgpError, String(error));
      break;
    }
  }
  // Both outcomes must actually occur, or the fuzzer is not reaching the decoders.
  assert.ok(decoded > 1000, `only ${decoded} inputs decoded`);
  assert.ok(protocolErrors > 1000, `only ${protocolErrors} inputs raised protocol errors`);
});
