/**
 * The script hash as people compare it (docs/architecture.md, "The ceremony, end to end"):
 * published on paper before the ceremony as hex and PGP words, then read off the coordinator's
 * screen and every participant's device.
 */
import { KeywitnessError } from '../errors.js';
import { spokenWords, toWords } from '../protocol/words.js';
import { toColonHex, toHex } from '../util/bytes.js';

/** The forms in which a script hash is shown and read aloud. */
export interface ScriptHashText {
  /** 64 lower-case hex digits. */
  readonly hex: string;
  /** Upper-case hex in colon-separated byte pairs, as OpenSSL prints digests. */
  readonly colonHex: string;
  /** All 32 PGP words: what a full comparison reads. */
  readonly words: readonly string[];
  /** The short form read aloud: the first four words (`spokenWords`). */
  readonly short: string;
}

/**
 * Render a script hash (SHA-256, 32 bytes) as hex, PGP words and the short form.
 * @throws KeywitnessError INPUT_INVALID when `hash` is not 32 bytes.
 */
export function scriptHashText(hash: Uint8Array): ScriptHashText {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) {
    const got = hash instanceof Uint8Array ? `${hash.length} bytes` : typeof hash;
    throw new KeywitnessError('INPUT_INVALID', `a script hash is 32 bytes (SHA-256), got ${got}`, { where: 'hash' });
  }
  return {
    hex: toHex(hash),
    colonHex: toColonHex(hash),
    words: toWords(hash),
    short: spokenWords(hash),
  };
}
