/**
 * Walker/Vose alias sampler as in the BC-UR reference (`RandomSampler`, after Keith Schwarz's
 * "Darts, Dice, and Coins"), used to draw a fountain part's degree. Floating-point steps follow the
 * reference in the same order (`P[g] += P[a] - 1`), because a differently rounded table could pick
 * a different degree and then a different fragment set than the sender meant.
 */
import { must } from '../util/must.js';

/** Build a sampler over indexes 0..n-1 with the given (unnormalised, non-negative) weights. */
export function createSampler(weights: readonly number[]): (rng: () => number) => number {
  const n = weights.length;
  if (n === 0) throw new RangeError('sampler needs at least one weight');
  let sum = 0;
  for (const w of weights) {
    if (!(w >= 0)) throw new RangeError('sampler weights must be non-negative numbers');
    sum += w;
  }
  if (!(sum > 0)) throw new RangeError('sampler weights must not all be zero');

  const p = weights.map((w) => (w * n) / sum);
  const small: number[] = [];
  const large: number[] = [];
  // The reference walks indexes in reverse order ("at variance from Schwarz").
  for (let i = n - 1; i >= 0; i--) ((p[i] ?? 0) < 1 ? small : large).push(i);

  const probs = new Float64Array(n);
  const aliases = new Int32Array(n);
  while (small.length > 0 && large.length > 0) {
    const a = must(small.pop(), 'an index below 1');
    const g = must(large.pop(), 'an index of 1 or more');
    const pa = must(p[a], 'a scaled weight');
    probs[a] = pa;
    aliases[a] = g;
    const pg = must(p[g], 'a scaled weight') + (pa - 1);
    p[g] = pg;
    (pg < 1 ? small : large).push(g);
  }
  for (const g of large) probs[g] = 1;
  // Only reachable through rounding, as the reference notes.
  for (const a of small) probs[a] = 1;

  return (rng) => {
    const r1 = rng();
    const r2 = rng();
    const i = Math.floor(n * r1);
    const prob = probs[i];
    const alias = aliases[i];
    if (prob === undefined || alias === undefined) throw new RangeError('rng must return a number in [0, 1)');
    return r2 < prob ? i : alias;
  };
}
