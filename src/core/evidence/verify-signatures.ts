/**
 * Every signature a piece of evidence carries, each checked and reported with what signed it: the
 * core of `keywitness verify`. Certificates are checked against their issuer (RFC 5280 §6.1.3 (a)(1)
 * and §6.1.4 (k), (n): the signature, the names chaining, and the issuer being allowed to issue),
 * CSRs against their own key (RFC 2986 §3), CRLs against the CRL issuer (RFC 5280 §6.3.3 (f), (g)),
 * and OCSP responses against the responder and its authorisation (RFC 6960 §4.2.2.2). Names are
 * compared byte for byte as relying parties do, and a match that holds only as text is said.
 *
 * Issuers come from the same file or from `--issuer` files ({@link readTrustMaterial}). Crypto is
 * WebCrypto only (`verify.ts`); an algorithm it lacks is `unsupported`, never valid.
 */
import { KeywitnessError } from '../errors.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { sha1, sha256, sha384 } from '../util/hash.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { parseCertificate, parseCsr, type CertificateFacts, type CsrFacts } from './certificate.js';
import { verifyWith } from './chain.js';
import { parseCrl, type CrlFacts } from './crl.js';
import { lintCertificate, type Lint } from './cert-lint.js';
import { checkEvidenceSize, childrenOf, scanDer, type DerNode } from './der.js';
import { namesEqual, type NameRdns } from './names.js';
import { parseOcspResponse, type OcspFacts } from './ocsp.js';
import { parseRootAnchors } from './dnssec.js';
import { readDnskey, readDs, verifyZone, type DnssecSummary, type DnssecTrust, type DsLink } from './dnssec-verify.js';
import { parseNameText, parseZone, RR_TYPES, typeName } from './dnssec-zone.js';
import { bareDer, bareDerNote, decodePem } from './pem.js';
import { describeAttestation, readYubiHsmAttestation, type YubiHsmAttestation } from './yubihsm-attestation.js';
import { fromHex } from '../util/bytes.js';
import {
  certificateNameBytes,
  nameEncodingDifference,
  subjectPublicKeyBits,
  type CertificateNameBytes,
} from './signed-object.js';
import { verifySignature, type VerifyResult } from './verify.js';

/** `valid`, `invalid`, or `unsupported` (could not be checked here: never counts as valid). */
export type SignatureStatus = VerifyResult['status'];

/** When the signed object (or signature) is meant to be relied on, and whether `at` falls inside. */
export interface ValidityWindow {
  readonly from: Date | undefined;
  readonly until: Date | undefined;
  /** `from <= at <= until` for the time the verification was asked about. */
  readonly current: boolean;
}

/** One signature, checked. */
export interface SignatureCheck {
  /** What carries the signature, e.g. `certificate 1 "CN=Example Root"`. */
  readonly object: string;
  /** What signed it, as far as it was established: `itself`, `"CN=Root" (root.pem)`, a DNSKEY. */
  readonly signer: string;
  readonly status: SignatureStatus;
  /** Why, in a sentence: the algorithm that verified, or what failed and the rule it breaks. */
  readonly detail: string;
  /** Where in the input. */
  readonly where: string;
  readonly window: ValidityWindow | undefined;
  /** Facts a witness should know that do not change the status. */
  readonly notes: readonly string[];
  /** For a certificate: its profile lints (`cert-lint.ts`), which never change the status. */
  readonly lints?: readonly Lint[];
}

/** What a file was read as. */
export type VerifiedKind = 'certificate' | 'csr' | 'crl' | 'ocsp-response' | 'public-key' | 'dnssec-zone';

/** Every signature of one evidence file. */
export interface EvidenceVerification {
  /** What the file holds, in file order without repeats. */
  readonly kinds: readonly VerifiedKind[];
  readonly checks: readonly SignatureCheck[];
  /** For a zone: its apex, sizes and keys. */
  readonly dnssec?: DnssecSummary;
  /** YubiHSM 2 key attestations among the certificates, with where each is. */
  readonly attestations?: readonly (YubiHsmAttestation & { readonly where: string })[];
  /** How the file was read: text outside its PEM blocks, DER given as base64 or hex. */
  readonly notes?: readonly string[];
}

/** A certificate that may have signed something, and where it came from. */
export interface TrustedCertificate {
  readonly cert: CertificateFacts;
  readonly names: CertificateNameBytes;
  /** Shown as the signer's origin: the `--issuer` file, or `this file, certificate 2`. */
  readonly source: string;
}

/** What `--issuer` files provide. */
export interface TrustMaterial {
  readonly certificates: readonly TrustedCertificate[];
  /** DS records and trust-anchor DNSKEYs (zone text or an IANA root-anchors.xml). */
  readonly dnssec: DnssecTrust;
}

/** Options of a verification run. */
export interface VerifyOptions {
  /** The instant validity windows are judged at. */
  readonly at: Date;
}

const CERT_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'];
const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];
const CRL_LABELS = ['X509 CRL'];
const OCSP_LABELS = ['OCSP RESPONSE'];
const KEY_LABELS = ['PUBLIC KEY'];
const ALL_LABELS = [...CERT_LABELS, ...CSR_LABELS, ...CRL_LABELS, ...OCSP_LABELS, ...KEY_LABELS];

function invalidInput(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

/** The window `[from, until]` judged at `at` (RFC 5280 §4.1.2.5: both ends included). */
export function windowAt(from: Date | undefined, until: Date | undefined, at: Date): ValidityWindow {
  const t = at.getTime();
  return {
    from,
    until,
    current: (from === undefined || from.getTime() <= t) && (until === undefined || t <= until.getTime()),
  };
}

/** Whether every check of every verification is `valid` (and there is at least one): `verify`'s exit 0. */
export function allValid(results: readonly EvidenceVerification[]): boolean {
  const checks = results.flatMap((r) => r.checks);
  return checks.length > 0 && checks.every((c) => c.status === 'valid');
}

type NameMatch = 'identical' | 'text-only' | 'different';

function nameMatch(aDer: Uint8Array, aRdns: NameRdns, bDer: Uint8Array, bRdns: NameRdns): NameMatch {
  if (equalBytes(aDer, bDer)) return 'identical';
  return namesEqual(aRdns, bRdns) ? 'text-only' : 'different';
}

function textOnlyNote(field: string, here: Uint8Array, signer: TrustedCertificate, where: string): string {
  return (
    `${field} equals the subject of "${signer.cert.subject}" as text but not byte for byte ` +
    `(${nameEncodingDifference(here, signer.names.subject, where)}); software that compares names ` +
    `as bytes (RFC 5280 §7.1 allows it) will not match them`
  );
}

/** Read one DER block as what its structure says it is. */
type Block =
  | { readonly kind: 'certificate'; readonly cert: CertificateFacts; readonly names: CertificateNameBytes }
  | { readonly kind: 'csr'; readonly csr: CsrFacts }
  | { readonly kind: 'crl'; readonly crl: CrlFacts }
  | { readonly kind: 'ocsp-response'; readonly ocsp: OcspFacts }
  | { readonly kind: 'public-key' };

/**
 * What a bare DER element is, from its shape: an OCSPResponse starts with an ENUMERATED; a
 * certificate's TBS has `[0]` version or an INTEGER then an AlgorithmIdentifier and a Validity
 * SEQUENCE; a CRL's has a Time after its issuer; a CSR's is INTEGER, Name, SPKI, `[0]`.
 */
function sniffDer(der: Uint8Array, where: string): 'certificate' | 'csr' | 'crl' | 'ocsp-response' | 'spki' {
  const root = scanDer(der, where);
  if (root.cls !== 0 || root.tag !== 16) invalidInput('DER input is not a SEQUENCE', where);
  const [first, second, third] = childrenOf(der, root, where);
  if (first?.cls === 0 && first.tag === 10) return 'ocsp-response';
  if (second?.cls === 0 && second.tag === 3) return 'spki';
  if (first?.cls === 0 && first.tag === 16 && third?.cls === 0 && third.tag === 3) {
    const inner = childrenOf(der, first, where);
    const isTime = (n: DerNode | undefined): boolean => n?.cls === 0 && (n.tag === 23 || n.tag === 24);
    if (inner[0]?.cls === 2 && inner[0].tag === 0) return 'certificate';
    if (isTime(inner[2]) || isTime(inner[3])) return 'crl';
    if (inner.length === 4 && inner[3]?.cls === 2 && inner[3].tag === 0) return 'csr';
  }
  return 'certificate';
}

function readBlock(label: string, der: Uint8Array, where: string): Block {
  const kind = CERT_LABELS.includes(label)
    ? 'certificate'
    : CSR_LABELS.includes(label)
      ? 'csr'
      : CRL_LABELS.includes(label)
        ? 'crl'
        : OCSP_LABELS.includes(label)
          ? 'ocsp-response'
          : KEY_LABELS.includes(label)
            ? 'spki'
            : sniffDer(der, where);
  switch (kind) {
    case 'certificate': {
      const cert = parseCertificate(der, where);
      return { kind, cert, names: certificateNameBytes(der, where) };
    }
    case 'csr':
      return { kind, csr: parseCsr(der, where) };
    case 'crl':
      return { kind, crl: parseCrl(der, where) };
    case 'ocsp-response':
      return { kind, ocsp: parseOcspResponse(der, where) };
    case 'spki':
      scanDer(der, where);
      return { kind: 'public-key' };
  }
}

/**
 * What an input file is: DER (binary, or base64 or hex of it without armour: `note` says so), PEM
 * text, an XML trust-anchor file, or DNS presentation format.
 */
function classify(
  bytes: Uint8Array,
  where: string,
): { form: 'der'; der: Uint8Array; note?: string } | { form: 'pem' | 'xml' | 'zone'; text: string } {
  checkEvidenceSize(bytes, where);
  if (bytes.length === 0) invalidInput('empty input', where);
  if (bytes[0] === 0x30) return { form: 'der', der: bytes };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return invalidInput('neither DER (first byte is not 0x30) nor text (not valid UTF-8)', where);
  }
  if (text.trim() === '') invalidInput('empty input', where);
  if (text.includes('-----BEGIN ')) return { form: 'pem', text };
  if (/^\s*(<\?xml|<TrustAnchor)/.test(text)) return { form: 'xml', text };
  const bare = bareDer(text);
  if (bare.ok) return { form: 'der', der: bare.der, note: bareDerNote(bare.form, bare.der.length) };
  return { form: 'zone', text };
}

/** PEM or DER evidence → its blocks, each named by where it is; how the file was read goes to `notes`. */
function readBlocks(bytes: Uint8Array, where: string, notes: string[] = []): { block: Block; where: string }[] {
  const input = classify(bytes, where);
  if (input.form === 'der') {
    if (input.note) notes.push(input.note);
    return [{ block: readBlock('DER', input.der, where), where }];
  }
  if (input.form !== 'pem')
    invalidInput(`expected PEM or DER, found ${input.form === 'xml' ? 'XML' : 'text without a PEM block'}`, where);
  const text = input.text;
  const blocks = decodePem(text, ALL_LABELS, where, notes);
  return blocks.map((b, i) => {
    const at = blocks.length > 1 ? `${where} block ${i + 1}` : where;
    return { block: readBlock(b.label, b.der, at), where: at };
  });
}

/**
 * Read `--issuer` files: certificates (PEM, possibly several, or DER; RFC 5280 §6.1.1 (d) trust
 * anchors), DS or DNSKEY records (RFC 4034 §2, §5), or an IANA root-anchors.xml (RFC 9718 §2).
 * @throws KeywitnessError naming the file and what is wrong with it.
 */
export function readTrustMaterial(
  files: readonly { readonly bytes: Uint8Array; readonly where: string }[],
): TrustMaterial {
  const certificates: TrustedCertificate[] = [];
  const ds: DsLink[] = [];
  const keys: DnssecTrust['keys'][number][] = [];
  for (const { bytes, where } of files) {
    const input = classify(bytes, where);
    if (input.form === 'xml') {
      const anchors = parseRootAnchors(input.text, where);
      const owner = parseNameText(anchors.zone ?? '.', undefined, where);
      for (const a of anchors.anchors)
        ds.push({
          owner,
          keyTag: a.keyTag,
          algorithm: a.algorithm,
          digestType: a.digestType,
          digest: fromHex(a.digest),
          source: `${where} KeyDigest ${a.id}`,
          validFrom: a.validFrom === undefined ? undefined : new Date(a.validFrom),
          validUntil: a.validUntil === undefined ? undefined : new Date(a.validUntil),
        });
      continue;
    }
    if (input.form === 'zone') {
      for (const r of parseZone(bytes, where).records) {
        const at = `${where} line ${r.line}`;
        if (r.type === RR_TYPES.DS) ds.push(readDs(r, at, at));
        else if (r.type === RR_TYPES.DNSKEY) keys.push({ key: readDnskey(r, at), source: at });
        else
          invalidInput(
            `an --issuer DNS file may hold only DS and DNSKEY records (the trust anchors); this is ${typeName(r.type)}`,
            at,
          );
      }
      continue;
    }
    const blocks = readBlocks(bytes, where);
    for (const { block, where: at } of blocks) {
      if (block.kind !== 'certificate')
        invalidInput(`an --issuer file must hold certificates; this one holds a ${block.kind}`, at);
      certificates.push({ cert: block.cert, names: block.names, source: at });
    }
  }
  return { certificates, dnssec: { ds, keys } };
}

/** Who may have signed a certificate: candidates named as its issuer, best first. */
function issuerCandidates(
  cert: CertificateFacts,
  names: CertificateNameBytes,
  pool: readonly TrustedCertificate[],
): { signer: TrustedCertificate; match: NameMatch }[] {
  const aki = cert.extensions.authorityKeyIdentifier?.keyId;
  return pool
    .map((signer) => ({
      signer,
      match: nameMatch(names.issuer, cert.issuerRdns, signer.names.subject, signer.cert.subjectRdns),
    }))
    .filter((c) => c.match !== 'different')
    .sort((a, b) => rank(a.signer) - rank(b.signer));
  function rank(s: TrustedCertificate): number {
    if (s.cert === cert) return 0;
    const ski = s.cert.extensions.subjectKeyIdentifier;
    return aki !== undefined && ski !== undefined && aki === ski ? 1 : 2;
  }
}

function signerLabel(signer: TrustedCertificate, self: unknown): string {
  return signer.cert === self ? 'itself' : `"${signer.cert.subject}" (${signer.source})`;
}

/** RFC 5280 §6.1.4 (k), (n) / §6.3.3 (f): may this certificate sign certificates (or CRLs)? */
function issuingRefusal(signer: CertificateFacts, usage: 'keyCertSign' | 'cRLSign'): string | undefined {
  const bc = signer.extensions.basicConstraints;
  if (usage === 'keyCertSign') {
    if (signer.version < 3 && bc === undefined) return undefined;
    if (!bc?.ca)
      return `"${signer.subject}" is not a CA: basicConstraints cA is not TRUE (RFC 5280 §4.2.1.9, §6.1.4 (k))`;
  }
  const ku = signer.extensions.keyUsage;
  if (ku && !ku.usages.includes(usage))
    return `"${signer.subject}" has keyUsage ${ku.usages.join(', ') || '(none)'} without ${usage} (RFC 5280 §4.2.1.3)`;
  return undefined;
}

/**
 * A YubiHSM 2 key attestation must come from the device the signer's certificate is for: the serial
 * the attestation names is the serial of the device attestation certificate that signed it.
 */
function attestationRefusal(cert: CertificateFacts, signer: TrustedCertificate, where: string): string | undefined {
  const attested = readYubiHsmAttestation(cert, where);
  if (attested?.role !== 'key') return undefined;
  const device = readYubiHsmAttestation(signer.cert, where);
  if (device?.serial === undefined) return undefined;
  if (attested.serial !== device.serial)
    return `the attestation names YubiHSM serial ${attested.serial ?? 'none'}, the signer's device certificate serial ${device.serial}`;
  return undefined;
}

/**
 * A key attestation whose issuer is none of the YubiHSM device certificates given with `--issuer`
 * fails against those trust anchors (as `openssl verify -partial_chain` fails), rather than being
 * left unchecked: the device it names is said, and the devices given.
 */
function deviceMismatch(check: SignatureCheck, trust: TrustMaterial): Partial<SignatureCheck> {
  if (check.status !== 'unsupported') return {};
  const devices = trust.certificates
    .map((c) => readYubiHsmAttestation(c.cert, c.source))
    .filter((a) => a?.role === 'device')
    .map((a) => a?.serial);
  if (devices.length === 0) return {};
  return {
    status: 'invalid',
    detail: `it was not issued by the YubiHSM device certificate given (serial ${devices.join(', ')}): its issuer is ${check.signer.replace(/ \(not given\)$/, '')}`,
  };
}

interface SignedBy {
  readonly signer: TrustedCertificate;
  readonly result: VerifyResult;
}

/** Try each candidate's key; the first that verifies wins, else every failure is reported. */
async function firstVerifying(
  candidates: readonly TrustedCertificate[],
  verify: (key: TrustedCertificate) => Promise<VerifyResult>,
): Promise<{ found: SignedBy | undefined; tried: SignedBy[] }> {
  const tried: SignedBy[] = [];
  for (const signer of candidates) {
    const result = await verify(signer);
    if (result.status === 'valid') return { found: { signer, result }, tried };
    tried.push({ signer, result });
  }
  return { found: undefined, tried };
}

function failedAll(tried: readonly SignedBy[], self: unknown): { status: SignatureStatus; detail: string } {
  const status: SignatureStatus = tried.some((t) => t.result.status === 'invalid') ? 'invalid' : 'unsupported';
  const parts = tried.map((t) => `${signerLabel(t.signer, self)}: ${t.result.detail}`);
  return { status, detail: `no candidate's key verifies it (${parts.join('; ')})` };
}

/**
 * Check a certificate's signature (below) and lint it (`cert-lint.ts`), with its issuer when one was
 * found, and say which certificate of `pool` signed it. Lints are reported with the check and never
 * change its status. `keywitness inspect` describes a file's certificates with it too, so a CA
 * bundle's certificates are linked only to an issuer whose name they carry, as here.
 */
export async function lintedCertificateCheck(
  cert: CertificateFacts,
  names: CertificateNameBytes,
  object: string,
  pool: readonly TrustedCertificate[],
  where: string,
  options: VerifyOptions,
): Promise<{ readonly check: SignatureCheck; readonly signedBy: TrustedCertificate | undefined }> {
  const { signedBy, ...check } = await certificateSignature(cert, names, object, pool, where, options);
  const issuer = signedBy && signedBy.cert !== cert ? { issuer: signedBy } : {};
  return { check: { ...check, lints: lintCertificate(cert, { names, ...issuer }) }, signedBy };
}

async function checkCertificate(
  cert: CertificateFacts,
  names: CertificateNameBytes,
  object: string,
  pool: readonly TrustedCertificate[],
  where: string,
  options: VerifyOptions,
): Promise<SignatureCheck> {
  return (await lintedCertificateCheck(cert, names, object, pool, where, options)).check;
}

/**
 * Check a certificate's signature against every candidate issuer in `pool` (RFC 5280 §6.1.3 (a)(1),
 * §6.1.4 (k), (n); a YubiHSM 2 key attestation also against its device's serial), and say which
 * certificate signed it (`signedBy`, the certificate itself when self-signed). The script's
 * attestation expectations walk a chain with it, so they judge issuers exactly as `verify` does.
 */
export async function certificateSignature(
  cert: CertificateFacts,
  names: CertificateNameBytes,
  object: string,
  pool: readonly TrustedCertificate[],
  where: string,
  options: VerifyOptions,
): Promise<SignatureCheck & { signedBy?: TrustedCertificate }> {
  const window = windowAt(cert.notBefore, cert.notAfter, options.at);
  const notes: string[] = [];
  if (!window.current)
    notes.push(
      `not valid at ${options.at.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`,
    );
  const candidates = issuerCandidates(cert, names, pool);
  if (candidates.length === 0) {
    return {
      object,
      signer: `"${cert.issuer}" (not given)`,
      status: 'unsupported',
      detail: `its issuer "${cert.issuer}" is neither in this file nor given with --issuer, so the signature cannot be checked`,
      where,
      window,
      notes,
    };
  }
  const { found, tried } = await firstVerifying(
    candidates.map((c) => c.signer),
    (s) => verifyWith(cert, s.cert.key, where),
  );
  if (!found) {
    const { status, detail } = failedAll(tried, cert);
    return { object, signer: `"${cert.issuer}"`, status, detail, where, window, notes };
  }
  const { signer, result } = found;
  if (candidates.find((c) => c.signer === signer)?.match === 'text-only')
    notes.push(textOnlyNote('the issuer name', names.issuer, signer, where));
  const aki = cert.extensions.authorityKeyIdentifier?.keyId;
  const ski = signer.cert.extensions.subjectKeyIdentifier;
  if (aki !== undefined && ski !== undefined && aki !== ski && signer.cert !== cert)
    notes.push(`authorityKeyIdentifier ${aki} is not the signer's subjectKeyIdentifier ${ski} (RFC 5280 §4.2.1.1)`);
  const refusal =
    signer.cert === cert
      ? undefined
      : (issuingRefusal(signer.cert, 'keyCertSign') ?? attestationRefusal(cert, signer, where));
  if (refusal) {
    return {
      object,
      signer: signerLabel(signer, cert),
      status: 'invalid',
      detail: `${result.detail}, but ${refusal}`,
      where,
      window,
      notes,
      signedBy: signer,
    };
  }
  if (signer.cert !== cert && signer.cert.version < 3 && signer.cert.extensions.basicConstraints === undefined)
    notes.push(
      `the signer is a version ${signer.cert.version} certificate: that it is a CA must be known out of band (RFC 5280 §6.1.4 (k))`,
    );
  return {
    object,
    signer: signerLabel(signer, cert),
    status: 'valid',
    detail: signer.cert === cert ? `${result.detail} (self-signed)` : result.detail,
    where,
    window,
    notes,
    signedBy: signer,
  };
}

async function checkCsr(csr: CsrFacts, where: string): Promise<SignatureCheck> {
  const result = await verifyWith(csr, csr.key, where);
  return {
    object: `certificate request "${csr.subject}"`,
    signer: 'its own key (proof of possession, RFC 2986 §3)',
    status: result.status,
    detail: result.detail,
    where,
    window: undefined,
    notes: [],
  };
}

async function checkCrl(
  crl: CrlFacts,
  pool: readonly TrustedCertificate[],
  where: string,
  options: VerifyOptions,
): Promise<SignatureCheck> {
  const object = `CRL of "${crl.issuer}"${crl.crlNumber === undefined ? '' : ` number ${crl.crlNumber}`} (${crl.revoked.length} revoked)`;
  const window = windowAt(crl.thisUpdate, crl.nextUpdate, options.at);
  const notes: string[] = [...crl.warnings];
  if (!window.current)
    notes.push(
      `not current at ${options.at.toISOString()} (thisUpdate ${crl.thisUpdate.toISOString()}, nextUpdate ${crl.nextUpdate?.toISOString() ?? 'none'})`,
    );
  const candidates = pool
    .map((signer) => ({
      signer,
      match: nameMatch(crl.issuerDer, crl.issuerRdns, signer.names.subject, signer.cert.subjectRdns),
    }))
    .filter((c) => c.match !== 'different');
  if (candidates.length === 0) {
    return {
      object,
      signer: `"${crl.issuer}" (not given)`,
      status: 'unsupported',
      detail: `the CRL issuer "${crl.issuer}" is not given: pass its certificate with --issuer`,
      where,
      window,
      notes,
    };
  }
  const { found, tried } = await firstVerifying(
    candidates.map((c) => c.signer),
    (s) => verifySignature(s.cert.key, crl.algorithm, crl.tbs, crl.signature, where),
  );
  if (!found) {
    const { status, detail } = failedAll(tried, undefined);
    return { object, signer: `"${crl.issuer}"`, status, detail, where, window, notes };
  }
  const { signer, result } = found;
  if (candidates.find((c) => c.signer === signer)?.match === 'text-only')
    notes.push(textOnlyNote('the CRL issuer name', crl.issuerDer, signer, where));
  const ski = signer.cert.extensions.subjectKeyIdentifier;
  if (crl.authorityKeyId !== undefined && ski !== undefined && crl.authorityKeyId !== ski)
    notes.push(`authorityKeyIdentifier ${crl.authorityKeyId} is not the signer's subjectKeyIdentifier ${ski}`);
  const refusal = issuingRefusal(signer.cert, 'cRLSign');
  return {
    object,
    signer: signerLabel(signer, undefined),
    status: refusal ? 'invalid' : 'valid',
    detail: refusal ? `${result.detail}, but ${refusal} (RFC 5280 §6.3.3 (f))` : result.detail,
    where,
    window,
    notes,
  };
}

function hashFor(name: string): ((b: Uint8Array) => Uint8Array) | undefined {
  switch (name) {
    case 'SHA-1':
      return sha1;
    case 'SHA-256':
      return sha256;
    case 'SHA-384':
      return sha384;
    case 'SHA-512':
      return sha512;
    default:
      return undefined;
  }
}

/** Does `ca` issue the certificates a SingleResponse's CertID names (RFC 6960 §4.1.1)? */
function certIdNames(
  response: OcspFacts['responses'][number],
  ca: TrustedCertificate,
  where: string,
): boolean | undefined {
  const hash = hashFor(response.hashAlgorithm);
  if (!hash) return undefined;
  return (
    toHex(hash(ca.names.subject)) === response.issuerNameHash &&
    toHex(hash(subjectPublicKeyBits(ca.cert.key.spki, where))) === response.issuerKeyHash
  );
}

function responderMatches(ocsp: OcspFacts, c: TrustedCertificate, where: string): NameMatch {
  if (!ocsp.responder.byName)
    return toHex(sha1(subjectPublicKeyBits(c.cert.key.spki, where))) === ocsp.responder.keyHash
      ? 'identical'
      : 'different';
  return nameMatch(ocsp.responder.der, ocsp.responder.rdns, c.names.subject, c.cert.subjectRdns);
}

async function checkOcsp(
  ocsp: OcspFacts,
  pool: readonly TrustedCertificate[],
  where: string,
  options: VerifyOptions,
): Promise<SignatureCheck[]> {
  const embedded: TrustedCertificate[] = ocsp.certificates.map((cert, i) => ({
    cert,
    names: certificateNameBytes(cert.der, `${where} certificate ${i + 1}`),
    source: `in the response, certificate ${i + 1}`,
  }));
  const responderText = ocsp.responder.byName ? `"${ocsp.responder.name}"` : `key SHA-1 ${ocsp.responder.keyHash}`;
  const statuses = ocsp.responses.map((r) => `serial ${r.serial} ${r.status}`).join(', ');
  const object = `OCSP response by ${responderText} (${statuses})`;
  const first = ocsp.responses[0];
  const window = first ? windowAt(first.thisUpdate, first.nextUpdate, options.at) : undefined;
  const notes: string[] = [`produced at ${ocsp.producedAt.toISOString()}`];
  if (window && !window.current) notes.push(`not current at ${options.at.toISOString()}`);
  const candidates = [...embedded, ...pool].filter((c) => responderMatches(ocsp, c, where) !== 'different');
  if (candidates.length === 0) {
    return [
      {
        object,
        signer: `${responderText} (not given)`,
        status: 'unsupported',
        detail: `the responder ${responderText} is neither in the response nor given with --issuer`,
        where,
        window,
        notes,
      },
    ];
  }
  const { found, tried } = await firstVerifying(candidates, (s) =>
    verifySignature(s.cert.key, ocsp.algorithm, ocsp.tbs, ocsp.signature, where),
  );
  if (!found) {
    const { status, detail } = failedAll(tried, undefined);
    return [{ object, signer: responderText, status, detail, where, window, notes }];
  }
  const { signer, result } = found;
  const checks: SignatureCheck[] = [];
  // RFC 6960 §4.2.2.2: the responder is the CA itself, or a certificate the CA issued for OCSP signing.
  const problems: { status: SignatureStatus; text: string }[] = [];
  const delegatedBy = new Set<TrustedCertificate>();
  for (const [k, response] of ocsp.responses.entries()) {
    const at = `${where} response ${k + 1}`;
    if (hashFor(response.hashAlgorithm) === undefined) {
      problems.push({
        status: 'unsupported',
        text: `response ${k + 1}: CertID hash ${response.hashAlgorithm} is not supported`,
      });
      continue;
    }
    // Only a CA the verifier was given counts: a certificate inside the response vouches for nothing.
    const ca = pool.find((c) => certIdNames(response, c, at) === true);
    if (!ca) {
      problems.push({
        status: 'unsupported',
        text: `response ${k + 1} (serial ${response.serial}) is about a CA that is not given with --issuer, so the responder's authority cannot be checked`,
      });
      continue;
    }
    if (equalBytes(ca.cert.key.spki, signer.cert.key.spki)) continue;
    if (
      nameMatch(ca.names.subject, ca.cert.subjectRdns, signer.names.subject, signer.cert.subjectRdns) !== 'different'
    ) {
      problems.push({
        status: 'invalid',
        text: `response ${k + 1}: the responder has the name of the CA "${ca.cert.subject}" given with --issuer but not its key`,
      });
      continue;
    }
    if (!signer.cert.extensions.extendedKeyUsage?.purposes.includes('OCSPSigning')) {
      problems.push({
        status: 'invalid',
        text: `response ${k + 1}: the responder "${signer.cert.subject}" is neither the CA "${ca.cert.subject}" nor has id-kp-OCSPSigning (RFC 6960 §4.2.2.2)`,
      });
      continue;
    }
    if (delegatedBy.has(ca)) continue;
    delegatedBy.add(ca);
    checks.push(
      await checkCertificate(
        signer.cert,
        signer.names,
        `responder certificate "${signer.cert.subject}" (delegated by "${ca.cert.subject}")`,
        [ca],
        `${where} responder certificate`,
        options,
      ),
    );
  }
  checks.unshift({
    object,
    signer: signerLabel(signer, undefined),
    status: problems.length === 0 ? 'valid' : problems.some((p) => p.status === 'invalid') ? 'invalid' : 'unsupported',
    detail: problems.length === 0 ? result.detail : `${result.detail}, but ${problems.map((p) => p.text).join('; ')}`,
    where,
    window,
    notes,
  });
  return checks;
}

/**
 * Verify every signature in one evidence file: each certificate of a PEM bundle (against the
 * certificates of the same file and `trust`), a CSR's self-signature, a CRL and an OCSP response
 * against their issuers. A public key carries no signature and gets an `unsupported` check.
 * @throws KeywitnessError (EVIDENCE_INVALID, EVIDENCE_UNSUPPORTED, ENCODING_INVALID, INPUT_TOO_LARGE)
 *   when the file cannot be read; a signature that fails is a result, not an error.
 */
export async function verifyEvidenceSignatures(
  bytes: Uint8Array,
  where: string,
  trust: TrustMaterial,
  options: VerifyOptions,
): Promise<EvidenceVerification> {
  const input = classify(bytes, where);
  if (input.form === 'zone') {
    const { checks, summary } = await verifyZone(parseZone(bytes, where), where, trust.dnssec, options.at);
    return { kinds: ['dnssec-zone'], checks, dnssec: summary };
  }
  if (input.form === 'xml') {
    parseRootAnchors(input.text, where);
    return {
      kinds: ['dnssec-zone'],
      checks: [
        {
          object: 'trust-anchor file',
          signer: 'none',
          status: 'unsupported',
          detail:
            'a root-anchors.xml carries no signature itself (its signature is the detached root-anchors.p7s); give it with --issuer to link a zone',
          where,
          window: undefined,
          notes: [],
        },
      ],
    };
  }
  const notes: string[] = [];
  const blocks = readBlocks(bytes, where, notes);
  const inFile: TrustedCertificate[] = [];
  for (const [i, { block }] of blocks.entries())
    if (block.kind === 'certificate')
      inFile.push({
        cert: block.cert,
        names: block.names,
        source: blocks.length > 1 ? `this file, block ${i + 1}` : 'this file',
      });
  const pool = [...inFile, ...trust.certificates];
  const checks: SignatureCheck[] = [];
  const kinds: VerifiedKind[] = [];
  const attestations: (YubiHsmAttestation & { where: string })[] = [];
  for (const { block, where: at } of blocks) {
    if (!kinds.includes(block.kind)) kinds.push(block.kind);
    switch (block.kind) {
      case 'certificate': {
        const check = await checkCertificate(
          block.cert,
          block.names,
          `certificate "${block.cert.subject}"`,
          pool,
          at,
          options,
        );
        const attested = readYubiHsmAttestation(block.cert, at);
        if (attested?.role === 'key') {
          attestations.push({ ...attested, where: at });
          checks.push({
            ...check,
            ...deviceMismatch(check, trust),
            object: `key attestation "${block.cert.subject}"`,
            notes: [describeAttestation(attested), ...check.notes],
          });
        } else checks.push(check);
        break;
      }
      case 'csr':
        checks.push(await checkCsr(block.csr, at));
        break;
      case 'crl':
        checks.push(await checkCrl(block.crl, pool, at, options));
        break;
      case 'ocsp-response':
        checks.push(...(await checkOcsp(block.ocsp, trust.certificates.concat(inFile), at, options)));
        break;
      case 'public-key':
        checks.push({
          object: 'public key',
          signer: 'none',
          status: 'unsupported',
          detail: 'a public key carries no signature to verify',
          where: at,
          window: undefined,
          notes: [],
        });
        break;
    }
  }
  return {
    kinds,
    checks,
    ...(attestations.length > 0 ? { attestations } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
}
