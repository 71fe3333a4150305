/**
 * Fingerprints as PGP words (docs/architecture.md, "Formats: identities and signatures"): the
 * whole list confirms, the first four identify, and a short form (first and last two) is what a
 * person reads at a glance.
 */
import { KeywitnessError } from '../errors.js';
import { must } from '../util/must.js';
import { EVEN_WORDS, ODD_WORDS } from './pgp-wordlist.js';

const EVEN_INDEX = new Map(EVEN_WORDS.map((w, i) => [w.toLowerCase(), i]));
const ODD_INDEX = new Map(ODD_WORDS.map((w, i) => [w.toLowerCase(), i]));

/** PGP words for the bytes: even positions use the two-syllable list, odd the three-syllable one. */
export function toWords(bytes: Uint8Array): string[] {
  return Array.from(bytes, (b, i) => must((i % 2 === 0 ? EVEN_WORDS : ODD_WORDS)[b], 'the PGP word of a byte value'));
}

/** The first `n` words of the bytes (4 identify a key in conversation). */
export function identifyingWords(bytes: Uint8Array, n = 4): string[] {
  return toWords(bytes.subarray(0, n));
}

/** Short identifying form: first two and last two words, e.g. "tissue exodus … quadrant absurd". */
export function shortWords(bytes: Uint8Array): string {
  const words = toWords(bytes);
  if (words.length <= 4) return words.join(' ');
  return `${words.slice(0, 2).join(' ')} … ${words.slice(-2).join(' ')}`;
}

/**
 * Parse PGP words back into bytes. Case-insensitive; words are separated by spaces, commas or
 * hyphens. A word from the wrong list at a position (a swapped or missing word) is an error that
 * names the position, because that is exactly the mistake the even/odd lists exist to catch.
 */
export function fromWords(text: string): Uint8Array {
  const words = text
    .trim()
    .split(/[\s,-]+/)
    .filter((w) => w.length > 0);
  if (words.length === 0) throw new KeywitnessError('ENCODING_INVALID', 'no PGP words given');
  const out = new Uint8Array(words.length);
  words.forEach((word, i) => {
    const key = word.toLowerCase();
    const even = i % 2 === 0;
    const index = (even ? EVEN_INDEX : ODD_INDEX).get(key);
    if (index !== undefined) {
      out[i] = index;
      return;
    }
    const other = (even ? ODD_INDEX : EVEN_INDEX).has(key);
    throw new KeywitnessError(
      'ENCODING_INVALID',
      other
        ? `"${word}" is an ${even ? 'odd' : 'even'}-position word but stands at position ${i + 1}: a word is missing or swapped`
        : `"${word}" at position ${i + 1} is not in the PGP word list`,
    );
  });
  return out;
}
