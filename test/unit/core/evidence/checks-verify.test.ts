/**
 * The expectations that verify rather than compare, run through the one evidence checker the
 * witnesses' devices and the audit call: `signatures: valid` (certificates self-signed or by earlier
 * evidence, CSRs, the DNSSEC sample's signed DNSKEY RRset), `lints: clean` (on by default for CA
 * certificates, `lints: skip` to turn it off) and `attestation` (the PSF ceremony's YubiHSM 2
 * attestations, pinned to their device certificates). Fixtures are made by OpenSSL during the run;
 * each failure is checked to say what was expected and what was observed, and each bad expectation
 * to name its YAML path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult, EvidenceItem } from '../../../../src/core/checks.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { lintsTurnedOff, validateExpectations } from '../../../../src/core/evidence/expectations.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { sha256Fingerprint } from '../../../../src/core/evidence/fingerprints.js';
import { encodePem } from '../../../../src/core/evidence/pem.js';
import type { EvidenceKind } from '../../../../src/core/script/types.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { VECTORS_DIR } from '../../../support/vectors.js';
import { makeSignedFixtures, ossl, type SignedFixtures } from './signed-fixtures.js';

let fx: SignedFixtures;
const A = join(VECTORS_DIR, 'attestation', 'yubihsm2-psf-2020');
const vec = (serial: string, name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(A, serial, `${serial}_${name}`)));
const DNS = (p: string): Uint8Array =>
  new Uint8Array(readFileSync(join(__dirname, '../../../../assets/ceremonies/dnssec-ksk-signing', p)));

function item(id: string, kind: EvidenceKind, bytes: Uint8Array, expect: Record<string, unknown> = {}): EvidenceItem {
  return { spec: { id, kind, parser: undefined, expect, required: true }, bytes };
}

/** Check `it` with `others` imported before it; results by check name. */
async function run(it: EvidenceItem, ...others: EvidenceItem[]): Promise<Record<string, CheckResult>> {
  const all = new Map([...others, it].map((i) => [i.spec.id, i]));
  const results = await checkEvidence(it, all);
  return Object.fromEntries(results.map((r) => [r.id.slice(it.spec.id.length + 1), r]));
}

beforeAll(() => {
  installCryptoEngine();
  fx = makeSignedFixtures();
  const o = (...args: string[]): string => ossl(fx.dir, args);
  // A CA whose keyUsage is not critical (an error-level lint), and a leaf with a 1024-bit RSA key.
  o(
    'req',
    '-new',
    '-x509',
    '-key',
    'root.key',
    '-subj',
    '/CN=Soft KU Root',
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=keyCertSign,cRLSign',
    '-addext',
    'subjectKeyIdentifier=hash',
    '-out',
    'soft-ku.pem',
  );
  o('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'rsa1024.key');
  o(
    'req',
    '-new',
    '-x509',
    '-key',
    'rsa1024.key',
    '-subj',
    '/CN=Small RSA leaf',
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:false',
    '-addext',
    'subjectKeyIdentifier=hash',
    '-out',
    'rsa1024.pem',
  );
}, 120_000);

describe('signatures: valid', () => {
  it('passes a self-signed root, and an intermediate when its issuer is earlier evidence', async () => {
    const root = item('root', 'certificate', fx.read('root.pem'), { signatures: 'valid' });
    expect((await run(root)).signatures).toMatchObject({ ok: true });
    const r = await run(
      item('int', 'certificate', fx.read('int.pem'), { signed_by: 'root', signatures: 'valid' }),
      root,
    );
    expect(r.signatures?.ok).toBe(true);
    expect(r.signatures?.observed).toBe(
      '1 valid: certificate "CN=Verify Issuing CA,O=Example" by "CN=Verify Root,O=Example" (evidence root)',
    );
    expect(r.signatures?.expected).toMatch(
      /^every signature valid at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, the latest start/,
    );
  });

  const failing: [string, () => EvidenceItem, () => EvidenceItem[], RegExp][] = [
    [
      'an intermediate whose issuer was imported but is not named by signed_by',
      () => item('int', 'certificate', fx.read('int.pem'), { signatures: 'valid' }),
      () => [item('root', 'certificate', fx.read('root.pem'))],
      /^1 of 1 not valid: certificate "CN=Verify Issuing CA,O=Example": unsupported: its issuer "CN=Verify Root,O=Example" is neither in this file nor in the evidence signed_by names, so/,
    ],
    [
      'a certificate signed by an impostor with the root’s name',
      () => item('sub', 'certificate', fx.read('sub-by-impostor.pem'), { signed_by: 'root', signatures: 'valid' }),
      () => [item('root', 'certificate', fx.read('root.pem'))],
      /^1 of 1 not valid: certificate "CN=sub.example": invalid: no candidate's key verifies it/,
    ],
    [
      'a certificate signed by a leaf',
      () => item('sub', 'certificate', fx.read('sub-by-leaf.pem'), { signed_by: 'leaf', signatures: 'valid' }),
      () => [item('leaf', 'certificate', fx.read('leaf.pem'))],
      /invalid: .*is not a CA/,
    ],
    [
      'a root with one bit of its signature flipped',
      () => item('root', 'certificate', fx.read('root-tampered.der'), { signatures: 'valid' }),
      () => [],
      /^1 of 1 not valid: certificate "CN=Verify Root,O=Example": invalid: /,
    ],
  ];
  it.each(failing)('fails %s, saying which signature and why', async (_name, subject, others) => {
    const r = await run(subject(), ...others());
    expect(r.signatures?.ok).toBe(false);
    expect(r.signatures?.observed).toMatch(failing.find((f) => f[0] === _name)![3]);
  });

  it('passes a CSR’s proof of possession and fails a CSR with a flipped signature bit', async () => {
    expect((await run(item('csr', 'csr', fx.read('leaf.csr'), { signatures: 'valid' }))).signatures?.ok).toBe(true);
    const der = fx.read('leaf.csr.der').slice();
    der[der.length - 3]! ^= 0x01;
    const r = await run(item('csr', 'csr', der, { signatures: 'valid' }));
    expect(r.signatures?.ok).toBe(false);
    expect(r.signatures?.observed).toMatch(/^1 of 1 not valid: certificate request "CN=leaf.example": invalid/);
  });

  it('verifies the DNSSEC sample’s signed DNSKEY RRset, judged inside and outside its window', async () => {
    const skr = DNS('3.3/skr.txt');
    const r = await run(item('skr', 'dnskey', skr, { signatures: 'valid' }));
    expect(r.signatures).toMatchObject({
      ok: true,
      expected: 'every signature valid at 2026-12-01 00:00:00 UTC, the latest start of their validity windows',
    });
    expect(r.signatures?.observed).toMatch(
      /^1 valid: RRSIG over example\. DNSKEY \(ECDSAP256SHA256, key tag 61650\) by DNSKEY 61650 /,
    );
    expect((await run(item('skr', 'dnskey', skr, { signatures: { valid_at: '2027-01-15' } }))).signatures?.ok).toBe(
      true,
    );
    const late = await run(item('skr', 'dnskey', skr, { signatures: { valid_at: '2027-06-01' } }));
    expect(late.signatures?.ok).toBe(false);
    expect(late.signatures?.observed).toMatch(/expired at 2027-03-01T00:00:00\.000Z/);
    // The KSK's record removed: its RRSIG has no key to verify with.
    const text = new TextDecoder()
      .decode(skr)
      .split('\n')
      .filter((l) => !/\sDNSKEY\s+257 /.test(l))
      .join('\n');
    const noKsk = await run(item('skr', 'dnskey', new TextEncoder().encode(text), { signatures: 'valid' }));
    expect(noKsk.signatures?.ok).toBe(false);
    expect(noKsk.signatures?.observed).toMatch(/no DNSKEY at example\. has key tag 61650/);
  });
});

describe('lints: clean', () => {
  it('runs by default on a CA certificate and fails an error-level lint, naming it', async () => {
    const r = await run(item('ca', 'certificate', fx.read('soft-ku.pem')));
    expect(r.lints).toMatchObject({
      ok: false,
      expected: 'no error-level certificate lint (on by default for a CA certificate; lints: skip turns it off)',
    });
    expect(r.lints?.observed).toMatch(
      /^1 error\(s\): "CN=Soft KU Root" CA_KEY_USAGE: keyUsage of a CA certificate is not critical/,
    );
    const declared = await run(item('ca', 'certificate', fx.read('soft-ku.pem'), { lints: 'clean' }));
    expect([declared.lints?.ok, declared.lints?.expected]).toEqual([false, 'no error-level certificate lint']);
  });

  it('lints: skip turns the default off and still shows what it did not hold against the certificate', async () => {
    const r = await run(item('ca', 'certificate', fx.read('soft-ku.pem'), { lints: 'skip' }));
    expect(r.lints?.ok).toBe(true);
    expect(r.lints?.observed).toMatch(/^not held against it: "CN=Soft KU Root" CA_KEY_USAGE/);
  });

  it('passes a clean root by default and leaves a leaf alone unless asked', async () => {
    const root = await run(item('root', 'certificate', fx.read('root.pem')));
    expect(root.lints?.ok).toBe(true);
    expect(root.lints?.observed).toMatch(/^no error-level lint/);
    expect((await run(item('leaf', 'certificate', fx.read('rsa1024.pem')))).lints).toBeUndefined();
    const asked = await run(item('leaf', 'certificate', fx.read('rsa1024.pem'), { lints: 'clean' }));
    expect(asked.lints?.ok).toBe(false);
    expect(asked.lints?.observed).toMatch(/RSA_KEY_TOO_SMALL: the RSA key is 1024 bits/);
  });
});

describe('attestation', () => {
  const device = (serial: string): EvidenceItem => item('device', 'certificate', vec(serial, 'cert.der'));
  const pin = (serial: string): string => sha256Fingerprint(vec(serial, 'cert.der')).colonHex;
  const pub = (serial: string): EvidenceItem => item('pub', 'public-key', vec(serial, 'root_pubkey.pem'));
  /** The PSF root key's attestation, its issuer named as the script would (`signed_by: device`). */
  const attest = (serial: string, spec: Record<string, unknown>, more: Record<string, unknown> = {}): EvidenceItem =>
    item('attest', 'certificate', vec(serial, 'root_attestation.der'), {
      signed_by: 'device',
      attestation: spec,
      ...more,
    });
  const attestationResults = (r: Record<string, CheckResult>): [string, boolean][] =>
    Object.entries(r)
      .filter(([k]) => k.startsWith('attestation.'))
      .map(([k, v]) => [k, v.ok]);

  it.each(['0013200460', '0013200461'])('%s: the PSF root key was generated in the pinned device', async (serial) => {
    const spec = { origin: 'generated', label: 'tuf-root', serial, object_id: '0x0003', ca_sha256: pin(serial) };
    const r = await run(attest(serial, spec, { spki_equals: 'pub' }), device(serial), pub(serial));
    expect(attestationResults(r)).toEqual([
      ['attestation.origin', true],
      ['attestation.label', true],
      ['attestation.serial', true],
      ['attestation.object_id', true],
      ['attestation.chain', true],
    ]);
    expect(r['attestation.chain']?.observed).toBe(
      `"CN=YubiHSM Attestation id:0x0003" ← "CN=YubiHSM Attestation (${Number(serial)})" (evidence device): each signature valid, ending in the pinned CA`,
    );
    // The attested key is the published key: the ordinary spki_equals, on the attestation's key.
    expect([r.spki_equals?.ok, r.signed_by?.ok]).toEqual([true, true]);
  });

  const wrong: [string, Record<string, unknown>, string, string, string][] = [
    ['an imported key', { origin: 'imported' }, 'attestation.origin', 'imported', 'origin generated (0x01)'],
    ['another label', { label: 'tuf-targets' }, 'attestation.label', '"tuf-targets"', '"tuf-root"'],
    [
      'another serial',
      { serial: 13200461 },
      'attestation.serial',
      'YubiHSM serial 13200461',
      'YubiHSM serial 13200460',
    ],
    ['another object', { object_id: 4 }, 'attestation.object_id', 'object 0x0004', 'object 0x0003'],
  ];
  it.each(wrong)('fails %s, with expected and observed', async (_n, field, id, expected, observed) => {
    const r = await run(attest('0013200460', { ...field, ca_sha256: pin('0013200460') }), device('0013200460'));
    expect(r[id]).toMatchObject({ ok: false, expected, observed });
    expect(r['attestation.chain']?.ok).toBe(true);
  });

  it('fails the chain when it ends in an unpinned CA, or the device certificate is another device’s', async () => {
    const pinnedOther = await run(attest('0013200460', { ca_sha256: pin('0013200461') }), device('0013200460'));
    expect(pinnedOther['attestation.chain']?.ok).toBe(false);
    expect(pinnedOther['attestation.chain']?.observed).toMatch(
      /← "CN=YubiHSM Attestation \(13200460\)" \(evidence device\): the chain stops \(unsupported: its issuer "CN=Yubico YubiHSM/,
    );
    const otherDevice = await run(attest('0013200460', { ca_sha256: pin('0013200461') }), device('0013200461'));
    expect(otherDevice['attestation.chain']?.ok).toBe(false);
    expect(otherDevice['attestation.chain']?.observed).toMatch(
      /^"CN=YubiHSM Attestation id:0x0003": the chain stops \(unsupported: its issuer "CN=YubiHSM Attestation \(13200460\)"/,
    );
    // The right device imported but not named by signed_by: a witness would not be sent it.
    const unnamed = await run(
      item('attest', 'certificate', vec('0013200460', 'root_attestation.der'), {
        attestation: { ca_sha256: pin('0013200460') },
      }),
      device('0013200460'),
    );
    expect(unnamed['attestation.chain']?.ok).toBe(false);
  });

  it('fails another key, and every field on a file whose first certificate is no key attestation', async () => {
    const r = await run(
      attest('0013200460', { ca_sha256: pin('0013200460') }, { spki_equals: 'pub' }),
      device('0013200460'),
      pub('0013200461'),
    );
    expect(r.spki_equals?.ok).toBe(false);
    const spec = { attestation: { label: 'x', ca_sha256: pin('0013200460') } };
    const none = await run(item('root', 'certificate', fx.read('root.pem'), spec));
    const why = '"CN=Verify Root,O=Example" carries no Yubico key attestation extensions';
    expect(
      Object.entries(none)
        .filter(([k]) => k.startsWith('attestation.'))
        .map(([k, v]) => [k, v.ok, v.observed]),
    ).toEqual([
      ['attestation.label', false, why],
      ['attestation.chain', false, why],
    ]);
    const pem = (b: Uint8Array): string => encodePem('CERTIFICATE', b);
    const deviceFirst = new TextEncoder().encode(
      pem(vec('0013200460', 'cert.der')) + pem(vec('0013200460', 'root_attestation.der')),
    );
    const late = await run(item('both', 'certificate', deviceFirst, spec));
    expect(late['attestation.chain']?.observed).toBe(
      'the key attestation must be the first certificate of the file; the first is "CN=YubiHSM Attestation (13200460)"',
    );
  });
});

describe('bad expectations are refused with their YAML path', () => {
  const P = 'steps[2].evidence[0].expect';
  const cases: [string, EvidenceKind, Record<string, unknown>, string, RegExp][] = [
    ['signatures not "valid"', 'certificate', { signatures: 'yes' }, `${P}.signatures`, /must be "valid"/],
    [
      'signatures with an unknown key',
      'certificate',
      { signatures: { at: '2026-01-01' } },
      `${P}.signatures.at`,
      /unknown key/,
    ],
    [
      'signatures on a public key',
      'public-key',
      { signatures: 'valid' },
      `${P}.signatures`,
      /does not apply to public-key/,
    ],
    ['lints neither clean nor skip', 'certificate', { lints: 'off' }, `${P}.lints`, /must be one of: clean, skip/],
    ['lints on a CSR', 'csr', { lints: 'clean' }, `${P}.lints`, /does not apply to csr/],
    [
      'an attestation without a pinned CA',
      'certificate',
      { attestation: { origin: 'generated' } },
      `${P}.attestation.ca_sha256`,
      /is required/,
    ],
    [
      'an unknown origin',
      'certificate',
      { attestation: { origin: 'maybe', ca_sha256: 'aa'.repeat(32) } },
      `${P}.attestation.origin`,
      /one of: generated, imported/,
    ],
    [
      'an object id over 16 bits',
      'certificate',
      { attestation: { object_id: '0x10000', ca_sha256: 'aa'.repeat(32) } },
      `${P}.attestation.object_id`,
      /non-negative integer|16-bit/,
    ],
    [
      'a short pinned CA',
      'certificate',
      { attestation: { ca_sha256: 'aabb' } },
      `${P}.attestation.ca_sha256`,
      /32|bytes/,
    ],
  ];
  it.each(cases)('%s', (_n, kind, raw, where, message) => {
    let err: unknown;
    try {
      validateExpectations(kind, undefined, raw, P);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'SCRIPT_INVALID', where });
    expect((err as Error).message).toMatch(message);
  });
});

describe('in a script', () => {
  const script = (expect: string): Uint8Array =>
    new TextEncoder().encode(`format: keywitness-script/1
id: lint-off
title: Lints turned off
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 1 }
steps:
  - id: "1"
    title: Import the root
    instructions: Import it.
    evidence:
      - { id: device, kind: certificate }
      - id: root
        kind: certificate
        expect: ${expect}
    acks: { roles: [witness], min: 1, recompute: true }
`);

  it('lists where the default lints are turned off, for script lint to show', () => {
    const parsed = parseScript(script('{ lints: skip, signatures: valid }'));
    expect(lintsTurnedOff(parsed)).toEqual(['steps[0].evidence[1].expect.lints: skip (step 1, evidence root)']);
    expect(lintsTurnedOff(parseScript(script('{ signatures: valid }')))).toEqual([]);
  });

  it.each([
    ['{ lints: off }', 'steps[0].evidence[1].expect.lints'],
    ['{ attestation: { origin: generated } }', 'steps[0].evidence[1].expect.attestation.ca_sha256'],
    ['{ signatures: { valid_at: soon } }', 'steps[0].evidence[1].expect.signatures.valid_at'],
  ])('refuses %s naming %s and its line', (map, path) => {
    let err: unknown;
    try {
      parseScript(script(map));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'SCRIPT_INVALID' });
    expect((err as { where: string }).where).toMatch(new RegExp(`^${path.replace(/[[\].]/g, '\\$&')} \\(line 15\\)`));
  });
});
