/**
 * Certificate profile lints: what Boulder's ceremony tool and the CA/Browser Forum Baseline
 * Requirements check before and after a CA certificate is made, for the keys and fields a new CA key
 * must not get wrong. Errors: a weak RSA key (under 2048 bits, an exponent other than 65537, primes
 * close enough for Fermat's method, the ROCA fingerprint), an EC point off its curve, an MD5 or SHA-1
 * signature, a serial that is not positive (RFC 5280 §4.1.2.2), and a CA certificate without a
 * critical basicConstraints cA TRUE (§4.2.1.9) or a critical keyUsage with keyCertSign (§4.2.1.3).
 * Warnings: serials under 64 bits or over 20 octets, no subjectKeyIdentifier (§4.2.1.2), validity
 * over 25 years, a pathLenConstraint on a root. Notices: no authorityKeyIdentifier on a root
 * (§4.2.1.1), names encoded differently from the issuer's (§7.1). Lints describe; they never change
 * whether a signature verifies.
 */
import { equalBytes, fromHex } from '../util/bytes.js';
import type { CertificateFacts } from './certificate.js';
import { isSelfIssued } from './chain.js';
import { namesEqual } from './names.js';
import { nameEncodingDifference, type CertificateNameBytes } from './signed-object.js';

/** One finding of the lint. */
export interface Lint {
  /** Stable code, e.g. `RSA_KEY_TOO_SMALL`. */
  readonly code: LintCode;
  readonly severity: 'error' | 'warning' | 'notice';
  readonly message: string;
}

/** Every lint code, with its severity. Append only: scripts and tools match on them. */
export const LINT_CODES = {
  RSA_KEY_TOO_SMALL: 'error',
  RSA_EXPONENT_NOT_65537: 'error',
  RSA_FERMAT_FACTORABLE: 'error',
  RSA_ROCA_FINGERPRINT: 'error',
  EC_POINT_NOT_ON_CURVE: 'error',
  WEAK_SIGNATURE_HASH: 'error',
  SERIAL_NOT_POSITIVE: 'error',
  CA_BASIC_CONSTRAINTS: 'error',
  CA_KEY_USAGE: 'error',
  SERIAL_SHORT: 'warning',
  SERIAL_TOO_LONG: 'warning',
  NO_SUBJECT_KEY_IDENTIFIER: 'warning',
  VALIDITY_OVER_25_YEARS: 'warning',
  ROOT_PATH_LENGTH: 'warning',
  ROOT_NO_AUTHORITY_KEY_IDENTIFIER: 'notice',
  NAME_ENCODING_DIFFERS: 'notice',
} as const;

export type LintCode = keyof typeof LINT_CODES;

/** What the lint is told about the certificate's place. */
export interface LintContext {
  /**
   * Whether the certificate is meant to be a CA. Default: it says so itself (basicConstraints cA,
   * or keyUsage keyCertSign).
   */
  readonly ca?: boolean;
  /** The exact DER of the certificate's names, for the encoding notices. */
  readonly names?: CertificateNameBytes;
  /** The issuer's certificate and names, when known. */
  readonly issuer?: { readonly cert: CertificateFacts; readonly names: CertificateNameBytes };
}

/** Rounds of Fermat's method, as Boulder's goodkey uses. */
export const FERMAT_ROUNDS = 100;

const OID_RSA_PSS = '1.2.840.113549.1.1.10';
/** The DER of the SHA-256, SHA-384 and SHA-512 OIDs, as RSASSA-PSS-params name them (RFC 4055 §3.1). */
const SHA2_OID_DER = /06096086480165030402(01|02|03)/;

const WEAK_HASH_SIGNATURES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'MD2',
  '1.2.840.113549.1.1.4': 'MD5',
  '1.2.840.113549.1.1.5': 'SHA-1',
  '1.2.840.10045.4.1': 'SHA-1',
  '1.2.840.10040.4.3': 'SHA-1',
  '1.3.14.3.2.29': 'SHA-1',
};

// ---------------------------------------------------------------------------------------------
// Arithmetic

function big(hex: string): bigint {
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

/** Integer square root ⌊√n⌋ by Newton's method, for Fermat's factorisation. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/**
 * Fermat's factorisation for `rounds` steps from ⌈√n⌉: finds p and q when they are close (as a
 * broken generator makes them). Returns the factors, or undefined.
 */
export function fermatFactor(n: bigint, rounds = FERMAT_ROUNDS): [bigint, bigint] | undefined {
  if (n < 4n) return undefined;
  let a = isqrt(n);
  if (a * a < n) a += 1n;
  for (let i = 0; i < rounds; i++, a += 1n) {
    const b2 = a * a - n;
    const b = isqrt(b2);
    if (b * b === b2) {
      const p = a - b;
      if (p > 1n) return [p, a + b];
    }
  }
  return undefined;
}

/** The small primes of the ROCA fingerprint test (Nemec et al., CCS 2017, "The Return of Coppersmith's Attack"). */
const ROCA_PRIMES = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113,
  127, 131, 137, 139, 149, 151, 157, 163, 167,
];

let rocaGroups: readonly Set<number>[] | undefined;

/** For each prime, the powers of 65537 modulo it: the residues an Infineon RSALib modulus takes. */
function rocaSubgroups(): readonly Set<number>[] {
  rocaGroups ??= ROCA_PRIMES.map((p) => {
    const g = 65537 % p;
    const set = new Set<number>();
    for (let x = 1; !set.has(x); x = (x * g) % p) set.add(x);
    return set;
  });
  return rocaGroups;
}

/**
 * The ROCA fingerprint: a modulus whose residue modulo every one of the small primes lies in the
 * subgroup generated by 65537 (the test of the paper's detection tool; a random modulus passes all
 * 38 with negligible probability).
 */
export function hasRocaFingerprint(n: bigint): boolean {
  return rocaSubgroups().every((group, i) => group.has(Number(n % BigInt(ROCA_PRIMES[i] ?? 1))));
}

/** Short Weierstrass parameters of the NIST curves (FIPS 186-4 §D.1.2; SEC 2 §2.4-2.6). */
const CURVES: Readonly<
  Record<string, { readonly p: bigint; readonly a: bigint; readonly b: bigint; readonly bytes: number }>
> = {
  'P-256': {
    p: big('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff'),
    a: big('ffffffff00000001000000000000000000000000fffffffffffffffffffffffc'),
    b: big('5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b'),
    bytes: 32,
  },
  'P-384': {
    p: big('fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff'),
    a: big('fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc'),
    b: big('b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef'),
    bytes: 48,
  },
  'P-521': {
    p: (1n << 521n) - 1n,
    a: (1n << 521n) - 4n,
    b: big(
      '0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00',
    ),
    bytes: 66,
  },
};

/**
 * Whether an EC public point (SEC 1 §2.3.3 encoding) lies on its NIST curve (SEC 1 §3.2.2.1): both
 * coordinates below p and y² = x³ + ax + b, or for a compressed point, x³ + ax + b a square.
 * Undefined for curves this check does not know.
 */
export function ecPointOnCurve(curve: string, point: Uint8Array): boolean | undefined {
  const c = CURVES[curve];
  if (!c) return undefined;
  const hex = (b: Uint8Array): bigint => big(Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''));
  const x = hex(point.subarray(1, 1 + c.bytes));
  if (x >= c.p) return false;
  const rhs = (((x * x) % c.p) * x + c.a * x + c.b) % c.p;
  if (point[0] === 4) {
    if (point.length !== 1 + 2 * c.bytes) return false;
    const y = hex(point.subarray(1 + c.bytes));
    return y < c.p && (y * y) % c.p === rhs;
  }
  if ((point[0] === 2 || point[0] === 3) && point.length === 1 + c.bytes)
    return rhs === 0n || modPow(rhs, (c.p - 1n) / 2n, c.p) === 1n;
  return false;
}

// ---------------------------------------------------------------------------------------------
// The lints

function lint(code: LintCode, message: string): Lint {
  return { code, severity: LINT_CODES[code], message };
}

/** Whether the certificate presents itself as a CA: basicConstraints cA (RFC 5280 §4.2.1.9) or keyCertSign (§4.2.1.3). */
export function claimsCa(cert: CertificateFacts): boolean {
  return (
    cert.extensions.basicConstraints?.ca === true || (cert.extensions.keyUsage?.usages.includes('keyCertSign') ?? false)
  );
}

function keyLints(cert: CertificateFacts): Lint[] {
  const out: Lint[] = [];
  const k = cert.key;
  if (k.algorithm === 'RSA' || k.algorithm === 'RSA-PSS') {
    if ((k.size ?? 0) < 2048)
      out.push(lint('RSA_KEY_TOO_SMALL', `the RSA key is ${k.size ?? 0} bits; a CA key needs at least 2048`));
    if (k.exponent !== '65537')
      out.push(
        lint(
          'RSA_EXPONENT_NOT_65537',
          `the RSA public exponent is ${k.exponent ?? '?'}; CA keys use 65537 (BR §6.1.6)`,
        ),
      );
    const n = big(k.publicHex);
    const factors = fermatFactor(n);
    if (factors)
      out.push(
        lint(
          'RSA_FERMAT_FACTORABLE',
          `the modulus factors by Fermat's method within ${FERMAT_ROUNDS} rounds: its primes differ by ${(factors[1] - factors[0]).toString()} (the key generator is broken)`,
        ),
      );
    if (hasRocaFingerprint(n))
      out.push(
        lint(
          'RSA_ROCA_FINGERPRINT',
          'the modulus has the ROCA fingerprint of Infineon RSALib keys (CVE-2017-15361): it can be factored',
        ),
      );
  } else if (k.algorithm === 'ECDSA' && k.curve !== undefined) {
    const on = ecPointOnCurve(k.curve, fromHex(k.publicHex));
    if (on === false) out.push(lint('EC_POINT_NOT_ON_CURVE', `the public point is not on ${k.curve} (SEC 1 §3.2.2.1)`));
  }
  return out;
}

function serialLints(cert: CertificateFacts): Lint[] {
  const out: Lint[] = [];
  const magnitude = fromHex(cert.serial.length % 2 ? `0${cert.serial}` : cert.serial);
  const zero = magnitude.every((b) => b === 0);
  if (cert.serialNegative || zero)
    out.push(
      lint(
        'SERIAL_NOT_POSITIVE',
        `the serial number is ${cert.serialNegative ? 'negative' : 'zero'}; RFC 5280 §4.1.2.2 requires a positive integer`,
      ),
    );
  else if (cert.serialBits < 64)
    out.push(
      lint(
        'SERIAL_SHORT',
        `the serial number has ${cert.serialBits} bits; at least 64 bits of CSPRNG output are expected (BR §7.1)`,
      ),
    );
  const encoded = magnitude.length + ((magnitude[0] ?? 0) >= 0x80 && !cert.serialNegative ? 1 : 0);
  if (encoded > 20)
    out.push(
      lint('SERIAL_TOO_LONG', `the serial number is ${encoded} octets encoded; RFC 5280 §4.1.2.2 allows at most 20`),
    );
  return out;
}

function caLints(cert: CertificateFacts): Lint[] {
  const out: Lint[] = [];
  const bc = cert.extensions.basicConstraints;
  if (!bc) out.push(lint('CA_BASIC_CONSTRAINTS', 'a CA certificate without basicConstraints (RFC 5280 §4.2.1.9)'));
  else if (!bc.ca)
    out.push(lint('CA_BASIC_CONSTRAINTS', 'a CA certificate whose basicConstraints has cA FALSE (RFC 5280 §4.2.1.9)'));
  else if (!bc.critical)
    out.push(lint('CA_BASIC_CONSTRAINTS', 'basicConstraints of a CA certificate is not critical (RFC 5280 §4.2.1.9)'));
  const ku = cert.extensions.keyUsage;
  if (!ku) out.push(lint('CA_KEY_USAGE', 'a CA certificate without keyUsage (RFC 5280 §4.2.1.3)'));
  else if (!ku.usages.includes('keyCertSign'))
    out.push(
      lint('CA_KEY_USAGE', `keyUsage ${ku.usages.join(', ') || '(none)'} lacks keyCertSign (RFC 5280 §4.2.1.3)`),
    );
  else if (!ku.critical) out.push(lint('CA_KEY_USAGE', 'keyUsage of a CA certificate is not critical (BR §7.1.2.1)'));
  if (!cert.extensions.subjectKeyIdentifier)
    out.push(
      lint('NO_SUBJECT_KEY_IDENTIFIER', 'a CA certificate without subjectKeyIdentifier (RFC 5280 §4.2.1.2: MUST)'),
    );
  return out;
}

/** Add calendar years in UTC. */
function plusYears(d: Date, years: number): Date {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

/**
 * Lint one certificate. The CA lints apply when `context.ca` says so, or by default when the
 * certificate claims to be a CA; the root lints when it is self-issued.
 * RFC 5280 §4.1.2.2, §4.2.1.1-3, §4.2.1.9, §7.1; CA/B Forum Baseline Requirements §6.1.5-6, §7.1.
 */
export function lintCertificate(cert: CertificateFacts, context: LintContext = {}): Lint[] {
  const out: Lint[] = [...keyLints(cert)];
  const weak = WEAK_HASH_SIGNATURES[cert.algorithm.oid];
  if (weak)
    out.push(
      lint(
        'WEAK_SIGNATURE_HASH',
        `the certificate is signed with ${cert.algorithm.name} (${weak} is broken for signatures)`,
      ),
    );
  if (cert.algorithm.oid === OID_RSA_PSS && !SHA2_OID_DER.test(hexOf(cert.algorithm.params ?? new Uint8Array())))
    out.push(
      lint(
        'WEAK_SIGNATURE_HASH',
        'the certificate is signed with RSA-PSS over SHA-1 (the default when no hash is named)',
      ),
    );
  out.push(...serialLints(cert));
  const ca = context.ca ?? claimsCa(cert);
  const root = isSelfIssued(cert);
  if (ca) out.push(...caLints(cert));
  else if (!cert.extensions.subjectKeyIdentifier)
    out.push(lint('NO_SUBJECT_KEY_IDENTIFIER', 'no subjectKeyIdentifier (RFC 5280 §4.2.1.2: SHOULD)'));
  if (cert.notAfter > plusYears(cert.notBefore, 25))
    out.push(
      lint(
        'VALIDITY_OVER_25_YEARS',
        `valid from ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}: more than 25 years (BR §6.3.2)`,
      ),
    );
  if (root && ca && cert.extensions.basicConstraints?.pathLen !== undefined)
    out.push(
      lint(
        'ROOT_PATH_LENGTH',
        `a root with pathLenConstraint ${cert.extensions.basicConstraints.pathLen} (BR §7.1.2.1: not present)`,
      ),
    );
  if (root && ca && !cert.extensions.authorityKeyIdentifier)
    out.push(
      lint(
        'ROOT_NO_AUTHORITY_KEY_IDENTIFIER',
        'a root without authorityKeyIdentifier (RFC 5280 §4.2.1.1 allows it; BR §7.1.2.1 recommends it)',
      ),
    );
  if (context.names) {
    const sameText = context.issuer ? namesEqual(cert.issuerRdns, context.issuer.cert.subjectRdns) : root;
    const issuerSubject = context.issuer?.names.subject ?? (root ? context.names.subject : undefined);
    if (sameText && issuerSubject && !equalBytes(context.names.issuer, issuerSubject))
      out.push(
        lint(
          'NAME_ENCODING_DIFFERS',
          `the issuer field is not encoded as the issuer's subject is (${nameEncodingDifference(context.names.issuer, issuerSubject, 'lint')}) (RFC 5280 §7.1)`,
        ),
      );
  }
  return out;
}

function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Whether there is no error-level lint: what the issue's `lints: clean` expectation asks. */
export function lintsClean(lints: readonly Lint[]): boolean {
  return lints.every((l) => l.severity !== 'error');
}
