/**
 * Fingerprints as PGP words (docs/architecture.md, "Formats: identities and signatures"): the
 * whole list confirms, and one short form — the first four words — identifies a key or hash in
 * conversation. People compare that form aloud across devices, screens, reports and the CLI, so
 * it is defined here once and every place that shows a short form uses `spokenWords`.
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

/** How many leading words make the short form people read aloud. */
export const SPOKEN_WORD_COUNT = 4;

/**
 * The one short form of a fingerprint or hash: its first four PGP words, space-separated, e.g.
 * "tissue exodus quadrant absurd". The enrolment reads it aloud; labels, reports and the CLI show
 * the same words, so what one person reads is what every other sees.
 */
export function spokenWords(bytes: Uint8Array): string {
  return toWords(bytes.subarray(0, SPOKEN_WORD_COUNT)).join(' ');
}

/** The short form from an already-computed word list (the build hash arrives as words). */
export function spokenOf(words: readonly string[]): string {
  return words.slice(0, SPOKEN_WORD_COUNT).join(' ');
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
