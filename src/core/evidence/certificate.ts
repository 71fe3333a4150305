/**
 * X.509 certificates (RFC 5280 §4.1) and PKCS#10 requests (RFC 2986 §4) read into the facts a
 * witness checks. The exact byte ranges (TBS, SPKI, signature) come from the bounded DER walker;
 * pkijs then parses the same bytes as a second, independent structural check, so input one of them
 * rejects is rejected.
 */
import * as pkijs from 'pkijs';
import { pkijsSchemaCheck } from './pkijs-schema.js';
import { KeywitnessError } from '../errors.js';
import { integerMagnitude, bitLength, decodeTime, oidOf, smallInteger } from './asn1-values.js';
import { childrenOf, contentOf, encodingOf, expectTag, scanDer, type DerNode } from './der.js';
import { readExtensions, type ExtensionFacts } from './extensions.js';
import { sha1Fingerprint, sha256Fingerprint, type Fingerprint } from './fingerprints.js';
import { describeSpkiNode, type KeyFacts } from './keys.js';
import { formatName, readName, type NameRdns } from './names.js';
import { readAlgorithm, type SignatureAlgorithm } from './verify.js';
import { toHex } from '../util/bytes.js';

/** What is signed, by which algorithm, with which signature bytes. */
export interface SignedParts {
  readonly tbs: Uint8Array;
  readonly algorithm: SignatureAlgorithm;
  readonly signature: Uint8Array;
}

/** Facts of one certificate. */
export interface CertificateFacts extends SignedParts {
  readonly type: 'certificate';
  readonly der: Uint8Array;
  readonly version: number;
  /** Serial number as lower-case hex of its magnitude (no sign byte). */
  readonly serial: string;
  readonly serialBits: number;
  readonly serialNegative: boolean;
  readonly subject: string;
  readonly subjectRdns: NameRdns;
  readonly issuer: string;
  readonly issuerRdns: NameRdns;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly key: KeyFacts;
  readonly extensions: ExtensionFacts;
  readonly sha256: Fingerprint;
  readonly sha1: Fingerprint;
  /** Problems with the encoding a witness should know of that do not stop parsing. */
  readonly warnings: readonly string[];
}

/** Facts of one PKCS#10 certification request. */
export interface CsrFacts extends SignedParts {
  readonly type: 'csr';
  readonly der: Uint8Array;
  readonly subject: string;
  readonly subjectRdns: NameRdns;
  readonly key: KeyFacts;
  readonly extensions: ExtensionFacts;
  readonly sha256: Fingerprint;
}

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

/** Parse the same DER with pkijs so its schema check is applied too. */
function pkijsCheck(der: Uint8Array, kind: 'certificate' | 'csr', where: string): void {
  if (kind === 'certificate')
    pkijsSchemaCheck(der, 'X.509 certificate', where, (schema) => new pkijs.Certificate({ schema }));
  else pkijsSchemaCheck(der, 'PKCS#10 request', where, (schema) => new pkijs.CertificationRequest({ schema }));
}

function signedParts(der: Uint8Array, root: DerNode, what: string, where: string): { tbsNode: DerNode } & SignedParts {
  expectTag(root, 16, what, where);
  const [tbsNode, algNode, sigNode, extra] = childrenOf(der, root, where);
  if (extra) invalid(`${what} has more than three fields`, where);
  const tbs = expectTag(tbsNode, 16, `${what} signed part`, where);
  const alg = expectTag(algNode, 16, `${what} signatureAlgorithm`, where);
  const sigBits = contentOf(der, expectTag(sigNode, 3, `${what} signature`, where));
  if (sigBits.length < 1 || sigBits[0] !== 0) invalid('signature BIT STRING must have zero unused bits', where);
  return {
    tbsNode: tbs,
    tbs: encodingOf(der, tbs),
    algorithm: readAlgorithm(der, alg, where),
    signature: sigBits.subarray(1),
  };
}

/**
 * Read a DER certificate.
 * @throws KeywitnessError EVIDENCE_INVALID / EVIDENCE_UNSUPPORTED / INPUT_TOO_LARGE naming what failed.
 */
export function parseCertificate(der: Uint8Array, where: string): CertificateFacts {
  const root = scanDer(der, where);
  const { tbsNode, tbs, algorithm, signature } = signedParts(der, root, 'Certificate', where);
  const fields = childrenOf(der, tbsNode, where);
  let i = 0;
  let version = 1;
  if (fields[0]?.cls === 2 && fields[0].tag === 0) {
    version = smallInteger(der, childrenOf(der, fields[0], where)[0], `${where} version`) + 1;
    if (version < 2 || version > 3) invalid(`certificate version ${version} is not 1, 2 or 3`, where);
    i = 1;
  }
  const serialNode = expectTag(fields[i], 2, 'serialNumber', where);
  const { negative, magnitude } = integerMagnitude(contentOf(der, serialNode), where);
  const innerAlg = readAlgorithm(der, expectTag(fields[i + 1], 16, 'TBS signature algorithm', where), where);
  const issuerRdns = readName(der, expectTag(fields[i + 2], 16, 'issuer', where), `${where} issuer`);
  const validity = childrenOf(der, expectTag(fields[i + 3], 16, 'validity', where), where);
  const notBefore = decodeTime(der, validity[0], `${where} notBefore`);
  const notAfter = decodeTime(der, validity[1], `${where} notAfter`);
  const subjectRdns = readName(der, expectTag(fields[i + 4], 16, 'subject', where), `${where} subject`);
  const key = describeSpkiNode(
    der,
    expectTag(fields[i + 5], 16, 'subjectPublicKeyInfo', where),
    `${where} subjectPublicKeyInfo`,
  );
  let extensions: ExtensionFacts = { present: [] };
  for (const f of fields.slice(i + 6)) {
    if (f.cls !== 2 || f.tag < 1 || f.tag > 3) invalid(`unexpected field in TBSCertificate at byte ${f.start}`, where);
    if (f.tag === 3) {
      if (version !== 3) invalid('extensions present in a certificate that is not version 3', where);
      const [seq] = childrenOf(der, f, where);
      extensions = readExtensions(der, expectTag(seq, 16, 'extensions', where), where);
    }
  }
  const warnings: string[] = [];
  if (
    innerAlg.oid !== algorithm.oid ||
    toHex(innerAlg.params ?? new Uint8Array()) !== toHex(algorithm.params ?? new Uint8Array())
  ) {
    warnings.push(
      `the signature algorithm inside the signed part (${innerAlg.name}) differs from the outer one (${algorithm.name}) (RFC 5280 §4.1.1.2)`,
    );
  }
  if (negative) warnings.push('the serial number is negative (RFC 5280 §4.1.2.2 requires a positive integer)');
  if (magnitude.length > 20)
    warnings.push(`the serial number is ${magnitude.length} bytes (RFC 5280 §4.1.2.2 allows at most 20)`);
  pkijsCheck(der, 'certificate', where);
  return {
    type: 'certificate',
    der,
    tbs,
    algorithm,
    signature,
    version,
    serial: toHex(magnitude),
    serialBits: bitLength(magnitude),
    serialNegative: negative,
    subject: formatName(subjectRdns),
    subjectRdns,
    issuer: formatName(issuerRdns),
    issuerRdns,
    notBefore,
    notAfter,
    key,
    extensions,
    sha256: sha256Fingerprint(der),
    sha1: sha1Fingerprint(der),
    warnings,
  };
}

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/**
 * Read a DER PKCS#10 certification request (RFC 2986 §4.1), including requested extensions.
 * @throws KeywitnessError naming what failed.
 */
export function parseCsr(der: Uint8Array, where: string): CsrFacts {
  const root = scanDer(der, where);
  const { tbsNode, tbs, algorithm, signature } = signedParts(der, root, 'CertificationRequest', where);
  const [versionNode, subjectNode, spkiNode, attrs, extra] = childrenOf(der, tbsNode, where);
  if (extra) invalid('CertificationRequestInfo has unexpected trailing fields', where);
  if (smallInteger(der, versionNode, where) !== 0) invalid('CSR version must be 0 (v1)', where);
  const subjectRdns = readName(der, expectTag(subjectNode, 16, 'subject', where), `${where} subject`);
  const key = describeSpkiNode(der, expectTag(spkiNode, 16, 'subjectPKInfo', where), `${where} subjectPKInfo`);
  let extensions: ExtensionFacts = { present: [] };
  if (!attrs || attrs.cls !== 2 || attrs.tag !== 0) invalid('CSR attributes [0] field is missing', where);
  for (const attr of childrenOf(der, attrs, where)) {
    const [typeNode, values] = childrenOf(der, attr, where);
    if (oidOf(der, typeNode, where) !== OID_EXTENSION_REQUEST || !values) continue;
    const [exts] = childrenOf(der, values, where);
    if (exts) extensions = readExtensions(der, expectTag(exts, 16, 'requested extensions', where), where);
  }
  pkijsCheck(der, 'csr', where);
  return {
    type: 'csr',
    der,
    tbs,
    algorithm,
    signature,
    subject: formatName(subjectRdns),
    subjectRdns,
    key,
    extensions,
    sha256: sha256Fingerprint(der),
  };
}

/** Validity period in days, as `openssl -days N` produces it (may be fractional). */
export function validityDays(cert: CertificateFacts): number {
  return (cert.notAfter.getTime() - cert.notBefore.getTime()) / 86_400_000;
}
