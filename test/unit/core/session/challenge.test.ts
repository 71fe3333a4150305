import { describe, expect, it } from 'vitest';
import {
  answerMatches,
  challengePositions,
  checkPositions,
  cryptoRandomIndex,
} from '../../../../src/core/session/challenge.js';
import { fromHex } from '../../../../src/core/util/bytes.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const WORDS = JSON.parse(readFileSync(join(import.meta.dirname, '../../../vectors/pgp-wordlist.json'), 'utf8')) as {
  even: string[];
  odd: string[];
};

// SHA-256 of the sample root certificate as `openssl x509 -fingerprint -sha256` printed it.
const FP = fromHex('19bf7e63cbae0db95be945b26a05a7740df8355e698d5699bc820acd9458646c');

describe('word challenge', () => {
  it('draws two distinct positions inside the fingerprint, covering every position over many draws', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const [a, b] = challengePositions(32);
      expect(a).toBeLessThan(b);
      expect(a).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(32);
      seen.add(a).add(b);
    }
    expect(seen.size).toBe(32);
  });

  it.each([0, 1, 1.5, 70000])('refuses a fingerprint length of %s', (n) => {
    expect(() => challengePositions(n)).toThrow(RangeError);
  });

  it.each<[number, string, boolean]>([
    [0, 'Athens', false],
    [0, 'BAREFOOT', false],
    [0, '19', true],
    [1, 'BF', true],
    [1, 'bf', true],
    [1, ' bf ', true],
    [1, '19', false],
    [31, '6C', true],
    [31, '', false],
    [32, '6C', false],
  ])('position %i, typed %j: %s', (position, typed, ok) => {
    expect(answerMatches(FP, position, typed)).toBe(ok);
  });

  it('accepts the PGP word at a position in any case, and only there', () => {
    // The reference word list (test/vectors), not the app's copy: even positions use `even`.
    const even = WORDS.even[0x19]!;
    const odd = WORDS.odd[0xbf]!;
    expect(answerMatches(FP, 0, even.toLowerCase())).toBe(true);
    expect(answerMatches(FP, 0, even.toUpperCase())).toBe(true);
    expect(answerMatches(FP, 1, odd)).toBe(true);
    expect(answerMatches(FP, 1, even)).toBe(false);
    expect(answerMatches(FP, 2, odd)).toBe(false);
  });

  it('uses the injected source of randomness and redraws a repeated position', () => {
    const draws = [5, 5, 5, 2];
    expect(challengePositions(32, () => draws.shift() ?? 0)).toEqual([2, 5]);
  });

  it('draws indices uniformly enough below a bound that does not divide 2^32', () => {
    const counts = new Array<number>(3).fill(0);
    for (let i = 0; i < 3000; i++) counts[cryptoRandomIndex(3)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });

  it.each<[string, number[]]>([
    ['one position', [3]],
    ['a repeated position', [4, 4]],
    ['descending positions', [9, 2]],
    ['a position past the end', [1, 32]],
    ['three positions', [1, 2, 3]],
  ])('refuses journaled positions with %s', (_what, positions) => {
    expect(() => checkPositions(positions, 32, 'record 7')).toThrow(/record 7: challenge positions/);
  });
});
