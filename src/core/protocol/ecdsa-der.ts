/**
 * Strict DER decoding of an ECDSA signature (RFC 3279 §2.2.3: `SEQUENCE { r INTEGER, s INTEGER }`)
 * into the fixed-width IEEE P1363 form `r || s` that WebCrypto verifies. Used where signatures from
 * other tools (OpenSSL, HSMs, X.509) arrive in DER. Any BER leniency (long-form lengths where short
 * would do, leading zero padding, negative integers, trailing bytes) is rejected: a signature has
 * exactly one valid encoding.
 */
import { KeywitnessError } from '../errors.js';

function fail(message: string): never {
  throw new KeywitnessError('SIGNATURE_INVALID', `DER ECDSA signature: ${message}`);
}

/** Read a DER length at `offset` (X.690 §10.1: minimal form only). Returns [length, next offset]. */
function readLength(der: Uint8Array, offset: number): [number, number] {
  const first = der[offset];
  if (first === undefined) fail('truncated length');
  if (first < 0x80) return [first, offset + 1];
  const count = first & 0x7f;
  if (count === 0 || count > 2) fail('unsupported length form');
  let length = 0;
  for (let i = 1; i <= count; i++) {
    const b = der[offset + i];
    if (b === undefined) fail('truncated length');
    length = (length << 8) | b;
  }
  if (length < 0x80 || (count === 2 && length < 0x100)) fail('length not in minimal form');
  return [length, offset + 1 + count];
}

/** Read a positive INTEGER (X.690 §8.3) of at most `size` significant bytes, left-padded to `size`. */
function readInteger(der: Uint8Array, offset: number, size: number): [Uint8Array, number] {
  if (der[offset] !== 0x02) fail('expected INTEGER');
  const [length, start] = readLength(der, offset + 1);
  const end = start + length;
  if (end > der.length) fail('truncated INTEGER');
  let value = der.subarray(start, end);
  const first = value[0];
  const second = value[1];
  if (first === undefined) fail('truncated INTEGER');
  if (first & 0x80) fail('negative INTEGER');
  if (first === 0 && second !== undefined) {
    if (!(second & 0x80)) fail('INTEGER has superfluous leading zero');
    value = value.subarray(1);
  }
  if (value.length > size) fail('INTEGER larger than the curve order');
  const out = new Uint8Array(size);
  out.set(value, size - value.length);
  return [out, end];
}

/**
 * Convert a DER ECDSA signature to P1363 `r || s`, each `size` bytes (32 for P-256).
 * Range checks (0 < r, s < n) are left to the verifier, which must reject them anyway.
 */
export function derSignatureToP1363(der: Uint8Array, size: number): Uint8Array {
  if (!(der instanceof Uint8Array)) fail('expected bytes');
  if (der.length > 2 * size + 16) fail('too long');
  if (der[0] !== 0x30) fail('expected SEQUENCE');
  const [length, start] = readLength(der, 1);
  if (start + length !== der.length) fail('SEQUENCE length does not match the input (trailing or missing bytes)');
  const [r, afterR] = readInteger(der, start, size);
  const [s, afterS] = readInteger(der, afterR, size);
  if (afterS !== der.length) fail('trailing bytes inside SEQUENCE');
  const out = new Uint8Array(2 * size);
  out.set(r, 0);
  out.set(s, size);
  return out;
}
