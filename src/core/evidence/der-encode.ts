/**
 * The little DER encoding evidence needs: rebuilding a SubjectPublicKeyInfo from the key material an
 * HSM tool prints (RFC 5480 §2 for EC, RFC 8410 §4 for Edwards keys, RFC 3279 §2.3.1 for RSA) so its
 * SHA-256 can be compared with the certificate's.
 */
import { concatBytes } from '../util/bytes.js';

/** Encode a definite length (X.690 §8.1.3, minimal form). */
export function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const out: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
  return Uint8Array.from([0x80 | out.length, ...out]);
}

/** One TLV with a single-octet identifier. */
export function tlv(identifier: number, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(identifier), encodeLength(content.length), content);
}

/** SEQUENCE of already-encoded elements. */
export function sequence(...parts: Uint8Array[]): Uint8Array {
  return tlv(0x30, concatBytes(...parts));
}

/** OBJECT IDENTIFIER from dotted text (X.690 §8.19). */
export function encodeOid(dotted: string): Uint8Array {
  const [a0, a1, ...rest] = dotted.split('.').map(Number);
  if (a0 === undefined || a1 === undefined) throw new RangeError(`OID "${dotted}" has fewer than two arcs`);
  const out: number[] = [];
  for (const arc of [a0 * 40 + a1, ...rest]) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** Non-negative INTEGER from big-endian magnitude bytes (§8.3: minimal, sign bit clear). */
export function encodeUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let body = magnitude.subarray(start);
  const lead = body[0];
  if (lead === undefined) body = Uint8Array.of(0);
  else if (lead >= 0x80) body = concatBytes(Uint8Array.of(0), body);
  return tlv(0x02, body);
}

/** BIT STRING with zero unused bits. */
export function bitString(content: Uint8Array): Uint8Array {
  return tlv(0x03, concatBytes(Uint8Array.of(0), content));
}
