/**
 * Names compared as relying parties compare them: byte for byte (RFC 5280 §7.1 allows software to
 * match names by their DER, and much of it does), and as text. Two names equal as RFC 4514 text
 * whose attributes are encoded as different string types (a PrintableString CN here, a UTF8String
 * there) do not match, and the sentence says so, naming the string types.
 */
import { equalBytes } from '../util/bytes.js';
import type { CertificateFacts, CsrFacts } from './certificate.js';
import { childrenOf, encodingOf, expectTag, scanDer } from './der.js';
import { namesEqual, type NameRdns } from './names.js';
import { certificateNameBytes, nameEncodingDifference, stringTypesOf } from './signed-object.js';

/** A name with its text, its RDNs and the exact DER it was read from. */
export interface NameWithBytes {
  readonly text: string;
  readonly rdns: NameRdns;
  readonly der: Uint8Array;
}

/** How two names compare: the same bytes, equal only as text (with why), or different. */
export type NameComparison =
  | { readonly match: 'identical' }
  | { readonly match: 'text-only'; readonly why: string }
  | { readonly match: 'different' };

/** Compare two names byte for byte, then as text; `why` names the string types that differ. */
export function compareNames(a: NameWithBytes, b: NameWithBytes, where: string): NameComparison {
  if (equalBytes(a.der, b.der)) return { match: 'identical' };
  if (!namesEqual(a.rdns, b.rdns)) return { match: 'different' };
  return { match: 'text-only', why: nameEncodingDifference(a.der, b.der, where) };
}

/** A certificate's subject with its DER. */
export function subjectOf(cert: CertificateFacts | CsrFacts, where: string): NameWithBytes {
  return { text: cert.subject, rdns: cert.subjectRdns, der: subjectBytes(cert, where) };
}

/** A certificate's issuer field with its DER. */
export function issuerOf(cert: CertificateFacts, where: string): NameWithBytes {
  return { text: cert.issuer, rdns: cert.issuerRdns, der: certificateNameBytes(cert.der, where).issuer };
}

function subjectBytes(signed: CertificateFacts | CsrFacts, where: string): Uint8Array {
  if (signed.type === 'certificate') return certificateNameBytes(signed.der, where).subject;
  // CertificationRequestInfo: version, subject, SPKI, attributes (RFC 2986 §4.1).
  const [info] = childrenOf(signed.der, scanDer(signed.der, where), where);
  const [, subject] = childrenOf(signed.der, expectTag(info, 16, 'CertificationRequestInfo', where), where);
  return encodingOf(signed.der, expectTag(subject, 16, 'subject', where));
}

/**
 * The sentence for two names equal as text but not as bytes: `"CN=Root" equals "CN=Root" as text,
 * but the encodings differ: CN is a PrintableString here and a UTF8String there`.
 */
export function textOnlySentence(a: NameWithBytes, b: NameWithBytes, why: string): string {
  return `"${a.text}" and "${b.text}" are equal as strings, but the encodings differ: ${why} (RFC 5280 §7.1: relying parties may compare names byte for byte)`;
}

/** A name as observed, with the string type of each attribute: `CN=Root,O=Ex (CN UTF8String, O PrintableString)`. */
export function observedName(name: NameWithBytes, where: string): string {
  const types = stringTypesOf(name.der, where);
  return types.length ? `${name.text} (${types.map((t) => `${t.oid} ${t.type}`).join(', ')})` : name.text;
}
