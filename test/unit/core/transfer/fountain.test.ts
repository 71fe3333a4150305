import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../../src/core/transfer/crc32.js';
import { Xoshiro256 } from '../../../../src/core/transfer/xoshiro.js';
import { createSampler } from '../../../../src/core/transfer/random-sampler.js';
import {
  chooseFragments,
  FountainDecoder,
  mixPart,
  nominalFragmentLength,
  partitionMessage,
} from '../../../../src/core/transfer/fountain.js';
import { utf8 } from '../../../../src/core/util/bytes.js';
import {
  BcurEncoderPartClass,
  BcurFountainDecoderClass,
  BcurFountainEncoderClass,
  BcurXoshiro,
  bcurChooseFragments,
  bcurCrc,
} from './bcur.js';

/** Deterministic test bytes (the reference's own tests use Xoshiro "Wolf" data the same way). */
function bytes(n: number, seed: string): Uint8Array {
  const rng = new Xoshiro256(utf8(seed));
  return Uint8Array.from({ length: n }, () => rng.nextInt(0, 255));
}

describe('CRC-32', () => {
  it('matches the BCR-2020-005 test value and bc-ur', () => {
    expect(crc32(utf8('Hello, world!')).toString(16)).toBe('ebe6c6e6');
    expect(crc32(utf8('Wolf')).toString(16)).toBe('598c84dc');
    for (const n of [0, 1, 7, 100, 3000]) {
      const b = bytes(n, `crc${n}`);
      expect(crc32(b)).toBe(bcurCrc(Buffer.from(b)));
    }
  });
});

describe('Xoshiro256**', () => {
  it('reproduces the reference "Wolf" sequence', () => {
    // BCR-2020-005 test vector: first outputs of Xoshiro256("Wolf") mod 100.
    const rng = new Xoshiro256(utf8('Wolf'));
    const first = Array.from({ length: 10 }, () => Number(rng.next() % 100n));
    expect(first).toEqual([42, 81, 85, 8, 82, 84, 76, 73, 70, 88]);
  });

  it('gives the same outputs as bc-ur for many seeds', () => {
    for (let s = 0; s < 50; s++) {
      const seed = bytes(8, `seed${s}`);
      const ours = new Xoshiro256(seed);
      const theirs = new BcurXoshiro(Buffer.from(seed));
      for (let i = 0; i < 20; i++) expect(ours.next().toString()).toBe(theirs.next().toString());
    }
  });

  it('nextDouble lies in [0, 1) and nextInt in range', () => {
    const rng = new Xoshiro256(utf8('range'));
    for (let i = 0; i < 2000; i++) {
      const d = rng.nextDouble();
      expect(d >= 0 && d < 1).toBe(true);
      const n = rng.nextInt(3, 9);
      expect(n >= 3 && n <= 9).toBe(true);
    }
  });
});

describe('alias sampler', () => {
  it('draws with the weights given (1/d degree distribution, 20k draws)', () => {
    const sample = createSampler([1, 1 / 2, 1 / 3, 1 / 4]);
    const rng = new Xoshiro256(utf8('sampler'));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[sample(() => rng.nextDouble())]! += 1;
    const total = 1 + 1 / 2 + 1 / 3 + 1 / 4;
    counts.forEach((c, i) => expect(Math.abs(c / 20_000 - 1 / (i + 1) / total)).toBeLessThan(0.02));
  });

  it.each([[[]], [[-1, 2]], [[0, 0]], [[Number.NaN]]])('refuses weights %j', (w) => {
    expect(() => createSampler(w)).toThrow(RangeError);
  });
});

describe('fragment chooser against bc-ur', () => {
  it('chooses the same fragment sets for 1..32 fragments and many part numbers', () => {
    let compared = 0;
    for (let seqLen = 1; seqLen <= 32; seqLen++) {
      for (const checksum of [0, 0x12345678, 0xffffffff, crc32(utf8(`m${seqLen}`))]) {
        for (let seqNum = 1; seqNum <= seqLen + 60; seqNum++) {
          const theirs = [...bcurChooseFragments(seqNum, seqLen, checksum)].sort((a, b) => a - b);
          expect(chooseFragments(seqNum, seqLen, checksum)).toEqual(theirs);
          compared++;
        }
      }
    }
    expect(compared).toBe(32 * 4 * 60 + (4 * (32 * 33)) / 2);
  });

  it('matches bc-ur for part numbers near 2^32', () => {
    for (const seqNum of [0xfffffff0, 0xffffffff])
      expect(chooseFragments(seqNum, 9, 77)).toEqual([...bcurChooseFragments(seqNum, 9, 77)].sort((a, b) => a - b));
  });

  it.each([
    [0, 4, 1],
    [1, 0, 1],
    [1.5, 4, 1],
    [2 ** 32, 4, 1],
    [5, 4, -1],
  ])('refuses seqNum %d seqLen %d checksum %d', (seqNum, seqLen, checksum) => {
    expect(() => chooseFragments(seqNum, seqLen, checksum)).toThrow(RangeError);
  });
});

describe('encoder parts against bc-ur FountainEncoder', () => {
  it.each([
    [1, 100],
    [250, 100],
    [1000, 300],
    [3000, 760],
    [16384, 600],
  ])('message of %d bytes, max fragment %d: every part byte-identical', (len, maxFrag) => {
    const message = bytes(len, `enc${len}`);
    const encoder = new BcurFountainEncoderClass(Buffer.from(message), maxFrag, 0, 10);
    const fragLen = nominalFragmentLength(len, 10, maxFrag);
    expect(fragLen).toBe(encoder.fragmentLength);
    const fragments = partitionMessage(message, fragLen);
    expect(fragments.length).toBe(encoder.fragmentsLength);
    const checksum = crc32(message);
    for (let i = 0; i < fragments.length + 40; i++) {
      const part = encoder.nextPart();
      expect(part.checksum).toBe(checksum);
      expect(toHexString(mixPart(fragments, part.seqNum, checksum))).toBe(part.fragment.toString('hex'));
    }
  });
});

function toHexString(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('decoder interoperability', () => {
  it('decodes bc-ur parts in shuffled order with 30 % lost', () => {
    for (const len of [120, 999, 3000, 8000]) {
      const message = bytes(len, `dec${len}`);
      const encoder = new BcurFountainEncoderClass(Buffer.from(message), 400, 0, 10);
      const rng = new Xoshiro256(utf8(`loss${len}`));
      const decoder = new FountainDecoder({
        seqLen: encoder.fragmentsLength,
        messageLength: len,
        fragmentLength: encoder.fragmentLength,
        checksum: crc32(message),
      });
      let fed = 0;
      while (!decoder.complete) {
        const part = encoder.nextPart();
        if (rng.nextDouble() < 0.3) continue;
        decoder.receive(part.seqNum, new Uint8Array(part.fragment));
        fed++;
        expect(fed).toBeLessThan(encoder.fragmentsLength * 4 + 20);
      }
      expect(toHexString(decoder.message())).toBe(toHexString(message));
    }
  });

  it('bc-ur decodes parts made here', () => {
    const message = bytes(5000, 'reverse');
    const fragLen = nominalFragmentLength(message.length, 10, 300);
    const fragments = partitionMessage(message, fragLen);
    const checksum = crc32(message);
    const theirs = new BcurFountainDecoderClass();
    // Skip every pure part: only mixed parts reach the reference decoder.
    for (let seqNum = fragments.length + 1; !theirs.isComplete(); seqNum++) {
      const data = Buffer.from(mixPart(fragments, seqNum, checksum));
      theirs.receivePart(new BcurEncoderPartClass(seqNum, fragments.length, message.length, checksum, data));
      expect(seqNum).toBeLessThan(fragments.length * 10);
    }
    expect(theirs.isSuccess()).toBe(true);
    expect(theirs.resultMessage().toString('hex')).toBe(toHexString(message));
  });

  it('counts duplicates and dependent parts as redundant and never holds more than seqLen rows', () => {
    const message = bytes(700, 'dup');
    const fragments = partitionMessage(message, 100);
    const checksum = crc32(message);
    const d = new FountainDecoder({ seqLen: 7, messageLength: 700, fragmentLength: 100, checksum });
    expect(d.receive(1, mixPart(fragments, 1, checksum))).toBe('new');
    expect(d.receive(1, mixPart(fragments, 1, checksum))).toBe('redundant');
    for (let s = 8; !d.complete; s++) {
      d.receive(s, mixPart(fragments, s, checksum));
      expect(d.rank).toBeLessThanOrEqual(7);
    }
    expect(d.receive(2, mixPart(fragments, 2, checksum))).toBe('redundant');
    expect(toHexString(d.message())).toBe(toHexString(message));
  });
});

describe('decoder bounds', () => {
  it.each([
    [{ seqLen: 0, messageLength: 10, fragmentLength: 10, checksum: 0 }, 'seqLen'],
    [{ seqLen: 33, messageLength: 3300, fragmentLength: 100, checksum: 0 }, 'seqLen'],
    [{ seqLen: 3, messageLength: 100, fragmentLength: 10, checksum: 0 }, 'does not match'],
    [{ seqLen: 1, messageLength: 10, fragmentLength: 0, checksum: 0 }, 'fragmentLength'],
    [{ seqLen: 1, messageLength: 10, fragmentLength: 10, checksum: -5 }, 'checksum'],
  ])('refuses %j', (params, message) => {
    expect(() => new FountainDecoder(params)).toThrow(message);
  });

  it('refuses a fragment of the wrong length and an early message() call', () => {
    const d = new FountainDecoder({ seqLen: 2, messageLength: 20, fragmentLength: 10, checksum: 1 });
    expect(() => d.receive(1, new Uint8Array(9))).toThrow('fragment length');
    expect(() => d.message()).toThrow('not complete');
  });

  it.each([
    [0, 1, 10],
    [10, 0, 10],
    [10, 5, 4],
  ])('nominalFragmentLength refuses (%d, %d, %d)', (len, min, max) => {
    expect(() => nominalFragmentLength(len, min, max)).toThrow(RangeError);
  });

  it('nominalFragmentLength agrees with bc-ur', () => {
    for (const len of [1, 9, 10, 11, 599, 601, 3000, 16384]) {
      for (const max of [10, 64, 100, 760, 2000]) {
        expect(nominalFragmentLength(len, 10, max)).toBe(
          BcurFountainEncoderClass.findNominalFragmentLength(len, 10, max),
        );
      }
    }
  });
});
