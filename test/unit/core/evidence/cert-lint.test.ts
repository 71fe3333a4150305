/**
 * Certificate lints, each with a certificate made during the test that has the fault (openssl, and
 * Python's cryptography for keys openssl will not make: primes close enough for Fermat, the ROCA
 * fingerprint) and a sound one that does not; the arithmetic checked on its own too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, type CertificateFacts } from '../../../../src/core/evidence/certificate.js';
import {
  ecPointOnCurve,
  fermatFactor,
  hasRocaFingerprint,
  isqrt,
  lintCertificate,
  lintsClean,
  type LintCode,
} from '../../../../src/core/evidence/cert-lint.js';
import { derBlocks } from '../../../../src/core/evidence/pem.js';
import { certificateNameBytes } from '../../../../src/core/evidence/signed-object.js';
import { fromHex } from '../../../../src/core/util/bytes.js';
import { makeSignedFixtures, type SignedFixtures } from './signed-fixtures.js';

const CONF = `
[req]
distinguished_name = dn
[dn]
[good_root]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[no_bc]
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
[bc_not_critical]
basicConstraints = CA:true
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
[no_ku]
basicConstraints = critical,CA:true
subjectKeyIdentifier = hash
[ku_no_certsign]
basicConstraints = critical,CA:true
keyUsage = critical,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[ku_not_critical]
basicConstraints = critical,CA:true
keyUsage = keyCertSign
subjectKeyIdentifier = hash
[no_ski]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign
subjectKeyIdentifier = none
[root_pathlen]
basicConstraints = critical,CA:true,pathlen:1
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
`;

/** Python's cryptography builds a self-signed CA certificate from chosen RSA primes. */
const PYTHON = String.raw`
import sys, secrets, datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

def probable_prime(n):
    if n < 2: return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0: return n == p
    d, s = n - 1, 0
    while d % 2 == 0: d, s = d // 2, s + 1
    for _ in range(40):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1): continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1: break
        else: return False
    return True

def next_prime(n):
    n |= 1
    while not probable_prime(n): n += 2
    return n

def random_prime(bits):
    return next_prime(secrets.randbits(bits) | (3 << (bits - 2)))

SMALL = [3,5,7,11,13,17,19,23,29,31,37,41,43,47,53,59,61,67,71,73,79,83,89,97,101,103,107,109,113,127,131,137,139,149,151,157,163,167]
M = 1
for p in SMALL: M *= p

def roca_prime(bits):
    # p = k*M + 1: every residue is 1 = 65537^0, as in the ROCA fingerprint.
    while True:
        k = secrets.randbits(bits - M.bit_length()) | (1 << (bits - M.bit_length() - 1))
        p = k * M + 1
        if p.bit_length() == bits and probable_prime(p): return p

kind, out = sys.argv[1], sys.argv[2]
if kind == 'fermat':
    p = random_prime(1024)
    q = next_prime(p + (1 << 400))
else:
    p, q = roca_prime(1024), roca_prime(1024)
e = 65537
n = p * q
d = pow(e, -1, (p - 1) * (q - 1))
key = rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(e, n)).private_key()
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Lint ' + kind)])
now = datetime.datetime(2026, 1, 1)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
    .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    .sign(key, hashes.SHA256()))
open(out, 'wb').write(cert.public_bytes(serialization.Encoding.PEM))
`;
import { missingTool } from '../../../support/tools.js';

let dir: string;
let fx: SignedFixtures;

/** python3-cryptography makes the keys openssl will not; without it those two cases say they are skipped. */
// Debian's interpreter, where `apt-get install python3-cryptography` puts the package (.ci/run).
const PYTHON_BIN = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const PYTHON_CRYPTOGRAPHY = spawnSync(PYTHON_BIN, ['-c', 'import cryptography']).status === 0;
const NEEDS_PYTHON = new Set(['fermat.pem', 'roca.pem']);

function o(...args: string[]): void {
  execFileSync('openssl', args, {
    cwd: dir,
    env: { ...process.env, OPENSSL_CONF: join(dir, 'lint.cnf') },
    stdio: 'pipe',
  });
}

function load(name: string): CertificateFacts {
  const der =
    derBlocks(new Uint8Array(readFileSync(join(dir, name))), ['CERTIFICATE'], name)[0]?.der ?? new Uint8Array();
  return parseCertificate(der, name);
}

const codes = (cert: CertificateFacts, ca?: boolean): LintCode[] =>
  lintCertificate(cert, ca === undefined ? {} : { ca }).map((l) => l.code);

/** A self-signed certificate: key file, extensions section, more openssl options. */
function make(name: string, key: string, section: string, ...more: string[]): void {
  o(
    'req',
    '-new',
    '-x509',
    '-key',
    key,
    '-subj',
    `/CN=Lint ${name}`,
    '-days',
    '3650',
    '-extensions',
    section,
    '-set_serial',
    '0x7f3a9c1e5b2d4f60a1b2',
    ...more,
    '-out',
    `${name}.pem`,
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kw-lint-'));
  fx = makeSignedFixtures();
  writeFileSync(join(dir, 'lint.cnf'), CONF);
  o('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'p384.key');
  o('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa2048.key');
  o('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'rsa1024.key');
  o(
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-pkeyopt',
    'rsa_keygen_pubexp:3',
    '-out',
    'rsa-e3.key',
  );
  make('good', 'p384.key', 'good_root', '-sha384');
  make('good-rsa', 'rsa2048.key', 'good_root');
  make('rsa1024', 'rsa1024.key', 'good_root');
  make('rsa-e3', 'rsa-e3.key', 'good_root');
  make('sha1', 'p384.key', 'good_root', '-sha1');
  make('md5', 'rsa2048.key', 'good_root', '-md5');
  make('no-bc', 'p384.key', 'no_bc');
  make('bc-not-critical', 'p384.key', 'bc_not_critical');
  make('no-ku', 'p384.key', 'no_ku');
  make('ku-no-certsign', 'p384.key', 'ku_no_certsign');
  make('ku-not-critical', 'p384.key', 'ku_not_critical');
  make('no-ski', 'p384.key', 'no_ski');
  make('pathlen', 'p384.key', 'root_pathlen');
  make('long-life', 'p384.key', 'good_root', '-days', '9200');
  make('leaf', 'p384.key', 'leaf');
  for (const [name, serial] of [
    ['serial-zero', '0'],
    ['serial-negative', '-5'],
    ['serial-short', '0x1234'],
    ['serial-long', `0x7f${'ab'.repeat(20)}`],
  ] as const)
    o(
      'req',
      '-new',
      '-x509',
      '-key',
      'p384.key',
      '-subj',
      `/CN=Lint ${name}`,
      '-days',
      '3650',
      '-extensions',
      'good_root',
      '-set_serial',
      serial,
      '-out',
      `${name}.pem`,
    );
  if (PYTHON_CRYPTOGRAPHY)
    for (const kind of ['fermat', 'roca'])
      execFileSync(PYTHON_BIN, ['-c', PYTHON, kind, join(dir, `${kind}.pem`)], { stdio: 'pipe' });
  // A P-384 certificate whose public point was moved off the curve (one byte of y changed).
  const good = readFileSync(join(dir, 'good.pem'), 'utf8');
  const der = derBlocks(new TextEncoder().encode(good), ['CERTIFICATE'], 'good')[0]?.der ?? new Uint8Array();
  const point = fromHex(parseCertificate(der, 'good').key.publicHex);
  const at = Buffer.from(der).indexOf(Buffer.from(point));
  const off = new Uint8Array(der);
  off[at + point.length - 1] = (off[at + point.length - 1] ?? 0) ^ 0x01;
  writeFileSync(join(dir, 'off-curve.der'), off);
  o('x509', '-inform', 'DER', '-in', 'off-curve.der', '-out', 'off-curve.pem');
}, 180_000);

describe('certificate lints', () => {
  it('a sound root has no error or warning (openssl P-384 and RSA-2048)', () => {
    for (const name of ['good.pem', 'good-rsa.pem']) {
      const lints = lintCertificate(load(name));
      expect(lints).toEqual([]);
      expect(lintsClean(lints)).toBe(true);
    }
  });

  const table: [string, string, LintCode, RegExp][] = [
    [
      'RSA under 2048 bits',
      'rsa1024.pem',
      'RSA_KEY_TOO_SMALL',
      /^the RSA key is 1024 bits; a CA key needs at least 2048$/,
    ],
    ['RSA exponent 3', 'rsa-e3.pem', 'RSA_EXPONENT_NOT_65537', /^the RSA public exponent is 3; CA keys use 65537/],
    [
      'primes close enough for Fermat',
      'fermat.pem',
      'RSA_FERMAT_FACTORABLE',
      /factors by Fermat's method within 100 rounds: its primes differ by \d+/,
    ],
    [
      'the ROCA fingerprint',
      'roca.pem',
      'RSA_ROCA_FINGERPRINT',
      /ROCA fingerprint of Infineon RSALib keys \(CVE-2017-15361\)/,
    ],
    [
      'an EC point off the curve',
      'off-curve.pem',
      'EC_POINT_NOT_ON_CURVE',
      /^the public point is not on P-384 \(SEC 1 §3\.2\.2\.1\)$/,
    ],
    [
      'a SHA-1 signature',
      'sha1.pem',
      'WEAK_SIGNATURE_HASH',
      /signed with ecdsa-with-SHA1 \(SHA-1 is broken for signatures\)/,
    ],
    [
      'an MD5 signature',
      'md5.pem',
      'WEAK_SIGNATURE_HASH',
      /signed with 1\.2\.840\.113549\.1\.1\.4 \(MD5 is broken for signatures\)/,
    ],
    [
      'serial zero',
      'serial-zero.pem',
      'SERIAL_NOT_POSITIVE',
      /the serial number is zero; RFC 5280 §4\.1\.2\.2 requires a positive integer/,
    ],
    ['a negative serial', 'serial-negative.pem', 'SERIAL_NOT_POSITIVE', /the serial number is negative/],
    ['no basicConstraints on a CA', 'no-bc.pem', 'CA_BASIC_CONSTRAINTS', /^a CA certificate without basicConstraints/],
    [
      'basicConstraints not critical',
      'bc-not-critical.pem',
      'CA_BASIC_CONSTRAINTS',
      /basicConstraints of a CA certificate is not critical/,
    ],
    ['no keyUsage on a CA', 'no-ku.pem', 'CA_KEY_USAGE', /^a CA certificate without keyUsage/],
    [
      'keyUsage without keyCertSign',
      'ku-no-certsign.pem',
      'CA_KEY_USAGE',
      /^keyUsage digitalSignature, cRLSign lacks keyCertSign/,
    ],
    ['keyUsage not critical', 'ku-not-critical.pem', 'CA_KEY_USAGE', /keyUsage of a CA certificate is not critical/],
    ['a serial under 64 bits', 'serial-short.pem', 'SERIAL_SHORT', /the serial number has 13 bits; at least 64/],
    [
      'a serial over 20 octets',
      'serial-long.pem',
      'SERIAL_TOO_LONG',
      /the serial number is 21 octets encoded; RFC 5280 §4\.1\.2\.2 allows at most 20/,
    ],
    [
      'no subjectKeyIdentifier',
      'no-ski.pem',
      'NO_SUBJECT_KEY_IDENTIFIER',
      /a CA certificate without subjectKeyIdentifier/,
    ],
    ['validity over 25 years', 'long-life.pem', 'VALIDITY_OVER_25_YEARS', /more than 25 years/],
    ['a pathLenConstraint on a root', 'pathlen.pem', 'ROOT_PATH_LENGTH', /a root with pathLenConstraint 1/],
    [
      'no authorityKeyIdentifier on a root',
      'no-ski.pem',
      'ROOT_NO_AUTHORITY_KEY_IDENTIFIER',
      /without authorityKeyIdentifier/,
    ],
  ];
  it.each(table.filter(([, file]) => PYTHON_CRYPTOGRAPHY || !NEEDS_PYTHON.has(file)))(
    '%s: %s gives %s',
    (_name, file, code, message) => {
      const lints = lintCertificate(load(file));
      const found = lints.find((l) => l.code === code);
      expect(found?.message).toMatch(message);
      expect(found?.severity).toBe(
        [
          'SERIAL_SHORT',
          'SERIAL_TOO_LONG',
          'NO_SUBJECT_KEY_IDENTIFIER',
          'VALIDITY_OVER_25_YEARS',
          'ROOT_PATH_LENGTH',
        ].includes(code)
          ? 'warning'
          : code === 'ROOT_NO_AUTHORITY_KEY_IDENTIFIER'
            ? 'notice'
            : 'error',
      );
      expect(lintsClean(lints)).toBe(found?.severity !== 'error');
    },
  );

  if (missingTool(PYTHON_CRYPTOGRAPHY, 'python3-cryptography'))
    it.skip('Fermat and ROCA cases: python3-cryptography is not installed', () => {});

  it('applies the CA lints when told the certificate is a CA, and not to a leaf', () => {
    expect(codes(load('leaf.pem'))).toEqual([]);
    expect(codes(load('leaf.pem'), true)).toEqual([
      'CA_BASIC_CONSTRAINTS',
      'CA_KEY_USAGE',
      'ROOT_NO_AUTHORITY_KEY_IDENTIFIER',
    ]);
  });

  it('notes an issuer name encoded otherwise than the issuer’s subject (PrintableString against UTF8String)', () => {
    const leaf = parseCertificate(
      derBlocks(fx.read('printleaf.pem'), ['CERTIFICATE'], 'leaf')[0]?.der ?? new Uint8Array(),
      'leaf',
    );
    const root = parseCertificate(
      derBlocks(fx.read('root.pem'), ['CERTIFICATE'], 'root')[0]?.der ?? new Uint8Array(),
      'root',
    );
    const lints = lintCertificate(leaf, {
      names: certificateNameBytes(leaf.der, 'leaf'),
      issuer: { cert: root, names: certificateNameBytes(root.der, 'root') },
    });
    expect(lints.filter((l) => l.code === 'NAME_ENCODING_DIFFERS').map((l) => [l.severity, l.message])).toEqual([
      [
        'notice',
        "the issuer field is not encoded as the issuer's subject is (O is a PrintableString here and a UTF8String there) (RFC 5280 §7.1)",
      ],
    ]);
  });
});

describe('lint arithmetic', () => {
  it('isqrt and Fermat on small numbers', () => {
    expect([isqrt(0n), isqrt(15n), isqrt(16n), isqrt(10n ** 40n + 1n)]).toEqual([0n, 3n, 4n, 10n ** 20n]);
    expect(fermatFactor(101n * 103n)).toEqual([101n, 103n]);
    expect(fermatFactor(3n * 1000003n)).toBeUndefined();
  });

  it('a random modulus does not have the ROCA fingerprint; 1 modulo every prime does', () => {
    const n = BigInt(`0x${load('good-rsa.pem').key.publicHex}`);
    expect(hasRocaFingerprint(n)).toBe(false);
    expect(hasRocaFingerprint(1n)).toBe(true);
  });

  it('points of real keys are on their curves, compressed ones too; a moved one is not', () => {
    for (const curve of ['P-256', 'P-384', 'P-521']) {
      const pem = execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`], {
        encoding: 'utf8',
      });
      const text = execFileSync('openssl', ['pkey', '-noout', '-text'], { input: pem, encoding: 'utf8' });
      const hex = /pub:\s*\n([\s0-9a-f:]+)ASN1/.exec(text)?.[1]?.replace(/[\s:]/g, '') ?? '';
      const point = fromHex(hex);
      expect([curve, ecPointOnCurve(curve, point)]).toEqual([curve, true]);
      const size = (point.length - 1) / 2;
      const compressed = Uint8Array.from([2 + ((point[point.length - 1] ?? 0) & 1), ...point.subarray(1, 1 + size)]);
      expect(ecPointOnCurve(curve, compressed)).toBe(true);
      const moved = new Uint8Array(point);
      moved[moved.length - 1] = (moved[moved.length - 1] ?? 0) ^ 1;
      expect(ecPointOnCurve(curve, moved)).toBe(false);
    }
    expect(ecPointOnCurve('secp256k1', Uint8Array.of(4))).toBeUndefined();
  });
});
