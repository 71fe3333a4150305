/**
 * The HSM transcript detector and parsers are linear in their input: no regex rescans a run of
 * blank lines, spaces, tabs or repeated keywords (docs/architecture.md, "Limits"). Two kinds of
 * evidence:
 *
 * - Adversarial transcripts at the 1 MiB evidence limit (newlines, blanks, repeated keywords, open
 *   PEM blocks…) run through the detector and every parser, and the results are asserted. The
 *   former regexes took 25 s on 64 KiB of newlines and never ended on 1 MiB; these finish because
 *   the work is linear, no timeout is involved.
 * - The linear parsers read short random transcripts exactly as the former regex parsers did
 *   (kept verbatim as an oracle in ./hsm-reference), so the facts and check results recorded in
 *   earlier sessions stay the same when an audit recomputes them.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isKeywitnessError } from '../../../../src/core/errors.js';
import { MAX_EVIDENCE_BYTES } from '../../../../src/core/evidence/der.js';
import { colonFacts } from '../../../../src/core/evidence/hsm/common.js';
import { detectHsmFormat, HSM_PARSERS, type HsmFacts } from '../../../../src/core/evidence/hsm/index.js';
import { mulberry32 } from '../../../support/prng.js';
import { colonFacts as oracleColonFacts } from './hsm-reference/common.js';
import { detectHsmFormat as oracleDetect, HSM_PARSERS as ORACLE_PARSERS } from './hsm-reference/index.js';

const MiB = MAX_EVIDENCE_BYTES;
/** `unit` repeated to exactly `length` characters. */
const fill = (unit: string, length = MiB): string => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
/** `head` + `unit` repeated + `tail`, exactly 1 MiB long. */
const around = (head: string, unit: string, tail = ''): string =>
  head + fill(unit, MiB - head.length - tail.length) + tail;

/** One parser per implementation (aliases such as `cmu` and `lunash` share `luna`'s). */
const PARSERS = [
  'pkcs11-tool',
  'softhsm2-util',
  'yubihsm-shell',
  'openssl',
  'luna',
  'cloudhsm-kmu',
  'cloudhsm-cli',
  'text',
];

type Outcome = { readonly ok: true; readonly facts: HsmFacts } | { readonly ok: false; readonly error: string };

function outcome(parse: () => HsmFacts): Outcome {
  try {
    return { ok: true, facts: parse() };
  } catch (e) {
    if (!isKeywitnessError(e)) throw e;
    return { ok: false, error: `${e.code}: ${e.message}` };
  }
}

const run = (parser: string, text: string): Outcome => outcome(() => HSM_PARSERS[parser]!(text, 'hsm'));
const facts = (parser: string, text: string): HsmFacts => {
  const o = run(parser, text);
  if (!o.ok) throw new Error(`${parser} refused: ${o.error}`);
  return o.facts;
};

const publicKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
  type: 'spki',
  format: 'pem',
});

describe('1 MiB of adversarial text: the detector and every parser finish, with these results', () => {
  it('1 MiB of newlines', () => {
    const text = fill('\n');
    expect(detectHsmFormat(text)).toBe('text');
    expect(facts('pkcs11-tool', text)).toMatchObject({ success: undefined, errors: [], objects: [] });
    expect(facts('softhsm2-util', text)).toMatchObject({ success: true, facts: { initialized_tokens: '0' } });
    expect(facts('yubihsm-shell', text)).toMatchObject({ success: true, objects: [] });
    expect(facts('openssl', text)).toMatchObject({ success: undefined, facts: { document: 'public key' } });
    expect(facts('luna', text)).toMatchObject({ success: undefined, facts: {}, objects: [] });
    expect(facts('cloudhsm-kmu', text)).toMatchObject({ success: undefined, objects: [] });
    expect(run('cloudhsm-cli', text)).toEqual({
      ok: false,
      error: 'EVIDENCE_INVALID: hsm: no JSON result in cloudhsm-cli output',
    });
    for (const alias of ['cmu', 'lunash', 'key_mgmt_util']) expect(facts(alias, text).objects).toEqual([]);
  });

  // [name, text, detected format, what each listed parser must find]
  const SHAPES: [string, () => string, string, Record<string, (f: HsmFacts) => void>][] = [
    ['blank lines of spaces', () => fill(' \n'), 'text', { luna: (f) => expect(f.objects).toEqual([]) }],
    ['one line of spaces', () => fill(' '), 'text', { 'pkcs11-tool': (f) => expect(f.errors).toEqual([]) }],
    ['one line of tabs', () => fill('\t'), 'text', { luna: (f) => expect(f.objects).toEqual([]) }],
    ['tab lines', () => fill('\t\n'), 'text', { luna: (f) => expect(f.objects).toEqual([]) }],
    ['"a" lines', () => fill('a\n'), 'text', { openssl: (f) => expect(f.facts.document).toBe('public key') }],
    [
      'a label, 1 MiB of spaces and no colon',
      () => around('Label', ' '),
      'text',
      { luna: (f) => expect(f.facts).toEqual({}) },
    ],
    [
      'a label, a colon, 1 MiB of spaces, a value',
      () => around('Serial Number:', ' ', 'X1'),
      'text',
      { luna: (f) => expect(f.facts).toMatchObject({ serial_number: 'X1', serial: 'X1' }) },
    ],
    [
      'a value of spaces that ends in a line terminator',
      () => around('Label:', ' ', '\r'),
      'text',
      { luna: (f) => expect(f.facts).toEqual({}) },
    ],
    [
      'Cfm3Cfm3… returned',
      () => around('', 'Cfm3', 'x returned: 0x00 : HSM Return: SUCCESS'),
      'cloudhsm-kmu',
      { 'cloudhsm-kmu': (f) => expect([f.success, f.errors]).toEqual([true, []]) },
    ],
    [
      'Cfm3Cfm3… without "returned"',
      () => fill('Cfm3'),
      'text',
      { 'cloudhsm-kmu': (f) => expect(f.success).toBeUndefined() },
    ],
    [
      'cmu gen with 1 MiB of -modulusBits',
      () => around('h# cmu gen', ' -modulusBits=2048', ' -label=root'),
      'luna',
      {
        luna: (f) =>
          expect(f.objects).toEqual([expect.objectContaining({ class: 'key-pair', bits: 2048, label: 'root' })]),
      },
    ],
    [
      'cmu gen, repeated, no label',
      () => fill('cmu gen -modulusBits=1 '),
      'text',
      { luna: (f) => expect(f.objects).toEqual([]) },
    ],
    [
      'partition rows on one line, tab-separated',
      () => fill('123456 part 1 2 3 4\t', 20 * 50_000),
      'text',
      {
        luna: (f) => {
          expect(f.objects).toHaveLength(50_000);
          expect(f.objects[49_999]).toMatchObject({ class: 'partition', id: '123456', label: 'part' });
        },
      },
    ],
    ['long digit runs', () => fill('1234567 '), 'text', { luna: (f) => expect(f.objects).toEqual([]) }],
    [
      'Command Result without a closing parenthesis',
      () => fill('Command Result : 0 ('),
      'luna',
      { luna: (f) => expect([f.success, f.errors]).toEqual([undefined, []]) },
    ],
    [
      'an object head, 1 MiB of spaces, a line terminator',
      () => around('Private Key Object; EC', ' ', '\r'),
      'pkcs11-tool',
      { 'pkcs11-tool': (f) => expect(f.objects).toEqual([]) },
    ],
    [
      'object heads, one per line',
      () => fill('Public Key Object; EC  EC_POINT 256 bits\n', 41 * 20_000),
      'pkcs11-tool',
      {
        'pkcs11-tool': (f) => {
          expect(f.objects).toHaveLength(20_000);
          expect(f.objects[0]).toMatchObject({ class: 'public-key', keyType: 'EC', bits: 256 });
        },
      },
    ],
    [
      'one object with 1 MiB of attribute lines',
      () => around('Private Key Object; RSA\n', '  label: k\n'),
      'pkcs11-tool',
      { 'pkcs11-tool': (f) => expect(f.objects).toEqual([expect.objectContaining({ label: 'k', keyType: 'RSA' })]) },
    ],
    [
      'an attribute line of 1 MiB of spaces',
      () => around('Private Key Object; RSA\n ', ' ', 'x'),
      'pkcs11-tool',
      { 'pkcs11-tool': (f) => expect(f.objects[0]!.attributes).toEqual({}) },
    ],
    [
      'CKR_CKR_CKR_… as one word',
      () => around('', 'CKR_', 'PIN'),
      'text',
      { 'pkcs11-tool': (f) => expect([f.success, f.errors.length]).toEqual([false, 1]) },
    ],
    [
      'CKR_CKR_CKR_… glued to a digit',
      () => around('', 'CKR_', '1'),
      'text',
      { 'pkcs11-tool': (f) => expect(f.errors).toEqual([]) },
    ],
    [
      'PEM BEGIN lines without END, then a public key',
      () => around('', '-----BEGIN CERTIFICATE-----\n', `\n${publicKeyPem}`),
      'text',
      { 'pkcs11-tool': (f) => expect(f.publicKeys).toHaveLength(1) },
    ],
    [
      'Serial Number: after 1 MiB of blank lines',
      () => around('', '\n', '    Serial Number:\n        01:02\n'),
      'text',
      { openssl: (f) => expect(f.facts.serial).toBe('01:02') },
    ],
    [
      'Slot lines with long values',
      () => around('Slot 0\n    Label:', ' ', 'kw\n    Initialized: yes\n'),
      'text',
      { 'softhsm2-util': (f) => expect(f.facts).toMatchObject({ token_label: 'kw', initialized_tokens: '1' }) },
    ],
    [
      'aws-cloudhsm prompt and 1 MiB of words',
      () => around('aws-cloudhsm > ', 'a ', '{"error_code":0,"data":{}}'),
      'cloudhsm-cli',
      {
        'cloudhsm-cli': (f) =>
          expect([f.success, f.facts.command?.slice(0, 5), f.facts.command?.endsWith('a a')]).toEqual([
            true,
            'a a a',
            true,
          ]),
      },
    ],
  ];

  it.each(SHAPES)('%s', (_name, make, format, wants) => {
    const text = make();
    expect(text.length).toBeLessThanOrEqual(MiB);
    expect(detectHsmFormat(text)).toBe(format);
    for (const parser of PARSERS) {
      const result = run(parser, text);
      const want = wants[parser];
      if (want) {
        if (!result.ok) throw new Error(`${parser} refused: ${result.error}`);
        want(result.facts);
      }
    }
  });

  it('text over the evidence limit is refused before it is read, by the detector and every parser', () => {
    const text = fill('\n', MiB + 1);
    const limit = `INPUT_TOO_LARGE: hsm: ${MiB + 1} characters is over the ${MiB}-byte limit for evidence`;
    expect(() => detectHsmFormat(text, 'hsm')).toThrow(`${MiB + 1} characters is over the ${MiB}-byte limit`);
    for (const parser of Object.keys(HSM_PARSERS))
      expect([parser, run(parser, text)]).toEqual([parser, { ok: false, error: limit }]);
  });
});

/** Pieces of every line the parsers look for, and the blanks and terminators around them. */
const PIECES = [
  '\n',
  '\n',
  '\n',
  ' ',
  ' ',
  '  ',
  '\t',
  '\r',
  '\u2028',
  '\u00a0',
  ':',
  ': ',
  ' : ',
  'a',
  'Z',
  'k',
  '1',
  '42',
  '123456',
  '0x1f',
  '#',
  '.',
  '-',
  '_',
  '(',
  ')',
  '"',
  ',',
  ', ',
  '[x]',
  'password',
  'Private Key Object;',
  'Public Key Object; EC',
  'Secret Key Object; AES length 32',
  'Data Object;',
  ' EC_POINT 256 bits',
  'length 4',
  ' bits',
  'label',
  '  label:',
  'ID:',
  'Manufacturer',
  'Library',
  'Cryptoki version 2.40',
  'Using slot 1 with a present token (0x1)',
  'Slot 1 (0x1):',
  'Slot 1',
  'token label',
  '  token label  :',
  'serial num',
  'Key pair generated:',
  '  Slot info:',
  '  Token info:',
  '    Initialized:',
  'yes',
  '    Serial number:',
  '    Label:',
  'has been initialized and is reassigned to slot 7',
  'ERROR:',
  'error:',
  'CKR_',
  'CKR_PIN',
  'ckr_x1',
  'Aborting.',
  'Failed to',
  'yubihsm>',
  'YubiHSM-Shell',
  'id: 0x0001, type: ',
  'asymmetric-key',
  'label: "k"',
  'algorithm: ecp256',
  'algorithm: rsa2048',
  'Generated asymmetric key 0x1',
  'yubihsm> generate asymmetric 0 0 k 1 sign-ecdsa ecp256',
  'Found 3 object(s)',
  'Unable',
  'lunash:>',
  '[x] lunash:>',
  'h# cmu ',
  'cmu gen',
  'cmu general',
  ' -modulusBits=2048',
  ' -label=k',
  'handle=12 label=k',
  'handle=1',
  ' label=',
  'Command Result : 0 (Success)',
  'Command Result : 1 (',
  'Command Result',
  'NOT in FIPS 140-2 approved operation mode',
  'Serial Number:',
  'Cfm3GenerateKeyPair',
  'CFM3x',
  ' returned: 0x00',
  ' RETURNED: 0X1',
  ' returned:',
  'Command:',
  ' genRSAKeyPair',
  ' findKey',
  '-l k',
  '-m 2048',
  '-i 2',
  'OBJ_ATTR_LABEL',
  'OBJ_ATTR_KEY_TYPE',
  'OBJ_ATTR_CLASS',
  '0x00',
  '0x02',
  'public key handle: 1 private key handle: 2',
  'Total number of keys present 3',
  'Signature verification successful',
  'CSP Error',
  'Subject:',
  'Issuer:',
  'Not Before',
  'Not After',
  'Signature Algorithm:',
  'Public Key Algorithm:',
  'Public-Key: (256 bit)',
  'ED25519 Public-Key:',
  'Certificate:',
  'Certificate Request:',
  'Exponent: 65537',
  'aws-cloudhsm >',
  '{',
  '}',
  'unable to ',
  '0123ABCD:error:',
  'pub:',
  '    04:ab',
  'ASN1 OID: prime256v1',
];

function randomTranscript(rand: () => number): string {
  let text = '';
  const n = 1 + Math.floor(rand() * 20);
  for (let i = 0; i < n; i++) text += PIECES[Math.floor(rand() * PIECES.length)];
  return text;
}

describe('the linear parsers read short transcripts exactly as the former regex parsers did', () => {
  const RUNS = Number(process.env.KW_ORACLE_RUNS ?? 3000);

  it(`detectHsmFormat on ${RUNS} random transcripts`, () => {
    const rand = mulberry32(0x5eed_0011);
    for (let i = 0; i < RUNS; i++) {
      const text = randomTranscript(rand);
      expect([text, detectHsmFormat(text)]).toEqual([text, oracleDetect(text)]);
    }
  });

  it(`colonFacts on ${RUNS} random lines`, () => {
    const rand = mulberry32(0x5eed_0012);
    for (let i = 0; i < RUNS; i++) {
      const lines = randomTranscript(rand).split('\n');
      const mine: Record<string, string> = {};
      const theirs: Record<string, string> = {};
      colonFacts(lines, mine);
      oracleColonFacts(lines, theirs);
      expect([lines, mine]).toEqual([lines, theirs]);
    }
  });

  it.each(Object.keys(HSM_PARSERS))(`%s on ${RUNS} random transcripts`, (parser) => {
    const rand = mulberry32(0x5eed_0100 + Object.keys(HSM_PARSERS).indexOf(parser));
    for (let i = 0; i < RUNS; i++) {
      const text = randomTranscript(rand);
      const oracle = outcome(() => ORACLE_PARSERS[parser]!(text, 'hsm'));
      expect([text, run(parser, text)]).toEqual([text, oracle]);
    }
  });
});
