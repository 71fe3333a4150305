/**
 * The word challenge (DESIGN §2 step 4): two distinct random positions of a fingerprint, and the
 * check of what the witness typed for each — the PGP word (any case; §3.2) or the byte's two hex
 * digits, since OpenSSL prints fingerprints in hex.
 */
import { toWords } from '../../src/core/protocol/words.js';

/** Two distinct positions in [0, n), uniformly (rejection sampling: no modulo bias). */
export function challengePositions(n: number): [number, number] {
  if (!Number.isInteger(n) || n < 2 || n > 0x10000)
    throw new RangeError(`a challenge needs a fingerprint of 2 to 65536 bytes, got ${n}`);
  const pick = (): number => {
    const limit = Math.floor(0x100000000 / n) * n;
    for (;;) {
      const v = globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
      if (v < limit) return v % n;
    }
  };
  const a = pick();
  let b = pick();
  while (b === a) b = pick();
  return a < b ? [a, b] : [b, a];
}

/** True when `typed` names the byte at `position`: its PGP word (any case) or its two hex digits. */
export function answerMatches(bytes: Uint8Array, position: number, typed: string): boolean {
  const t = typed.trim().toLowerCase();
  const byte = bytes[position];
  if (byte === undefined || t === '') return false;
  return t === toWords(bytes)[position]!.toLowerCase() || t === byte.toString(16).padStart(2, '0');
}
