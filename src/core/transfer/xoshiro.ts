/**
 * Xoshiro256** 1.0 (Blackman & Vigna, 2018) as BC-UR uses it to choose which fragments a fountain
 * part mixes (BCR-2020-005 §"Fragment chooser"; BCR-2024-001). The state is seeded from SHA-256 of
 * a byte string, read as four big-endian 64-bit words, exactly as the reference `Xoshiro256(bytes)`
 * constructor does, so encoder and decoder on different implementations agree bit for bit.
 */
import { sha256 } from '../util/hash.js';

const MASK64 = (1n << 64n) - 1n;
const TWO_POW_64 = 18446744073709551616; // 2^64 as a double: UINT64_MAX + 1 in the reference

function rotl(x: bigint, k: bigint): bigint {
  return ((x << k) | (x >> (64n - k))) & MASK64;
}

/** The generator. Seeded deterministically; never used for anything secret. */
export class Xoshiro256 {
  private s0: bigint;
  private s1: bigint;
  private s2: bigint;
  private s3: bigint;

  /** Seed from SHA-256 of `seed` (the reference's `hash_then_set_s`). */
  constructor(seed: Uint8Array) {
    const d = sha256(seed);
    const digest = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const word = (i: number): bigint => digest.getBigUint64(i * 8, false);
    this.s0 = word(0);
    this.s1 = word(1);
    this.s2 = word(2);
    this.s3 = word(3);
  }

  /** The next 64-bit output. */
  next(): bigint {
    const result = (rotl((this.s1 * 5n) & MASK64, 7n) * 9n) & MASK64;
    const t = (this.s1 << 17n) & MASK64;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 45n);
    return result;
  }

  /**
   * A double in [0, 1): the output converted to the nearest double, divided by 2^64. This is the
   * reference's `next() / (double(UINT64_MAX) + 1)`; `Number(bigint)` rounds to nearest like the
   * C++ integer-to-double conversion, and dividing by a power of two is exact.
   */
  nextDouble(): number {
    return Number(this.next()) / TWO_POW_64;
  }

  /** An integer in [low, high], as the reference's `uint64_t(next_double() * (high - low + 1)) + low`. */
  nextInt(low: number, high: number): number {
    return Math.floor(this.nextDouble() * (high - low + 1)) + low;
  }
}
