import { describe, expect, it } from 'vitest';
import * as pkijs from 'pkijs';
import { isKeywitnessError } from '../../../../src/core/errors.js';
import { pkijsSchemaCheck } from '../../../../src/core/evidence/pkijs-schema.js';

describe('pkijs schema check', () => {
  it.each<[string, number[], RegExp]>([
    // asn1js throws (rather than reporting) on a GeneralizedTime whose digits are not digits.
    [
      'a GeneralizedTime that is not a time',
      [0x30, 0x11, 0x18, 0x0f, ...Buffer.from('2051112618233:Z')],
      /not decodable as ASN\.1/,
    ],
    ['truncated DER', [0x30, 0x05, 0x02, 0x01], /not decodable as ASN\.1/],
    ['DER that is not a certificate', [0x30, 0x03, 0x02, 0x01, 0x05], /not a well-formed X\.509 certificate/],
  ])('refuses %s with EVIDENCE_INVALID, never a bare error', (_what, bytes, message) => {
    let error: unknown;
    try {
      pkijsSchemaCheck(
        Uint8Array.from(bytes),
        'X.509 certificate',
        'root.pem',
        (schema) => new pkijs.Certificate({ schema }),
      );
    } catch (e) {
      error = e;
    }
    expect(isKeywitnessError(error, 'EVIDENCE_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^root\.pem: /);
    expect((error as Error).message).toMatch(message);
  });
});
