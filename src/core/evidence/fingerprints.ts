/**
 * Fingerprints a witness reads aloud (docs/architecture.md, "Evidence and checks"): colon hex as
 * OpenSSL prints it, the PGP words, and the one short form (the first four words). Also the parsing of a pinned
 * fingerprint from a script, which may be written as hex (with or without colons) or as PGP words.
 */
import { KeywitnessError } from '../errors.js';
import { fromWords, spokenWords, toWords } from '../protocol/words.js';
import { equalBytes, fromHex, toColonHex, toHex } from '../util/bytes.js';
import { sha1, sha256 } from '../util/hash.js';

/** One digest in every form a person compares. */
export interface Fingerprint {
  /** `SHA-256` or `SHA-1`. */
  readonly algorithm: 'SHA-256' | 'SHA-1';
  /** Lower-case hex without separators. */
  readonly hex: string;
  /** Upper-case colon-separated hex, as `openssl x509 -fingerprint` prints it. */
  readonly colonHex: string;
  /** All PGP words (one per byte). */
  readonly words: readonly string[];
  /** The short form read aloud and shown everywhere: the first four words (`spokenWords`). */
  readonly short: string;
}

/** Fingerprint of already-computed digest bytes. */
export function fingerprintOf(digest: Uint8Array, algorithm: Fingerprint['algorithm']): Fingerprint {
  return {
    algorithm,
    hex: toHex(digest),
    colonHex: toColonHex(digest),
    words: toWords(digest),
    short: spokenWords(digest),
  };
}

/** SHA-256 fingerprint of the bytes. */
export function sha256Fingerprint(bytes: Uint8Array): Fingerprint {
  return fingerprintOf(sha256(bytes), 'SHA-256');
}

/** SHA-1 fingerprint of the bytes (only for certificate DER, which other tools still print). */
export function sha1Fingerprint(bytes: Uint8Array): Fingerprint {
  return fingerprintOf(sha1(bytes), 'SHA-1');
}

/**
 * Parse a pinned digest from a script: hex (colons and spaces allowed) or PGP words, of exactly
 * `length` bytes.
 * @throws KeywitnessError SCRIPT_INVALID naming what was wrong.
 */
export function parsePinnedDigest(text: string, length: number, where: string): Uint8Array {
  const trimmed = text.trim();
  let bytes: Uint8Array;
  if (/^[0-9a-fA-F:\s]+$/.test(trimmed)) {
    try {
      bytes = fromHex(trimmed);
    } catch (e) {
      throw new KeywitnessError('SCRIPT_INVALID', `not a valid hex digest: ${(e as Error).message}`, {
        where,
        cause: e,
      });
    }
  } else {
    try {
      bytes = fromWords(trimmed);
    } catch (e) {
      throw new KeywitnessError('SCRIPT_INVALID', `neither hex nor PGP words: ${(e as Error).message}`, {
        where,
        cause: e,
      });
    }
  }
  if (bytes.length !== length) {
    throw new KeywitnessError('SCRIPT_INVALID', `digest has ${bytes.length} bytes, expected ${length}`, { where });
  }
  return bytes;
}

/** Whether a fingerprint equals pinned digest bytes (constant time over equal lengths). */
export function fingerprintMatches(fp: Fingerprint, pinned: Uint8Array): boolean {
  return equalBytes(fromHex(fp.hex), pinned);
}
