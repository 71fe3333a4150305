/**
 * Who signed what: self-signatures, a certificate signed by a given issuer, and the order of a
 * chain (RFC 5280 §6.1: each certificate's issuer is the next one's subject and its signature
 * verifies with the next one's key).
 */
import type { CertificateFacts, CsrFacts } from './certificate.js';
import type { KeyFacts } from './keys.js';
import { compareNames, issuerOf, subjectOf, textOnlySentence } from './name-match.js';
import { namesEqual } from './names.js';
import { verifySignature, type VerifyResult } from './verify.js';

/** Whether subject and issuer are the same name (the certificate claims to be self-issued). */
export function isSelfIssued(cert: CertificateFacts): boolean {
  return namesEqual(cert.subjectRdns, cert.issuerRdns);
}

/**
 * Whether a certificate's issuer field is byte for byte its own subject, as it is for a self-issued
 * certificate relying parties accept; a sentence when it is equal only as text.
 */
export function selfIssuedBytes(cert: CertificateFacts, where: string): VerifyResult | undefined {
  const issuer = issuerOf(cert, where);
  const subject = subjectOf(cert, where);
  const c = compareNames(issuer, subject, where);
  return c.match === 'text-only'
    ? { status: 'invalid', detail: `issuer and subject: ${textOnlySentence(issuer, subject, c.why)}` }
    : undefined;
}

/** Verify a certificate or CSR signature with a key. */
export function verifyWith(signed: CertificateFacts | CsrFacts, key: KeyFacts, where: string): Promise<VerifyResult> {
  return verifySignature(key, signed.algorithm, signed.tbs, signed.signature, where);
}

/**
 * Verify that `cert` was issued by `issuer`: names chain and the signature verifies with the
 * issuer's key. A name mismatch is reported even when the signature is valid.
 */
export async function verifyIssuedBy(
  cert: CertificateFacts,
  issuer: CertificateFacts,
  where: string,
): Promise<VerifyResult> {
  const sig = await verifyWith(cert, issuer.key, where);
  const issuerName = issuerOf(cert, where);
  const signerName = subjectOf(issuer, where);
  const names = compareNames(issuerName, signerName, where);
  if (names.match === 'different') {
    return {
      status: 'invalid',
      detail: `issuer "${cert.issuer}" is not the signer's subject "${issuer.subject}" (signature: ${sig.status})`,
    };
  }
  if (names.match === 'text-only')
    return {
      status: 'invalid',
      detail: `the issuer field and the signer's subject: ${textOnlySentence(issuerName, signerName, names.why)} (signature: ${sig.status})`,
    };
  return sig;
}

/** One link of a chain: certificate `index` checked against `index + 1` (or itself for the last, if self-issued). */
export interface ChainLink {
  readonly index: number;
  readonly subject: string;
  readonly issuedBy: string;
  readonly result: VerifyResult;
}

/** Check each certificate of a file against the next; the last must be self-signed to anchor the chain. */
export async function checkChain(certs: readonly CertificateFacts[], where: string): Promise<ChainLink[]> {
  const links: ChainLink[] = [];
  for (const [i, cert] of certs.entries()) {
    const next = certs[i + 1];
    if (next) {
      links.push({
        index: i,
        subject: cert.subject,
        issuedBy: next.subject,
        result: await verifyIssuedBy(cert, next, `${where} certificate ${i + 1}`),
      });
    } else if (isSelfIssued(cert)) {
      links.push({
        index: i,
        subject: cert.subject,
        issuedBy: 'itself',
        result:
          selfIssuedBytes(cert, `${where} certificate ${i + 1}`) ??
          (await verifyWith(cert, cert.key, `${where} certificate ${i + 1}`)),
      });
    } else {
      links.push({
        index: i,
        subject: cert.subject,
        issuedBy: cert.issuer,
        result: { status: 'unsupported', detail: `its issuer "${cert.issuer}" is not in the file` },
      });
    }
  }
  return links;
}
