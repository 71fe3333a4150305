/**
 * Which fingerprints of a piece of evidence a witness compares, and how the independent source
 * (the ceremony laptop's screen, the paper form) produces each one. The first is the one the word
 * challenge asks about: the certificate's own SHA-256 for certificates (what `openssl x509
 * -fingerprint` prints), the public key's SPKI SHA-256 where the evidence is or holds a key, and
 * the file's SHA-256 otherwise (what `sha256sum` prints).
 */
import { fromHex } from '../util/bytes.js';
import type { EvidenceDescription, FingerprintView } from './describe.js';

/** A fingerprint to compare with an independent source. */
export interface ComparableFingerprint {
  readonly label: string;
  readonly bytes: Uint8Array;
  /** How to show the same value on an independent source. */
  readonly how: string;
}

const SPKI_HOW = 'openssl pkey -pubin -in KEY.pem -outform DER | sha256sum';

/** The file digest of evidence whose bytes this device does not hold (only the statement's digest). */
export function fileFingerprint(name: string, sha256: Uint8Array): ComparableFingerprint {
  return { label: `SHA-256 of ${name}`, bytes: sha256, how: 'sha256sum FILE' };
}

function fp(view: FingerprintView | undefined, label: string, how: string): ComparableFingerprint[] {
  return view ? [{ label, bytes: fromHex(view.hex), how }] : [];
}

type KeyLike = { spkiSha256?: FingerprintView } | null | undefined;

/** Fingerprints of a described piece of evidence, the one to challenge first. */
export function comparableFingerprints(d: EvidenceDescription): ComparableFingerprint[] {
  const file = fp(d.fileSha256, 'SHA-256 of the file', 'sha256sum FILE');
  switch (d.kind) {
    case 'certificate': {
      const certs = (d.certificates as { sha256: FingerprintView; key: KeyLike }[] | undefined) ?? [];
      const first = certs[0];
      return [
        ...fp(first?.sha256, 'SHA-256 of the certificate', 'openssl x509 -in CERT.pem -noout -fingerprint -sha256'),
        ...fp(first?.key?.spkiSha256, 'SHA-256 of its public key', SPKI_HOW),
        ...file,
      ];
    }
    case 'csr': {
      const csr = d.csr as { sha256: FingerprintView; key: KeyLike } | undefined;
      return [
        ...fp(csr?.sha256, 'SHA-256 of the request', 'openssl req -in REQ.pem -outform DER | sha256sum'),
        ...fp(csr?.key?.spkiSha256, 'SHA-256 of its public key', SPKI_HOW),
        ...file,
      ];
    }
    case 'public-key':
      return [...fp((d.key as KeyLike)?.spkiSha256, 'SHA-256 of the public key', SPKI_HOW), ...file];
    case 'hsm-output': {
      const keys = (d.publicKeys as KeyLike[] | undefined) ?? [];
      return [
        ...keys.flatMap((k, i) =>
          fp(k?.spkiSha256, keys.length > 1 ? `SHA-256 of public key ${i + 1}` : 'SHA-256 of the public key', SPKI_HOW),
        ),
        ...file,
      ];
    }
    default:
      return file;
  }
}
