/**
 * What kind of file some bytes are, from their first bytes alone: so that a receipt given where a
 * bundle belongs, a bundle given as a script or a QR image given as a message is refused saying
 * what it is, instead of with the wrong parser's complaint about its first byte. The one place
 * that recognises Keywitness's own files, the images and videos people confuse with them, PEM and
 * DER; the parsers still decide whether a file of the right kind is valid.
 */
import { KeywitnessError } from './errors.js';
import { decodeMessage } from './protocol/message.js';
import { SCRIPT_FORMAT } from './script/types.js';
import { BUNDLE_FORMAT, RECEIPT_FORMAT } from './session/files.js';
import { MAX_MESSAGE_BYTES, hasFrameMagic } from './transfer/frame.js';

/** The kinds a command can ask for, and the others the sniffer tells apart. */
export type FileKind =
  | 'bundle'
  | 'receipt'
  | 'script'
  | 'message'
  | 'frame'
  | 'image'
  | 'video'
  | 'json'
  | 'pem'
  | 'der'
  | 'document'
  | 'archive'
  | 'empty'
  | 'text'
  | 'binary';

/** What the bytes are: a kind and a phrase for messages (`a Keywitness receipt (keywitness-receipt/1)`). */
export interface FileKindGuess {
  readonly kind: FileKind;
  readonly description: string;
  /**
   * False when the bytes may still be a file of another kind (text, JSON without a format tag in
   * its first 4 KiB): then the parser of the kind a command expects decides.
   */
  readonly definite: boolean;
}

/** How many leading bytes the sniffer reads: the format tag is first in every file Keywitness writes. */
const HEAD_BYTES = 4096;

/** The phrase for a kind a command expects, for "…, not a session bundle". */
export const EXPECTED_DESCRIPTION: Readonly<Partial<Record<FileKind, string>>> = {
  bundle: `a session bundle (${BUNDLE_FORMAT})`,
  receipt: `a receipt (${RECEIPT_FORMAT})`,
  script: `a ceremony script (${SCRIPT_FORMAT})`,
  message: 'a Keywitness wire message',
  image: 'a PNG or JPEG image',
};

/** Keywitness's JSON outputs, by format tag prefix. */
const JSON_OUTPUTS: readonly (readonly [string, string])[] = [
  ['keywitness-audit/', 'the JSON output of keywitness audit'],
  ['keywitness-inspect/', 'the JSON output of keywitness inspect'],
  ['keywitness-verify/', 'the JSON output of keywitness verify'],
  ['keywitness-compare/', 'the JSON output of keywitness compare'],
];

const startsWith = (b: Uint8Array, magic: readonly number[], at = 0): boolean =>
  b.length >= at + magic.length && magic.every((v, i) => b[at + i] === v);

function binaryKind(b: Uint8Array): FileKindGuess | undefined {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { kind: 'image', description: 'a PNG image', definite: true };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { kind: 'image', description: 'a JPEG image', definite: true };
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return { kind: 'image', description: 'a GIF image', definite: true };
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8))
    return { kind: 'image', description: 'a WebP image', definite: true };
  if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3]))
    return { kind: 'video', description: 'a WebM or Matroska video', definite: true };
  if (startsWith(b, [0x66, 0x74, 0x79, 0x70], 4))
    return { kind: 'video', description: 'an MP4 or QuickTime video', definite: true };
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d]))
    return { kind: 'document', description: 'a PDF document', definite: true };
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return { kind: 'archive', description: 'a ZIP archive', definite: true };
  if (startsWith(b, [0x1f, 0x8b])) return { kind: 'archive', description: 'a gzip-compressed file', definite: true };
  return undefined;
}

function messageKind(b: Uint8Array): FileKindGuess | undefined {
  if (hasFrameMagic(b))
    return { kind: 'frame', description: "one Keywitness QR frame's content (not a whole message)", definite: true };
  // A wire message is the CBOR array [envelope, signature] of at most MAX_MESSAGE_BYTES, so a
  // full decode is cheap and exact.
  if (b.length > MAX_MESSAGE_BYTES || (b[0] ?? 0) < 0x80 || (b[0] ?? 0) > 0x9f) return undefined;
  try {
    const m = decodeMessage(b);
    return { kind: 'message', description: `a Keywitness wire message (a signed ${m.envelope.t})`, definite: true };
  } catch {
    return undefined;
  }
}

/** The value of a `"format": "…"` member near the start of a JSON text, if any. */
function jsonFormat(head: string): string | undefined {
  return /"format"\s*:\s*"([^"\\]{1,64})"/.exec(head)?.[1];
}

function textKind(head: string): FileKindGuess {
  const trimmed = head.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const format = jsonFormat(trimmed);
    // Another version of a Keywitness format is still that kind: its parser names the version.
    if (format?.startsWith('keywitness-bundle/'))
      return { kind: 'bundle', description: `a Keywitness session bundle (${format})`, definite: true };
    if (format?.startsWith('keywitness-receipt/'))
      return { kind: 'receipt', description: `a Keywitness receipt (${format})`, definite: true };
    const output = format === undefined ? undefined : JSON_OUTPUTS.find(([prefix]) => format.startsWith(prefix));
    if (output) return { kind: 'json', description: `${output[1]} (${format})`, definite: true };
    if (format?.startsWith('keywitness-script/'))
      return { kind: 'script', description: `a ceremony script (${format})`, definite: true };
    return format === undefined
      ? { kind: 'json', description: 'a JSON file', definite: false }
      : { kind: 'json', description: `a JSON file of format "${format}"`, definite: true };
  }
  // Before PEM: a script's instructions may quote a PEM block.
  if (/^format:[ \t]*["']?keywitness-script\//m.test(head))
    return { kind: 'script', description: `a ceremony script (${SCRIPT_FORMAT})`, definite: true };
  const pem = /-----BEGIN ([A-Z0-9 ]{1,64})-----/.exec(head)?.[1];
  if (pem !== undefined) return { kind: 'pem', description: `a PEM file (${pem})`, definite: true };
  return { kind: 'text', description: 'a text file', definite: false };
}

/**
 * Say what the bytes are, reading at most the first 4 KiB (a wire message, at most 16 KiB, is
 * decoded whole). Never throws: bytes it does not recognise are `text` or `binary`.
 */
export function sniffFileKind(bytes: Uint8Array): FileKindGuess {
  if (bytes.length === 0) return { kind: 'empty', description: 'an empty file', definite: false };
  const binary = binaryKind(bytes) ?? messageKind(bytes);
  if (binary) return binary;
  const head = bytes.subarray(0, HEAD_BYTES);
  let text: string;
  try {
    // A multi-byte character cut at the 4 KiB boundary is not a reason to call the file binary.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    text = '';
  }
  if (text === '' || text.includes('\0')) {
    if (bytes[0] === 0x30)
      return { kind: 'der', description: 'binary DER (an ASN.1 SEQUENCE: a certificate, key or CSR?)', definite: true };
    return { kind: 'binary', description: 'a binary file', definite: false };
  }
  return textKind(text);
}

/**
 * Refuse bytes that are plainly another kind of file than `expected` (INPUT_INVALID, saying what
 * they are), before the expected kind's parser runs. Bytes the sniffer cannot place, or of the
 * expected kind, pass: the parser decides. `hint` is added to the message (how to give the file).
 */
export function refuseWrongKind(
  bytes: Uint8Array,
  expected: keyof typeof EXPECTED_DESCRIPTION,
  where: string,
  hint?: (actual: FileKind) => string | undefined,
): void {
  const guess = sniffFileKind(bytes);
  if (guess.kind === expected || !guess.definite) return;
  const extra = hint?.(guess.kind);
  throw new KeywitnessError(
    'INPUT_INVALID',
    `this is ${guess.description}, not ${EXPECTED_DESCRIPTION[expected] ?? expected}${extra ? `: ${extra}` : ''}`,
    { where },
  );
}
