import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toWords } from '../../../../src/core/protocol/words.js';
import { scriptHashText } from '../../../../src/core/script/hash-text.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { matchesInputPattern } from '../../../../src/core/script/steps.js';
import { toHex, utf8 } from '../../../../src/core/util/bytes.js';
import { BASE, build, catchError, edit, insertAfter } from './fixture.js';

const CEREMONIES = fileURLToPath(new URL('../../../../assets/ceremonies/', import.meta.url));
const sample = (name: string): Uint8Array => readFileSync(`${CEREMONIES}${name}`);
const nodeSha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('sample scripts', () => {
  const files = readdirSync(CEREMONIES).filter((f) => f.endsWith('.yaml'));

  it('ships the rehearsal and the minimal script', () => {
    expect(files).toEqual(expect.arrayContaining(['root-ca-rehearsal.yaml', 'minimal.yaml']));
  });

  it.each(files)('%s parses, and its hash is SHA-256 of the file bytes', (file) => {
    const bytes = sample(file);
    const script = parseScript(bytes);
    expect(toHex(script.hash)).toBe(nodeSha256(bytes));
    expect(script.steps.length).toBeGreaterThan(0);
  });

  it('the rehearsal has the roles, quorum and checks the ceremony needs', () => {
    const script = parseScript(sample('root-ca-rehearsal.yaml'));
    expect(script.roles.map((r) => [r.id, r.coordinator, r.min, r.max])).toEqual([
      ['admin', true, 1, 1],
      ['witness', false, 2, undefined],
      ['custodian', false, 3, 7],
      ['auditor', false, 0, undefined],
    ]);
    const keygen = script.steps.find((s) => s.evidence.some((e) => e.id === 'keygen'))!;
    expect(keygen.irreversible).toEqual({ confirm: 'root-ca-p384' });
    expect(keygen.acks).toEqual({ roles: ['witness', 'custodian'], min: 3, recompute: true, challenge: true });
    expect(keygen.evidence[0]!.expect).toMatchObject({ key_type: 'EC', curve: 'secp384r1', label: 'root-ca-p384' });
    const root = script.steps.flatMap((s) => s.evidence).find((e) => e.id === 'root')!;
    expect(root.kind).toBe('certificate');
    expect(root.expect).toMatchObject({
      subject: 'CN=Example Root CA P-384 2026,O=Example Trust Services Ltd,C=GB',
      self_signed: true,
      spki_equals: 'keygen',
      validity_days: 9131,
      basic_constraints: { ca: true },
      key_usage: ['keyCertSign', 'cRLSign'],
    });
    // Every bag number typed during the ceremony is checked against a value known in advance.
    const bagInputs = script.steps.flatMap((s) => s.inputs).filter((i) => i.label.includes('bag'));
    expect(bagInputs.length).toBeGreaterThanOrEqual(8);
    for (const input of bagInputs) {
      expect(input.expect?.ref).toMatch(/^\$expected\.bag_/);
      expect(matchesInputPattern(input.pattern!, input.expect!.value)).toBe(true);
    }
  });

  it('a CRLF copy of a script parses the same but has a different hash', () => {
    const lf = sample('minimal.yaml');
    const crlf = utf8(new TextDecoder().decode(lf).replace(/\n/g, '\r\n'));
    const a = parseScript(lf);
    const b = parseScript(crlf);
    expect({ ...b, hash: undefined }).toEqual({ ...a, hash: undefined });
    expect(toHex(b.hash)).toBe(nodeSha256(crlf));
    expect(toHex(b.hash)).not.toBe(toHex(a.hash));
  });
});

describe('the parsed model', () => {
  const script = parseScript(build(BASE));

  it('holds every field with defaults applied', () => {
    expect(script.format).toBe('keywitness-script/1');
    expect(script.id).toBe('test-script');
    expect(script.description).toBeUndefined();
    expect(script.steps.map((s) => [s.id, s.index, s.actor])).toEqual([
      ['s1', 0, 'admin'],
      ['s2', 1, undefined],
      ['s3', 2, undefined],
    ]);
    expect(script.steps[1]!.instructions).toBe('');
    expect(script.steps[0]!.acks).toEqual({ roles: ['witness'], min: 2, recompute: false, challenge: false });
    expect(script.steps[1]!.evidence[0]!.required).toBe(true);
    expect(script.steps[2]!.evidence[0]!.required).toBe(false);
    expect(script.steps[2]!.evidence[0]!.parser).toBeUndefined();
  });

  it('resolves $expected references into value and ref', () => {
    expect(script.expected).toEqual({ bag: 'TEB-1', subject: 'CN=Test Root' });
    expect(script.steps[0]!.inputs[0]!.expect).toEqual({ value: 'TEB-1', ref: '$expected.bag' });
    expect(script.steps[2]!.evidence[0]!.expect).toEqual({
      subject: 'CN=Test Root',
      spki_equals: 'keygen',
      key_usage: ['keyCertSign', 'cRLSign'],
    });
  });

  it('anchors input patterns', () => {
    const pattern = script.steps[0]!.inputs[0]!.pattern!;
    expect(matchesInputPattern(pattern, 'TEB-1')).toBe(true);
    expect(matchesInputPattern(pattern, 'xTEB-1')).toBe(false);
    expect(matchesInputPattern(pattern, 'TEB-1x')).toBe(false);
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(script)).toBe(true);
    expect(Object.isFrozen(script.steps[0]!.inputs[0]!.expect)).toBe(true);
    expect(Object.isFrozen(script.steps[2]!.evidence[0]!.expect)).toBe(true);
    expect(() => (script.roles as unknown as unknown[]).push({})).toThrow(TypeError);
  });

  it('decodes a pinned fingerprint given as hex with colons', () => {
    expect(toHex(script.participants[0]!.fingerprint)).toBe('00'.repeat(31) + 'ff');
    expect(script.participants[0]).toMatchObject({ name: 'Alice', role: 'witness' });
  });
});

describe('$expected resolution', () => {
  it('substitutes references anywhere inside an expect map, including lists', () => {
    const s = parseScript(build(insertAfter(BASE, 45, '          present: [$expected.bag, "$$literal", plain]')));
    expect(s.steps[1]!.evidence[0]!.expect.present).toEqual(['TEB-1', '$literal', 'plain']);
  });

  it('resolves irreversible.confirm and leaves literals alone', () => {
    const s = parseScript(build(edit(BASE, { 38: '      confirm: $expected.subject' })));
    expect(s.steps[1]!.irreversible).toEqual({ confirm: 'CN=Test Root' });
    expect(parseScript(build(BASE)).steps[1]!.irreversible).toEqual({ confirm: 'root-key' });
  });

  it('keeps a literal input expectation without a ref', () => {
    const s = parseScript(build(edit(BASE, { 30: '        expect: TEB-77' })));
    expect(s.steps[0]!.inputs[0]!.expect).toEqual({ value: 'TEB-77', ref: undefined });
  });

  it('keeps names such as __proto__ as ordinary entries', () => {
    const s = parseScript(
      build(edit(BASE, { 21: '  __proto__: "CN=Proto"', 58: '          subject: $expected.__proto__' })),
    );
    expect(Object.getPrototypeOf(s.expected)).toBe(Object.prototype);
    expect(Object.keys(s.expected)).toEqual(['bag', '__proto__']);
    expect(s.steps[2]!.evidence[0]!.expect.subject).toBe('CN=Proto');
  });

  it('accepts an empty expected map and empty optional lists', () => {
    const s = parseScript(
      build(
        edit(BASE, {
          15: 'participants:',
          16: null,
          17: null,
          18: null,
          19: 'expected:',
          20: null,
          21: null,
          30: '        expect: TEB-1',
          58: '          subject: CN=Test Root',
        }),
      ),
    );
    expect(s.participants).toEqual([]);
    expect(s.expected).toEqual({});
  });
});

describe('pinned fingerprints', () => {
  const fp = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
  const withFingerprint = (text: string): Uint8Array =>
    build(edit(BASE, { 18: `    fingerprint: ${JSON.stringify(text)}` }));

  it.each([
    ['lower-case hex', toHex(fp)],
    ['upper-case hex with colons', Array.from(fp, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')],
    [
      'hex in groups with spaces',
      toHex(fp)
        .replace(/(.{8})/g, '$1 ')
        .trim(),
    ],
    ['32 PGP words', toWords(fp).join(' ')],
    ['32 PGP words, lower case, hyphenated', toWords(fp).join('-').toLowerCase()],
  ])('accepts %s', (_name, text) => {
    expect(toHex(parseScript(withFingerprint(text)).participants[0]!.fingerprint)).toBe(toHex(fp));
  });

  it.each([
    ['63 hex digits', toHex(fp).slice(1), /64 hex digits.*63/],
    ['31 PGP words', toWords(fp).slice(0, 31).join(' '), /31 PGP words/],
    ['two words swapped', [toWords(fp)[1], toWords(fp)[0], ...toWords(fp).slice(2)].join(' '), /position 1/],
    ['a word not in the list', ['zebra', ...toWords(fp).slice(1)].join(' '), /"zebra".*not in the PGP word list/],
  ])('rejects %s at participants[0].fingerprint (line 18)', (_name, text, message) => {
    const error = catchError(() => parseScript(withFingerprint(text)));
    expect(error.code).toBe('SCRIPT_INVALID');
    expect(error.where).toBe('participants[0].fingerprint (line 18)');
    expect(error.message).toMatch(message);
  });
});

describe('scriptHashText', () => {
  it('renders the hash as hex, colon hex, 32 words and the short form (the first four)', () => {
    const bytes = build(BASE);
    const text = scriptHashText(parseScript(bytes).hash);
    const hex = nodeSha256(bytes);
    expect(text.hex).toBe(hex);
    expect(text.colonHex).toBe(hex.toUpperCase().match(/../g)!.join(':'));
    expect(text.words).toHaveLength(32);
    expect(text.short).toBe(text.words.slice(0, 4).join(' '));
  });

  it('rejects a hash that is not 32 bytes', () => {
    const error = catchError(() => scriptHashText(new Uint8Array(20)));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toMatch(/32 bytes.*got 20 bytes/);
  });
});

describe('arguments', () => {
  it.each([
    ['a string instead of bytes', () => parseScript('format: x' as unknown as Uint8Array), 'bytes'],
    ['maxBytes 0', () => parseScript(build(BASE), { maxBytes: 0 }), 'options.maxBytes'],
    ['maxBytes 1.5', () => parseScript(build(BASE), { maxBytes: 1.5 }), 'options.maxBytes'],
  ])('%s is INPUT_INVALID', (_name, call, where) => {
    const error = catchError(call);
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.where).toBe(where);
  });
});
