import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { makeFixtures, openssl, type Fixtures } from '../core/evidence/fixtures.js';
import { VECTORS_DIR } from '../../support/vectors.js';

const V = VECTORS_DIR;
let fx: Fixtures;
let bad: string;

async function inspect(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['inspect', ...args], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdoutBytes: () => {
      throw new Error('inspect prints text only');
    },
  });
  return { code, out, err };
}

beforeAll(() => {
  fx = makeFixtures();
  bad = mkdtempSync(join(tmpdir(), 'kw-inspect-'));
  const root = readFileSync(join(fx.dir, 'root.pem'), 'utf8');
  const der = readFileSync(join(fx.dir, 'root.der'));
  writeFileSync(join(bad, 'empty.pem'), '');
  writeFileSync(join(bad, 'truncated.der'), der.subarray(0, 200));
  writeFileSync(join(bad, 'trailing.der'), Buffer.concat([der, Buffer.from([0, 0])]));
  writeFileSync(join(bad, 'wrong-label.pem'), root.replace(/CERTIFICATE/g, 'X509 CRL'));
  writeFileSync(join(bad, 'huge.der'), Buffer.alloc(1024 * 1024 + 1, 0x30));
  const flipped = Buffer.from(der);
  flipped[1] = flipped[1]! ^ 0x40;
  writeFileSync(join(bad, 'bitflip.der'), flipped);
});

describe('keywitness inspect', () => {
  it('detects the kind of every evidence file and prints facts and fingerprints', async () => {
    const files = [
      join(fx.dir, 'root.pem'),
      join(fx.dir, 'int.csr'),
      join(fx.dir, 'p256.pub.pem'),
      join(V, 'dnssec/iana/root-anchors.xml'),
      join(V, 'hsm-outputs/yubihsm/developers.yubico.com-get-pubkey.txt'),
      join(fx.dir, 'root.der'),
    ];
    const { code, out, err } = await inspect(...files);
    expect([code, err]).toEqual([0, '']);
    const fp = openssl(fx.dir, ['x509', '-in', 'root.pem', '-noout', '-fingerprint', '-sha256']).trim().split('=')[1]!;
    expect(out).toContain(`SHA-256: ${fp}`);
    expect(out).toContain('subject: CN=Example Root CA 2026,O=Example,C=DE');
    expect(out).toContain('self-signature: valid');
    expect(out).toContain(': csr (');
    expect(out).toContain('signature: valid');
    expect(out).toContain(': public-key (');
    expect(out).toContain('. IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16');
    expect(out).toContain('SPKI SHA-256: 36:BF:50:66:CF:8F:27:D6');
    expect(out).toMatch(/words: \w+ \w+/);
  });

  it('--json prints the documented shape', async () => {
    const { code, out } = await inspect('--json', join(fx.dir, 'chain.pem'), join(bad, 'empty.pem'));
    expect(code).toBe(1);
    const doc = JSON.parse(out) as {
      format: string;
      files: {
        file: string;
        ok: boolean;
        evidence?: Record<string, unknown>;
        error?: { code: string; message: string };
      }[];
    };
    expect(doc.format).toBe('keywitness-inspect/1');
    const [chain, empty] = doc.files;
    expect(chain!.ok).toBe(true);
    expect(chain!.evidence!.kind).toBe('certificate');
    const certs = chain!.evidence!.certificates as Record<string, unknown>[];
    expect(certs).toHaveLength(2);
    expect(Object.keys(certs[0]!).sort()).toEqual([
      'extensions',
      'issuer',
      'key',
      'lints',
      'notAfter',
      'notBefore',
      'selfIssued',
      'selfSignature',
      'serial',
      'serialBits',
      'sha1',
      'sha256',
      'signatureAlgorithm',
      'subject',
      'validityDays',
      'version',
      'warnings',
    ]);
    expect(Object.keys(certs[0]!.sha256 as object).sort()).toEqual(['algorithm', 'colonHex', 'hex', 'short', 'words']);
    expect(chain!.evidence!.chain).toEqual([
      expect.objectContaining({ index: 0, status: 'valid' }),
      expect.objectContaining({ index: 1, issuedBy: 'itself', status: 'valid' }),
    ]);
    expect(empty).toEqual({
      file: join(bad, 'empty.pem'),
      ok: false,
      error: { code: 'EVIDENCE_INVALID', message: expect.stringMatching(/empty input/) },
    });
  });

  const cases: [string, string[], RegExp][] = [
    ['truncated DER', ['truncated.der'], /ERROR EVIDENCE_INVALID: .*claims \d+ content bytes but only \d+ remain/],
    [
      'trailing garbage',
      ['trailing.der', '--kind', 'certificate'],
      /ERROR EVIDENCE_INVALID: .*2 trailing bytes after the DER element/,
    ],
    [
      'wrong PEM label',
      ['wrong-label.pem', '--kind', 'certificate'],
      /ERROR EVIDENCE_INVALID: .*PEM label "X509 CRL" is not one of/,
    ],
    ['huge file', ['huge.der'], /ERROR INPUT_TOO_LARGE: .*huge\.der is 1048577 bytes; at most 1048576/],
    ['bit-flipped length', ['bitflip.der', '--kind', 'certificate'], /ERROR EVIDENCE_INVALID/],
    ['missing file', ['nope.pem'], /ERROR NOT_FOUND: .*nope\.pem: no such file/],
  ];
  it.each(cases)('%s: a specific error and exit 1, no stack trace', async (_n, args, pattern) => {
    const [file, ...rest] = args;
    const { code, out, err } = await inspect(join(bad, file!), ...rest);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(pattern);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('usage errors exit 2', async () => {
    expect((await inspect()).code).toBe(2);
    expect((await inspect('--kind', 'x509', 'a')).err).toMatch(
      /^keywitness inspect: INPUT_INVALID: arguments: unknown kind "x509"; usage: keywitness inspect FILE/,
    );
    expect((await inspect('--frobnicate', 'a')).err).toMatch(
      /^keywitness inspect: INPUT_INVALID: arguments: Unknown option '--frobnicate'/,
    );
    expect((await inspect('--json', '--json', 'a')).err).toMatch(/--json given twice/);
  });
});
