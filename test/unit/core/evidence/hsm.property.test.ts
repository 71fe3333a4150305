/**
 * Properties of the HSM transcript detector and parsers over untrusted text, with the suite's fixed
 * seed and bounded runs (test/support/property.ts). Seeds are every real transcript the project
 * holds: the vendors' published outputs in test/vectors/hsm-outputs and the SoftHSM2 runs beside
 * the sample ceremonies. Damaged transcripts, transcripts spliced line by line from different
 * tools, and lines built from each tool's own keywords all end within the per-case ceiling, read
 * by every parser or refused with an evidence error; the detector always names a known parser,
 * and reading with the detected parser is what reading with no parser named does. The size-limit
 * cases are in hsm-linear.test.ts.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectHsmFormat, HSM_PARSERS, parseHsmOutput } from '../../../../src/core/evidence/hsm/index.js';
import { utf8 } from '../../../../src/core/util/bytes.js';
import { VECTORS_DIR } from '../../../support/vectors.js';
import { failsClosed, fragmentText, mutated, params } from '../../../support/property.js';

const ROOT = join(import.meta.dirname, '../../../..');

function textFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return textFiles(path);
    return name.endsWith('.txt') ? [path] : [];
  });
}

const SEEDS = [...textFiles(join(VECTORS_DIR, 'hsm-outputs')), ...textFiles(join(ROOT, 'assets/ceremonies'))].map(
  (path) => new Uint8Array(readFileSync(path)),
);
const LINES = [...new Set(SEEDS.flatMap((b) => new TextDecoder().decode(b).split('\n')))].map((l) => `${l}\n`);
const PARSERS = Object.keys(HSM_PARSERS);
const CODES = ['EVIDENCE_INVALID', 'EVIDENCE_UNSUPPORTED', 'INPUT_TOO_LARGE', 'ENCODING_INVALID'];

function readsOrRefuses(bytes: Uint8Array, parser: string | undefined): void {
  const read = failsClosed(() => parseHsmOutput(bytes, parser, 'evidence'));
  if (read.ok) {
    expect(typeof read.value.text).toBe('string');
    expect(Array.isArray(read.value.objects) && Array.isArray(read.value.errors)).toBe(true);
  } else {
    expect(CODES).toContain(read.error.code);
  }
}

describe('HSM transcripts', () => {
  it('has real transcripts of every kind to start from', () => {
    expect(SEEDS.length).toBeGreaterThan(30);
    const formats = new Set(SEEDS.map((b) => detectHsmFormat(new TextDecoder().decode(b))));
    for (const f of ['pkcs11-tool', 'softhsm2-util', 'yubihsm-shell', 'luna', 'cloudhsm-kmu', 'cloudhsm-cli']) {
      expect(formats, f).toContain(f);
    }
  });

  it('damaged transcripts are read by every parser or refused with an evidence error', () => {
    fc.assert(fc.property(mutated(SEEDS, 4), fc.constantFrom(undefined, ...PARSERS), readsOrRefuses), params(1500));
  });

  it('transcripts spliced from the lines of different tools', () => {
    fc.assert(
      fc.property(fragmentText(LINES, 80), fc.constantFrom(undefined, ...PARSERS), (text, parser) =>
        readsOrRefuses(utf8(text), parser),
      ),
      params(1000),
    );
  });

  const KEYWORDS = [
    'Slot ',
    'Token ',
    'label',
    'Label:',
    'Serial number:',
    'Object ',
    'Public Key Object; ',
    'Private Key Object; ',
    'EC_POINT:',
    'EC_PARAMS:',
    'ID:',
    'Usage:',
    'Access:',
    'sensitive, ',
    'always sensitive, ',
    'never extractable, ',
    'local',
    'CKR_',
    'error:',
    'Error',
    'Found ',
    'objects',
    'Key handle:',
    'Cfm3',
    'Command:',
    '{',
    '}',
    '"',
    '[',
    ']',
    ':',
    '=',
    ',',
    ' ',
    '  ',
    '\t',
    '\n',
    '\r\n',
    '\r',
    '\u2028',
    '-----BEGIN PUBLIC KEY-----\n',
    '-----END PUBLIC KEY-----\n',
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE',
    '0x',
    '1234',
    '\u0000',
    '\u00a0',
    '\ufeff',
  ];
  it('lines built from the tools’ own keywords', () => {
    fc.assert(
      fc.property(fragmentText(KEYWORDS, 120), fc.constantFrom(undefined, ...PARSERS), (text, parser) =>
        readsOrRefuses(utf8(text), parser),
      ),
      params(1500),
    );
  });

  it('the detector names a known parser, and reading with it is reading with none named', () => {
    fc.assert(
      fc.property(fc.oneof(mutated(SEEDS, 2), fragmentText(LINES, 40).map(utf8)), (bytes) => {
        const text = new TextDecoder().decode(bytes);
        const detected = failsClosed(() => detectHsmFormat(text));
        if (!detected.ok) {
          expect(CODES).toContain(detected.error.code);
          return;
        }
        expect(PARSERS).toContain(detected.value);
        const implicit = failsClosed(() => parseHsmOutput(bytes, undefined, 'evidence'));
        const explicit = failsClosed(() => parseHsmOutput(bytes, detected.value, 'evidence'));
        expect(implicit.ok).toBe(explicit.ok);
        if (implicit.ok && explicit.ok) expect(implicit.value).toEqual(explicit.value);
      }),
      params(600),
    );
  });
});
