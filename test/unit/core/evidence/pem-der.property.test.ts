/**
 * Properties of the PEM, base64 and DER readers over untrusted evidence, with the suite's fixed
 * seed and bounded runs (test/support/property.ts): base64 and PEM round-trip and accept only the
 * canonical encoding (so the bytes a witness is shown hashing are the only bytes the text can
 * mean); any DER tree within the limits is scanned whole, deeper ones are refused; and damaged
 * certificates, requests and keys from the sample ceremonies are read or refused with an evidence
 * error within the per-case ceiling. (fuzz.test.ts mutates the same parsers with its own PRNG.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_DER_DEPTH, scanDer } from '../../../../src/core/evidence/der.js';
import { parseEvidence } from '../../../../src/core/evidence/parse.js';
import { decodeBase64, decodePem, encodeBase64, encodePem } from '../../../../src/core/evidence/pem.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { failsClosed, mutated, params } from '../../../support/property.js';

const CEREMONIES = join(import.meta.dirname, '../../../../assets/ceremonies');
const read = (path: string) => new Uint8Array(readFileSync(join(CEREMONIES, path)));
const CODES = ['EVIDENCE_INVALID', 'EVIDENCE_UNSUPPORTED', 'INPUT_TOO_LARGE', 'ENCODING_INVALID'];

beforeAll(() => installCryptoEngine());

describe('base64 and PEM', () => {
  it('base64 round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(decodeBase64(encodeBase64(bytes), 'x')).toEqual(bytes);
        expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
      params(500),
    );
  });

  it('base64 text is refused with ENCODING_INVALID unless it is the canonical encoding of what it decodes to', () => {
    const chars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n.');
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 40 }), (text) => {
        const decoded = failsClosed(() => decodeBase64(text, 'x'));
        if (decoded.ok) expect(encodeBase64(decoded.value)).toBe(text.replace(/[ \t\r\n]/g, ''));
        else expect(decoded.error.code).toBe('ENCODING_INVALID');
      }),
      params(3000),
    );
  });

  it('PEM round-trips any block', () => {
    const label = fc.constantFrom('CERTIFICATE', 'PUBLIC KEY', 'CERTIFICATE REQUEST', 'X509 CRL');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(label, fc.uint8Array({ minLength: 1, maxLength: 200 })), { minLength: 1, maxLength: 4 }),
        (blocks) => {
          const text = blocks.map(([l, der]) => encodePem(l, der)).join('');
          const labels = [...new Set(blocks.map(([l]) => l))];
          expect(decodePem(text, labels, 'x')).toEqual(blocks.map(([l, der]) => ({ label: l, der })));
        },
      ),
      params(300),
    );
  });
});

type Der = { tag: number; content: Uint8Array } | { tag: number; children: Der[] };

function encodeDer(node: Der): Uint8Array {
  const content = 'content' in node ? node.content : Uint8Array.from(node.children.flatMap((c) => [...encodeDer(c)]));
  const n = content.length;
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Uint8Array.from([node.tag, ...length, ...content]);
}

/** DER trees: primitives of common universal tags, SEQUENCE/SET and context-specific wrappers. */
const der: fc.Arbitrary<Der> = fc.letrec<{ node: Der }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.record({
      tag: fc.constantFrom(0x01, 0x02, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x18, 0x80),
      content: fc.uint8Array({ maxLength: 40 }),
    }),
    fc.record({ tag: fc.constantFrom(0x30, 0x31, 0xa0, 0xa3), children: fc.array(tie('node'), { maxLength: 5 }) }),
  ),
})).node;

/** SEQUENCE { SEQUENCE { … NULL } }, `depth` elements deep, built in one pass (headers outside in). */
function nestedBytes(depth: number): Uint8Array {
  const header = (n: number) =>
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const headers: number[][] = [];
  let length = 2; // NULL: 05 00
  for (let i = 1; i < depth; i++) {
    const h = [0x30, ...header(length)];
    headers.push(h);
    length += h.length;
  }
  return Uint8Array.from([...headers.reverse().flat(), 0x05, 0x00]);
}

describe('DER', () => {
  it('any well-formed tree is scanned whole', () => {
    fc.assert(
      fc.property(der, (tree) => {
        const bytes = encodeDer(tree);
        const scanned = failsClosed(() => scanDer(bytes, 'x'));
        // A tree of primitives only rarely reaches the depth limit; the limit is its own case below.
        if (scanned.ok) expect(scanned.value.end).toBe(bytes.length);
        else expect(scanned.error.message).toMatch(/deeper than|elements/);
      }),
      params(800),
    );
  });

  it(`nesting is accepted to ${MAX_DER_DEPTH} levels and refused beyond, naming the limit`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4000 }), (depth) => {
        const scanned = failsClosed(() => scanDer(nestedBytes(depth), 'x'));
        if (depth <= MAX_DER_DEPTH) expect(scanned.ok).toBe(true);
        else expect(scanned.ok || scanned.error.message).toMatch(/nesting deeper than 32 levels/);
      }),
      params(200),
    );
  });

  it('damaged trees are scanned or refused with EVIDENCE_INVALID, never with trailing bytes accepted', () => {
    const seeds = fc.sample(der.map(encodeDer), { seed: 11, numRuns: 50 });
    fc.assert(
      fc.property(mutated(seeds, 3), (bytes) => {
        const scanned = failsClosed(() => scanDer(bytes, 'x'));
        if (scanned.ok) expect(scanned.value.end).toBe(bytes.length);
        else expect(CODES).toContain(scanned.error.code);
      }),
      params(2000),
    );
  });
});

describe('certificates, requests and keys from the sample ceremonies', () => {
  const cases = [
    {
      kind: 'certificate' as const,
      files: [
        'root-ca-rehearsal/4.1/root.pem',
        'intermediate-ca-signing/3.3/chain.pem',
        'intermediate-ca-signing/3.2/ica.pem',
      ],
    },
    { kind: 'csr' as const, files: ['intermediate-ca-signing/3.1/csr.pem'] },
    {
      kind: 'public-key' as const,
      files: ['root-ca-rehearsal/3.3/root_pub.pem', 'dnssec-ksk-signing/2.5/ksk_pub.pem'],
    },
  ];
  it.each(cases)('damaged $kind files (PEM and DER) are read or refused with an evidence error', ({ kind, files }) => {
    const pem = files.map(read);
    const derSeeds = pem.flatMap((b) =>
      decodePem(new TextDecoder().decode(b), ['CERTIFICATE', 'CERTIFICATE REQUEST', 'PUBLIC KEY'], 'x').map(
        (block) => block.der,
      ),
    );
    for (const seed of [...pem, ...derSeeds]) expect(() => parseEvidence(kind, seed, undefined, 'seed')).not.toThrow();
    fc.assert(
      fc.property(mutated([...pem, ...derSeeds], 3), (bytes) => {
        const parsed = failsClosed(() => parseEvidence(kind, bytes, undefined, 'evidence'));
        if (!parsed.ok) expect(CODES).toContain(parsed.error.code);
      }),
      params(400),
    );
  });
});
