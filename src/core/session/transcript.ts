/**
 * The transcript chain (docs/architecture.md, "Formats: the transcript"): entry hash = SHA-256 of CBOR `[seq, prev entry hash, message id]`;
 * the head is the last entry hash; before the first entry the head is 32 zero bytes.
 */
import { sha256 } from '../util/hash.js';
import { KeywitnessError } from '../errors.js';

/** The head of an empty transcript. */
export const EMPTY_HEAD: Uint8Array = new Uint8Array(32);

/**
 * Entry hash for position `seq`. The CBOR `[uint, bstr(32), bstr(32)]` is written by hand: it is
 * the same deterministic encoding encodeCbor produces (a test holds them equal) without the
 * generic encoder's cost, which matters when an audit hashes thousands of entries.
 */
export function entryHash(seq: number, prev: Uint8Array, messageId: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new KeywitnessError('INPUT_INVALID', `entry sequence must be a non-negative integer, got ${seq}`);
  if (prev.length !== 32 || messageId.length !== 32)
    throw new KeywitnessError('INPUT_INVALID', 'entry hashes and message ids are 32 bytes');
  const head = encodeUint(seq);
  const out = new Uint8Array(1 + head.length + 2 * 34);
  out[0] = 0x83;
  out.set(head, 1);
  let off = 1 + head.length;
  for (const part of [prev, messageId]) {
    out[off] = 0x58;
    out[off + 1] = 32;
    out.set(part, off + 2);
    off += 34;
  }
  return sha256(out);
}

/** RFC 8949 §3.1 major type 0 in its shortest form. */
function encodeUint(n: number): Uint8Array {
  if (n < 24) return new Uint8Array([n]);
  if (n < 0x100) return new Uint8Array([0x18, n]);
  if (n < 0x10000) return new Uint8Array([0x19, n >> 8, n & 0xff]);
  if (n < 0x100000000) return new Uint8Array([0x1a, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  const hi = Math.floor(n / 0x100000000);
  const lo = n >>> 0;
  return new Uint8Array([
    0x1b,
    hi >>> 24,
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    lo >>> 24,
    (lo >>> 16) & 0xff,
    (lo >>> 8) & 0xff,
    lo & 0xff,
  ]);
}
