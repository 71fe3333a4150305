/**
 * A decoder for exactly the deterministic CBOR that Keywitness signs (RFC 8949 §4.2.1) and nothing
 * else. It validates while it decodes, in one pass and without re-encoding:
 *  - arguments in their shortest form (§4.2.1: "preferred serialization" of integers and lengths);
 *  - definite lengths only (§3.2.1 indefinite lengths are refused);
 *  - map keys are text strings, strictly increasing in bytewise order of their encodings (§4.2.1),
 *    which also rules out duplicates (§5.6);
 *  - text strings are valid UTF-8 (§3.1 major type 3);
 *  - integers within ±(2^53 − 1), booleans; no floats, tags, null, undefined or other simple values;
 *  - nesting at most 16 deep; every length checked against the bytes that remain before use;
 *  - exactly one item: trailing bytes are an error.
 * Byte strings are returned as views into the input, which callers must not mutate.
 */
import { KeywitnessError } from '../errors.js';
import type { CborValue } from './cbor.js';

const MAX_DEPTH = 16;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(message: string, offset: number): never {
  throw new KeywitnessError('CBOR_INVALID', `${message} (at byte ${offset})`);
}

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  // The last head read: kept on the reader rather than returned as an object, because every item
  // of every message has one and an audit decodes tens of thousands of items.
  major = 0;
  info = 0;
  value = 0;
  start = 0;

  /** Read an initial byte and its argument (§3), requiring the shortest form. */
  head(): void {
    const start = this.offset;
    const b = this.bytes;
    const initial = b[start];
    if (initial === undefined) fail('unexpected end of input', start);
    const major = initial >> 5;
    const info = initial & 0x1f;
    this.offset++;
    this.major = major;
    this.info = info;
    this.start = start;
    if (info < 24) {
      this.value = info;
      return;
    }
    let value: number;
    let min: number;
    switch (info) {
      case 24:
        value = this.uint(1);
        min = 24;
        break;
      case 25:
        value = this.uint(2);
        min = 0x100;
        break;
      case 26:
        value = this.uint(4);
        min = 0x10000;
        break;
      case 27: {
        const hi = this.uint(4);
        const lo = this.uint(4);
        if (hi > 0x1fffff) fail('integer or length beyond 2^53', start);
        value = hi * 0x100000000 + lo;
        min = 0x100000000;
        break;
      }
      case 31:
        return fail('indefinite length is not allowed (RFC 8949 §4.2.1)', start);
      default:
        return fail(`reserved additional information ${info}`, start);
    }
    if (major !== 7 && value < min) fail('argument not in its shortest form (RFC 8949 §4.2.1)', start);
    this.value = value;
  }

  private uint(n: number): number {
    const b = this.bytes;
    if (this.offset + n > b.length) fail('unexpected end of input', this.offset);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (b[this.offset + i] ?? 0);
    this.offset += n;
    return v;
  }

  take(length: number, start: number): Uint8Array {
    if (length > this.bytes.length - this.offset) fail(`declared length ${length} exceeds the remaining input`, start);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  item(depth: number): CborValue {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`, this.offset);
    this.head();
    const { major, info, value, start } = this;
    switch (major) {
      case 0:
        if (value > Number.MAX_SAFE_INTEGER) fail('integer beyond 2^53 − 1', start);
        return value;
      case 1:
        if (value >= Number.MAX_SAFE_INTEGER) fail('integer beyond −(2^53 − 1)', start);
        return -1 - value;
      case 2:
        return this.take(value, start);
      case 3: {
        const bytes = this.take(value, start);
        // Map keys and enum values are short ASCII; decoding those here avoids a native call each.
        if (bytes.length <= 32 && isAscii(bytes)) return String.fromCharCode.apply(null, bytes as unknown as number[]);
        try {
          return utf8.decode(bytes);
        } catch {
          return fail('text string is not valid UTF-8 (RFC 8949 §3.1, major type 3)', start);
        }
      }
      case 4: {
        // Every item takes at least one byte, so a count above the remaining bytes is a lie.
        if (value > this.bytes.length - this.offset) fail(`array of ${value} items exceeds the remaining input`, start);
        const out: CborValue[] = new Array(value);
        for (let i = 0; i < value; i++) out[i] = this.item(depth + 1);
        return out;
      }
      case 5:
        return this.map(value, depth, start);
      case 6:
        return fail('tags are not allowed', start);
      default:
        if (info === 20) return false;
        if (info === 21) return true;
        return fail(
          info >= 25 && info <= 27 ? 'floats are not allowed' : `simple value ${value} is not allowed`,
          start,
        );
    }
  }

  private map(count: number, depth: number, start: number): CborValue {
    if (count > (this.bytes.length - this.offset) / 2)
      fail(`map of ${count} entries exceeds the remaining input`, start);
    const out: Record<string, CborValue> = {};
    let previous: Uint8Array | undefined;
    for (let i = 0; i < count; i++) {
      const keyStart = this.offset;
      const keyInitial = this.bytes[keyStart];
      if (keyInitial === undefined || keyInitial >> 5 !== 3) fail('map keys must be text strings', keyStart);
      const key = this.item(depth + 1) as string;
      const encoded = this.bytes.subarray(keyStart, this.offset);
      if (previous && compareBytes(previous, encoded) >= 0) {
        fail(
          compareBytes(previous, encoded) === 0
            ? `duplicate map key "${key}"`
            : `map keys out of order at "${key}" (RFC 8949 §4.2.1)`,
          keyStart,
        );
      }
      previous = encoded;
      const value = this.item(depth + 1);
      // Assigning "__proto__" would set the prototype; that one key becomes an ordinary field.
      if (key === '__proto__')
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    return out;
  }
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] ?? 0) > 0x7f) return false;
  return true;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Decode exactly one deterministic CBOR item of the Keywitness data model. */
export function decodeDeterministic(bytes: Uint8Array): CborValue {
  const reader = new Reader(bytes);
  const value = reader.item(0);
  if (reader.offset !== bytes.length)
    fail(`${bytes.length - reader.offset} trailing byte(s) after the item`, reader.offset);
  return value;
}
