/**
 * The parts every X.509-family signed object shares (RFC 5280 §4.1.1 for certificates, §5.1.1 for
 * CRLs; RFC 6960 §4.2.1 for OCSP's BasicOCSPResponse): a signed SEQUENCE, the algorithm and the
 * signature BIT STRING. Also the raw extensions of a TBS structure and the exact DER of a
 * certificate's subject and issuer Names, which relying parties compare byte for byte.
 */
import { KeywitnessError } from '../errors.js';
import { childrenOf, contentOf, encodingOf, expectTag, scanDer, type DerNode } from './der.js';
import { oidOf } from './asn1-values.js';
import { ATTRIBUTE_TYPES, oidName } from './oids.js';
import { readAlgorithm, type SignatureAlgorithm } from './verify.js';

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

/** A signed structure located in its DER: TBS node and bytes, algorithm, signature bytes. */
export interface SignedStructure {
  readonly tbsNode: DerNode;
  readonly tbs: Uint8Array;
  readonly algorithm: SignatureAlgorithm;
  /** The exact DER of the outer AlgorithmIdentifier. */
  readonly algorithmDer: Uint8Array;
  readonly signature: Uint8Array;
  /** Fields after the signature (OCSP's `certs [0]`), if any. */
  readonly rest: readonly DerNode[];
}

/**
 * Split `SEQUENCE { tbs SEQUENCE, signatureAlgorithm AlgorithmIdentifier, signature BIT STRING,
 * … }` (RFC 5280 §4.1.1, §5.1.1; RFC 6960 §4.2.1). `maxRest` says how many fields may follow.
 * @throws KeywitnessError EVIDENCE_INVALID naming `what` and the field that is wrong.
 */
export function splitSigned(der: Uint8Array, root: DerNode, what: string, where: string, maxRest = 0): SignedStructure {
  expectTag(root, 16, what, where);
  const [tbsNode, algNode, sigNode, ...rest] = childrenOf(der, root, where);
  if (rest.length > maxRest) invalid(`${what} has ${3 + rest.length} fields, at most ${3 + maxRest} allowed`, where);
  const tbs = expectTag(tbsNode, 16, `${what} signed part`, where);
  const alg = expectTag(algNode, 16, `${what} signatureAlgorithm`, where);
  const sigBits = contentOf(der, expectTag(sigNode, 3, `${what} signature`, where));
  if (sigBits.length < 1 || sigBits[0] !== 0) invalid(`${what} signature BIT STRING must have zero unused bits`, where);
  return {
    tbsNode: tbs,
    tbs: encodingOf(der, tbs),
    algorithm: readAlgorithm(der, alg, where),
    algorithmDer: encodingOf(der, alg),
    signature: sigBits.subarray(1),
    rest,
  };
}

/** One extension as encoded: OID, criticality and the extnValue contents. */
export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/**
 * The `Extensions` SEQUENCE (RFC 5280 §4.1): each extension's OID, critical flag and value, with
 * DER's rules (critical FALSE omitted, X.690 §11.5) and no duplicates (§4.2).
 */
export function rawExtensions(der: Uint8Array, extsSeq: DerNode, where: string): RawExtension[] {
  expectTag(extsSeq, 16, 'Extensions', where);
  const out: RawExtension[] = [];
  for (const ext of childrenOf(der, extsSeq, where)) {
    expectTag(ext, 16, 'Extension', where);
    const fields = childrenOf(der, ext, where);
    const oid = oidOf(der, fields[0], where);
    let critical = false;
    let valueNode = fields[1];
    if (valueNode && valueNode.cls === 0 && valueNode.tag === 1) {
      const flag = contentOf(der, valueNode);
      if (flag.length !== 1 || flag[0] !== 0xff)
        invalid(`extension ${oid}: critical must be omitted or TRUE (0xFF) in DER (X.690 §11.5)`, where);
      critical = true;
      valueNode = fields[2];
    }
    if (!valueNode || valueNode.cls !== 0 || valueNode.tag !== 4)
      invalid(`extension ${oid}: extnValue OCTET STRING missing`, where);
    if (fields.length > (critical ? 3 : 2)) invalid(`extension ${oid} has unexpected trailing fields`, where);
    if (out.some((e) => e.oid === oid)) invalid(`extension ${oid} appears more than once (RFC 5280 §4.2)`, where);
    out.push({ oid, critical, value: contentOf(der, valueNode) });
  }
  return out;
}

/** The exact DER of a certificate's issuer and subject Names (RFC 5280 §4.1.2.4, §4.1.2.6). */
export interface CertificateNameBytes {
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
}

/**
 * Locate the issuer and subject Names of a certificate that `parseCertificate` has accepted.
 * @throws KeywitnessError EVIDENCE_INVALID when the TBSCertificate is not laid out as RFC 5280 §4.1.
 */
export function certificateNameBytes(der: Uint8Array, where: string): CertificateNameBytes {
  const { tbsNode } = splitSigned(der, scanDer(der, where), 'Certificate', where);
  const fields = childrenOf(der, tbsNode, where);
  const offset = fields[0]?.cls === 2 && fields[0].tag === 0 ? 1 : 0;
  return {
    issuer: encodingOf(der, expectTag(fields[offset + 2], 16, 'issuer', where)),
    subject: encodingOf(der, expectTag(fields[offset + 4], 16, 'subject', where)),
  };
}

/**
 * The subjectPublicKey BIT STRING value of an SPKI, without tag, length or unused-bits octet: what
 * OCSP's KeyHash and CertID issuerKeyHash hash (RFC 6960 §4.1.1, §4.2.1).
 */
export function subjectPublicKeyBits(spki: Uint8Array, where: string): Uint8Array {
  const [, bits] = childrenOf(spki, scanDer(spki, where), where);
  const content = contentOf(spki, expectTag(bits, 3, 'subjectPublicKey', where));
  return content.subarray(1);
}

const STRING_TYPES: Readonly<Record<number, string>> = {
  12: 'UTF8String',
  18: 'NumericString',
  19: 'PrintableString',
  20: 'TeletexString',
  22: 'IA5String',
  26: 'VisibleString',
  28: 'UniversalString',
  30: 'BMPString',
};

/** Each attribute of a DER Name in order: its type (short name or OID) and the ASN.1 type of its value. */
export function stringTypesOf(der: Uint8Array, where: string): { oid: string; type: string }[] {
  const out: { oid: string; type: string }[] = [];
  for (const rdn of childrenOf(der, scanDer(der, where), where))
    for (const atv of childrenOf(der, rdn, where)) {
      const [type, value] = childrenOf(der, atv, where);
      out.push({
        oid: oidName(ATTRIBUTE_TYPES, oidOf(der, type, where)),
        type: value ? (STRING_TYPES[value.tag] ?? `tag ${value.tag}`) : 'missing',
      });
    }
  return out;
}

/**
 * Why two Names that are equal as text differ as bytes (RFC 5280 §7.1), in words: the first attribute whose value
 * is encoded as another string type (`CN is a PrintableString here and a UTF8String there`), or that
 * they differ otherwise (order, case, spacing).
 */
export function nameEncodingDifference(here: Uint8Array, there: Uint8Array, where: string): string {
  const a = stringTypesOf(here, where);
  const b = stringTypesOf(there, where);
  for (const [i, x] of a.entries()) {
    const y = b[i];
    if (y && x.oid === y.oid && x.type !== y.type) return `${x.oid} is a ${x.type} here and a ${y.type} there`;
  }
  return 'the encodings differ';
}

/**
 * The raw extensions of a certificate (RFC 5280 §4.1.2.9), including those `extensions.ts` does not
 * interpret (vendor attestation extensions, for one).
 */
export function certificateExtensions(der: Uint8Array, where: string): RawExtension[] {
  const { tbsNode } = splitSigned(der, scanDer(der, where), 'Certificate', where);
  const field = childrenOf(der, tbsNode, where).find((f) => f.cls === 2 && f.tag === 3);
  if (!field) return [];
  const [seq] = childrenOf(der, field, where);
  return seq ? rawExtensions(der, seq, where) : [];
}
