import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborValue } from '../../../../src/core/protocol/cbor.js';
import { fromHex, toHex } from '../../../../src/core/util/bytes.js';
import { KeywitnessError } from '../../../../src/core/errors.js';

describe('deterministic CBOR', () => {
  // RFC 8949 Appendix A examples that lie inside the data model, with their canonical encodings.
  const roundTrips: [CborValue, string][] = [
    [0, '00'],
    [1, '01'],
    [10, '0a'],
    [23, '17'],
    [24, '1818'],
    [25, '1819'],
    [100, '1864'],
    [1000, '1903e8'],
    [1000000, '1a000f4240'],
    [1000000000000, '1b000000e8d4a51000'],
    [-1, '20'],
    [-10, '29'],
    [-100, '3863'],
    [-1000, '3903e7'],
    [false, 'f4'],
    [true, 'f5'],
    [new Uint8Array(), '40'],
    [fromHex('01020304'), '4401020304'],
    ['', '60'],
    ['a', '6161'],
    ['IETF', '6449455446'],
    ['"\\', '62225c'],
    ['\u00fc', '62c3bc'],
    ['\u6c34', '63e6b0b4'],
    [[], '80'],
    [[1, 2, 3], '83010203'],
    [[1, [2, 3], [4, 5]], '8301820203820405'],
    [{}, 'a0'],
    [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
    [['a', { b: 'c' }], '826161a161626163'],
    // RFC 8949 §4.2.1: keys sorted by their encoded bytes, so shorter keys come first here.
    [{ aa: 2, b: 1 }, 'a261620162616102'],
  ];

  it.each(roundTrips)('encodes %j canonically and decodes it back', (value, hex) => {
    const bytes = encodeCbor(value);
    expect(toHex(bytes)).toBe(hex);
    expect(decodeCbor(bytes)).toEqual(value);
  });

  const rejections: [string, string, RegExp][] = [
    ['empty input', '', /empty/],
    ['trailing byte', '0100', /1 trailing byte\(s\) after the item \(at byte 1\)/],
    ['truncated byte string', '4401', /declared length 4 exceeds the remaining input/],
    ['non-minimal integer', '1801', /not in its shortest form/],
    ['non-minimal length', '5801ff', /not in its shortest form/],
    ['indefinite-length array', '9f01ff', /indefinite length is not allowed/],
    ['indefinite-length text', '7f6161ff', /indefinite length is not allowed/],
    ['unsorted map keys', 'a2616201616101', /map keys out of order at "a"/],
    ['duplicate map keys', 'a2616101616101', /duplicate map key "a"/],
    ['tag', 'c11a514b67b0', /tags are not allowed/],
    ['float', 'f93c00', /floats are not allowed/],
    ['null', 'f6', /simple value 22 is not allowed/],
    ['undefined', 'f7', /simple value 23 is not allowed/],
    ['integer map key', 'a10102', /map keys must be text strings/],
    ['integer beyond 2^53', '1b0020000000000000', /beyond 2\^53/],
    ['huge declared array', '9affffffff', /array of 4294967295 items exceeds the remaining input/],
    ['huge declared bytes', '5affffffff', /declared length 4294967295 exceeds the remaining input/],
    ['invalid UTF-8 text', '62c328', /not valid UTF-8/],
    ['reserved additional information', '1c', /reserved additional information 28/],
    ['huge declared map', 'bbffffffffffffffff', /beyond 2\^53|exceeds the remaining input/],
    ['64-bit length in shortest-form violation', '5b0000000000000001', /not in its shortest form/],
  ];

  it.each(rejections)('rejects %s', (_name, hex, message) => {
    let error: unknown;
    try {
      decodeCbor(fromHex(hex));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeywitnessError);
    expect((error as KeywitnessError).code).toBe('CBOR_INVALID');
    expect((error as KeywitnessError).message).toMatch(message);
  });

  it('refuses input over the limit before decoding', () => {
    expect(() => decodeCbor(new Uint8Array(20), 16)).toThrow(expect.objectContaining({ code: 'INPUT_TOO_LARGE' }));
  });

  it('refuses to encode values outside the data model', () => {
    expect(() => encodeCbor(1.5)).toThrow(/integers/);
    expect(() => encodeCbor({ a: null } as unknown as CborValue)).toThrow(/\$\.a: type not allowed/);
  });

  it('refuses deeply nested input', () => {
    let bytes = '01';
    for (let i = 0; i < 20; i++) bytes = '81' + bytes;
    expect(() => decodeCbor(fromHex(bytes))).toThrow(/deeper than 16/);
  });

  it('keeps a key named __proto__ as an ordinary field', () => {
    const bytes = encodeCbor(JSON.parse('{"__proto__": 1, "a": 2}') as CborValue);
    const value = decodeCbor(bytes) as Record<string, number>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['a', '__proto__']);
  });
});
