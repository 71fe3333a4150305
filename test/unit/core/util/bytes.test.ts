import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../../src/core/util/base64.js';
import { equalBytes, fromHex, toColonHex, toHex } from '../../../../src/core/util/bytes.js';

describe('hex', () => {
  it('matches Node for every length up to 150 bytes, both ways', () => {
    for (let n = 0; n <= 150; n++) {
      const b = new Uint8Array(randomBytes(n));
      const hex = Buffer.from(b).toString('hex');
      expect(toHex(b)).toBe(hex);
      expect(fromHex(hex.toUpperCase())).toEqual(b);
    }
  });

  it('reads colon-separated fingerprints as tools print them and writes them back', () => {
    const b = fromHex('55:4B:6D:5D:C9');
    expect(toHex(b)).toBe('554b6d5dc9');
    expect(toColonHex(b)).toBe('55:4B:6D:5D:C9');
  });

  it.each([
    ['abc', /odd number of digits/],
    ['zz', /not a hex digit pair at byte 0/],
    ['00-11', /odd number|not a hex digit/],
  ])('refuses %j', (text, message) => {
    expect(() => fromHex(text)).toThrow(message);
  });

  it('compares bytes without stopping at the first difference', () => {
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(equalBytes(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
  });
});

describe('strict base64', () => {
  it('matches Node for every length up to 100 bytes, both ways', () => {
    for (let n = 0; n <= 100; n++) {
      const b = new Uint8Array(randomBytes(n));
      const text = Buffer.from(b).toString('base64');
      expect(toBase64(b)).toBe(text);
      expect(fromBase64(text)).toEqual(b);
    }
  });

  it.each([
    ['QQ', /length 2 is not a multiple of 4/],
    ['QQ==QQ==', /invalid base64 character at offset 2/],
    ['QR==', /unused bits/],
    ['QUI=', null],
    ['QUJ=', /unused bits/],
    ['QU I', /invalid base64 character at offset 2/],
    ['QUI-', /invalid base64 character at offset 3/],
    ['QUI\u00e9', /invalid base64 character at offset 3/],
  ])('%j', (text, message) => {
    if (message === null) expect(fromBase64(text)).toEqual(new Uint8Array([0x41, 0x42]));
    else expect(() => fromBase64(text, 'field')).toThrow(message);
  });
});
