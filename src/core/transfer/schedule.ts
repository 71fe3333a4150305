/**
 * Which fountain parts an animated display loops through. BC-UR lets the sender show any part
 * numbers; a receiver needs only `seqLen` independent ones. Wallets show 1, 2, 3, … forever; a
 * Keywitness display shows a short pre-rendered loop instead, so the loop is chosen to make a
 * receiver that joins anywhere finish fast: first, every run of `seqLen` consecutive frames should
 * be independent (decodes without waiting for the loop to come round); second, as many runs of
 * `seqLen + 1` frames as possible should still decode with any one frame missed.
 *
 * The search is deterministic (seeded from the message checksum) and bounded in work, so the same
 * message always gives the same loop and large `seqLen` costs no more than a fixed budget.
 */
import { fragmentMask, MAX_SEQ_LEN } from './fountain.js';
import { must } from '../util/must.js';
import { Xoshiro256 } from './xoshiro.js';

/** Rank over GF(2) of the masks (each ≤ 32 bits). */
export function gf2Rank(masks: readonly number[]): number {
  const basis = new Int32Array(32);
  let rank = 0;
  for (let m of masks) {
    while (m !== 0) {
      const bit = 31 - Math.clz32(m);
      const b = basis[bit] ?? 0;
      if (b === 0) {
        basis[bit] = m;
        rank++;
        break;
      }
      m ^= b;
    }
  }
  return rank;
}

function score(loop: readonly number[], k: number): number {
  const n = loop.length;
  let s = 0;
  const window: number[] = [];
  for (let start = 0; start < n; start++) {
    window.length = 0;
    for (let j = 0; j < k; j++) window.push(loop[(start + j) % n] ?? 0);
    if (gf2Rank(window) === k) s += 1000;
    if (n > k) {
      window.push(loop[(start + k) % n] ?? 0);
      for (let drop = 0; drop <= k; drop++) {
        if (gf2Rank(window.filter((_, i) => i !== drop)) === k) s += 1;
      }
    }
  }
  return s;
}

/** Work budget in mask operations; keeps scheduling under a few milliseconds for any seqLen. */
const WORK_BUDGET = 4_000_000;

/**
 * The part numbers to loop, `length` of them (default 2 × seqLen, 1 for a one-fragment message).
 * Starts from parts 1..seqLen followed by the next mixed parts, then improves by deterministic
 * random replacement within the work budget.
 */
export function displayLoop(seqLen: number, checksum: number, length = seqLen === 1 ? 1 : 2 * seqLen): number[] {
  if (!Number.isInteger(seqLen) || seqLen < 1 || seqLen > MAX_SEQ_LEN)
    throw new RangeError(`seqLen must be 1..${MAX_SEQ_LEN}`);
  if (!Number.isInteger(length) || length < seqLen || length > 4 * MAX_SEQ_LEN)
    throw new RangeError('loop length must be seqLen..128');
  const loop = Array.from({ length }, (_, i) => i + 1);
  if (seqLen === 1) return loop.map(() => 1);
  const poolSize = 16 * seqLen;
  const masks = new Map<number, number>();
  const maskOf = (seqNum: number): number => {
    let m = masks.get(seqNum);
    if (m === undefined) {
      m = fragmentMask(seqNum, seqLen, checksum);
      masks.set(seqNum, m);
    }
    return m;
  };
  const evaluate = (l: readonly number[]): number => score(l.map(maskOf), seqLen);
  let best = evaluate(loop);
  const perScore = length * (seqLen + 2) * seqLen * seqLen;
  const iterations = Math.min(600, Math.floor(WORK_BUDGET / perScore));
  const seed = new Uint8Array(4);
  new DataView(seed.buffer).setUint32(0, checksum >>> 0, false);
  const rng = new Xoshiro256(seed);
  for (let it = 0; it < iterations; it++) {
    const candidate = loop.slice();
    const pos = rng.nextInt(0, length - 1);
    if (rng.nextDouble() < 0.5) {
      candidate[pos] = rng.nextInt(1, poolSize);
    } else {
      const other = rng.nextInt(0, length - 1);
      const atPos = must(candidate[pos], 'a loop position');
      candidate[pos] = must(candidate[other], 'a loop position');
      candidate[other] = atPos;
    }
    if (new Set(candidate).size !== length) continue;
    const s = evaluate(candidate);
    if (s >= best) {
      best = s;
      for (const [i, part] of candidate.entries()) loop[i] = part;
    }
  }
  return loop;
}
