/**
 * BC-UR multipart fountain code (BCR-2020-005 "Uniform Resources", §"Multi-part URs";
 * BCR-2024-001 "Multipart UR Implementation Guide"), carried here as raw bytes instead of
 * Bytewords text. A message is split into `seqLen` equal fragments (the last zero-padded); part
 * `seqNum` 1..seqLen is fragment `seqNum - 1` itself, and every later part is the XOR of a set of
 * fragments chosen by a Xoshiro256** stream seeded from `seqNum ‖ checksum`, so sender and receiver
 * agree on the set without sending it.
 *
 * The decoder is Gaussian elimination over GF(2): it succeeds on every set of parts the reference
 * peeling decoder succeeds on (and on some it cannot), and it never holds more than `seqLen` rows,
 * which bounds its memory whatever a hostile stream sends.
 */
import { must } from '../util/must.js';
import { createSampler } from './random-sampler.js';
import { Xoshiro256 } from './xoshiro.js';

/**
 * Largest `seqLen` Keywitness accepts (docs/qr-format.md, "Frame layout"). Index sets fit one
 * 32-bit mask.
 */
export const MAX_SEQ_LEN = 32;

const samplers = new Map<number, (rng: () => number) => number>();

/** BCR-2020-005 degree chooser: degree d in 1..seqLen with weight 1/d. */
function chooseDegree(seqLen: number, rng: Xoshiro256): number {
  let sampler = samplers.get(seqLen);
  if (!sampler) {
    sampler = createSampler(Array.from({ length: seqLen }, (_, i) => 1 / (i + 1)));
    if (seqLen <= MAX_SEQ_LEN) samplers.set(seqLen, sampler);
  }
  return sampler(() => rng.nextDouble()) + 1;
}

function checkUint32(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new RangeError(`${name} must be a 32-bit unsigned integer`);
}

/**
 * The fragment indexes (0-based, ascending) mixed into part `seqNum` (reference `choose_fragments`):
 * the first `seqLen` parts are pure; later ones draw a degree, shuffle the indexes with the same
 * generator, and take that many.
 */
export function chooseFragments(seqNum: number, seqLen: number, checksum: number): number[] {
  checkUint32('seqNum', seqNum);
  checkUint32('checksum', checksum);
  if (seqNum < 1) throw new RangeError('seqNum starts at 1');
  if (!Number.isInteger(seqLen) || seqLen < 1 || seqLen > 0xffff) throw new RangeError('seqLen out of range');
  if (seqNum <= seqLen) return [seqNum - 1];
  const seed = new Uint8Array(8);
  const view = new DataView(seed.buffer);
  view.setUint32(0, seqNum, false);
  view.setUint32(4, checksum, false);
  const rng = new Xoshiro256(seed);
  const degree = chooseDegree(seqLen, rng);
  const remaining = Array.from({ length: seqLen }, (_, i) => i);
  const chosen: number[] = [];
  // The reference shuffles all indexes and keeps the first `degree`; drawing stops early here
  // because later draws cannot change the first `degree` picks.
  while (chosen.length < degree) {
    const [picked] = remaining.splice(rng.nextInt(0, remaining.length - 1), 1);
    chosen.push(must(picked, 'the drawn fragment index'));
  }
  return chosen.sort((a, b) => a - b);
}

/** The index set of a part as a bit mask (bit i = fragment i). Requires seqLen ≤ 32. */
export function fragmentMask(seqNum: number, seqLen: number, checksum: number): number {
  if (seqLen > MAX_SEQ_LEN) throw new RangeError(`seqLen above ${MAX_SEQ_LEN}`);
  let mask = 0;
  for (const i of chooseFragments(seqNum, seqLen, checksum)) mask |= 1 << i;
  return mask;
}

/**
 * Reference `find_nominal_fragment_length`: the smallest fragment count whose equal split fits
 * `maxFragmentLength`, without going below `minFragmentLength`.
 */
export function nominalFragmentLength(
  messageLength: number,
  minFragmentLength: number,
  maxFragmentLength: number,
): number {
  if (!Number.isInteger(messageLength) || messageLength < 1) throw new RangeError('message must not be empty');
  if (!Number.isInteger(minFragmentLength) || minFragmentLength < 1)
    throw new RangeError('minFragmentLength must be ≥ 1');
  if (!Number.isInteger(maxFragmentLength) || maxFragmentLength < minFragmentLength) {
    throw new RangeError('maxFragmentLength must be ≥ minFragmentLength');
  }
  const maxCount = Math.ceil(messageLength / minFragmentLength);
  let fragmentLength = 0;
  for (let count = 1; count <= maxCount; count++) {
    fragmentLength = Math.ceil(messageLength / count);
    if (fragmentLength <= maxFragmentLength) break;
  }
  return fragmentLength;
}

/** Split into `ceil(len / fragmentLength)` fragments, the last zero-padded (reference `partition_message`). */
export function partitionMessage(message: Uint8Array, fragmentLength: number): Uint8Array[] {
  if (!Number.isInteger(fragmentLength) || fragmentLength < 1) throw new RangeError('fragmentLength must be ≥ 1');
  const out: Uint8Array[] = [];
  for (let off = 0; off < message.length; off += fragmentLength) {
    const f = new Uint8Array(fragmentLength);
    f.set(message.subarray(off, Math.min(off + fragmentLength, message.length)));
    out.push(f);
  }
  return out;
}

/** The payload of part `seqNum`: XOR of its chosen fragments (reference `FountainEncoder::mix`). */
export function mixPart(fragments: readonly Uint8Array[], seqNum: number, checksum: number): Uint8Array {
  const first = fragments[0];
  if (!first) throw new RangeError('no fragments');
  const out = new Uint8Array(first.length);
  for (const i of chooseFragments(seqNum, fragments.length, checksum))
    xorInto(out, must(fragments[i], 'a chosen fragment'));
  return out;
}

function xorInto(target: Uint8Array, source: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] ?? 0) ^ (source[i] ?? 0);
}

/** Parameters every part of one message shares. */
export interface FountainParams {
  readonly seqLen: number;
  readonly messageLength: number;
  readonly fragmentLength: number;
  readonly checksum: number;
}

/** Outcome of handing a part to the decoder. */
export type ReceiveOutcome = 'new' | 'redundant';

/**
 * Incremental GF(2) decoder for one message. Rows are kept in reduced echelon form keyed by their
 * pivot; a new part is reduced by every row, dropped if nothing is left, and otherwise becomes a
 * row that is then eliminated from the others. Complete when there are `seqLen` rows, each then a
 * single fragment.
 */
export class FountainDecoder {
  readonly params: FountainParams;
  private readonly rows = new Map<number, { mask: number; data: Uint8Array }>();

  /** `params` must already be bounds-checked by the frame parser; checked again here. */
  constructor(params: FountainParams) {
    const { seqLen, messageLength, fragmentLength } = params;
    if (!Number.isInteger(seqLen) || seqLen < 1 || seqLen > MAX_SEQ_LEN) throw new RangeError('seqLen out of range');
    if (!Number.isInteger(fragmentLength) || fragmentLength < 1) throw new RangeError('fragmentLength out of range');
    if (Math.ceil(messageLength / fragmentLength) !== seqLen)
      throw new RangeError('seqLen does not match messageLength / fragmentLength');
    checkUint32('checksum', params.checksum);
    this.params = params;
  }

  /** Number of independent parts held so far (the rank); the message needs `seqLen`. */
  get rank(): number {
    return this.rows.size;
  }

  /** True once every fragment is known. */
  get complete(): boolean {
    return this.rows.size === this.params.seqLen;
  }

  /** Add part `seqNum` with its payload (copied). */
  receive(seqNum: number, data: Uint8Array): ReceiveOutcome {
    if (data.length !== this.params.fragmentLength) throw new RangeError('fragment length differs from the first part');
    if (this.complete) return 'redundant';
    let mask = fragmentMask(seqNum, this.params.seqLen, this.params.checksum);
    let copied = false;
    let buf = data;
    for (const [pivot, row] of this.rows) {
      if (mask & (1 << pivot)) {
        if (!copied) {
          buf = Uint8Array.from(data);
          copied = true;
        }
        mask ^= row.mask;
        xorInto(buf, row.data);
      }
    }
    if (mask === 0) return 'redundant';
    if (!copied) buf = Uint8Array.from(data);
    const pivot = 31 - Math.clz32(mask & -mask);
    for (const row of this.rows.values()) {
      if (row.mask & (1 << pivot)) {
        row.mask ^= mask;
        xorInto(row.data, buf);
      }
    }
    this.rows.set(pivot, { mask, data: buf });
    return 'new';
  }

  /** The reassembled message (padding removed). Throws if not complete. */
  message(): Uint8Array {
    if (!this.complete) throw new RangeError('message not complete');
    const { seqLen, fragmentLength, messageLength } = this.params;
    const out = new Uint8Array(seqLen * fragmentLength);
    for (const [pivot, row] of this.rows) out.set(row.data, pivot * fragmentLength);
    return out.subarray(0, messageLength);
  }
}
