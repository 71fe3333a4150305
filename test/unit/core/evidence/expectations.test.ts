import { describe, expect, it } from 'vitest';
import { validateExpectations } from '../../../../src/core/evidence/expectations.js';
import { KeywitnessError } from '../../../../src/core/errors.js';
import type { EvidenceKind } from '../../../../src/core/script/types.js';

const P = 'steps[3].evidence[0].expect';
const SHA = 'ab'.repeat(32);

describe('validateExpectations', () => {
  it('accepts the design example and normalises values', () => {
    const out = validateExpectations(
      'certificate',
      undefined,
      {
        subject: 'CN=Example Root CA 2026,O=Example',
        self_signed: true,
        key: { algorithm: 'ECDSA', curve: 'P-384' },
        spki_equals: 'keygen',
        validity_days: '9131',
        basic_constraints: { ca: true, path_len: null },
        key_usage: ['keyCertSign', 'cRLSign'],
        sha256: SHA,
        ext_key_usage: 'serverAuth',
      },
      P,
    );
    expect(out.validity_days).toBe(9131);
    expect(out.ext_key_usage).toEqual(['serverAuth']);
    expect(out.basic_constraints).toEqual({ ca: true, path_len: null });
    expect(
      validateExpectations(
        'hsm-output',
        'pkcs11-tool',
        { key_type: 'EC', curve: 'secp384r1', label: 'root-ca-p384' },
        P,
      ),
    ).toEqual({ key_type: 'EC', curve: 'secp384r1', label: 'root-ca-p384' });
    expect(
      validateExpectations('dnskey', undefined, { ds: '. IN DS 20326 8 2 e06d44b8 0b8f', key_tags: [20326] }, P).ds,
    ).toEqual(['20326 8 2 E06D44B80B8F']);
    expect(validateExpectations('file', undefined, undefined, P)).toEqual({});
  });

  const bad: [string, EvidenceKind, string | undefined, unknown, string, RegExp][] = [
    ['not a map', 'certificate', undefined, ['x'], P, /must be a map of expectations/],
    ['unknown key', 'certificate', undefined, { subjct: 'CN=x' }, `${P}.subjct`, /unknown expectation "subjct"/],
    [
      'key for another kind',
      'public-key',
      undefined,
      { self_signed: true },
      `${P}.self_signed`,
      /does not apply to public-key evidence/,
    ],
    ['wrong type: bool', 'certificate', undefined, { self_signed: 'yes' }, `${P}.self_signed`, /must be true or false/],
    [
      'wrong type: int',
      'certificate',
      undefined,
      { validity_days: 'ten' },
      `${P}.validity_days`,
      /non-negative integer/,
    ],
    ['negative int', 'certificate', undefined, { serial_min_bits: -1 }, `${P}.serial_min_bits`, /non-negative integer/],
    ['bad name', 'certificate', undefined, { subject: 'Example Root' }, `${P}.subject`, /is not TYPE=value/],
    [
      'unknown attribute type',
      'certificate',
      undefined,
      { subject: 'XX=1' },
      `${P}.subject`,
      /unknown attribute type "XX"/,
    ],
    ['unknown nested key', 'certificate', undefined, { key: { algo: 'RSA' } }, `${P}.key.algo`, /unknown key/],
    ['bad algorithm', 'certificate', undefined, { key: { algorithm: 'DSA' } }, `${P}.key.algorithm`, /must be one of/],
    ['bad key usage', 'certificate', undefined, { key_usage: ['signing'] }, `${P}.key_usage[0]`, /must be one of/],
    ['short digest', 'certificate', undefined, { sha256: 'abcd' }, `${P}.sha256`, /2 bytes, expected 32/],
    [
      'bad words',
      'certificate',
      undefined,
      { sha256: 'aardvark aardvark' },
      `${P}.sha256`,
      /even-position word but stands at position 2/,
    ],
    ['bad date', 'certificate', undefined, { not_after: '26/11/2051' }, `${P}.not_after`, /must be a date/],
    [
      'bad regex',
      'hsm-output',
      undefined,
      { present: ['(unclosed'] },
      `${P}.present[0]`,
      /not a valid regular expression/,
    ],
    ['bad DS', 'dnskey', undefined, { ds: '20326 8 3 AB' }, `${P}.ds[0]`, /must be a DS record/],
    ['bad facts map', 'hsm-output', undefined, { facts: ['serial'] }, `${P}.facts`, /map of fact name/],
    ['bad evidence id', 'certificate', undefined, { signed_by: 'a b' }, `${P}.signed_by`, /id of another evidence/],
    ['unknown parser', 'hsm-output', 'nshield', {}, 'steps[3].evidence[0].parser', /unknown parser "nshield"/],
    [
      'parser on a certificate',
      'certificate',
      'openssl',
      {},
      'steps[3].evidence[0].parser',
      /only meaningful for kind hsm-output/,
    ],
    ['bad hex', 'certificate', undefined, { ski: 'xyz' }, `${P}.ski`, /hex bytes/],
  ];
  it.each(bad)('rejects %s with SCRIPT_INVALID at its path', (_n, kind, parser, raw, where, pattern) => {
    let err: unknown;
    try {
      validateExpectations(kind, parser, raw, P);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeywitnessError);
    expect((err as KeywitnessError).code).toBe('SCRIPT_INVALID');
    expect((err as KeywitnessError).where).toBe(where);
    expect((err as Error).message).toMatch(pattern);
  });
});

describe('names that exist on Object.prototype', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    '"%s" is an unknown expectation, parser, key field or fact, never a crash',
    (word) => {
      const raw = JSON.parse(`{"${word}": "x"}`) as Record<string, unknown>;
      expect(() => validateExpectations('certificate', undefined, raw, P)).toThrow(
        new RegExp(`unknown expectation "${word}"`),
      );
      expect(() => validateExpectations('hsm-output', word, {}, P)).toThrow(new RegExp(`unknown parser "${word}"`));
      expect(() => validateExpectations('certificate', undefined, { key: raw }, P)).toThrow(/unknown key/);
      expect(validateExpectations('hsm-output', undefined, { facts: raw, curve: word }, P)).toMatchObject({
        curve: word,
      });
    },
  );
});
