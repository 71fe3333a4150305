/**
 * Certificate revocation lists (RFC 5280 §5.1), read into the facts a witness checks: issuer, this
 * and next update, CRL number, authority key identifier and every revoked serial with its date and
 * reason. The byte ranges come from the bounded DER walker; pkijs parses the same bytes as a second,
 * independent structural check, as for certificates.
 */
import * as pkijs from 'pkijs';
import { pkijsSchemaCheck } from './pkijs-schema.js';
import { KeywitnessError } from '../errors.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { contentOf, childrenOf, encodingOf, expectTag, scanDer } from './der.js';
import { decodeTime, integerMagnitude, smallInteger } from './asn1-values.js';
import { sha256Fingerprint, type Fingerprint } from './fingerprints.js';
import { formatName, readName, type NameRdns } from './names.js';
import { rawExtensions, splitSigned, type RawExtension, type SignedStructure } from './signed-object.js';
import type { SignatureAlgorithm } from './verify.js';

/** RFC 5280 §5.3.1 CRLReason names, by value (7 is unused). */
export const CRL_REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

/** One revoked certificate of a CRL. */
export interface RevokedEntry {
  /** Serial as lower-case hex of its magnitude. */
  readonly serial: string;
  readonly revocationDate: Date;
  /** RFC 5280 §5.3.1 reason name, when the entry has a reasonCode extension. */
  readonly reason: string | undefined;
}

/** Facts of one CRL. */
export interface CrlFacts {
  readonly type: 'crl';
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly algorithm: SignatureAlgorithm;
  readonly signature: Uint8Array;
  /** 1 or 2 (v2 when the version field is present). */
  readonly version: number;
  readonly issuer: string;
  readonly issuerRdns: NameRdns;
  /** The exact DER of the issuer Name. */
  readonly issuerDer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** cRLNumber (§5.2.3) as decimal, when present. */
  readonly crlNumber: string | undefined;
  /** authorityKeyIdentifier keyIdentifier (§5.2.1) as hex, when present. */
  readonly authorityKeyId: string | undefined;
  readonly revoked: readonly RevokedEntry[];
  readonly extensions: readonly { readonly oid: string; readonly critical: boolean }[];
  readonly sha256: Fingerprint;
  /** Problems with the encoding that do not stop parsing. */
  readonly warnings: readonly string[];
}

/** Largest number of revoked entries read from one CRL (a 1 MiB CRL holds fewer than 40,000). */
export const MAX_CRL_ENTRIES = 100_000;

const OID_CRL_NUMBER = '2.5.29.20';
const OID_AKI = '2.5.29.35';
const OID_REASON = '2.5.29.21';
/** CRL extensions this reader understands (§5.2); another critical one makes the CRL unusable (§5.2). */
const KNOWN_CRL_EXTENSIONS = new Set([OID_CRL_NUMBER, OID_AKI, '2.5.29.28', '2.5.29.27', '2.5.29.18', '2.5.29.46']);

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

function isTime(tag: number, cls: number): boolean {
  return cls === 0 && (tag === 23 || tag === 24);
}

function crlNumber(ext: RawExtension, where: string): string {
  const root = scanDer(ext.value, where);
  const { negative, magnitude } = integerMagnitude(contentOf(ext.value, expectTag(root, 2, 'cRLNumber', where)), where);
  if (negative) invalid('cRLNumber is negative (RFC 5280 §5.2.3 requires a non-negative integer)', where);
  if (magnitude.length > 20) invalid(`cRLNumber is ${magnitude.length} bytes; RFC 5280 §5.2.3 allows 20`, where);
  return BigInt(`0x${toHex(magnitude)}`).toString(10);
}

function akiKeyId(ext: RawExtension, where: string): string | undefined {
  const root = expectTag(scanDer(ext.value, where), 16, 'authorityKeyIdentifier', where);
  const keyId = childrenOf(ext.value, root, where).find((n) => n.cls === 2 && n.tag === 0);
  return keyId ? toHex(contentOf(ext.value, keyId)) : undefined;
}

function reasonOf(ext: RawExtension, where: string): string {
  const root = scanDer(ext.value, where);
  if (root.cls !== 0 || root.tag !== 10) invalid('reasonCode must be an ENUMERATED', where);
  const c = contentOf(ext.value, root);
  const value = c.length === 1 ? (c[0] ?? -1) : -1;
  const name = CRL_REASONS[value];
  if (name === undefined) invalid(`reasonCode ${toHex(c)} is not one RFC 5280 §5.3.1 defines`, where);
  return name;
}

/** Parse the same DER with pkijs so its schema check is applied too. */
function pkijsCheck(der: Uint8Array, where: string): void {
  pkijsSchemaCheck(der, 'X.509 CRL', where, (schema) => new pkijs.CertificateRevocationList({ schema }));
}

/**
 * Read a DER CRL (RFC 5280 §5.1): `CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm,
 * signatureValue }`. Trailing bytes, an unknown critical CRL extension (§5.2) and more than
 * {@link MAX_CRL_ENTRIES} entries are refused.
 * @throws KeywitnessError EVIDENCE_INVALID / INPUT_TOO_LARGE naming the field and why.
 */
export function parseCrl(der: Uint8Array, where: string): CrlFacts {
  const root = scanDer(der, where);
  const signed: SignedStructure = splitSigned(der, root, 'CertificateList', where);
  const fields = childrenOf(der, signed.tbsNode, where);
  let i = 0;
  let version = 1;
  if (fields[0]?.cls === 0 && fields[0].tag === 2) {
    const v = smallInteger(der, fields[0], `${where} version`);
    if (v !== 1) invalid(`CRL version field is ${v}; RFC 5280 §5.1.2.1 allows only 1 (v2)`, where);
    version = 2;
    i = 1;
  }
  const innerAlg = expectTag(fields[i], 16, 'TBSCertList signature', where);
  const issuerNode = expectTag(fields[i + 1], 16, 'issuer', where);
  const issuerRdns = readName(der, issuerNode, `${where} issuer`);
  if (issuerRdns.length === 0) invalid('issuer is an empty Name (RFC 5280 §5.1.2.3 forbids it)', where);
  const thisUpdate = decodeTime(der, fields[i + 2], `${where} thisUpdate`);
  let next = i + 3;
  let nextUpdate: Date | undefined;
  const candidate = fields[next];
  if (candidate && isTime(candidate.tag, candidate.cls)) {
    nextUpdate = decodeTime(der, candidate, `${where} nextUpdate`);
    next++;
  }
  const revoked: RevokedEntry[] = [];
  const list = fields[next];
  if (list && list.cls === 0 && list.tag === 16) {
    const entries = childrenOf(der, list, where);
    if (entries.length > MAX_CRL_ENTRIES)
      throw new KeywitnessError('INPUT_TOO_LARGE', `${entries.length} revoked entries; at most ${MAX_CRL_ENTRIES}`, {
        where,
      });
    if (entries.length === 0)
      invalid('revokedCertificates is present but empty (RFC 5280 §5.1.2.6: omit it instead)', where);
    for (const [n, entry] of entries.entries()) {
      const at = `${where} revoked entry ${n + 1}`;
      const [serialNode, dateNode, extsNode, extra] = childrenOf(der, expectTag(entry, 16, 'revoked entry', at), at);
      if (extra) invalid('revoked entry has unexpected trailing fields', at);
      const serial = integerMagnitude(contentOf(der, expectTag(serialNode, 2, 'userCertificate', at)), at);
      let reason: string | undefined;
      if (extsNode) {
        for (const ext of rawExtensions(der, extsNode, at)) {
          if (ext.oid === OID_REASON) reason = reasonOf(ext, at);
          else if (ext.critical && ext.oid !== '2.5.29.29' && ext.oid !== '2.5.29.24')
            invalid(`unknown critical entry extension ${ext.oid} (RFC 5280 §5.3)`, at);
        }
      }
      revoked.push({ serial: toHex(serial.magnitude), revocationDate: decodeTime(der, dateNode, at), reason });
    }
    next++;
  }
  let crlNum: string | undefined;
  let aki: string | undefined;
  const extensions: { oid: string; critical: boolean }[] = [];
  const extsField = fields[next];
  if (extsField) {
    if (extsField.cls !== 2 || extsField.tag !== 0)
      invalid(`unexpected field in TBSCertList at byte ${extsField.start}`, where);
    if (version !== 2) invalid('crlExtensions present in a CRL that is not v2 (RFC 5280 §5.1.2.1)', where);
    const [seq, extra] = childrenOf(der, extsField, where);
    if (!seq || extra) invalid('crlExtensions [0] must hold exactly one Extensions SEQUENCE', where);
    for (const ext of rawExtensions(der, seq, `${where} crlExtensions`)) {
      extensions.push({ oid: ext.oid, critical: ext.critical });
      if (ext.oid === OID_CRL_NUMBER) crlNum = crlNumber(ext, `${where} cRLNumber`);
      else if (ext.oid === OID_AKI) aki = akiKeyId(ext, `${where} authorityKeyIdentifier`);
      else if (ext.critical && !KNOWN_CRL_EXTENSIONS.has(ext.oid))
        invalid(`unknown critical CRL extension ${ext.oid} (RFC 5280 §5.2)`, where);
    }
    next++;
  }
  if (fields[next]) invalid(`unexpected field in TBSCertList at byte ${fields[next]?.start ?? 0}`, where);
  const warnings: string[] = [];
  if (!equalBytes(encodingOf(der, innerAlg), signed.algorithmDer))
    warnings.push('the signature algorithm inside the signed part differs from the outer one (RFC 5280 §5.1.1.2)');
  if (version === 2 && crlNum === undefined) warnings.push('no cRLNumber extension (RFC 5280 §5.2.3 requires one)');
  if (version === 2 && aki === undefined)
    warnings.push('no authorityKeyIdentifier extension (RFC 5280 §5.2.1 requires one)');
  if (nextUpdate === undefined) warnings.push('no nextUpdate (RFC 5280 §5.1.2.5 requires conforming CAs to set it)');
  pkijsCheck(der, where);
  return {
    type: 'crl',
    der,
    tbs: signed.tbs,
    algorithm: signed.algorithm,
    signature: signed.signature,
    version,
    issuer: formatName(issuerRdns),
    issuerRdns,
    issuerDer: encodingOf(der, issuerNode),
    thisUpdate,
    nextUpdate,
    crlNumber: crlNum,
    authorityKeyId: aki,
    revoked,
    extensions,
    sha256: sha256Fingerprint(der),
    warnings,
  };
}
