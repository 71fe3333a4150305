/**
 * `keywitness inspect` shows each certificate's lints (text and `--json`, never changing the exit
 * code), and links a file's certificates only to an issuer whose name they carry: a CA bundle of
 * unrelated roots is each root self-signed, not a row of "invalid" links between neighbours, while
 * an intermediate is linked to its root wherever the root is in the file, and one whose issuer is
 * missing says so. Certificates are made by OpenSSL during the run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { makeFixtures, openssl, type Fixtures } from '../core/evidence/fixtures.js';

let fx: Fixtures;
const path = (name: string): string => join(fx.dir, name);

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

type Json = {
  files: { evidence: { certificates: { subject: string; lints: unknown[] }[]; chain: Record<string, unknown>[] } }[];
};

beforeAll(() => {
  fx = makeFixtures();
  // A CA signed with SHA-1 whose keyUsage is not critical: two error-level lints.
  openssl(fx.dir, [
    'req', '-new', '-x509', '-key', 'p256.key', '-sha1', '-subj', '/CN=SHA-1 Root', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash', '-out', 'sha1-root.pem',
  ]); // prettier-ignore
  const text = (n: string): string => readFileSync(path(n), 'utf8');
  // Five unrelated roots, then the intermediate, then the root that issued it: a CA bundle's order.
  writeFileSync(
    path('bundle.pem'),
    ['rsa.pem', 'ed25519.pem', 'ed448.pem', 'p521.pem', 'int.pem', 'sha1-root.pem', 'root.pem'].map(text).join(''),
  );
  writeFileSync(path('orphan.pem'), text('rsa.pem') + text('int.pem'));
});

describe('keywitness inspect: lints and the links of a CA bundle', () => {
  it('links a bundle’s certificates only to the issuer they name, wherever it is', async () => {
    const { code, out } = await inspect(path('bundle.pem'));
    expect(code).toBe(0);
    expect(out).not.toMatch(/: invalid/);
    expect(out.match(/self-signature: valid/g)).toHaveLength(6);
    expect(out.match(/^ {2}chain: .*$/gm)).toEqual([
      '  chain: #5 CN=Example Issuing CA,OU=Issuing,O=Example issued by #7 CN=Example Root CA 2026,O=Example,C=DE: valid (ecdsa-with-SHA384 signature verified)',
    ]);
    const doc = JSON.parse((await inspect('--json', path('bundle.pem'))).out) as Json;
    const chain = doc.files[0]!.evidence.chain;
    expect(chain.map((l) => [l.index, l.issuedBy === 'itself' ? 'itself' : l.issuerIndex, l.status])).toEqual([
      [0, 'itself', 'valid'],
      [1, 'itself', 'valid'],
      [2, 'itself', 'valid'],
      [3, 'itself', 'valid'],
      [4, 6, 'valid'],
      [5, 'itself', 'valid'],
      [6, 'itself', 'valid'],
    ]);
  });

  it('says an intermediate’s issuer is not in the file, without calling it invalid', async () => {
    const { code, out } = await inspect(path('orphan.pem'));
    expect(code).toBe(0);
    expect(out).toContain(
      '  chain: #2 CN=Example Issuing CA,OU=Issuing,O=Example issued by CN=Example Root CA 2026,O=Example,C=DE: unsupported (its issuer "CN=Example Root CA 2026,O=Example,C=DE" is not in the file)',
    );
  });

  it('shows every certificate’s lints in text and JSON, and exits 0 with error-level lints', async () => {
    const { code, out } = await inspect(path('sha1-root.pem'), path('root.pem'));
    expect(code).toBe(0);
    expect(out).toContain(
      '    lint error WEAK_SIGNATURE_HASH: the certificate is signed with sha1WithECDSA (SHA-1 is broken for signatures)'.replace(
        'sha1WithECDSA',
        out.match(/signature algorithm: (\S+)/)![1]!,
      ),
    );
    expect(out).toContain('    lint error CA_KEY_USAGE: keyUsage of a CA certificate is not critical (BR §7.1.2.1)');
    // The clean root (exactly 25 years) has a notice and no error.
    expect(out).toMatch(/lint notice ROOT_NO_AUTHORITY_KEY_IDENTIFIER: /);
    const doc = JSON.parse((await inspect('--json', path('sha1-root.pem'))).out) as Json;
    expect(doc.files[0]!.evidence.certificates[0]!.lints).toEqual([
      { code: 'WEAK_SIGNATURE_HASH', severity: 'error', message: expect.stringMatching(/SHA-1 is broken/) },
      {
        code: 'CA_KEY_USAGE',
        severity: 'error',
        message: 'keyUsage of a CA certificate is not critical (BR §7.1.2.1)',
      },
      { code: 'ROOT_NO_AUTHORITY_KEY_IDENTIFIER', severity: 'notice', message: expect.any(String) },
    ]);
    const clean = await inspect(path('rsa.pem'));
    expect(clean.out).toMatch(/lints: none|lint (warning|notice)/);
    expect(clean.out).not.toMatch(/lint error/);
  });
});
