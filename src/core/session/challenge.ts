/**
 * The word challenge: instead of an OK button, a witness types the words at two random positions
 * of a fingerprint, read from the independent source (the ceremony laptop's screen, the paper
 * form), never from the device under test. This module decides everything about it: which
 * fingerprint is asked, which positions, which answers count, and how many tries a witness has.
 * The participant session journals each draw and each attempt before it counts.
 */
import type { EvidenceItem } from '../checks.js';
import { KeywitnessError } from '../errors.js';
import { describeEvidence } from '../evidence/describe.js';
import { comparableFingerprints, fileFingerprint, type ComparableFingerprint } from '../evidence/comparable.js';
import type { EvidenceRef } from '../protocol/bodies.js';
import { toWords } from '../protocol/words.js';

/** Attempts a witness has at one challenge; after that the device only lets them object. */
export const CHALLENGE_TRIES = 3;

/** Uniform integer in [0, n), from a cryptographically secure source. */
export type RandomIndex = (n: number) => number;

/** Uniform integer in [0, n) from the platform CSPRNG, by rejection sampling (no modulo bias). */
export const cryptoRandomIndex: RandomIndex = (n) => {
  if (!Number.isInteger(n) || n < 1 || n > 0x100000000) throw new RangeError(`no uniform index below ${n}`);
  const limit = Math.floor(0x100000000 / n) * n;
  const word = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(word);
    const v = word[0] ?? 0;
    if (v < limit) return v % n;
  }
};

/** Two distinct positions in [0, n), ascending, each uniform. */
export function challengePositions(n: number, random: RandomIndex = cryptoRandomIndex): readonly [number, number] {
  if (!Number.isInteger(n) || n < 2 || n > 0x10000) {
    throw new RangeError(`a challenge needs a fingerprint of 2 to 65536 bytes, got ${n}`);
  }
  const a = random(n);
  let b = random(n);
  while (b === a) b = random(n);
  return a < b ? [a, b] : [b, a];
}

/** Check positions read from a journal: two distinct ascending indices into the fingerprint. */
export function checkPositions(positions: readonly number[], length: number, where: string): void {
  const [a, b] = positions;
  if (positions.length !== 2 || a === undefined || b === undefined || !(a < b) || a < 0 || b >= length) {
    throw new KeywitnessError(
      'JOURNAL_CORRUPT',
      `challenge positions ${JSON.stringify(positions)} are not two distinct positions of a ${length}-byte fingerprint`,
      { where },
    );
  }
}

/**
 * True when `typed` names the byte at `position`: its PGP word (any case, surrounding space
 * ignored) or its two hex digits (any case), since OpenSSL prints fingerprints in hex.
 */
export function answerMatches(bytes: Uint8Array, position: number, typed: string): boolean {
  const t = typed.trim().toLowerCase();
  const byte = bytes[position];
  if (byte === undefined || t === '') return false;
  return t === toWords(bytes)[position]?.toLowerCase() || t === byte.toString(16).padStart(2, '0');
}

/**
 * The fingerprint a step's challenge asks about: the first comparable fingerprint of the step's
 * first evidence item when this device holds its bytes, else that item's file digest as the
 * statement records it. Undefined when the step records no evidence at all.
 */
export async function challengeFingerprint(
  refs: readonly EvidenceRef[],
  held: readonly EvidenceItem[],
): Promise<ComparableFingerprint | undefined> {
  const ref = refs[0];
  if (!ref) return undefined;
  const item = held.find((e) => e.spec.id === ref.id);
  if (item) {
    try {
      const first = comparableFingerprints(
        await describeEvidence(item.spec.kind, item.bytes, item.spec.parser),
        ref.name,
      )[0];
      if (first) return first;
    } catch {
      // Evidence this device cannot parse still has a file digest; the checks report the parse error.
    }
  }
  return fileFingerprint(ref.name, ref.sha256);
}
