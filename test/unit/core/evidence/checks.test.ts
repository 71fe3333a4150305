import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult, EvidenceItem } from '../../../../src/core/checks.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { parseCertificate } from '../../../../src/core/evidence/certificate.js';
import { derBlocks } from '../../../../src/core/evidence/pem.js';
import type { EvidenceKind } from '../../../../src/core/script/types.js';
import { toWords } from '../../../../src/core/protocol/words.js';
import { fromHex } from '../../../../src/core/util/bytes.js';
import { makeFixtures, openssl, type Fixtures } from './fixtures.js';
import { VECTORS_DIR } from '../../../support/vectors.js';

const V = VECTORS_DIR;
let fx: Fixtures;
let all: Map<string, EvidenceItem>;

function item(
  id: string,
  kind: EvidenceKind,
  bytes: Uint8Array,
  expect: Record<string, unknown> = {},
  parser?: string,
): EvidenceItem {
  return { spec: { id, kind, parser, expect, required: true }, bytes };
}

async function run(it: EvidenceItem): Promise<Record<string, CheckResult>> {
  const results = await checkEvidence(it, all);
  for (const r of results) expect(r.id.startsWith(`${it.spec.id}.`)).toBe(true);
  return Object.fromEntries(results.map((r) => [r.id.slice(it.spec.id.length + 1), r]));
}

beforeAll(() => {
  fx = makeFixtures();
  const vec = (p: string): Uint8Array => new Uint8Array(readFileSync(join(V, p)));
  all = new Map([
    ['root', item('root', 'certificate', fx.read('root.pem'))],
    ['int', item('int', 'certificate', fx.read('int.pem'))],
    ['rootkey', item('rootkey', 'public-key', fx.read('p384.pub.pem'))],
    ['csr', item('csr', 'csr', fx.read('int.csr'))],
    ['anchors', item('anchors', 'dnskey', vec('dnssec/iana/root-anchors.xml'))],
    ['rootkeys', item('rootkeys', 'dnskey', vec('dnssec/debian-dns-root-data/root.key'))],
    ['yubi', item('yubi', 'hsm-output', vec('hsm-outputs/yubihsm/developers.yubico.com-get-pubkey.txt'))],
  ]);
});

describe('checkEvidence on certificates', () => {
  it('passes every expectation the root and intermediate meet', async () => {
    const root = parseCertificate(derBlocks(fx.read('root.pem'), ['CERTIFICATE'], 'r')[0]!.der, 'r');
    const int = parseCertificate(derBlocks(fx.read('int.pem'), ['CERTIFICATE'], 'i')[0]!.der, 'i');
    const r = await run(
      item('root', 'certificate', fx.read('root.pem'), {
        subject: 'CN=Example Root CA 2026,O=Example,C=DE',
        issuer: 'CN=Example Root CA 2026, O=Example, C=DE',
        self_signed: true,
        key: { algorithm: 'ECDSA', curve: 'secp384r1', size: 384 },
        validity_days: 9131,
        basic_constraints: { ca: true, critical: true },
        key_usage: ['cRLSign', 'keyCertSign'],
        spki_equals: 'rootkey',
        sha256: root.sha256.colonHex,
        sha1: root.sha1.hex,
        spki_sha256: toWords(fromHex(root.key.spkiSha256.hex)).join(' '),
        serial_min_bits: 64,
        signature_algorithm: 'ecdsa-with-SHA384',
        ski_is_key_hash: true,
        not_before: root.notBefore.toISOString().slice(0, 10),
        valid_at: new Date().toISOString(),
      }),
    );
    const failed = Object.values(r).filter((x) => !x.ok);
    expect(failed).toEqual([]);
    expect(Object.keys(r)).toContain('key.curve');
    const i = await run(
      item('int', 'certificate', fx.read('chain.pem'), {
        signed_by: 'root',
        aki_matches: 'root',
        chain_valid: true,
        self_signed: false,
        spki_equals: 'csr',
        basic_constraints: { ca: true, path_len: 0 },
        ext_key_usage: ['serverAuth', '1.3.6.1.5.5.7.3.2'],
        policies: ['2.23.140.1.2.1', '1.3.6.1.4.1.99999.1'],
        name_constraints: { permitted: ['DNS:.example.com'], excluded: ['DNS:bad.example.com'] },
        serial: '7B',
        aki: root.extensions.subjectKeyIdentifier,
        ski: int.extensions.subjectKeyIdentifier,
      }),
    );
    expect(Object.values(i).filter((x) => !x.ok)).toEqual([]);
  });

  it('reports expected vs observed for every expectation that fails', async () => {
    const r = await run(
      item('rsa', 'certificate', fx.read('rsa.pem'), {
        subject: 'CN=Other',
        self_signed: false,
        key: { algorithm: 'ECDSA', size: 4096 },
        validity_days: 9131,
        basic_constraints: { ca: false, path_len: 1 },
        key_usage: ['digitalSignature'],
        spki_equals: 'rootkey',
        signed_by: 'root',
        sha256: 'ab'.repeat(32),
        serial_min_bits: 200,
        chain_valid: false,
        aki_matches: 'missing',
      }),
    );
    const failed = Object.entries(r)
      .filter(([, x]) => !x.ok)
      .map(([k]) => k)
      .sort();
    expect(failed).toEqual(
      [
        'aki_matches',
        'chain_valid',
        'basic_constraints.ca',
        'basic_constraints.path_len',
        'key.algorithm',
        'key.size',
        'key_usage',
        'self_signed',
        'serial_min_bits',
        'sha256',
        'signed_by',
        'spki_equals',
        'subject',
        'validity_days',
      ].sort(),
    );
    expect(r.subject).toMatchObject({ expected: 'CN=Other', observed: 'CN=Self rsa (CN UTF8String)' });
    expect(r['key.algorithm']).toMatchObject({ expected: 'ECDSA', observed: 'RSA' });
    expect(r.validity_days!.observed).toMatch(/^30 days/);
    expect(r.aki_matches!.observed).toMatch(/no evidence "missing" has been imported/);
    expect(r.signed_by!.observed).toMatch(/^invalid: issuer "CN=Self rsa" is not the signer's subject/);
    expect(r.chain_valid!.observed).toBe('#1 CN=Self rsa ← itself: valid');
  });

  it('turns unparsable evidence into a failed parse check, never an exception', async () => {
    const inputs: [string, Uint8Array][] = [
      ['empty', new Uint8Array()],
      ['garbage', new TextEncoder().encode('not a certificate')],
      ['truncated', fx.read('root.der').subarray(0, 100)],
      ['huge', new Uint8Array(2 * 1024 * 1024)],
    ];
    for (const [name, bytes] of inputs) {
      const r = await run(item(name, 'certificate', bytes, { self_signed: true, subject: 'CN=x' }));
      expect(r.parse!.ok).toBe(false);
      expect(r.parse!.observed.length).toBeGreaterThan(5);
      expect(r.self_signed).toMatchObject({
        ok: false,
        expected: 'true',
        observed: 'not evaluated: the evidence could not be parsed',
      });
      expect(r.subject!.expected).toBe('CN=x');
    }
  });

  it('reports expectations that were never validated as a failed expect check', async () => {
    const r = await run(item('root', 'certificate', fx.read('root.pem'), { colour: 'blue' }));
    expect(r.expect).toMatchObject({ ok: false });
    expect(r.expect!.observed).toMatch(/unknown expectation "colour"/);
  });
});

describe('checkEvidence on CSRs, keys, DNSKEYs and HSM output', () => {
  it('checks a CSR self-signature, subject and key', async () => {
    const r = await run(
      item('csr', 'csr', fx.read('int.csr.der'), {
        signature_valid: true,
        subject: 'CN=Example Issuing CA,OU=Issuing,O=Example',
        key: { curve: 'P-256' },
        spki_equals: 'int',
      }),
    );
    expect(Object.values(r).every((x) => x.ok)).toBe(true);
  });

  it('checks DS records and the trust anchors', async () => {
    const ok = await run(
      item('ksk', 'dnskey', new Uint8Array(readFileSync(join(V, 'dnssec/debian-dns-root-data/root.key'))), {
        key_tags: [38696, 20326],
        algorithm: 8,
        flags: 257,
        owner: '.',
        matches_anchor: 'anchors',
        ds: [
          '20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D',
          '38696 8 1 9ED8323E83071BB73E3E41303055A10AAA293619',
        ],
      }),
    );
    expect(Object.values(ok).filter((x) => !x.ok)).toEqual([]);
    const bad = await run(
      item('zsk', 'dnskey', new Uint8Array(readFileSync(join(V, 'dnssec/rfc4034/dskey.example.com.zone'))), {
        key_tags: [60485],
        ds: ['60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292119'],
        matches_anchor: 'anchors',
      }),
    );
    expect([bad.key_tags!.ok, bad.ds!.ok, bad.matches_anchor!.ok]).toEqual([true, false, false]);
    expect(bad.ds!.observed).toBe('key 60485 gives 2BB183AF5F22588179A53B0A98631FAD1A292118');
    expect(bad.matches_anchor!.observed).toBe('no KSK (flags 257) in this evidence');
  });

  it('checks HSM facts, regexes and spki_equals between a transcript and a key', async () => {
    const text = readFileSync(join(import.meta.dirname, 'samples/pkcs11-tool-list-objects.txt'));
    const r = await run(
      item(
        'keygen',
        'hsm-output',
        new Uint8Array(text),
        {
          label: 'p384',
          key_type: 'ECDSA',
          curve: 'secp384r1',
          id: '02',
          bits: 384,
          success: true,
          present: ['label:\\s+p384'],
          absent: ['CKR_'],
          spki_equals: 'yubi',
        },
        'pkcs11-tool',
      ),
    );
    const failed = Object.entries(r)
      .filter(([, x]) => !x.ok)
      .map(([k]) => k);
    expect(failed).toEqual(['spki_equals']);
    const y = await run(item('yubi2', 'hsm-output', fx.read('p256.pub.pem'), { spki_equals: 'yubi' }));
    expect(y.parse!.observed).toMatch(/^text output/);
    const same = await run(
      item(
        'key',
        'public-key',
        new TextEncoder().encode(
          /-----BEGIN[\s\S]*END PUBLIC KEY-----\n/.exec(
            readFileSync(join(V, 'hsm-outputs/yubihsm/developers.yubico.com-get-pubkey.txt'), 'utf8'),
          )![0],
        ),
        { spki_equals: 'yubi', key: { algorithm: 'EC', curve: 'P-256' } },
      ),
    );
    expect(Object.values(same).every((x) => x.ok)).toBe(true);
    const wrong = await run(item('keygen', 'hsm-output', new Uint8Array(text), { label: 'nothere', curve: 'P-256' }));
    expect(wrong.label!.ok).toBe(false);
    expect(wrong.curve!.observed).toBe(
      'no objects labelled "nothere" (labels seen: "p384" (public-key, private-key), "rsa3072" (public-key, private-key), "p256" (public-key, private-key), "ed25519" (private-key, public-key))',
    );
    // The label the output shows is what a witness compares with the laptop's screen.
    expect(wrong.label!.observed).toMatch(/^labels seen: "p384" \(public-key, private-key\), "rsa3072"/);
  });

  it('openssl text dumps yield the same SPKI as the certificate', async () => {
    const dump = openssl(fx.dir, ['x509', '-in', 'root.pem', '-noout', '-text']);
    const r = await run(item('dump', 'hsm-output', new TextEncoder().encode(dump), { spki_equals: 'root' }));
    expect(r.spki_equals!.ok).toBe(true);
    const rsaDump = openssl(fx.dir, ['pkey', '-pubin', '-in', 'rsa.pub.pem', '-text', '-noout']);
    all.set('rsacert', item('rsacert', 'certificate', fx.read('rsa.pem')));
    const r2 = await run(
      item('rsadump', 'hsm-output', new TextEncoder().encode(rsaDump), { spki_equals: 'rsacert' }, 'openssl'),
    );
    expect(r2.spki_equals!.ok).toBe(true);
    const edDump = openssl(fx.dir, ['pkey', '-pubin', '-in', 'ed25519.pub.pem', '-text', '-noout']);
    all.set('edcert', item('edcert', 'certificate', fx.read('ed25519.pem')));
    const r3 = await run(
      item('eddump', 'hsm-output', new TextEncoder().encode(edDump), { spki_equals: 'edcert' }, 'openssl'),
    );
    expect(r3.spki_equals!.ok).toBe(true);
  });
});

describe('what a check observed is shown, not only counted', () => {
  const keygen = (): Uint8Array =>
    new Uint8Array(
      readFileSync(join(import.meta.dirname, '../../../../assets/ceremonies/root-ca-rehearsal/3.2/keygen.txt')),
    );

  it('the demo key generation: every check names the label and the objects it saw', async () => {
    const r = await run(
      item(
        'keygen',
        'hsm-output',
        keygen(),
        { label: 'root-ca-p384', key_type: 'EC', curve: 'secp384r1', id: '01', object_count: 2 },
        'pkcs11-tool',
      ),
    );
    expect(Object.values(r).every((x) => x.ok)).toBe(true);
    expect(r.label!.observed).toBe('labels seen: "root-ca-p384" (private-key, public-key)');
    expect(r.key_type!.observed).toBe('EC on private-key "root-ca-p384", public-key "root-ca-p384"');
    expect(r.curve!.observed).toBe('P-384 on public-key "root-ca-p384"; not printed for private-key "root-ca-p384"');
    expect(r.id!.observed).toBe('01 on private-key "root-ca-p384", public-key "root-ca-p384"');
    expect(r.object_count!.observed).toBe('2: private-key "root-ca-p384", public-key "root-ca-p384"');
  });

  it('a misread label: the label the output shows is in the failed check', async () => {
    const r = await run(
      item('keygen', 'hsm-output', keygen(), { label: 'root-ca-p348', curve: 'P-384' }, 'pkcs11-tool'),
    );
    expect(r.label).toMatchObject({
      ok: false,
      expected: 'an object labelled "root-ca-p348"',
      observed: 'labels seen: "root-ca-p384" (private-key, public-key)',
    });
    expect(r.curve!.observed).toBe(
      'no objects labelled "root-ca-p348" (labels seen: "root-ca-p384" (private-key, public-key))',
    );
  });

  it('an expectation that cannot be evaluated still shows what the script declared', async () => {
    const r = await run(item('k', 'hsm-output', new TextEncoder().encode('garbage'), { label: 'x' }, 'pkcs11-tool'));
    const unparsed = await run(
      item('c', 'certificate', new TextEncoder().encode('garbage'), { key: { algorithm: 'ECDSA', curve: 'P-384' } }),
    );
    expect(unparsed.key!.expected).toBe('algorithm: ECDSA; curve: P-384');
    expect(r.label!.expected).toMatch(/x/);
  });
});
