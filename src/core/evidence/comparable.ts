/**
 * Which fingerprints of a piece of evidence a witness compares, how the independent source (the
 * ceremony laptop's screen, the paper form) produces each one, and the hex exactly as that command
 * prints it, so the two can be compared character by character. The first is the one the word
 * challenge asks about: the certificate's own SHA-256 for certificates (what `openssl x509
 * -fingerprint` prints, upper-case hex with colons), the public key's SPKI SHA-256 where the
 * evidence is or holds a key, and the file's SHA-256 otherwise (what `sha256sum` prints,
 * lower-case hex without separators).
 */
import { fromHex, toColonHex, toHex } from '../util/bytes.js';
import type { EvidenceDescription, FingerprintView } from './describe.js';

/**
 * How a command prints a digest: `colon` is OpenSSL's `-fingerprint` form (`19:BF:7E:…`), `plain`
 * is `sha256sum`'s (`19bf7e…`).
 */
export type HexFormat = 'colon' | 'plain';

/** A fingerprint to compare with an independent source. */
export interface ComparableFingerprint {
  readonly label: string;
  readonly bytes: Uint8Array;
  /** What to run, and where, to show the same value on an independent source (`where`: `command`). */
  readonly how: string;
  /** The command alone, as typed. */
  readonly command: string;
  /** Where it runs when that is not wherever the file is at hand, e.g. "on the ceremony laptop". */
  readonly where: string | undefined;
  /** How `how` prints the digest. */
  readonly hexFormat: HexFormat;
  /** The digest in that form, to show beside `how`. */
  readonly hex: string;
}

/** The digest as a command of that format prints it. */
export function formatHex(bytes: Uint8Array, format: HexFormat): string {
  return format === 'colon' ? toColonHex(bytes) : toHex(bytes);
}

/** A command, and where it runs when that matters. */
interface Source {
  readonly command: string;
  readonly where?: string;
}

function comparable(label: string, bytes: Uint8Array, source: Source, hexFormat: HexFormat): ComparableFingerprint {
  const { command, where } = source;
  return {
    label,
    bytes,
    how: where === undefined ? command : `${where}: ${command}`,
    command,
    where,
    hexFormat,
    hex: formatHex(bytes, hexFormat),
  };
}

/**
 * The file name to put in a command: the evidence's own name when it is one (imported from the
 * export media), else the placeholder (pasted text, a scanned QR code, or no name known).
 */
function fileArg(name: string | undefined, placeholder: string): string {
  return name !== undefined && /^[A-Za-z0-9._+-]+$/.test(name) ? name : placeholder;
}

/** The file digest of evidence whose bytes this device does not hold (only the statement's digest). */
export function fileFingerprint(name: string, sha256: Uint8Array): ComparableFingerprint {
  return comparable(`SHA-256 of ${name}`, sha256, { command: `sha256sum ${fileArg(name, 'FILE')}` }, 'plain');
}

function fp(
  view: FingerprintView | undefined,
  label: string,
  how: string | Source,
  format: HexFormat,
): ComparableFingerprint[] {
  return view ? [comparable(label, fromHex(view.hex), typeof how === 'string' ? { command: how } : how, format)] : [];
}

type KeyLike = { spkiSha256?: FingerprintView } | null | undefined;
type HsmObjectLike = { label: string | null; id: string | null; publicKey: KeyLike };

/** The SPKI SHA-256 of a public key held as a PEM file. */
const spkiOfFile = (file: string): string => `openssl pkey -pubin -in ${file} -outform DER | sha256sum`;

/**
 * The SPKI SHA-256 of a key that lives in the HSM: the HSM tool's output shows the key but not
 * this digest, and the witness holds no key file, so the command is the one the ceremony laptop
 * runs against the token (OpenSSL's pkcs11 engine, as a script exports a public key), naming the
 * key object by the label (or id) the output shows.
 */
function spkiOfHsmKey(hex: string | undefined, objects: readonly HsmObjectLike[], tokenLabel: unknown): Source {
  const object = objects.find((o) => o.publicKey?.spkiSha256?.hex === hex && (o.label ?? o.id) !== null);
  if (!object) {
    return {
      where: 'on the ceremony laptop, of the public key exported from the HSM',
      command: spkiOfFile('PUBLIC-KEY.pem'),
    };
  }
  const token = typeof tokenLabel === 'string' && /^[A-Za-z0-9._-]+$/.test(tokenLabel) ? `token=${tokenLabel};` : '';
  const which =
    object.label !== null && /^[A-Za-z0-9._-]+$/.test(object.label)
      ? `object=${object.label}`
      : `id=${(object.id ?? '').replace(/^0x/i, '').replace(/(..)/g, '%$1')}`;
  return {
    where: "on the ceremony laptop, with PKCS11_MODULE_PATH set to the HSM's module",
    command: `openssl pkey -engine pkcs11 -inform engine -pubin -in "pkcs11:${token}${which};type=public" -outform DER | sha256sum`,
  };
}

/**
 * Fingerprints of a described piece of evidence, the one to challenge first. `name` is the
 * evidence's file name, used in the commands when it is one.
 */
export function comparableFingerprints(d: EvidenceDescription, name?: string): ComparableFingerprint[] {
  const file = fp(d.fileSha256, 'SHA-256 of the file', `sha256sum ${fileArg(name, 'FILE')}`, 'plain');
  switch (d.kind) {
    case 'certificate': {
      const certs = (d.certificates as { sha256: FingerprintView; key: KeyLike }[] | undefined) ?? [];
      const first = certs[0];
      const cert = fileArg(name, 'CERT.pem');
      return [
        ...fp(
          first?.sha256,
          'SHA-256 of the certificate',
          `openssl x509 -in ${cert} -noout -fingerprint -sha256`,
          'colon',
        ),
        ...fp(
          first?.key?.spkiSha256,
          'SHA-256 of its public key',
          `openssl x509 -in ${cert} -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum`,
          'plain',
        ),
        ...file,
      ];
    }
    case 'csr': {
      const csr = d.csr as { sha256: FingerprintView; key: KeyLike } | undefined;
      const req = fileArg(name, 'REQ.pem');
      return [
        ...fp(csr?.sha256, 'SHA-256 of the request', `openssl req -in ${req} -outform DER | sha256sum`, 'plain'),
        ...fp(
          csr?.key?.spkiSha256,
          'SHA-256 of its public key',
          `openssl req -in ${req} -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum`,
          'plain',
        ),
        ...file,
      ];
    }
    case 'public-key':
      return [
        ...fp(
          (d.key as KeyLike)?.spkiSha256,
          'SHA-256 of the public key',
          spkiOfFile(fileArg(name, 'KEY.pem')),
          'plain',
        ),
        ...file,
      ];
    case 'hsm-output': {
      const keys = (d.publicKeys as KeyLike[] | undefined) ?? [];
      const objects = (d.objects as HsmObjectLike[] | undefined) ?? [];
      const tokenLabel = (d.facts as Record<string, unknown> | undefined)?.token_label;
      return [
        ...keys.flatMap((k, i) =>
          fp(
            k?.spkiSha256,
            keys.length > 1 ? `SHA-256 of public key ${i + 1}` : 'SHA-256 of the public key',
            spkiOfHsmKey(k?.spkiSha256?.hex, objects, tokenLabel),
            'plain',
          ),
        ),
        ...file,
      ];
    }
    default:
      return file;
  }
}
