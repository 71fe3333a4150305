import { describe, expect, it } from 'vitest';
import { fromWords, spokenOf, spokenWords, toWords } from '../../../../src/core/protocol/words.js';
import { fromHex, toHex } from '../../../../src/core/util/bytes.js';
import { vectorJson } from '../../../support/vectors.js';

interface WordList {
  even: string[];
  odd: string[];
  by_byte_hex: Record<string, { even: string; odd: string }>;
  examples: Record<string, { words: string[] }>;
}
const list = vectorJson<WordList>('pgp-wordlist.json');

describe('PGP words', () => {
  it('reproduces the published examples', () => {
    const examples = Object.entries(list.examples);
    expect(examples.length).toBeGreaterThan(0);
    for (const [label, { words }] of examples) {
      // Keys are either bare hex or "<what> sha256 <hex>"; the hex is the last token.
      const hex = label.split(' ').at(-1)!;
      expect(toWords(fromHex(hex))).toEqual(words);
      expect(toHex(fromWords(words.join(' ')))).toBe(hex.toLowerCase());
    }
  });

  it('uses the even list at even positions and the odd list at odd positions for every byte', () => {
    for (const [hex, { even, odd }] of Object.entries(list.by_byte_hex)) {
      const b = parseInt(hex, 16);
      expect(toWords(new Uint8Array([b, b]))).toEqual([even, odd]);
    }
  });

  it('round-trips every byte value, case-insensitively, with any separator', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const words = toWords(all);
    expect(fromWords(words.join(' ').toUpperCase())).toEqual(all);
    expect(fromWords(words.join(', '))).toEqual(all);
  });

  it('gives one short form: the first four words, from bytes or from the word list', () => {
    const h = fromHex('09F911029D74E35BD84156C5635688C0');
    const words = toWords(h);
    expect(spokenWords(h)).toBe(words.slice(0, 4).join(' '));
    expect(spokenOf(words)).toBe(spokenWords(h));
    expect(spokenWords(h.subarray(0, 2))).toBe(words.slice(0, 2).join(' '));
  });

  it.each([
    ['', /no PGP words/],
    ['aardvark aardvark', /odd-position word.*position 2|even-position word but stands at position 2/],
    ['adroitness', /odd-position word but stands at position 1/],
    ['aardvark banana', /"banana" at position 2 is not in the PGP word list/],
  ])('rejects %j', (text, message) => {
    expect(() => fromWords(text)).toThrow(message);
  });
});
