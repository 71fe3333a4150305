/**
 * Deterministic CBOR (RFC 8949 §4.2.1, "core deterministic encoding") over a deliberately small data
 * model: unsigned/negative integers within ±2^53, text strings, byte strings, arrays, maps with
 * text keys, booleans. No floats, tags, undefined, null or indefinite lengths: a Keywitness
 * message never needs them, and every extra type is extra attack surface.
 *
 * Decoding is strict: besides the library's own checks we re-encode what was decoded and require
 * the exact same bytes, which rejects every non-canonical form (long integer encodings, unsorted or
 * duplicate map keys, indefinite lengths) with one rule that reads like the spec.
 */
import { decode, encode, rfc8949EncodeOptions } from 'cborg';
import { KeywitnessError } from '../errors.js';
import { equalBytes } from '../util/bytes.js';

/** A value of the CBOR subset Keywitness uses. */
export type CborValue = number | string | boolean | Uint8Array | readonly CborValue[] | CborMap;
/** A CBOR map with text keys. */
export interface CborMap {
  readonly [key: string]: CborValue;
}

/** Default ceiling for one encoded item: a QR-transported message is at most 16 KiB. */
export const DEFAULT_MAX_CBOR_BYTES = 16 * 1024;

const DECODE_OPTIONS = {
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowNaN: false,
  allowInfinity: false,
  allowBigInt: false,
  rejectDuplicateMapKeys: true,
  useMaps: false,
  // Tags are refused: an empty tag table makes cborg throw on any tag.
  tags: [],
} as const;

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
    throw new KeywitnessError('INPUT_TOO_LARGE', `CBOR item of ${bytes.length} bytes exceeds the ${maxBytes}-byte limit`);
  }
  if (bytes.length === 0) throw new KeywitnessError('CBOR_INVALID', 'empty input');
  let value: unknown;
  try {
    value = decode(bytes, DECODE_OPTIONS);
  } catch (e) {
    throw new KeywitnessError('CBOR_INVALID', `malformed CBOR: ${describeDecodeError(e)}`, { cause: e });
  }
  checkModel(value, '$');
  let again: Uint8Array;
  try {
    again = encode(value, rfc8949EncodeOptions);
  } catch (e) {
    throw new KeywitnessError('CBOR_INVALID', 'value cannot be re-encoded deterministically', { cause: e });
  }
  if (!equalBytes(again, bytes)) {
    // The decoder maps invalid UTF-8 to U+FFFD, so the re-encoding differs; say which rule broke.
    if (containsReplacementChar(value) && !containsReplacementBytes(bytes)) {
      throw new KeywitnessError('CBOR_INVALID', 'text string is not valid UTF-8 (RFC 8949 §3.1, major type 3)');
    }
    throw new KeywitnessError('CBOR_INVALID', 'not in deterministic encoding (RFC 8949 §4.2.1): re-encoding gives different bytes (a non-shortest form, or a float where only integers are allowed)');
  }
  return value;
}

function containsReplacementChar(value: CborValue): boolean {
  if (typeof value === 'string') return value.includes('\uFFFD');
  if (Array.isArray(value)) return value.some(containsReplacementChar);
  if (typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.entries(value).some(([k, v]) => k.includes('\uFFFD') || containsReplacementChar(v));
  }
  return false;
}

function containsReplacementBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) return true;
  }
  return false;
}

function describeDecodeError(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // cborg prefixes every message with "CBOR decode error: "; keep the specific part.
  return text.replace(/^CBOR decode error:\s*/, '');
}

/** Reject values outside the data model, naming the path (`$.body.items[2]`). */
function checkModel(value: unknown, path: string, depth = 0): asserts value is CborValue {
  if (depth > 16) throw new KeywitnessError('CBOR_INVALID', 'nested deeper than 16 levels', { where: path });
  if (typeof value === 'string' || typeof value === 'boolean' || value instanceof Uint8Array) return;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new KeywitnessError('CBOR_INVALID', 'only integers within ±2^53 are allowed', { where: path });
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
  throw new KeywitnessError('CBOR_INVALID', `type not allowed: ${value === null ? 'null' : typeof value}`, { where: path });
}
