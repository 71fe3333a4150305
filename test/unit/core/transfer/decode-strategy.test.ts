/**
 * The decoding strategy's scheduling and luma steps, with a stand-in reader and clock: attempts run
 * in order until one reads, the one that read goes first next time, no attempt starts once the
 * budget is spent, shared steps are computed once; stretch, mean and sharpening do what they say.
 * (How well the attempts read real images is test/unit/cli/qr-robustness.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  boxMean,
  DECODE_ATTEMPTS,
  DecodeStrategy,
  grayRgba,
  lumaOfRgba,
  sharpen,
  stretch,
  type DecodeAttempt,
  type LumaImage,
  type Plane,
  type ReaderSettings,
} from '../../../../src/core/transfer/decode-strategy.js';

const image = (w: number, h: number, f: (x: number, y: number) => number): LumaImage => ({
  width: w,
  height: h,
  data: Uint8Array.from({ length: w * h }, (_, i) => f(i % w, Math.floor(i / w))),
});

/** A reader that reads (returns one code) only for the attempts named in `reads`. */
function fakeReader(reads: (plane: Plane, settings: ReaderSettings) => boolean, clock?: { t: number; step: number }) {
  const calls: { plane: Plane; settings: ReaderSettings }[] = [];
  const read = (plane: Plane, settings: ReaderSettings): Promise<Uint8Array[]> => {
    calls.push({ plane, settings });
    if (clock) clock.t += clock.step;
    return Promise.resolve(reads(plane, settings) ? [Uint8Array.of(calls.length)] : []);
  };
  return { read, calls };
}

/** Five attempts whose reader settings differ, so the stand-in reader can tell them apart. */
const TEST_ATTEMPTS: DecodeAttempt[] = (
  [
    ['a', 'LocalAverage', false],
    ['b', 'GlobalHistogram', false],
    ['c', 'FixedThreshold', false],
    ['d', 'LocalAverage', true],
    ['e', 'GlobalHistogram', true],
  ] as const
).map(([name, binarizer, tryInvert]) => ({
  name,
  steps: name === 'a' ? [] : ['denoise'],
  reader: { binarizer, tryInvert, tryHarder: true, tryDenoise: false, tryDownscale: false },
}));
const NAMES = TEST_ATTEMPTS.map((a) => a.name);
const key = (s: ReaderSettings | undefined): string => JSON.stringify(s);

describe('DecodeStrategy', () => {
  const flat = image(16, 16, () => 128);

  it('starts with the fast attempt, on the image as it came', async () => {
    const { read, calls } = fakeReader(() => true);
    const rgba = grayRgba(flat);
    const r = await new DecodeStrategy(read, { budgetMs: 100 }).decodeRgba(rgba);
    expect(r.attempt).toBe('fast');
    expect(r.tried).toEqual(['fast']);
    expect(calls[0]?.plane.rgba).toBe(rgba);
    expect(calls[0]?.settings).toEqual(DECODE_ATTEMPTS[0]?.reader);
  });

  it('tries every attempt in order when none reads, and puts the one that read first next time', async () => {
    let readsOn = '';
    const { read } = fakeReader((_p, s) => key(s) === readsOn);
    const strategy = new DecodeStrategy(read, { budgetMs: 1e9, attempts: TEST_ATTEMPTS });
    expect((await strategy.decodeLuma(flat)).tried).toEqual(NAMES);
    readsOn = key(TEST_ATTEMPTS[3]?.reader);
    const hit = await strategy.decodeLuma(flat);
    expect(hit.attempt).toBe('d');
    expect(hit.tried).toEqual(['a', 'b', 'c', 'd']);
    expect((await strategy.decodeLuma(flat)).tried).toEqual(['d']);
    expect(strategy.order().map((x) => x.name)).toEqual(['d', 'a', 'b', 'c', 'e']);
  });

  it('starts no attempt once the budget is spent, but always runs the first', async () => {
    const clock = { t: 0, step: 30 };
    const { read } = fakeReader(() => false, clock);
    const strategy = new DecodeStrategy(read, { budgetMs: 50, now: () => clock.t });
    expect((await strategy.decodeLuma(flat)).tried).toEqual(['fast', 'denoise']);
    const tiny = new DecodeStrategy(read, { budgetMs: 0.001, now: () => clock.t });
    expect((await tiny.decodeLuma(flat)).tried).toEqual(['fast']);
  });

  it('computes a step shared by several attempts once per image', async () => {
    const { read, calls } = fakeReader(() => false);
    await new DecodeStrategy(read, { budgetMs: 1e9, attempts: TEST_ATTEMPTS }).decodeLuma(flat);
    const planes = calls.slice(1).map((c) => c.plane.luma());
    expect(planes).toHaveLength(4);
    for (const p of planes) expect(p).toBe(planes[0]);
    expect(calls[0]?.plane.luma()).toBe(flat);
  });

  it('with maxAttempts, the fallbacks take turns from one image to the next', async () => {
    let readsOn = '';
    const { read } = fakeReader((_p, s) => key(s) === readsOn);
    const strategy = new DecodeStrategy(read, { budgetMs: 1e9, attempts: TEST_ATTEMPTS, maxAttempts: 2 });
    const seen: string[][] = [];
    for (let i = 0; i < 5; i++) seen.push([...(await strategy.decodeLuma(flat)).tried]);
    expect(seen).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['a', 'd'],
      ['a', 'e'],
      ['a', 'b'],
    ]);
    // Once a fallback reads, it goes first and the turns go on behind it.
    readsOn = key(TEST_ATTEMPTS[2]?.reader);
    expect((await strategy.decodeLuma(flat)).tried).toEqual(['a', 'c']);
    readsOn = '';
    expect((await strategy.decodeLuma(flat)).tried).toEqual(['c', 'd']);
    expect((await strategy.decodeLuma(flat)).tried).toEqual(['c', 'e']);
    expect((await strategy.decodeLuma(flat)).tried).toEqual(['c', 'a']);
  });

  it('with patience, a lone miss after a read costs the first attempt only', async () => {
    let reads = true;
    const { read } = fakeReader(() => reads);
    const strategy = new DecodeStrategy(read, { budgetMs: 1e9, attempts: TEST_ATTEMPTS, patience: 1 });
    expect((await strategy.decodeLuma(flat)).tried).toEqual(['a']);
    reads = false;
    expect((await strategy.decodeLuma(flat)).tried).toEqual(['a']);
    expect((await strategy.decodeLuma(flat)).tried).toEqual(NAMES);
    reads = true;
    await strategy.decodeLuma(flat);
    reads = false;
    expect((await strategy.decodeLuma(flat)).tried).toEqual(['a']);
  });

  it('refuses pixels that do not match their size, and an empty budget', () => {
    const { read } = fakeReader(() => false);
    const s = new DecodeStrategy(read, { budgetMs: 10 });
    expect(() => s.decodeLuma({ data: new Uint8Array(3), width: 2, height: 2 })).toThrow(RangeError);
    expect(() => s.decodeRgba({ data: new Uint8Array(15), width: 2, height: 2 })).toThrow(RangeError);
    expect(() => new DecodeStrategy(read, { budgetMs: 0 })).toThrow(RangeError);
    expect(() => new DecodeStrategy(read, { budgetMs: 10, maxAttempts: 0 })).toThrow(RangeError);
    expect(() => new DecodeStrategy(read, { budgetMs: 10, patience: -1 })).toThrow(RangeError);
  });
});

describe('luma steps', () => {
  it('stretch maps a 120..135 image onto 0..255 and leaves a flat one alone', () => {
    const low = image(100, 10, (x) => (x < 50 ? 120 : 135));
    const s = stretch(low);
    expect(Math.min(...s.data)).toBe(0);
    expect(Math.max(...s.data)).toBe(255);
    const flat = image(10, 10, () => 77);
    expect(stretch(flat)).toBe(flat);
  });

  it('boxMean keeps a constant image and averages a lone dot over its 3 × 3 window', () => {
    expect(
      [
        ...boxMean(
          image(8, 8, () => 200),
          1,
        ).data,
      ].every((v) => v === 200),
    ).toBe(true);
    const dot = boxMean(
      image(5, 5, (x, y) => (x === 2 && y === 2 ? 225 : 0)),
      1,
    );
    expect(dot.data[2 * 5 + 2]).toBe(25);
    expect(dot.data[1 * 5 + 1]).toBe(25);
    expect(dot.data[0]).toBe(0);
  });

  it('sharpen widens an edge that blur has softened', () => {
    const soft = boxMean(
      image(20, 4, (x) => (x < 10 ? 60 : 180)),
      1,
    );
    const sharp = sharpen(soft);
    // Row 1: just left of the edge gets darker, just right of it lighter.
    expect(sharp.data[20 + 9] ?? 0).toBeLessThan(soft.data[20 + 9] ?? 0);
    expect(sharp.data[20 + 10] ?? 0).toBeGreaterThan(soft.data[20 + 10] ?? 0);
  });

  it('grayRgba and lumaOfRgba are inverse on gray levels', () => {
    const all = image(16, 16, (x, y) => y * 16 + x);
    expect([...lumaOfRgba(grayRgba(all)).data]).toEqual([...all.data]);
  });
});
