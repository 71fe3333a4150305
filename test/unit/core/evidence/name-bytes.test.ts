/**
 * Names compared as relying parties compare them: a PrintableString and a UTF8String subject with
 * the same text do not match. Certificates are made by OpenSSL during the run (`string_mask =
 * nombstr` writes PrintableString, `utf8only` UTF8String), with one key behind both roots so every
 * signature verifies and only the names' bytes differ. Each comparison between two certificates
 * (signed_by, self_signed, chain_valid, a CRL's signed_by) must fail saying the strings are equal
 * but the encodings differ and which string types; a string expectation names the types it saw.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult, EvidenceItem } from '../../../../src/core/checks.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import type { EvidenceKind } from '../../../../src/core/script/types.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { missingTool } from '../../../support/tools.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
let dir = '';
const o = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8' });
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

function item(id: string, kind: EvidenceKind, name: string, expect: Record<string, unknown> = {}): EvidenceItem {
  return { spec: { id, kind, parser: undefined, expect, required: true }, bytes: file(name) };
}

async function run(it: EvidenceItem, ...others: EvidenceItem[]): Promise<Record<string, CheckResult>> {
  const all = new Map([...others, it].map((i) => [i.spec.id, i]));
  const results = await checkEvidence(it, all);
  return Object.fromEntries(results.map((r) => [r.id.slice(it.spec.id.length + 1), r]));
}

const SUBJ = '/O=Example/CN=Example Root';
const TEXT = 'CN=Example Root,O=Example';
const CA_EXT = ['-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];

beforeAll(() => {
  if (!hasOpenssl) return;
  installCryptoEngine();
  dir = mkdtempSync(join(tmpdir(), 'kw-names-'));
  for (const mask of ['nombstr', 'utf8only'])
    writeFileSync(join(dir, `${mask}.cnf`), `[req]\ndistinguished_name=dn\nstring_mask=${mask}\n[dn]\n`);
  o('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key');
  o('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'leaf.key');
  // The same key and text, PrintableString (P) and UTF8String (U) subjects.
  for (const [mask, out] of [
    ['nombstr', 'root-p.pem'],
    ['utf8only', 'root-u.pem'],
  ] as const)
    o(
      'req',
      '-config',
      `${mask}.cnf`,
      '-new',
      '-x509',
      '-key',
      'ca.key',
      '-subj',
      SUBJ,
      '-days',
      '30',
      ...CA_EXT,
      '-out',
      out,
    );
  // A leaf issued by the PrintableString root: its issuer field is that root's subject, byte for byte.
  o('req', '-config', 'utf8only.cnf', '-new', '-key', 'leaf.key', '-subj', '/CN=Leaf', '-out', 'leaf.csr');
  o('x509', '-req', '-in', 'leaf.csr', '-CA', 'root-p.pem', '-CAkey', 'ca.key', '-days', '10', '-out', 'leaf.pem');
  // A "self-signed" certificate whose issuer is the PrintableString name and subject the UTF8String one.
  o('req', '-config', 'utf8only.cnf', '-new', '-key', 'ca.key', '-subj', SUBJ, '-out', 'root-u.csr');
  o('x509', '-req', '-in', 'root-u.csr', '-CA', 'root-p.pem', '-CAkey', 'ca.key', '-days', '10', '-out', 'mixed.pem');
  writeFileSync(
    join(dir, 'chain-u.pem'),
    readFileSync(join(dir, 'leaf.pem'), 'utf8') + readFileSync(join(dir, 'root-u.pem'), 'utf8'),
  );
  writeFileSync(
    join(dir, 'chain-p.pem'),
    readFileSync(join(dir, 'leaf.pem'), 'utf8') + readFileSync(join(dir, 'root-p.pem'), 'utf8'),
  );
  // CRLs issued under each root's name, signed by the one key.
  for (const [cnf, cert, out] of [
    ['p', 'root-p.pem', 'crl-p.pem'],
    ['u', 'root-u.pem', 'crl-u.pem'],
  ] as const) {
    writeFileSync(join(dir, `index-${cnf}.txt`), '');
    writeFileSync(
      join(dir, `ca-${cnf}.cnf`),
      `[ca]\ndefault_ca=c\n[c]\ndatabase=index-${cnf}.txt\ncertificate=${cert}\nprivate_key=ca.key\ndefault_md=sha256\ndefault_crl_days=7\n`,
    );
    o('ca', '-config', `ca-${cnf}.cnf`, '-gencrl', '-out', out);
  }
});

describe.skipIf(missingTool(hasOpenssl, 'openssl'))('names compared byte for byte', () => {
  it('the fixtures differ only in string type: openssl shows the same text', () => {
    const text = (f: string): string => o('x509', '-in', f, '-noout', '-subject', '-nameopt', 'RFC2253');
    expect(text('root-p.pem')).toBe(text('root-u.pem'));
    expect(o('asn1parse', '-in', 'root-p.pem')).toMatch(/PRINTABLESTRING\s+:Example Root/);
    expect(o('asn1parse', '-in', 'root-u.pem')).toMatch(/UTF8STRING\s+:Example Root/);
  });

  it('the identical encodings pass: signed_by, self_signed, chain_valid, CRL signed_by', async () => {
    const root = item('root', 'certificate', 'root-p.pem', { self_signed: true });
    expect((await run(root)).self_signed?.ok).toBe(true);
    const leaf = await run(item('leaf', 'certificate', 'leaf.pem', { signed_by: 'root' }), root);
    expect(leaf.signed_by?.ok).toBe(true);
    expect((await run(item('chain', 'certificate', 'chain-p.pem', { chain_valid: true }))).chain_valid?.ok).toBe(true);
    const crl = await run(item('crl', 'crl', 'crl-p.pem', { signed_by: 'root' }), root);
    expect(crl.signed_by?.ok).toBe(true);
  });

  const SENTENCE =
    /are equal as strings, but the encodings differ: (O|CN) is a (UTF8String|PrintableString) here and a (UTF8String|PrintableString) there/;
  it.each<[string, string, EvidenceKind, Record<string, unknown>, string, RegExp]>([
    [
      'a leaf whose issuer is PrintableString, signed_by a UTF8String root',
      'leaf.pem',
      'certificate',
      { signed_by: 'other' },
      'root-u.pem',
      /issuer field and the signer's subject.*PrintableString here and a UTF8String there.*signature: valid/,
    ],
    [
      'a certificate whose issuer and subject differ in string type, self_signed',
      'mixed.pem',
      'certificate',
      { self_signed: true },
      '',
      /issuer and subject: .*PrintableString here and a UTF8String there/,
    ],
    [
      'a chain ending in the UTF8String root',
      'chain-u.pem',
      'certificate',
      { chain_valid: true },
      '',
      /#1 CN=Leaf ← CN=Example Root,O=Example: invalid/,
    ],
    [
      'a CRL issued as PrintableString, signed_by the UTF8String root',
      'crl-p.pem',
      'crl',
      { signed_by: 'other' },
      'root-u.pem',
      /CRL issuer and the signer's subject: .*PrintableString here and a UTF8String there/,
    ],
    [
      'a CRL issued as UTF8String, signed_by the PrintableString root',
      'crl-u.pem',
      'crl',
      { signed_by: 'other' },
      'root-p.pem',
      /UTF8String here and a PrintableString there/,
    ],
  ])(
    '%s fails, saying the strings are equal but not the encodings',
    async (_name, f, kind, expectMap, other, observed) => {
      const others = other ? [item('other', 'certificate', other, { lints: 'skip' })] : [];
      const r = await run(
        item('x', kind, f, { ...(kind === 'certificate' ? { lints: 'skip' } : {}), ...expectMap }),
        ...others,
      );
      const [check] = Object.keys(expectMap);
      const result = r[check ?? ''];
      expect(result?.ok).toBe(false);
      expect(result?.observed).toMatch(observed);
      if (check !== 'chain_valid') expect(result?.observed).toMatch(SENTENCE);
    },
  );

  it.each([
    ['root-p.pem', 'subject', `${TEXT} (O PrintableString, CN PrintableString)`],
    ['root-u.pem', 'subject', `${TEXT} (O UTF8String, CN UTF8String)`],
    ['leaf.pem', 'issuer', `${TEXT} (O PrintableString, CN PrintableString)`],
  ])('%s: a %s string expectation passes on the text and names each string type', async (f, key, observed) => {
    const r = await run(item('x', 'certificate', f, { lints: 'skip', [key]: TEXT }));
    expect(r[key]).toMatchObject({ ok: true, observed });
  });

  it('a CRL issuer string expectation names the string types', async () => {
    const r = await run(item('crl', 'crl', 'crl-u.pem', { issuer: TEXT }));
    expect(r.issuer).toMatchObject({ ok: true, observed: `${TEXT} (O UTF8String, CN UTF8String)` });
  });
});
