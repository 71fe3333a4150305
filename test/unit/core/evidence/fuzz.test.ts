/**
 * Mutation fuzzing of every parser entry point with a fixed seed: thousands of bit flips,
 * truncations, insertions, length-byte edits and PEM damage. Each input must either parse or fail
 * with a KeywitnessError, and none may take a second.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { parseEvidence } from '../../../../src/core/evidence/parse.js';
import { isKeywitnessError } from '../../../../src/core/errors.js';
import type { EvidenceKind } from '../../../../src/core/script/types.js';
import { makeFixtures, type Fixtures } from './fixtures.js';
import { VECTORS_DIR } from '../../../support/vectors.js';

/** xorshift32: deterministic, so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  const b = new Uint8Array(input);
  const pos = (): number => Math.floor(rand() * b.length);
  switch (Math.floor(rand() * 7)) {
    case 0: {
      const p = pos();
      b[p]! ^= 1 << Math.floor(rand() * 8);
      return b;
    }
    case 1:
      return b.subarray(0, pos());
    case 2: {
      const p = pos();
      b[p] = [0x00, 0x80, 0x81, 0x82, 0x84, 0xff, 0x7f][Math.floor(rand() * 7)]!;
      return b;
    }
    case 3: {
      const p = pos();
      const out = new Uint8Array(b.length + 1);
      out.set(b.subarray(0, p));
      out[p] = Math.floor(rand() * 256);
      out.set(b.subarray(p), p + 1);
      return out;
    }
    case 4: {
      const p = pos();
      const n = Math.min(1 + Math.floor(rand() * 8), b.length - p);
      const out = new Uint8Array(b.length - n);
      out.set(b.subarray(0, p));
      out.set(b.subarray(p + n), p);
      return out;
    }
    case 5: {
      const out = new Uint8Array(b.length + 4);
      out.set(b);
      out.set([0x30, 0x00, 0x0a, 0x41], b.length);
      return out;
    }
    default: {
      for (let i = 0; i < 4; i++) b[pos()] = Math.floor(rand() * 256);
      return b;
    }
  }
}

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});

describe('mutation fuzz', () => {
  const targets: [string, EvidenceKind, number][] = [
    ['root.der', 'certificate', 1500],
    ['int.pem', 'certificate', 800],
    ['chain.pem', 'certificate', 300],
    ['int.csr.der', 'csr', 800],
    ['int.csr', 'csr', 300],
    ['rsa.pub.der', 'public-key', 500],
    ['ed25519.pub.pem', 'public-key', 300],
    ['samples/pkcs11-tool-list-objects.txt', 'hsm-output', 500],
    ['dnssec/iana/root-anchors.xml', 'dnskey', 300],
  ];
  it.each(targets)(
    '%s as %s: %i mutations parse or fail with a KeywitnessError, each under 1 s',
    (file, kind, count) => {
      const seed = [...file].reduce((a, c) => a * 31 + c.charCodeAt(0), 7);
      const rand = rng(seed);
      const original = file.startsWith('samples/')
        ? new Uint8Array(readFileSync(join(import.meta.dirname, file)))
        : file.startsWith('dnssec/')
          ? new Uint8Array(readFileSync(join(VECTORS_DIR, file)))
          : fx.read(file);
      let rejected = 0;
      let slowest = 0;
      for (let i = 0; i < count; i++) {
        const input = mutate(original, rand);
        const t0 = performance.now();
        try {
          parseEvidence(kind, input, undefined, file);
        } catch (e) {
          if (!isKeywitnessError(e)) throw new Error(`mutation ${i} of ${file} escaped as ${String(e)}`);
          rejected++;
        }
        slowest = Math.max(slowest, performance.now() - t0);
      }
      // Text formats tolerate many edits (a changed label is still a transcript); DER/PEM must not.
      expect(rejected).toBeGreaterThan(kind === 'hsm-output' ? 0 : count / 3);
      expect(slowest).toBeLessThan(1000);
    },
  );

  it('checkEvidence never throws on mutated input (signature checks included)', async () => {
    const rand = rng(12345);
    const original = fx.read('root.der');
    for (let i = 0; i < 300; i++) {
      const bytes = mutate(original, rand);
      const results = await checkEvidence(
        {
          spec: { id: 'm', kind: 'certificate', parser: undefined, expect: { self_signed: true }, required: true },
          bytes,
        },
        new Map(),
      );
      expect(results.length).toBeGreaterThan(0);
    }
  });
});
