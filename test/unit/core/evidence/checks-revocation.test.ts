/**
 * CRLs and OCSP responses as evidence kinds (`kind: crl`, `kind: ocsp`), made during the test by
 * `openssl ca -gencrl` and `openssl ocsp` from a CA database with one revoked certificate
 * (signed-fixtures.ts): detected, described by `inspect`, and checked through the one evidence
 * checker: issuer, number, the exact revoked serials, currency, status and serial, and `signed_by`
 * the CA (directly or by a responder it delegated), with the wrong signers refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../src/cli/main.js';
import type { CheckResult, EvidenceItem } from '../../../../src/core/checks.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { validateExpectations } from '../../../../src/core/evidence/expectations.js';
import { detectEvidenceKind } from '../../../../src/core/evidence/parse.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import type { EvidenceKind } from '../../../../src/core/script/types.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { flipNearEnd, makeSignedFixtures, ossl, type SignedFixtures } from './signed-fixtures.js';

let fx: SignedFixtures;
let leafSerial: string;

function item(id: string, kind: EvidenceKind, bytes: Uint8Array, expect: Record<string, unknown> = {}): EvidenceItem {
  return { spec: { id, kind, parser: undefined, expect, required: true }, bytes };
}

async function run(it: EvidenceItem, ...others: EvidenceItem[]): Promise<Record<string, CheckResult>> {
  const all = new Map([...others, it].map((i) => [i.spec.id, i]));
  const results = await checkEvidence(it, all);
  return Object.fromEntries(results.map((r) => [r.id.slice(it.spec.id.length + 1), r]));
}

const root = (): EvidenceItem => item('root', 'certificate', fx.read('root.pem'));
const later = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString();

beforeAll(() => {
  installCryptoEngine();
  fx = makeSignedFixtures();
  leafSerial = ossl(fx.dir, ['x509', '-in', 'leaf.pem', '-noout', '-serial']).trim().split('=')[1]!.toLowerCase();
}, 120_000);

describe('kind: crl', () => {
  it('is detected in PEM and DER, and passes every expectation the CA’s CRL meets', async () => {
    expect([detectEvidenceKind(fx.read('root.crl')), detectEvidenceKind(fx.read('root.crl.der'))]).toEqual([
      'crl',
      'crl',
    ]);
    for (const file of ['root.crl', 'root.crl.der']) {
      const r = await run(
        item('crl', 'crl', fx.read(file), {
          issuer: 'CN=Verify Root,O=Example',
          signed_by: 'root',
          signatures: 'valid',
          crl_number: 1,
          revoked: [leafSerial],
          valid_at: new Date().toISOString(),
        }),
        root(),
      );
      expect(Object.values(r).filter((x) => !x.ok)).toEqual([]);
      expect(r.parse?.observed).toBe('CRL of "CN=Verify Root,O=Example" number 1, 1 revoked');
      expect(r.revoked?.observed).toBe(`${leafSerial} (keyCompromise)`);
    }
  });

  const failing: [string, string, Record<string, unknown>, () => EvidenceItem[], string, RegExp][] = [
    [
      'signed by another key under the root’s name',
      'impostor.crl',
      { signed_by: 'root' },
      () => [root()],
      'signed_by',
      /^1 of 1 not valid: CRL of "CN=Verify Root,O=Example".*: invalid: no candidate's key verifies it/,
    ],
    [
      'signed by a CA without cRLSign',
      'nosign.crl',
      { signed_by: 'nosign' },
      () => [item('nosign', 'certificate', fx.read('nosign.pem'))],
      'signed_by',
      /without cRLSign/,
    ],
    [
      'whose issuer is not named by signed_by',
      'root.crl',
      { signatures: 'valid' },
      () => [root()],
      'signatures',
      /unsupported: the CRL issuer "CN=Verify Root,O=Example" is not given: name the evidence that holds its certificate with signed_by/,
    ],
    [
      'revoking another set of serials',
      'root.crl',
      { revoked: ['1000', 'abcd'] },
      () => [],
      'revoked',
      /^[0-9a-f]+ \(keyCompromise\)$/,
    ],
    [
      'past its next update',
      'root.crl',
      { valid_at: later(60) },
      () => [],
      'valid_at',
      /^thisUpdate .* UTC, nextUpdate .* UTC$/,
    ],
    ['with another number', 'root.crl', { crl_number: '7' }, () => [], 'crl_number', /^1$/],
  ];
  it.each(failing)('fails a CRL %s', async (_n, file, expect_, others, check, observed) => {
    const r = await run(item('crl', 'crl', fx.read(file), expect_), ...others());
    expect(r[check]?.ok).toBe(false);
    expect(r[check]?.observed).toMatch(observed);
  });

  it('fails a CRL with one bit of its signature flipped', async () => {
    const r = await run(item('crl', 'crl', flipNearEnd(fx.read('root.crl.der')), { signed_by: 'root' }), root());
    expect(r.signed_by?.ok).toBe(false);
    expect(r.signed_by?.observed).toMatch(/invalid/);
  });
});

describe('kind: ocsp', () => {
  it('is detected, and passes the CA’s response and the response of a responder it delegated', async () => {
    expect(detectEvidenceKind(fx.read('ocsp-by-ca.der'))).toBe('ocsp');
    for (const file of ['ocsp-by-ca.der', 'ocsp-delegated.der']) {
      const r = await run(
        item('ocsp', 'ocsp', fx.read(file), {
          signed_by: 'root',
          signatures: 'valid',
          cert_status: 'revoked',
          serial: leafSerial,
        }),
        root(),
      );
      expect(Object.values(r).filter((x) => !x.ok)).toEqual([]);
    }
  });

  it.each([
    ['a responder without id-kp-OCSPSigning', 'ocsp-noeku.der', /neither the CA .* nor has id-kp-OCSPSigning/],
    ['an impostor with the root’s name', 'ocsp-impostor.der', /invalid/],
  ])('fails %s', async (_n, file, observed) => {
    const r = await run(item('ocsp', 'ocsp', fx.read(file), { signed_by: 'root' }), root());
    expect(r.signed_by?.ok).toBe(false);
    expect(r.signed_by?.observed).toMatch(observed);
  });

  it('fails another status or serial, saying what the response says', async () => {
    const r = await run(item('ocsp', 'ocsp', fx.read('ocsp-by-ca.der'), { cert_status: 'good', serial: '01' }));
    expect(r.cert_status).toMatchObject({
      ok: false,
      expected: 'every response says good',
      observed: `serial ${leafSerial} revoked (keyCompromise)`,
    });
    expect(r.serial).toMatchObject({ ok: false, expected: 'a response about serial 1 only' });
  });
});

describe('CRL and OCSP evidence in scripts and in inspect', () => {
  it('scripts declare them with their expectations; wrong keys name their YAML path', () => {
    const P = 'steps[0].evidence[1].expect';
    const bad: [EvidenceKind, Record<string, unknown>, string, RegExp][] = [
      ['ocsp', { revoked: ['10'] }, `${P}.revoked`, /does not apply to ocsp/],
      ['crl', { cert_status: 'good' }, `${P}.cert_status`, /does not apply to crl/],
      ['ocsp', { cert_status: 'fine' }, `${P}.cert_status`, /one of: good, revoked, unknown/],
      ['crl', { crl_number: 'one' }, `${P}.crl_number`, /non-negative integer/],
      ['crl', { revoked: ['xyz'] }, `${P}.revoked[0]`, /hex/],
    ];
    for (const [kind, raw, where, message] of bad) {
      expect(() => validateExpectations(kind, undefined, raw, P)).toThrow(message);
      try {
        validateExpectations(kind, undefined, raw, P);
      } catch (e) {
        expect((e as { where: string }).where).toBe(where);
      }
    }
    const script = parseScript(
      new TextEncoder().encode(`format: keywitness-script/1
id: revocation
title: Revocation evidence
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 1 }
steps:
  - id: "1"
    title: Publish the CRL and an OCSP response
    instructions: Import them.
    evidence:
      - { id: root, kind: certificate }
      - { id: crl, kind: crl, expect: { signed_by: root, revoked: ["10:00"], crl_number: 1 } }
      - { id: ocsp, kind: ocsp, expect: { signed_by: root, cert_status: revoked } }
    acks: { roles: [witness], min: 1, recompute: true }
`),
    );
    expect(script.steps[0]!.evidence.map((e) => e.kind)).toEqual(['certificate', 'crl', 'ocsp']);
    expect(script.steps[0]!.evidence[1]!.expect).toEqual({ signed_by: 'root', revoked: ['1000'], crl_number: '1' });
  });

  it('inspect describes a CRL and an OCSP response', async () => {
    let out = '';
    const code = await main(['inspect', fx.path('root.crl'), fx.path('ocsp-delegated.der')], {
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      stdoutBytes: () => undefined,
    });
    expect(code).toBe(0);
    expect(out).toContain(': crl (');
    expect(out).toContain(`  revoked: serial ${leafSerial} at `);
    expect(out).toContain(': ocsp (');
    expect(out).toContain(`  response: serial ${leafSerial} revoked (keyCompromise)`);
    expect(out).toContain('  certificate: CN=Verify OCSP Responder,O=Example');
  });
});
