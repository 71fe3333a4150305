/**
 * Differential test of our deterministic decoder against cborg (decode with its strictest options,
 * then re-encode with its RFC 8949 options and require identical bytes). For valid encodings of
 * random values and for thousands of mutated ones, both must accept exactly the same inputs and
 * agree on the value.
 */
import { decode, encode, rfc8949EncodeOptions } from 'cborg';
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborValue } from '../../../../src/core/protocol/cbor.js';

/** Small deterministic PRNG (xorshift32) so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

/** Characters of 1 to 4 UTF-8 bytes (whole code points, never lone surrogates). */
const CHARS = Array.from('aé€𝄞z');

function randomValue(r: () => number, depth = 0): CborValue {
  const pick = Math.floor(r() * (depth > 3 ? 5 : 8));
  const ints = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
  switch (pick) {
    case 0: {
      const n = (r() < 0.5 ? 1 : -1) * ints[Math.floor(r() * ints.length)]! - (r() < 0.3 ? 1 : 0);
      return Number.isSafeInteger(n) ? n || 0 : -Number.MAX_SAFE_INTEGER;
    }
    case 1:
      return r() < 0.5;
    case 2:
      return Uint8Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256));
    case 3:
      return Array.from({ length: Math.floor(r() * 30) }, () => CHARS[Math.floor(r() * CHARS.length)]!).join('');
    case 4:
      return Math.floor(r() * 1000);
    case 5:
      return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
    default: {
      const out: Record<string, CborValue> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--)
        out[['a', 'bb', 'ab', 'body', 'v', 'zz', 'é'][Math.floor(r() * 7)]!] = randomValue(r, depth + 1);
      return out;
    }
  }
}

/** cborg as the oracle: strict decode, then the re-encoding must be byte-identical. */
function oracle(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    const value = decode(bytes, {
      strict: true,
      allowIndefinite: false,
      allowUndefined: false,
      allowNaN: false,
      allowInfinity: false,
      allowBigInt: false,
      rejectDuplicateMapKeys: true,
      tags: [],
    });
    const again = encode(value, rfc8949EncodeOptions);
    if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) return { ok: false };
    if (!inModel(value)) return { ok: false };
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

/** The data model: safe integers (not floats), booleans, bytes, text, arrays, text-keyed maps. */
function inModel(v: unknown): boolean {
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0);
  if (typeof v === 'boolean' || typeof v === 'string' || v instanceof Uint8Array) return true;
  if (Array.isArray(v)) return v.every(inModel);
  if (typeof v === 'object' && v !== null) return Object.values(v).every(inModel);
  return false;
}

function ours(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: decodeCbor(bytes) };
  } catch {
    return { ok: false };
  }
}

describe('deterministic decoder against cborg', () => {
  it('decodes 2,000 random values exactly as encoded', () => {
    const r = rng(1);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(r);
      const bytes = encodeCbor(value);
      expect(decodeCbor(bytes)).toEqual(value);
      expect(oracle(bytes).ok).toBe(true);
    }
  });

  it('accepts exactly what the oracle accepts over 20,000 mutated encodings', () => {
    const r = rng(7);
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      const bytes = encodeCbor(randomValue(r)).slice();
      const mutations = 1 + Math.floor(r() * 3);
      for (let m = 0; m < mutations && bytes.length > 0; m++) {
        const at = Math.floor(r() * bytes.length);
        const kind = r();
        if (kind < 0.6) bytes[at] = Math.floor(r() * 256);
        else if (kind < 0.8) bytes[at]! ^= 1 << Math.floor(r() * 8);
        else bytes[at] = [0x18, 0x19, 0x1f, 0x5f, 0x9f, 0xbf, 0xf9, 0xf6, 0xc0][Math.floor(r() * 9)]!;
      }
      const a = ours(bytes);
      const b = oracle(bytes);
      // Floats that cborg decodes to integers re-encode differently, so the oracle refuses them too.
      expect({ i, ok: a.ok, hex: Buffer.from(bytes).toString('hex') }).toEqual({
        i,
        ok: b.ok,
        hex: Buffer.from(bytes).toString('hex'),
      });
      if (a.ok && b.ok) {
        accepted++;
        expect(a.value).toEqual(b.value);
      }
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
