/**
 * Deterministic CBOR (RFC 8949 §4.2.1, "core deterministic encoding") over a deliberately small data
 * model: unsigned/negative integers within ±2^53, text strings, byte strings, arrays, maps with
 * text keys, booleans. No floats, tags, undefined, null or indefinite lengths: a Keywitness
 * message never needs them, and every extra type is extra attack surface.
 *
 * Encoding uses cborg with its RFC 8949 options. Decoding uses our own one-pass decoder
 * (cbor-decode.ts), which accepts exactly the canonical encodings of this data model, because
 * cborg's strict mode neither refuses floats nor checks key order and re-encoding to compare
 * doubled the cost of an audit. Tests hold the decoder to cborg as an independent oracle.
 */
import { encode, rfc8949EncodeOptions } from 'cborg';
import { decodeDeterministic } from './cbor-decode.js';
import { KeywitnessError } from '../errors.js';

/** A value of the CBOR subset Keywitness uses. */
export type CborValue = number | string | boolean | Uint8Array | readonly CborValue[] | CborMap;
/** A CBOR map with text keys. */
export interface CborMap {
  readonly [key: string]: CborValue;
}

/** Default ceiling for one encoded item: a QR-transported message is at most 16 KiB. */
export const DEFAULT_MAX_CBOR_BYTES = 16 * 1024;

/** Encode a value in RFC 8949 §4.2.1 deterministic form (bytewise-sorted map keys, shortest lengths). */
export function encodeCbor(value: CborValue): Uint8Array {
  checkModel(value, '$');
  return plainBytes(encode(value, rfc8949EncodeOptions));
}

/**
 * cborg may hand back a Node Buffer, whose `slice` is a view rather than a copy; callers of core
 * expect Uint8Array semantics everywhere, so the result is re-viewed as a plain Uint8Array.
 */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Decode exactly one deterministic CBOR item. Throws CBOR_INVALID on malformed input, trailing
 * bytes, anything outside the data model, or any non-canonical encoding; INPUT_TOO_LARGE before
 * decoding anything when the input exceeds `maxBytes`.
 */
export function decodeCbor(bytes: Uint8Array, maxBytes = DEFAULT_MAX_CBOR_BYTES): CborValue {
  if (!(bytes instanceof Uint8Array)) throw new KeywitnessError('CBOR_INVALID', 'expected bytes');
  if (bytes.length > maxBytes) {
    throw new KeywitnessError(
      'INPUT_TOO_LARGE',
      `CBOR item of ${bytes.length} bytes exceeds the ${maxBytes}-byte limit`,
    );
  }
  if (bytes.length === 0) throw new KeywitnessError('CBOR_INVALID', 'empty input');
  return decodeDeterministic(bytes);
}

/** Reject values outside the data model, naming the path (`$.body.items[2]`). */
function checkModel(value: unknown, path: string, depth = 0): asserts value is CborValue {
  if (depth > 16) throw new KeywitnessError('CBOR_INVALID', 'nested deeper than 16 levels', { where: path });
  if (typeof value === 'string' || typeof value === 'boolean' || value instanceof Uint8Array) return;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new KeywitnessError('CBOR_INVALID', 'only integers within ±2^53 are allowed', { where: path });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkModel(item, `${path}[${i}]`, depth + 1));
    return;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) checkModel(v, `${path}.${k}`, depth + 1);
    return;
  }
  throw new KeywitnessError('CBOR_INVALID', `type not allowed: ${value === null ? 'null' : typeof value}`, {
    where: path,
  });
}
