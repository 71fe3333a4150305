/**
 * What a witness is shown for a piece of evidence: its facts and fingerprints as plain JSON-safe
 * data (dates as ISO 8601, bytes as hex). The UI renders it and `keywitness inspect --json` prints
 * it; the README (section `keywitness inspect`) documents the shape.
 */
import type { EvidenceKind } from '../script/types.js';
import type { CertificateFacts, CsrFacts } from './certificate.js';
import { validityDays } from './certificate.js';
import type { CrlFacts } from './crl.js';
import type { OcspFacts } from './ocsp.js';
import { isSelfIssued, verifyWith } from './chain.js';
import { DS_DIGEST_NAMES, type DnskeyFacts } from './dnssec.js';
import type { Fingerprint } from './fingerprints.js';
import type { HsmObject } from './hsm/index.js';
import type { KeyFacts } from './keys.js';
import { parseEvidence } from './parse.js';
import { certificateNameBytes } from './signed-object.js';
import { lintedCertificateCheck, type TrustedCertificate } from './verify-signatures.js';
import type { VerifyResult } from './verify.js';

/** A fingerprint as shown: hex, colon hex, all words and the short form (first four words). */
export type FingerprintView = Omit<Fingerprint, 'words'> & { readonly words: string };

/** A public key as shown. */
export interface KeyView {
  readonly algorithm: string;
  readonly size: number | null;
  readonly curve: string | null;
  readonly exponent: string | null;
  readonly spkiSha256: FingerprintView;
}

/** The JSON-safe description of one piece of evidence. */
export type EvidenceDescription = {
  readonly kind: EvidenceKind;
  readonly size: number;
  readonly fileSha256: FingerprintView;
} & Record<string, unknown>;

function fp(f: Fingerprint): FingerprintView {
  return {
    algorithm: f.algorithm,
    hex: f.hex,
    colonHex: f.colonHex,
    words: f.words.join(' '),
    short: f.short,
  };
}

function keyView(k: KeyFacts): KeyView {
  return {
    algorithm: k.algorithm,
    size: k.size ?? null,
    curve: k.curve ?? null,
    exponent: k.exponent ?? null,
    spkiSha256: fp(k.spkiSha256),
  };
}

function sig(r: VerifyResult): { status: string; detail: string } {
  return { status: r.status, detail: r.detail };
}

/** A certificate's lint as shown: `{code, severity, message}`. */
export interface LintView {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'notice';
  readonly message: string;
}

/**
 * Who issued each certificate of a file, among the file's certificates, with its lints: the
 * issuer search and checks of `keywitness verify` (`lintedCertificateCheck`), so a certificate is
 * linked only to one whose subject is its issuer name. A CA bundle of unrelated roots is each root
 * issued by itself, never an "invalid" link between neighbours.
 */
async function issuersInFile(
  certs: readonly CertificateFacts[],
  where: string,
): Promise<
  {
    index: number;
    subject: string;
    issuedBy: string;
    issuerIndex: number | null;
    status: string;
    detail: string;
    lints: LintView[];
  }[]
> {
  const at = (i: number): string => (certs.length > 1 ? `${where} certificate ${i + 1}` : where);
  const pool: TrustedCertificate[] = certs.map((cert, i) => ({
    cert,
    names: certificateNameBytes(cert.der, at(i)),
    source: `certificate ${i + 1}`,
  }));
  const out = [];
  for (const [i, t] of pool.entries()) {
    const { check, signedBy } = await lintedCertificateCheck(t.cert, t.names, '', pool, at(i), { at: new Date() });
    const issuerIndex = signedBy ? pool.indexOf(signedBy) : -1;
    out.push({
      index: i,
      subject: t.cert.subject,
      issuedBy: signedBy === t ? 'itself' : (signedBy?.cert.subject ?? t.cert.issuer),
      issuerIndex: issuerIndex < 0 ? null : issuerIndex,
      status: check.status,
      detail: check.signer.endsWith('(not given)') ? `its issuer "${t.cert.issuer}" is not in the file` : check.detail,
      lints: (check.lints ?? []).map((l) => ({ code: l.code, severity: l.severity, message: l.message })),
    });
  }
  return out;
}

async function certView(
  c: CertificateFacts,
  where: string,
  lints: readonly LintView[],
): Promise<Record<string, unknown>> {
  const selfIssued = isSelfIssued(c);
  return {
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serial,
    serialBits: c.serialBits,
    version: c.version,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    validityDays: validityDays(c),
    signatureAlgorithm: c.algorithm.name,
    key: keyView(c.key),
    extensions: c.extensions,
    sha256: fp(c.sha256),
    sha1: fp(c.sha1),
    selfIssued,
    selfSignature: selfIssued ? sig(await verifyWith(c, c.key, where)) : null,
    lints,
    warnings: [
      ...c.warnings,
      ...(selfIssued &&
      c.extensions.authorityKeyIdentifier?.keyId !== undefined &&
      c.extensions.authorityKeyIdentifier.keyId !== c.extensions.subjectKeyIdentifier
        ? [
            'self-issued, but its authorityKeyIdentifier differs from its subjectKeyIdentifier: path builders will look for another issuer (RFC 5280 §4.2.1.1)',
          ]
        : []),
    ],
  };
}

async function csrView(c: CsrFacts, where: string): Promise<Record<string, unknown>> {
  return {
    subject: c.subject,
    signatureAlgorithm: c.algorithm.name,
    key: keyView(c.key),
    extensions: c.extensions,
    sha256: fp(c.sha256),
    signature: sig(await verifyWith(c, c.key, where)),
  };
}

function crlView(c: CrlFacts): Record<string, unknown> {
  return {
    issuer: c.issuer,
    version: c.version,
    thisUpdate: c.thisUpdate.toISOString(),
    nextUpdate: c.nextUpdate?.toISOString() ?? null,
    crlNumber: c.crlNumber ?? null,
    authorityKeyId: c.authorityKeyId ?? null,
    signatureAlgorithm: c.algorithm.name,
    revoked: c.revoked.map((r) => ({
      serial: r.serial,
      revocationDate: r.revocationDate.toISOString(),
      reason: r.reason ?? null,
    })),
    extensions: c.extensions,
    sha256: fp(c.sha256),
    warnings: c.warnings,
  };
}

function ocspView(o: OcspFacts): Record<string, unknown> {
  return {
    responder: o.responder.byName ? { name: o.responder.name } : { keyHash: o.responder.keyHash },
    producedAt: o.producedAt.toISOString(),
    signatureAlgorithm: o.algorithm.name,
    responses: o.responses.map((r) => ({
      serial: r.serial,
      status: r.status,
      hashAlgorithm: r.hashAlgorithm,
      issuerNameHash: r.issuerNameHash,
      issuerKeyHash: r.issuerKeyHash,
      revocationTime: r.revocationTime?.toISOString() ?? null,
      revocationReason: r.revocationReason ?? null,
      thisUpdate: r.thisUpdate.toISOString(),
      nextUpdate: r.nextUpdate?.toISOString() ?? null,
    })),
    certificates: o.certificates.map((c) => ({ subject: c.subject, issuer: c.issuer, sha256: fp(c.sha256) })),
    nonce: o.nonce ?? null,
    sha256: fp(o.sha256),
  };
}

function dnskeyView(k: DnskeyFacts): Record<string, unknown> {
  return {
    owner: k.owner,
    flags: k.flags,
    protocol: k.protocol,
    algorithm: k.algorithm,
    keyTag: k.keyTag,
    sep: k.sep,
    ds: ([1, 2, 4] as const).map((t) => ({
      digestType: t,
      digestName: DS_DIGEST_NAMES[t],
      digest: k.ds[t],
      record: `${k.owner} IN DS ${k.keyTag} ${k.algorithm} ${t} ${k.ds[t]}`,
    })),
  };
}

function objectView(o: HsmObject): Record<string, unknown> {
  return {
    class: o.class ?? null,
    keyType: o.keyType ?? null,
    label: o.label ?? null,
    id: o.id ?? null,
    bits: o.bits ?? null,
    curve: o.curve ?? null,
    publicKey: o.publicKey ? keyView(o.publicKey) : null,
    attributes: o.attributes,
  };
}

/**
 * Describe evidence for a witness: parse it as `kind` and return facts and fingerprints, with
 * self-signatures, CSR signatures and each certificate's issuer within the file verified, and each
 * certificate's lints (which never make the description fail).
 * @throws KeywitnessError naming what failed when the bytes are not valid evidence of that kind.
 */
export async function describeEvidence(
  kind: EvidenceKind,
  bytes: Uint8Array,
  parser?: string,
  where: string = kind,
): Promise<EvidenceDescription> {
  const p = parseEvidence(kind, bytes, parser, where);
  const base = { kind: p.kind, size: p.size, fileSha256: fp(p.fileSha256), notes: [...p.notes] };
  switch (p.kind) {
    case 'certificate': {
      const links = await issuersInFile(p.certificates, where);
      const certificates = await Promise.all(
        p.certificates.map((c, i) => certView(c, `${where} certificate ${i + 1}`, links[i]?.lints ?? [])),
      );
      const chain = p.certificates.length > 1 ? links.map(({ lints: _, ...link }) => link) : null;
      return { ...base, certificates, chain };
    }
    case 'csr':
      return { ...base, csr: await csrView(p.csr, where) };
    case 'public-key':
      return { ...base, key: keyView(p.key) };
    case 'dnskey': {
      const anchors = p.dnssec.anchors.map((a) => {
        const key = p.dnssec.keys.find((k) => k.keyTag === a.keyTag && k.algorithm === a.algorithm);
        const computed =
          key && (a.digestType === 1 || a.digestType === 2 || a.digestType === 4) ? key.ds[a.digestType] : undefined;
        return { ...a, publicKeyMatchesDigest: computed === undefined ? null : computed === a.digest };
      });
      return {
        ...base,
        format: p.dnssec.format,
        zone: p.dnssec.zone ?? null,
        keys: p.dnssec.keys.map(dnskeyView),
        anchors,
      };
    }
    case 'hsm-output':
      return {
        ...base,
        format: p.hsm.format,
        success: p.hsm.success ?? null,
        errors: p.hsm.errors,
        facts: p.hsm.facts,
        objects: p.hsm.objects.map(objectView),
        publicKeys: p.hsm.publicKeys.map(keyView),
      };
    case 'crl':
      return { ...base, crl: crlView(p.crl) };
    case 'ocsp':
      return { ...base, ocsp: ocspView(p.ocsp) };
    case 'file':
      return { ...base, text: p.text !== undefined };
  }
}
