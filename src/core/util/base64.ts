/**
 * Strict base64 (RFC 4648 §4): standard alphabet, padding required, no whitespace, and the unused
 * low bits of the last character must be zero, so every byte string has exactly one encoding and a
 * flipped character can never decode to the same bytes.
 */
import { KeywitnessError } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Encode bytes as padded standard base64. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out +=
      ALPHABET.charAt(n >> 18) +
      ALPHABET.charAt((n >> 12) & 63) +
      ALPHABET.charAt((n >> 6) & 63) +
      ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + '==';
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63) + '=';
  }
  return out;
}

/**
 * Decode strict base64. `where` names the field in errors.
 * @throws KeywitnessError ENCODING_INVALID naming the offending position.
 */
export function fromBase64(text: string, where?: string): Uint8Array {
  const opts = where === undefined ? {} : { where };
  if (typeof text !== 'string') throw new KeywitnessError('ENCODING_INVALID', 'base64 must be a string', opts);
  if (text.length % 4 !== 0)
    throw new KeywitnessError('ENCODING_INVALID', `base64 length ${text.length} is not a multiple of 4`, opts);
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const v = [0, 1, 2, 3].map((k) => {
      const c = text.charCodeAt(i + k);
      if (last && c === 61 /* = */ && k >= 4 - pad) return 0;
      const d = c < 128 ? (LOOKUP[c] ?? -1) : -1;
      if (d < 0) throw new KeywitnessError('ENCODING_INVALID', `invalid base64 character at offset ${i + k}`, opts);
      return d;
    }) as [number, number, number, number];
    const n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
    if (last && ((pad === 1 && (n & 0xff) !== 0) || (pad === 2 && (n & 0xffff) !== 0))) {
      throw new KeywitnessError(
        'ENCODING_INVALID',
        'non-canonical base64: unused bits in the last character are not zero',
        opts,
      );
    }
  }
  return out;
}
