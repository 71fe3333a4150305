import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborValue } from '../../../../src/core/protocol/cbor.js';
import { fromHex, toHex } from '../../../../src/core/util/bytes.js';
import { KeywitnessError } from '../../../../src/core/errors.js';

describe('deterministic CBOR', () => {
  // RFC 8949 Appendix A examples that lie inside the data model, with their canonical encodings.
  const roundTrips: [CborValue, string][] = [
    [0, '00'], [1, '01'], [10, '0a'], [23, '17'], [24, '1818'], [25, '1819'], [100, '1864'], [1000, '1903e8'],
    [1000000, '1a000f4240'], [1000000000000, '1b000000e8d4a51000'], [-1, '20'], [-10, '29'], [-100, '3863'],
    [-1000, '3903e7'], [false, 'f4'], [true, 'f5'], [new Uint8Array(), '40'], [fromHex('01020304'), '4401020304'],
    ['', '60'], ['a', '6161'], ['IETF', '6449455446'], ['"\\', '62225c'], ['\u00fc', '62c3bc'], ['\u6c34', '63e6b0b4'],
    [[], '80'], [[1, 2, 3], '83010203'], [[1, [2, 3], [4, 5]], '8301820203820405'], [{}, 'a0'],
    [{ a: 1, b: [2, 3] }, 'a26161016162820203'], [['a', { b: 'c' }], '826161a161626163'],
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
    ['trailing byte', '0100', /terminals|malformed/],
    ['truncated byte string', '4401', /malformed/],
    ['non-minimal integer', '1801', /more bytes than necessary|malformed/],
    ['non-minimal length', '5801ff', /malformed|deterministic/],
    ['indefinite-length array', '9f01ff', /malformed|indefinite/],
    ['indefinite-length text', '7f6161ff', /malformed|indefinite/],
    ['unsorted map keys', 'a2616201616101', /deterministic/],
    ['duplicate map keys', 'a2616101616101', /malformed|duplicate/],
    ['tag', 'c11a514b67b0', /malformed|tag/],
    ['float', 'f93c00', /float/],
    ['null', 'f6', /not allowed/],
    ['undefined', 'f7', /malformed|not allowed|undefined/],
    ['integer map key', 'a10102', /malformed|non-string/],
    ['integer beyond 2^53', '1b0020000000000000', /malformed|integers|not allowed|bigint/i],
    ['huge declared array', '9affffffff', /malformed/],
    ['huge declared bytes', '5affffffff', /malformed/],
    ['invalid UTF-8 text', '62c328', /malformed|utf/i],
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
});
