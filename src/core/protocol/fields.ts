/**
 * A small strict schema for CBOR maps: every field typed, lengths bounded, unknown fields rejected.
 * Errors name the field path, e.g. `body.evidence[1].sha256`.
 */
import { KeywitnessError } from '../errors.js';
import type { CborMap, CborValue } from './cbor.js';

export type FieldType =
  | { readonly kind: 'text'; readonly max: number; readonly min?: number; readonly oneOf?: readonly string[] }
  | { readonly kind: 'bytes'; readonly length?: number; readonly max?: number }
  | { readonly kind: 'uint' }
  /** A signed integer within [min, max] (both safe integers). */
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'bool' }
  | { readonly kind: 'textMap'; readonly maxEntries: number; readonly maxKey: number; readonly maxValue: number }
  | { readonly kind: 'array'; readonly of: FieldType; readonly max: number }
  | { readonly kind: 'map'; readonly fields: Schema }
  /** A map whose fields are checked separately (the envelope's body, checked per message type). */
  | { readonly kind: 'anyMap' };

/** Field name → [type, required]. */
export type Schema = Readonly<Record<string, readonly [FieldType, boolean]>>;

export const text = (max: number, min = 0): FieldType => ({ kind: 'text', max, min });
export const oneOf = (...values: string[]): FieldType => ({ kind: 'text', max: 64, oneOf: values });
export const bytes = (length?: number, max?: number): FieldType =>
  length === undefined ? { kind: 'bytes', max: max ?? 16384 } : { kind: 'bytes', length };
export const uint: FieldType = { kind: 'uint' };
/** A signed integer bounded to [min, max]: a negative value must still be one the signer meant. */
export const int = (min: number, max: number): FieldType => ({ kind: 'int', min, max });
export const bool: FieldType = { kind: 'bool' };
export const arrayOf = (of: FieldType, max: number): FieldType => ({ kind: 'array', of, max });
export const mapOf = (fields: Schema): FieldType => ({ kind: 'map', fields });
export const anyMap: FieldType = { kind: 'anyMap' };
export const textMap = (maxEntries: number, maxKey: number, maxValue: number): FieldType => ({
  kind: 'textMap',
  maxEntries,
  maxKey,
  maxValue,
});

function fail(path: string, message: string): never {
  throw new KeywitnessError('MESSAGE_INVALID', message, { where: path });
}

function isMap(value: CborValue | undefined): value is CborMap {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value);
}

/** Validate a CBOR value against a field type; returns it unchanged (typed by the caller). */
export function checkField(value: CborValue | undefined, type: FieldType, path: string): CborValue {
  switch (type.kind) {
    case 'text': {
      if (typeof value !== 'string') fail(path, 'must be a text string');
      if (value.length > type.max) fail(path, `longer than ${type.max} characters`);
      if (value.length < (type.min ?? 0))
        fail(path, type.min === 1 ? 'must not be empty' : `shorter than ${type.min} characters`);
      if (type.oneOf && !type.oneOf.includes(value))
        fail(path, `must be one of ${type.oneOf.map((v) => `"${v}"`).join(', ')}, got "${value}"`);
      return value;
    }
    case 'bytes': {
      if (!(value instanceof Uint8Array)) fail(path, 'must be a byte string');
      if (type.length !== undefined && value.length !== type.length)
        fail(path, `must be ${type.length} bytes, got ${value.length}`);
      if (type.max !== undefined && value.length > type.max) fail(path, `longer than ${type.max} bytes`);
      return value;
    }
    case 'uint':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
        fail(path, 'must be an unsigned integer');
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(path, 'must be an integer');
      if (value < type.min || value > type.max) fail(path, `must be between ${type.min} and ${type.max}, got ${value}`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') fail(path, 'must be true or false');
      return value;
    case 'array':
      if (!Array.isArray(value)) fail(path, 'must be an array');
      if (value.length > type.max) fail(path, `more than ${type.max} items`);
      value.forEach((item, i) => checkField(item, type.of, `${path}[${i}]`));
      return value;
    case 'map':
      if (!isMap(value)) fail(path, 'must be a map');
      checkMap(value, type.fields, path);
      return value;
    case 'anyMap':
      if (!isMap(value)) fail(path, 'must be a map');
      return value;
    case 'textMap': {
      if (!isMap(value)) fail(path, 'must be a map of text to text');
      const entries = Object.entries(value);
      if (entries.length > type.maxEntries) fail(path, `more than ${type.maxEntries} entries`);
      for (const [k, v] of entries) {
        if (k.length > type.maxKey) fail(`${path}.${k}`, `key longer than ${type.maxKey} characters`);
        if (typeof v !== 'string') fail(`${path}.${k}`, 'must be a text string');
        if (v.length > type.maxValue) fail(`${path}.${k}`, `longer than ${type.maxValue} characters`);
      }
      return value;
    }
  }
}

const entriesCache = new WeakMap<Schema, readonly (readonly [string, readonly [FieldType, boolean]])[]>();

/** A schema's fields as a list, computed once per schema (schemas are module constants). */
function schemaEntries(schema: Schema): readonly (readonly [string, readonly [FieldType, boolean]])[] {
  let entries = entriesCache.get(schema);
  if (!entries) {
    entries = Object.entries(schema);
    entriesCache.set(schema, entries);
  }
  return entries;
}

/** Validate a map against a schema: required fields present, no unknown fields, every type right. */
export function checkMap(value: CborMap, schema: Schema, path: string): void {
  for (const key in value) {
    if (!Object.hasOwn(schema, key)) fail(path ? `${path}.${key}` : key, 'unknown field');
  }
  for (const [key, [type, required]] of schemaEntries(schema)) {
    const where = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(value, key)) {
      if (required) fail(where, 'missing');
      continue;
    }
    checkField(value[key], type, where);
  }
}

/** Narrow a value to a map or fail with the path. */
export function expectMap(value: CborValue, path: string): CborMap {
  if (!isMap(value)) fail(path, 'must be a map');
  return value;
}
