/**
 * A small DER builder for negative tests: take a real structure apart into its fields, change one,
 * and put it back together, so each bad input differs from a real one in exactly one way.
 */
import { childrenOf, encodingOf, scanDer, type DerNode } from '../../../../src/core/evidence/der.js';

/** DER length octets (X.690 §10.1: definite, minimal). */
function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/** One TLV with the given identifier octet. */
export function tlv(id: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  return new Uint8Array([id, ...lengthOctets(body.length), ...body]);
}

export const seq = (...c: Uint8Array[]): Uint8Array => tlv(0x30, ...c);
export const int = (...bytes: number[]): Uint8Array => tlv(0x02, Uint8Array.from(bytes));
export const enumerated = (v: number): Uint8Array => tlv(0x0a, Uint8Array.of(v));
export const octets = (...c: Uint8Array[]): Uint8Array => tlv(0x04, ...c);
export const ctx = (n: number, ...c: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...c);

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Uint8Array {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const parts = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) parts.unshift(0x80 | (v & 0x7f));
    out.push(...parts);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** The fields of a constructed element, as their whole encodings. */
export function fields(bytes: Uint8Array, node?: DerNode): Uint8Array[] {
  const n = node ?? scanDer(bytes, 'test');
  return childrenOf(bytes, n, 'test').map((c) => new Uint8Array(encodingOf(bytes, c)));
}

/** Rebuild a SEQUENCE-like element from fields, with the same identifier octet. */
export function rebuild(original: Uint8Array, parts: Uint8Array[]): Uint8Array {
  return tlv(original[0] ?? 0x30, ...parts);
}
