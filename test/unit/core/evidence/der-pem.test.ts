import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../../src/core/evidence/certificate.js';
import { MAX_DER_DEPTH, MAX_EVIDENCE_BYTES, scanDer } from '../../../../src/core/evidence/der.js';
import { encodeOid, tlv } from '../../../../src/core/evidence/der-encode.js';
import { formatName, readName } from '../../../../src/core/evidence/names.js';
import { concatBytes } from '../../../../src/core/util/bytes.js';
import { decodeBase64, derBlocks, encodeBase64, encodePem } from '../../../../src/core/evidence/pem.js';
import { parseEvidence } from '../../../../src/core/evidence/parse.js';
import { KeywitnessError } from '../../../../src/core/errors.js';
import { makeFixtures, type Fixtures } from './fixtures.js';

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});

function nested(depth: number): Uint8Array {
  let inner = Uint8Array.of(0x05, 0x00);
  for (let i = 0; i < depth; i++) {
    const out = new Uint8Array(inner.length + 2);
    out[0] = 0x30;
    out[1] = inner.length;
    out.set(inner, 2);
    inner = out;
    if (inner.length > 120) break;
  }
  return inner;
}

function deepSequence(depth: number): Uint8Array {
  let inner: Uint8Array = Uint8Array.of(0x05, 0x00);
  for (let i = 0; i < depth; i++) inner = tlv(0x30, inner);
  return inner;
}

/** Very deep nesting built in one pass: headers with 3-byte lengths where needed, minimal form. */
function veryDeep(depth: number): Uint8Array {
  const lens: number[] = [];
  let len = 2;
  for (let i = 0; i < depth; i++) {
    lens.push(len);
    len += len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : 5;
  }
  const out = new Uint8Array(len);
  let p = 0;
  for (let i = depth - 1; i >= 0; i--) {
    const l = lens[i]!;
    out[p++] = 0x30;
    if (l < 0x80) out[p++] = l;
    else if (l < 0x100) {
      out[p++] = 0x81;
      out[p++] = l;
    } else if (l < 0x10000) {
      out[p++] = 0x82;
      out[p++] = l >> 8;
      out[p++] = l & 0xff;
    } else {
      out[p++] = 0x83;
      out[p++] = l >> 16;
      out[p++] = (l >> 8) & 0xff;
      out[p++] = l & 0xff;
    }
  }
  out[p++] = 0x05;
  out[p++] = 0x00;
  return out;
}

function code(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (e) {
    expect(e).toBeInstanceOf(KeywitnessError);
    return `${(e as KeywitnessError).code}: ${(e as Error).message}`;
  }
}

describe('bounded DER walker', () => {
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['empty input', () => new Uint8Array(), /EVIDENCE_INVALID: .*empty input/],
    ['truncated header', () => Uint8Array.of(0x30), /length octet missing/],
    ['length past the end', () => Uint8Array.of(0x30, 0x05, 0x05, 0x00), /claims 5 content bytes but only 2 remain/],
    ['huge length', () => Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00), /claims 4294967295 content bytes/],
    ['length of 5 octets', () => Uint8Array.of(0x30, 0x85, 1, 0, 0, 0, 0), /length field of 5 octets/],
    ['indefinite length', () => Uint8Array.of(0x30, 0x80, 0x00, 0x00), /indefinite length/],
    ['non-minimal length', () => Uint8Array.of(0x30, 0x81, 0x02, 0x05, 0x00), /non-minimal/],
    ['trailing bytes', () => Uint8Array.of(0x05, 0x00, 0x00), /1 trailing bytes after the DER element/],
    ['deep nesting', () => deepSequence(MAX_DER_DEPTH + 5), /nesting deeper than 32 levels/],
    ['deep nesting inside an OCTET STRING', () => tlv(0x30, tlv(0x04, deepSequence(MAX_DER_DEPTH))), /nesting deeper/],
    ['200000 levels of nesting', () => veryDeep(200_000), /nesting deeper than 32 levels/],
    ['too large', () => new Uint8Array(MAX_EVIDENCE_BYTES + 1), /INPUT_TOO_LARGE/],
  ];
  it.each(cases)('rejects %s with a specific error', (_name, make, pattern) => {
    expect(code(() => scanDer(make(), 'test'))).toMatch(pattern);
  });

  it('reads a 600 KB attribute value without exhausting the stack', () => {
    const value = new Uint8Array(600_000).fill(0x41);
    const name = tlv(0x30, tlv(0x31, tlv(0x30, concatBytes(encodeOid('2.5.4.3'), tlv(0x13, value)))));
    expect(formatName(readName(name, scanDer(name, 'name'), 'name'))).toHaveLength(600_003);
  });

  it('accepts nesting within the limit and reports offsets', () => {
    const ok = nested(10);
    const node = scanDer(ok, 'ok');
    expect([node.start, node.end]).toEqual([0, ok.length]);
  });
});

describe('PEM and base64', () => {
  it('round-trips base64 of every length', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(decodeBase64(encodeBase64(bytes), 'b64')).toEqual(bytes);
    }
  });

  it('accepts explanatory text before a block and several blocks', () => {
    const pem = new TextDecoder().decode(fx.read('chain.pem'));
    expect(
      derBlocks(new TextEncoder().encode(`Certificate chain\nsubject=...\n${pem}\n\n`), ['CERTIFICATE'], 'x'),
    ).toHaveLength(2);
  });

  const root = (): string => new TextDecoder().decode(fx.read('root.pem'));
  const cases: [string, () => string, RegExp][] = [
    [
      'wrong label',
      () => root().replace(/CERTIFICATE/g, 'PUBLIC KEY'),
      /label "PUBLIC KEY" is not one of: CERTIFICATE/,
    ],
    [
      'mismatched END',
      () => root().replace('END CERTIFICATE', 'END X509 CRL'),
      /"END X509 CRL" closes "BEGIN CERTIFICATE"/,
    ],
    ['missing END', () => root().replace(/-----END CERTIFICATE-----\n?/, ''), /has no END line/],
    [
      'bad base64 character',
      () => root().replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'),
      /invalid base64 character "!"/,
    ],
    ['base64 length', () => root().replace(/\n([A-Za-z0-9+/]{64})\n/, '\n$1A\n'), /not a multiple of 4/],
    [
      'encrypted PEM headers',
      () => root().replace('-----BEGIN CERTIFICATE-----\n', '-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n'),
      /PEM headers/,
    ],
    [
      'no PEM at all',
      () => 'hello world',
      /neither DER nor PEM: .*not base64 or hex of DER: text beginning "hello world"/,
    ],
  ];
  it.each(cases)('rejects %s', (_name, make, pattern) => {
    expect(code(() => parseEvidence('certificate', new TextEncoder().encode(make()), undefined, 'root.pem'))).toMatch(
      pattern,
    );
  });

  it('rejects non-UTF-8 binary that is not DER', () => {
    expect(code(() => derBlocks(Uint8Array.of(0xff, 0xfe, 0x00), ['CERTIFICATE'], 'bin'))).toMatch(
      /neither DER .* nor PEM/,
    );
  });

  it('rejects DER with trailing bytes, truncated DER and a CSR given as a certificate', () => {
    const der = fx.read('root.der');
    const trailing = new Uint8Array(der.length + 3);
    trailing.set(der);
    expect(code(() => parseCertificate(trailing, 'root.der'))).toMatch(/3 trailing bytes/);
    expect(code(() => parseCertificate(der.subarray(0, der.length - 10), 'root.der'))).toMatch(
      /claims \d+ content bytes/,
    );
    expect(code(() => parseCertificate(fx.read('int.csr.der'), 'csr'))).toMatch(/EVIDENCE_INVALID/);
    expect(
      code(() => parseEvidence('public-key', new TextEncoder().encode(encodePem('PUBLIC KEY', der)), undefined, 'k')),
    ).toMatch(/EVIDENCE_INVALID/);
  });
});
