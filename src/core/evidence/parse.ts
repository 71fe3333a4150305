/**
 * Evidence bytes → parsed facts, by kind. The single entry point both the checker and the
 * description (UI, `keywitness inspect`) use, so a witness sees exactly what was checked.
 */
import { KeywitnessError } from '../errors.js';
import type { EvidenceKind } from '../script/types.js';
import { parseCertificate, parseCsr, type CertificateFacts, type CsrFacts } from './certificate.js';
import { parseCrl, type CrlFacts } from './crl.js';
import { checkEvidenceSize } from './der.js';
import { parseDnssec, type DnssecFacts } from './dnssec.js';
import { sha256Fingerprint, type Fingerprint } from './fingerprints.js';
import { detectHsmFormat, parseHsmOutput, type HsmFacts } from './hsm/index.js';
import { describeSpki, type KeyFacts } from './keys.js';
import { parseOcspResponse, type OcspFacts } from './ocsp.js';
import { bareDer, derBlocks } from './pem.js';

/**
 * Parsed evidence of any kind, plus the SHA-256 of the exact bytes imported and notes on how the
 * file was read (text outside a PEM block, DER given as base64 or hex without armour).
 */
export type ParsedEvidence = {
  readonly fileSha256: Fingerprint;
  readonly size: number;
  readonly notes: readonly string[];
} & (
  | { readonly kind: 'certificate'; readonly certificates: readonly [CertificateFacts, ...CertificateFacts[]] }
  | { readonly kind: 'csr'; readonly csr: CsrFacts }
  | { readonly kind: 'public-key'; readonly key: KeyFacts }
  | { readonly kind: 'dnskey'; readonly dnssec: DnssecFacts }
  | { readonly kind: 'crl'; readonly crl: CrlFacts }
  | { readonly kind: 'ocsp'; readonly ocsp: OcspFacts }
  | { readonly kind: 'hsm-output'; readonly hsm: HsmFacts & { readonly text: string } }
  | { readonly kind: 'file'; readonly text: string | undefined }
);

const CERT_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE'];
const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];
const KEY_LABELS = ['PUBLIC KEY'];
const CRL_LABELS = ['X509 CRL'];
const OCSP_LABELS = ['OCSP RESPONSE'];

/** The one DER block of a file that must hold exactly one (`what`: `CRL`, `OCSP response`…). */
function oneBlock(
  bytes: Uint8Array,
  labels: readonly string[],
  what: string,
  where: string,
  notes: string[],
): Uint8Array {
  const blocks = derBlocks(bytes, labels, where, notes);
  const [block] = blocks;
  if (block === undefined || blocks.length !== 1)
    throw new KeywitnessError('EVIDENCE_INVALID', `expected one ${what}, found ${blocks.length}`, { where });
  return block.der;
}

/**
 * Parse evidence bytes as the given kind.
 * @throws KeywitnessError (EVIDENCE_INVALID, EVIDENCE_UNSUPPORTED, INPUT_TOO_LARGE, ENCODING_INVALID) naming what failed.
 */
export function parseEvidence(
  kind: EvidenceKind,
  bytes: Uint8Array,
  parser: string | undefined,
  where: string,
): ParsedEvidence {
  checkEvidenceSize(bytes, where);
  const notes: string[] = [];
  const base = { fileSha256: sha256Fingerprint(bytes), size: bytes.length, notes };
  switch (kind) {
    case 'certificate': {
      const blocks = derBlocks(bytes, CERT_LABELS, where, notes);
      const [first, ...rest] = blocks.map((b, i) =>
        parseCertificate(b.der, blocks.length > 1 ? `${where} certificate ${i + 1}` : where),
      );
      if (first === undefined) throw new KeywitnessError('EVIDENCE_INVALID', 'no certificate found', { where });
      return { ...base, kind, certificates: [first, ...rest] };
    }
    case 'csr': {
      const blocks = derBlocks(bytes, CSR_LABELS, where, notes);
      const [block] = blocks;
      if (block === undefined || blocks.length !== 1)
        throw new KeywitnessError('EVIDENCE_INVALID', `expected one certificate request, found ${blocks.length}`, {
          where,
        });
      return { ...base, kind, csr: parseCsr(block.der, where) };
    }
    case 'public-key': {
      const blocks = derBlocks(bytes, KEY_LABELS, where, notes);
      const [block] = blocks;
      if (block === undefined || blocks.length !== 1)
        throw new KeywitnessError('EVIDENCE_INVALID', `expected one public key, found ${blocks.length}`, { where });
      return { ...base, kind, key: describeSpki(block.der, where) };
    }
    case 'dnskey':
      return { ...base, kind, dnssec: parseDnssec(bytes, where) };
    case 'crl':
      return { ...base, kind, crl: parseCrl(oneBlock(bytes, CRL_LABELS, 'CRL', where, notes), where) };
    case 'ocsp':
      return {
        ...base,
        kind,
        ocsp: parseOcspResponse(oneBlock(bytes, OCSP_LABELS, 'OCSP response', where, notes), where),
      };
    case 'hsm-output':
      return { ...base, kind, hsm: parseHsmOutput(bytes, parser, where) };
    case 'file': {
      let text: string | undefined;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        text = undefined;
      }
      return { ...base, kind, text };
    }
    default:
      throw new KeywitnessError('EVIDENCE_UNSUPPORTED', `unknown evidence kind "${String(kind)}"`, { where });
  }
}

function tryParse(kind: EvidenceKind, bytes: Uint8Array): boolean {
  try {
    parseEvidence(kind, bytes, undefined, 'detect');
    return true;
  } catch {
    return false;
  }
}

/**
 * Guess the kind of evidence from its bytes: PEM labels, DER structure (a certificate, CSR, public
 * key, CRL or OCSP response; unparsable DER counts as a certificate so its error is shown), base64
 * or hex of such DER without armour, DNSKEY/trust-anchor text, a recognised HSM tool transcript,
 * else `file`.
 */
export function detectEvidenceKind(bytes: Uint8Array): EvidenceKind {
  if (bytes.length === 0) return 'file';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, Math.min(bytes.length, 1 << 20)));
  if (bytes[0] === 0x30) {
    for (const kind of ['certificate', 'csr', 'public-key', 'crl', 'ocsp'] as const)
      if (tryParse(kind, bytes)) return kind;
    // Binary that starts like DER but parses as none of them: report it as a damaged certificate,
    // so the witness sees what failed instead of a bare file hash.
    return 'certificate';
  }
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(head)?.[1];
  const hsmFormat = detectHsmFormat(head);
  if (hsmFormat !== 'text' && hsmFormat !== 'openssl') return 'hsm-output';
  if (label && /^\s*-----BEGIN /.test(head)) {
    if (CERT_LABELS.includes(label)) return 'certificate';
    if (CSR_LABELS.includes(label)) return 'csr';
    if (KEY_LABELS.includes(label)) return 'public-key';
    if (CRL_LABELS.includes(label)) return 'crl';
    if (OCSP_LABELS.includes(label)) return 'ocsp';
  }
  if (hsmFormat === 'openssl') return 'hsm-output';
  if (/^\s*(<\?xml[^>]*>\s*)?<TrustAnchor\b/.test(head) || /\sDNSKEY\s+\d+\s+\d+\s+\d+\s/.test(head)) return 'dnskey';
  if (label) {
    if (CERT_LABELS.includes(label)) return 'certificate';
    if (CSR_LABELS.includes(label)) return 'csr';
    if (KEY_LABELS.includes(label)) return 'public-key';
    if (CRL_LABELS.includes(label)) return 'crl';
    if (OCSP_LABELS.includes(label)) return 'ocsp';
  }
  // DER as base64 or hex text without armour: read as what the DER is (parseEvidence notes it).
  if (!label && bareDer(head).ok)
    for (const kind of ['certificate', 'csr', 'public-key', 'crl', 'ocsp'] as const)
      if (tryParse(kind, bytes)) return kind;
  return 'file';
}
