/**
 * `verifyEvidenceSignatures` on certificates, CSRs, CRLs and OCSP responses made by OpenSSL during
 * the test, each verdict compared with OpenSSL's own (`openssl verify`, `crl -verify`, `ocsp
 * -verify`), and the parsers' refusals of bad CRLs and OCSP responses, each one field away from a
 * real one.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCrl } from '../../../../src/core/evidence/crl.js';
import { parseOcspResponse } from '../../../../src/core/evidence/ocsp.js';
import {
  allValid,
  readTrustMaterial,
  verifyEvidenceSignatures,
  type EvidenceVerification,
} from '../../../../src/core/evidence/verify-signatures.js';
import { isKeywitnessError } from '../../../../src/core/errors.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { ctx, enumerated, fields, int, octets, oid, rebuild, seq, tlv } from './der-builder.js';
import { makeSignedFixtures, ossl, type SignedFixtures } from './signed-fixtures.js';

let fx: SignedFixtures;
beforeAll(() => {
  installCryptoEngine();
  fx = makeSignedFixtures();
});

async function verify(file: string, ...issuers: string[]): Promise<EvidenceVerification> {
  const trust = readTrustMaterial(issuers.map((i) => ({ bytes: fx.read(i), where: i })));
  return verifyEvidenceSignatures(fx.read(file), file, trust, { at: new Date() });
}

/** What OpenSSL says, as pass/fail: exit 0 and no failure printed (`crl -CAfile` exits 0 on failure). */
function opensslAccepts(args: string[]): boolean {
  const r = spawnSync('openssl', args, {
    cwd: fx.dir,
    env: { ...process.env, OPENSSL_CONF: fx.path('ca.cnf') },
    encoding: 'utf8',
  });
  return r.status === 0 && !/verify failure|error/i.test(`${r.stdout}${r.stderr}`);
}

describe('certificates, CSRs, CRLs and OCSP responses, compared with OpenSSL', () => {
  const cases: {
    name: string;
    file: string;
    issuers: string[];
    statuses: string[];
    detail: RegExp;
    openssl: string[];
  }[] = [
    {
      name: 'self-signed P-384 root',
      file: 'root.pem',
      issuers: [],
      statuses: ['valid'],
      detail: /ecdsa-with-SHA256 signature verified \(self-signed\)/,
      openssl: ['verify', '-CAfile', 'root.pem', 'root.pem'],
    },
    {
      name: 'self-signed RSA root',
      file: 'rsa.pem',
      issuers: [],
      statuses: ['valid'],
      detail: /sha256WithRSAEncryption signature verified/,
      openssl: ['verify', '-CAfile', 'rsa.pem', 'rsa.pem'],
    },
    {
      name: 'self-signed Ed25519 root',
      file: 'ed25519.pem',
      issuers: [],
      statuses: ['valid'],
      detail: /Ed25519 signature verified/,
      openssl: ['verify', '-CAfile', 'ed25519.pem', 'ed25519.pem'],
    },
    {
      name: 'a chain in one file, leaf first',
      file: 'chain.pem',
      issuers: [],
      statuses: ['valid', 'valid', 'valid'],
      detail: /verified/,
      openssl: ['verify', '-CAfile', 'root.pem', '-untrusted', 'int.pem', 'sub.pem'],
    },
    {
      name: 'a leaf with its issuer given',
      file: 'sub.pem',
      issuers: ['int.pem'],
      statuses: ['valid'],
      detail: /ecdsa-with-SHA256 signature verified$/,
      openssl: ['verify', '-partial_chain', '-CAfile', 'int.pem', 'sub.pem'],
    },
    {
      name: 'signed by an impostor with the root’s name',
      file: 'sub-by-impostor.pem',
      issuers: ['root.pem'],
      statuses: ['invalid'],
      detail:
        /no candidate's key verifies it \("CN=Verify Root,O=Example" \(root\.pem\): ecdsa-with-SHA256 signature does not verify\)/,
      openssl: ['verify', '-CAfile', 'root.pem', 'sub-by-impostor.pem'],
    },
    {
      name: 'signed by a certificate that is not a CA',
      file: 'sub-by-leaf.pem',
      issuers: ['leaf.pem'],
      statuses: ['invalid'],
      detail:
        /verified, but "CN=leaf\.example" is not a CA: basicConstraints cA is not TRUE \(RFC 5280 §4\.2\.1\.9, §6\.1\.4 \(k\)\)/,
      openssl: ['verify', '-partial_chain', '-CAfile', 'leaf.pem', 'sub-by-leaf.pem'],
    },
    {
      name: 'signed by a CA without keyCertSign',
      file: 'sub-by-nosign.pem',
      issuers: ['nosign.pem'],
      statuses: ['invalid'],
      detail:
        /but "CN=No Sign CA,O=Example" has keyUsage digitalSignature without keyCertSign \(RFC 5280 §4\.2\.1\.3\)/,
      openssl: ['verify', '-partial_chain', '-CAfile', 'nosign.pem', 'sub-by-nosign.pem'],
    },
    {
      name: 'issuer not given',
      file: 'sub.pem',
      issuers: ['root.pem'],
      statuses: ['unsupported'],
      detail: /its issuer "CN=Verify Issuing CA,O=Example" is neither in this file nor given with --issuer/,
      openssl: ['verify', '-CAfile', 'root.pem', 'sub.pem'],
    },
    {
      name: 'one bit of the signature flipped',
      file: 'root-tampered.der',
      issuers: [],
      statuses: ['invalid'],
      detail: /itself: ecdsa-with-SHA256 signature does not verify/,
      openssl: ['verify', '-check_ss_sig', '-CAfile', 'root.pem', 'root-tampered.der'],
    },
    {
      name: 'CSR (PEM)',
      file: 'leaf.csr',
      issuers: [],
      statuses: ['valid'],
      detail: /ecdsa-with-SHA256 signature verified/,
      openssl: ['req', '-in', 'leaf.csr', '-verify', '-noout'],
    },
    {
      name: 'CSR (DER)',
      file: 'leaf.csr.der',
      issuers: [],
      statuses: ['valid'],
      detail: /verified/,
      openssl: ['req', '-inform', 'DER', '-in', 'leaf.csr.der', '-verify', '-noout'],
    },
    {
      name: 'CRL from openssl ca -gencrl (PEM)',
      file: 'root.crl',
      issuers: ['root.pem'],
      statuses: ['valid'],
      detail: /ecdsa-with-SHA256 signature verified/,
      openssl: ['crl', '-in', 'root.crl', '-CAfile', 'root.pem', '-noout'],
    },
    {
      name: 'CRL (DER)',
      file: 'root.crl.der',
      issuers: ['root.pem'],
      statuses: ['valid'],
      detail: /verified/,
      openssl: ['crl', '-inform', 'DER', '-in', 'root.crl.der', '-CAfile', 'root.pem', '-noout'],
    },
    {
      name: 'CRL signed by the wrong key',
      file: 'impostor.crl',
      issuers: ['root.pem'],
      statuses: ['invalid'],
      detail: /no candidate's key verifies it/,
      openssl: ['crl', '-in', 'impostor.crl', '-CAfile', 'root.pem', '-noout'],
    },
    {
      name: 'CRL signed by a CA without cRLSign',
      file: 'nosign.crl',
      issuers: ['nosign.pem'],
      statuses: ['invalid'],
      detail: /without cRLSign \(RFC 5280 §4\.2\.1\.3\) \(RFC 5280 §6\.3\.3 \(f\)\)/,
      openssl: [],
    },
    {
      name: 'CRL issuer not given',
      file: 'root.crl',
      issuers: [],
      statuses: ['unsupported'],
      detail: /the CRL issuer "CN=Verify Root,O=Example" is not given: pass its certificate with --issuer/,
      openssl: ['crl', '-in', 'root.crl', '-CAfile', 'int.pem', '-noout'],
    },
    {
      name: 'OCSP response signed by the CA',
      file: 'ocsp-by-ca.der',
      issuers: ['root.pem'],
      statuses: ['valid'],
      detail: /verified/,
      openssl: ['ocsp', '-respin', 'ocsp-by-ca.der', '-CAfile', 'root.pem'],
    },
    {
      name: 'OCSP response by a delegated responder',
      file: 'ocsp-delegated.der',
      issuers: ['root.pem'],
      statuses: ['valid', 'valid'],
      detail: /verified/,
      openssl: ['ocsp', '-respin', 'ocsp-delegated.der', '-CAfile', 'root.pem'],
    },
    {
      name: 'OCSP response by a responder without id-kp-OCSPSigning',
      file: 'ocsp-noeku.der',
      issuers: ['root.pem'],
      statuses: ['invalid'],
      detail: /neither the CA "CN=Verify Root,O=Example" nor has id-kp-OCSPSigning \(RFC 6960 §4\.2\.2\.2\)/,
      openssl: ['ocsp', '-respin', 'ocsp-noeku.der', '-CAfile', 'root.pem'],
    },
    {
      name: 'OCSP response by an impostor with the CA’s name',
      file: 'ocsp-impostor.der',
      issuers: ['root.pem'],
      statuses: ['invalid'],
      detail: /has the name of the CA "CN=Verify Root,O=Example" given with --issuer but not its key/,
      openssl: ['ocsp', '-respin', 'ocsp-impostor.der', '-CAfile', 'root.pem'],
    },
    {
      name: 'OCSP response whose CA is not given',
      file: 'ocsp-by-ca.der',
      issuers: ['int.pem'],
      statuses: ['unsupported'],
      detail: /is about a CA that is not given with --issuer/,
      openssl: ['ocsp', '-respin', 'ocsp-by-ca.der', '-CAfile', 'int.pem'],
    },
    {
      name: 'a public key: nothing to verify',
      file: 'root.pub.pem',
      issuers: [],
      statuses: ['unsupported'],
      detail: /a public key carries no signature to verify/,
      openssl: [],
    },
  ];

  it.each(cases)('$name', async ({ file, issuers, statuses, detail, openssl }) => {
    const result = await verify(file, ...issuers);
    expect(result.checks.map((c) => c.status)).toEqual(statuses);
    const [first] = result.checks;
    expect(first?.detail).toMatch(detail);
    expect(allValid([result])).toBe(statuses.every((s) => s === 'valid'));
    // OpenSSL agrees wherever it gives a verdict on the same question.
    if (openssl.length > 0) expect(opensslAccepts(openssl)).toBe(statuses.every((s) => s === 'valid'));
  });

  it('says who signed what and when each is valid', async () => {
    const chain = await verify('chain.pem');
    expect(chain.kinds).toEqual(['certificate']);
    expect(chain.checks.map((c) => [c.object, c.signer])).toEqual([
      ['certificate "CN=sub.example"', '"CN=Verify Issuing CA,O=Example" (this file, block 2)'],
      ['certificate "CN=Verify Issuing CA,O=Example"', '"CN=Verify Root,O=Example" (this file, block 3)'],
      ['certificate "CN=Verify Root,O=Example"', 'itself'],
    ]);
    for (const c of chain.checks) expect(c.window?.current).toBe(true);
    const crl = await verify('root.crl', 'root.pem');
    expect(crl.checks[0]?.object).toBe('CRL of "CN=Verify Root,O=Example" number 1 (1 revoked)');
    const later = await verifyEvidenceSignatures(
      fx.read('root.crl'),
      'root.crl',
      readTrustMaterial([{ bytes: fx.read('root.pem'), where: 'root.pem' }]),
      { at: new Date(Date.now() + 40 * 86_400_000) },
    );
    expect(later.checks[0]?.status).toBe('valid');
    expect(later.checks[0]?.window?.current).toBe(false);
    expect(later.checks[0]?.notes.join()).toMatch(/^not current at /);
  });

  it('names a match that holds only as text: PrintableString against UTF8String', async () => {
    const r = await verify('printleaf.pem', 'root.pem');
    expect(r.checks[0]?.status).toBe('valid');
    expect(r.checks[0]?.notes).toContainEqual(
      expect.stringMatching(
        /^the issuer name equals the subject of "CN=Verify Root,O=Example" as text but not byte for byte \(O is a PrintableString here and a UTF8String there\)/,
      ),
    );
    const exact = await verify('printleaf.pem', 'root-printable.pem');
    expect(exact.checks[0]?.notes).toEqual([]);
  });

  it('refuses an --issuer file that holds no certificate', () => {
    expect(() => readTrustMaterial([{ bytes: fx.read('root.crl'), where: 'root.crl' }])).toThrow(
      /root\.crl: an --issuer file must hold certificates; this one holds a crl/,
    );
  });
});

function error(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isKeywitnessError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'accepted';
}

describe('CRL parser: each bad input one field away from a real CRL', () => {
  let crl: Uint8Array;
  let parts: Uint8Array[];
  let tbs: Uint8Array[];
  const withTbs = (change: (t: Uint8Array[]) => Uint8Array[]): Uint8Array =>
    seq(rebuild(parts[0] ?? seq(), change([...tbs])), ...parts.slice(1));
  beforeAll(() => {
    crl = fx.read('root.crl.der');
    parts = fields(crl);
    tbs = fields(parts[0] ?? seq());
  });

  it('reads the real CRL as openssl prints it', () => {
    const facts = parseCrl(crl, 'root.crl.der');
    const text = ossl(fx.dir, ['crl', '-in', 'root.crl', '-noout', '-text']);
    expect(facts.version).toBe(2);
    expect(facts.crlNumber).toBe('1');
    expect(text).toMatch(/X509v3 CRL Number: \s*\n\s*1\n/);
    expect(facts.revoked).toEqual([{ serial: '1000', revocationDate: expect.any(Date), reason: 'keyCompromise' }]);
    expect(facts.authorityKeyId).toBe(
      /Authority Key Identifier: \s*\n\s*([0-9A-F:]+)/.exec(text)?.[1]?.replace(/:/g, '').toLowerCase(),
    );
    expect(facts.warnings).toEqual([]);
  });

  const table: [string, () => Uint8Array, RegExp][] = [
    [
      'trailing bytes',
      () => Uint8Array.from([...crl, 0]),
      /^EVIDENCE_INVALID: t: 1 trailing bytes after the DER element/,
    ],
    [
      'truncated',
      () => crl.subarray(0, crl.length - 10),
      /^EVIDENCE_INVALID: t: element claims \d+ content bytes but only \d+ remain/,
    ],
    [
      'version 3',
      () => withTbs((t) => [int(2), ...t.slice(1)]),
      /CRL version field is 2; RFC 5280 §5\.1\.2\.1 allows only 1 \(v2\)/,
    ],
    [
      'empty revokedCertificates',
      () => withTbs((t) => [...t.slice(0, 5), seq(), ...t.slice(6)]),
      /revokedCertificates is present but empty/,
    ],
    [
      'unknown critical CRL extension',
      () =>
        withTbs((t) => [
          ...t.slice(0, 6),
          ctx(0, seq(seq(oid('1.2.3.4'), tlv(0x01, Uint8Array.of(0xff)), octets(Uint8Array.of(5, 0))))),
        ]),
      /unknown critical CRL extension 1\.2\.3\.4 \(RFC 5280 §5\.2\)/,
    ],
    [
      'critical encoded as FALSE',
      () =>
        withTbs((t) => [
          ...t.slice(0, 6),
          ctx(0, seq(seq(oid('2.5.29.20'), tlv(0x01, Uint8Array.of(0)), octets(int(1))))),
        ]),
      /critical must be omitted or TRUE \(0xFF\) in DER/,
    ],
    [
      'reason code 7 (unused)',
      () =>
        withTbs((t) => [
          ...t.slice(0, 5),
          seq(
            seq(
              int(0x10, 0),
              tlv(0x17, new TextEncoder().encode('260101000000Z')),
              seq(seq(oid('2.5.29.21'), octets(enumerated(7)))),
            ),
          ),
          ...t.slice(6),
        ]),
      /revoked entry 1: reasonCode 07 is not one RFC 5280 §5\.3\.1 defines/,
    ],
    ['extensions in a v1 CRL', () => withTbs((t) => t.slice(1)), /crlExtensions present in a CRL that is not v2/],
    [
      'empty issuer',
      () => withTbs((t) => [t[0] ?? seq(), t[1] ?? seq(), seq(), ...t.slice(3)]),
      /issuer is an empty Name/,
    ],
    [
      'not a time after the issuer',
      () => withTbs((t) => [...t.slice(0, 3), int(1), ...t.slice(4)]),
      /expected UTCTime or GeneralizedTime/,
    ],
    [
      'oversized, refused before parsing',
      () => new Uint8Array(1024 * 1024 + 1).fill(0x30),
      /^INPUT_TOO_LARGE: t: 1048577 bytes is over the 1048576-byte limit/,
    ],
  ];
  it.each(table)('%s', (_name, make, message) => {
    expect(error(() => parseCrl(make(), 't'))).toMatch(message);
  });
});

describe('OCSP parser: each bad input one field away from a real response', () => {
  let der: Uint8Array;
  let basicParts: Uint8Array[];
  let rd: Uint8Array[];
  const wrap = (basic: Uint8Array, type = '1.3.6.1.5.5.7.48.1.1'): Uint8Array =>
    seq(enumerated(0), ctx(0, seq(oid(type), octets(basic))));
  const withRd = (change: (t: Uint8Array[]) => Uint8Array[]): Uint8Array =>
    wrap(seq(rebuild(basicParts[0] ?? seq(), change([...rd])), ...basicParts.slice(1)));
  beforeAll(() => {
    der = fx.read('ocsp-by-ca.der');
    const [, bytesField] = fields(der);
    const [responseBytes] = fields(bytesField ?? seq());
    const [, octetString] = fields(responseBytes ?? seq());
    const basic = (octetString ?? octets()).subarray(
      2 + ((octetString?.[1] ?? 0) & 0x80 ? (octetString?.[1] ?? 0) & 0x7f : 0),
    );
    basicParts = fields(basic);
    rd = fields(basicParts[0] ?? seq());
  });

  it('reads the real response as openssl prints it', () => {
    const facts = parseOcspResponse(der, 'ocsp-by-ca.der');
    const text = ossl(fx.dir, ['ocsp', '-respin', 'ocsp-by-ca.der', '-resp_text', '-noverify']);
    expect(facts.responses.map((r) => [r.serial, r.status, r.revocationReason])).toEqual([
      ['1000', 'revoked', 'keyCompromise'],
    ]);
    expect(text).toMatch(/Cert Status: revoked/);
    expect(text).toMatch(/Serial Number: 1000/);
    expect(facts.responder).toMatchObject({ byName: true, name: 'CN=Verify Root,O=Example' });
    expect(facts.certificates.map((c) => c.subject)).toEqual(['CN=Verify Root,O=Example']);
  });

  const table: [string, () => Uint8Array, RegExp][] = [
    ['trailing bytes', () => Uint8Array.from([...der, 0]), /1 trailing bytes after the DER element/],
    [
      'status tryLater',
      () => seq(enumerated(3)),
      /the OCSP response status is "tryLater": it carries no signed answer/,
    ],
    ['status 4 (unused)', () => seq(enumerated(4)), /responseStatus 04 is not one RFC 6960 §4\.2\.1 defines/],
    [
      'an unsuccessful status with responseBytes',
      () => seq(enumerated(1), ctx(0, seq())),
      /"malformedRequest" response must not carry responseBytes/,
    ],
    ['successful without responseBytes', () => seq(enumerated(0)), /a successful response needs responseBytes \[0\]/],
    [
      'another response type',
      () => wrap(seq(), '1.3.6.1.5.5.7.48.1.99'),
      /^EVIDENCE_UNSUPPORTED: t: response type 1\.3\.6\.1\.5\.5\.7\.48\.1\.99 is not id-pkix-ocsp-basic/,
    ],
    [
      'byKey of the wrong length',
      () => withRd((t) => [ctx(2, octets(Uint8Array.of(1, 2, 3))), ...t.slice(1)]),
      /responderID byKey is 3 bytes; a SHA-1 KeyHash is 20/,
    ],
    ['no responses', () => withRd((t) => [t[0] ?? seq(), t[1] ?? seq(), seq(), ...t.slice(3)]), /responses is empty/],
    [
      'unknown critical response extension',
      () =>
        withRd((t) => [
          ...t.slice(0, 3),
          tlv(0xa1, seq(seq(oid('1.2.3.4'), tlv(0x01, Uint8Array.of(0xff)), octets()))),
        ]),
      /unknown critical response extension 1\.2\.3\.4 \(RFC 6960 §4\.4\)/,
    ],
    [
      'producedAt as UTCTime',
      () => withRd((t) => [t[0] ?? seq(), tlv(0x17, new TextEncoder().encode('260101000000Z')), ...t.slice(2)]),
      /producedAt must be a GeneralizedTime/,
    ],
  ];
  it.each(table)('%s', (_name, make, message) => {
    expect(error(() => parseOcspResponse(make(), 't'))).toMatch(message);
  });
});
