/**
 * Files as the tools write them: a PEM file with OpenSSL's text dump after the block (`openssl pkey
 * -pubin -text -out F`) or before it (`openssl x509 -text`) is read as openssl reads it, the PEM
 * block being the evidence and the dump noted; DER written as base64 without armour or as hex
 * (`xxd -p`) is recognised and read with a note; other text is refused saying what it looks like.
 * Every file is made by OpenSSL during the run and read back by OpenSSL to agree on the key.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../src/cli/main.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { detectEvidenceKind, parseEvidence } from '../../../../src/core/evidence/parse.js';
import { readTrustMaterial, verifyEvidenceSignatures } from '../../../../src/core/evidence/verify-signatures.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { makeFixtures, openssl, type Fixtures } from './fixtures.js';

let fx: Fixtures;
const path = (n: string): string => join(fx.dir, n);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

beforeAll(() => {
  installCryptoEngine();
  fx = makeFixtures();
  openssl(fx.dir, ['pkey', '-pubin', '-in', 'p256.pub.pem', '-text', '-out', 'p256.pub.text.pem']);
  openssl(fx.dir, ['x509', '-in', 'root.pem', '-text', '-out', 'root.text.pem']);
  const body = readFileSync(path('root.pem'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'));
  writeFileSync(path('root.b64'), `${body.join('\n')}\n`);
  writeFileSync(path('root.hex'), execFileSync('xxd', ['-p', path('root.der')], { encoding: 'utf8' }));
});

describe('PEM with text outside the block', () => {
  it('reads the public key `openssl pkey -pubin -text` wrote, as openssl does, and notes the dump', async () => {
    const bytes = fx.read('p256.pub.text.pem');
    expect(new TextDecoder().decode(bytes)).toMatch(/-----END PUBLIC KEY-----\nPublic-Key: \(256 bit\)\npub:/);
    expect(detectEvidenceKind(bytes)).toBe('public-key');
    const p = parseEvidence('public-key', bytes, undefined, 'pub');
    const plain = parseEvidence('public-key', fx.read('p256.pub.pem'), undefined, 'pub');
    if (p.kind !== 'public-key' || plain.kind !== 'public-key') throw new Error('not a key');
    expect(p.key.spkiSha256.hex).toBe(plain.key.spkiSha256.hex);
    // OpenSSL reads the same key from the same file.
    const theirs = openssl(fx.dir, ['pkey', '-pubin', '-in', 'p256.pub.text.pem', '-outform', 'DER']);
    expect(theirs.length).toBeGreaterThan(0);
    expect(p.notes).toEqual([
      expect.stringMatching(
        /^\d+ lines of text outside the PEM block, some after it \(lines 5–\d+\), as openssl -text writes them: ignored/,
      ),
    ]);
    expect(plain.notes).toEqual([]);
    const item = {
      spec: { id: 'pub', kind: 'public-key' as const, parser: undefined, expect: {}, required: true },
      bytes,
    };
    const [parse] = await checkEvidence(item, new Map([['pub', item]]));
    expect(parse).toMatchObject({
      ok: true,
      observed: expect.stringMatching(/^ECDSA public key; note: \d+ lines of text outside/),
    });
  });

  it('notes the dump `openssl x509 -text` writes before the block; inspect and verify say so', async () => {
    const p = parseEvidence('certificate', fx.read('root.text.pem'), undefined, 'root');
    expect(p.notes).toEqual([
      expect.stringMatching(/^\d+ lines of text outside the PEM block \(lines 1–\d+\), as openssl/),
    ]);
    let out = '';
    expect(
      await main(['inspect', path('p256.pub.text.pem')], {
        stdout: (t) => (out += t),
        stderr: (t) => (out += t),
        stdoutBytes: () => undefined,
      }),
    ).toBe(0);
    expect(out).toMatch(/\n {2}note: \d+ lines of text outside the PEM block, some after it/);
    const v = await verifyEvidenceSignatures(fx.read('root.text.pem'), 'root', readTrustMaterial([]), {
      at: new Date(),
    });
    expect(v.checks.map((c) => c.status)).toEqual(['valid']);
    expect(v.notes).toEqual([expect.stringMatching(/lines of text outside the PEM block/)]);
  });
});

describe('DER without PEM armour', () => {
  it.each([
    ['base64 (a PEM body without its BEGIN and END lines)', 'root.b64', 'base64'],
    ['hex, as xxd -p writes it', 'root.hex', 'hex'],
  ])('recognises %s and reads the DER it decodes to', async (_n, file, form) => {
    const bytes = fx.read(file);
    expect(detectEvidenceKind(bytes)).toBe('certificate');
    const p = parseEvidence('certificate', bytes, undefined, file);
    const der = parseEvidence('certificate', fx.read('root.der'), undefined, 'der');
    if (p.kind !== 'certificate' || der.kind !== 'certificate') throw new Error('not a certificate');
    expect(p.certificates[0].sha256.hex).toBe(der.certificates[0].sha256.hex);
    expect(p.notes).toEqual([
      `the file is ${form} without PEM armour (no -----BEGIN line); it was read as the ${fx.read('root.der').length}-byte DER it decodes to`,
    ]);
    const v = await verifyEvidenceSignatures(bytes, file, readTrustMaterial([]), { at: new Date() });
    expect([v.kinds, v.checks.map((c) => c.status), v.notes?.length]).toEqual([['certificate'], ['valid'], 1]);
  });

  const refused: [string, string, RegExp][] = [
    ['hex with an odd number of digits', '3082010', /hex with an odd number of digits \(7\)/],
    ['hex that is not DER', 'deadbeef', /hex of 4 bytes that are not DER \(the first byte is 0xde, not 0x30\)/],
    [
      'base64 that is not DER',
      'aGVsbG8gd29ybGQh',
      /base64 of 12 bytes that are not DER \(the first byte is 0x68, not 0x30\)/,
    ],
    [
      'base64 that does not decode',
      'MIIBkTCB+6ADAgECAg',
      /base64 that does not decode \(base64 length 18 is not a multiple of 4\)/,
    ],
    ['plain words', 'Subject: CN=Example Root', /text beginning "Subject: CN=Example Root"/],
  ];
  it.each(refused)('refuses %s, saying what it looks like', (_n, text, message) => {
    expect(() => parseEvidence('certificate', utf8(`${text}\n`), undefined, 'f')).toThrow(
      /neither DER nor PEM: no "-----BEGIN" line \(expected CERTIFICATE or X509 CERTIFICATE\), and not base64 or hex of DER: /,
    );
    expect(() => parseEvidence('certificate', utf8(`${text}\n`), undefined, 'f')).toThrow(message);
    expect(detectEvidenceKind(utf8(text))).toBe('file');
  });
});
