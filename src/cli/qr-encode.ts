/**
 * `keywitness qr encode FILE --out DIR [--entry N|last] [--scale N]`: a wire message, or one entry
 * of a session bundle or a receipt, becomes numbered PNG frames, one fixed QR version, to be shown
 * in order at about 10 frames/s (README.md, "Command line"; the options are in commands.ts).
 */
import type { CliIo } from './io.js';
import { KeywitnessError } from '../core/errors.js';
import { refuseWrongKind, sniffFileKind } from '../core/file-kind.js';
import { decodeMessage } from '../core/protocol/message.js';
import { MAX_BUNDLE_BYTES, decodeBundle, decodeReceipt } from '../core/session/files.js';
import { toHex } from '../core/util/bytes.js';
import { encodeMessage } from '../core/transfer/encoder.js';
import { MAX_MESSAGE_BYTES } from '../core/transfer/frame.js';
import { exportFiles, readInputFile } from '../node/files.js';
import { renderFramesPng } from '../node/qr-image.js';
import { UsageError, parseCommandArgs } from './args.js';
import { QR_ENCODE_SPEC, QR_GROUP, usageOf } from './commands.js';
import { withFile } from './read.js';

/** A usage error of `qr`, with the usage lines of `spec` (every qr subcommand by default). */
export function usage(why: string, spec = QR_GROUP.subcommands): UsageError {
  return new UsageError(`${why}; usage: ${spec.map(usageOf).join(' | ')}`);
}

/** Frame file names, `frame-01.png` on. */
export function frameNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `frame-${String(i + 1).padStart(2, '0')}.png`);
}

const parseEncode = (args: readonly string[]) => parseCommandArgs(args, QR_ENCODE_SPEC.options);

/** `--entry N|last` over `count` messages: N from 0, as the audit report numbers entries. */
function selectEntry(value: string, count: number, what: string, where: string): number {
  if (count === 0) throw new KeywitnessError('INPUT_INVALID', `${what} holds no message`, { where });
  const n = value === 'last' ? count - 1 : /^(0|[1-9][0-9]{0,8})$/.test(value) ? Number(value) : undefined;
  if (n === undefined)
    throw new KeywitnessError('INPUT_INVALID', `is "${value}"; give an entry number (0 to ${count - 1}) or last`, {
      where: '--entry',
    });
  if (n >= count)
    throw new KeywitnessError(
      'INPUT_INVALID',
      `is ${n}, but ${what} holds ${count} message${count === 1 ? '' : 's'} (entries 0 to ${count - 1})`,
      { where: '--entry' },
    );
  return n;
}

/**
 * The wire message FILE holds: the file itself, or with `--entry` one message of a bundle's
 * transcript or of a receipt. What the file is comes from core's one sniffer.
 */
function messageOf(file: string, bytes: Uint8Array, entry: string | undefined): { wire: Uint8Array; from: string } {
  const guess = sniffFileKind(bytes);
  if (guess.kind === 'bundle' || guess.kind === 'receipt') {
    const messages =
      guess.kind === 'bundle'
        ? withFile(file, decodeBundle, bytes).transcript
        : withFile(file, decodeReceipt, bytes).messages;
    const what = guess.kind === 'bundle' ? "the bundle's transcript" : 'the receipt';
    if (entry === undefined)
      throw new KeywitnessError(
        'INPUT_INVALID',
        `this is ${guess.description} with ${messages.length} messages: choose one with --entry N (0 to ${messages.length - 1}) or --entry last`,
        { where: file },
      );
    const n = selectEntry(entry, messages.length, what, file);
    return { wire: messages[n] ?? new Uint8Array(), from: `entry ${n} of ${what} (${file})` };
  }
  if (entry !== undefined)
    throw new KeywitnessError(
      'INPUT_INVALID',
      `--entry selects a message of a session bundle or a receipt, and this is ${guess.description}`,
      { where: file },
    );
  refuseWrongKind(bytes, 'message', file, (actual) =>
    actual === 'image'
      ? 'read QR images with keywitness qr decode IMAGE…'
      : 'give a wire message, or a bundle or receipt with --entry',
  );
  if (bytes.length > MAX_MESSAGE_BYTES)
    throw new KeywitnessError(
      'INPUT_TOO_LARGE',
      `is ${bytes.length} bytes; a wire message is at most ${MAX_MESSAGE_BYTES} (or give a bundle or receipt with --entry)`,
      { where: file },
    );
  return { wire: bytes, from: file };
}

/** `qr encode`: `args` start after `encode`. */
export async function runQrEncode(args: readonly string[], io: CliIo): Promise<number> {
  const { values: p, positionals } = parseEncode(args);
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw usage('encode takes one FILE', [QR_ENCODE_SPEC]);
  if (p.out === undefined) throw usage('encode needs --out DIR', [QR_ENCODE_SPEC]);
  const scale = p.scale === undefined ? 8 : Number(p.scale);
  if (!/^\d+$/.test(p.scale ?? '8') || !Number.isInteger(scale) || scale < 1 || scale > 32)
    throw new KeywitnessError('INPUT_INVALID', '--scale must be 1..32 pixels per module', { where: '--scale' });
  const { wire, from } = messageOf(file, await readInputFile(file, MAX_BUNDLE_BYTES), p.entry);
  let message;
  try {
    message = decodeMessage(wire);
  } catch (e) {
    throw new KeywitnessError('TRANSFER_INVALID', `not a Keywitness wire message: ${(e as Error).message}`, {
      where: from,
      cause: e,
    });
  }
  const encoded = encodeMessage(wire, { sessionId: message.envelope.sid });
  const { version, pngs } = await renderFramesPng(encoded.frames, scale);
  const names = frameNames(pngs.length);
  // Every frame is checked against what the folder holds before the first is written, and a
  // failure part-way removes the frames already written.
  const written = await exportFiles(
    p.out,
    pngs.map((bytes, i) => ({ name: names[i] ?? '', bytes })),
    { createFolder: 'folder' },
  );
  io.stdout(`message ${toHex(encoded.messageId)} (${message.envelope.t}, ${wire.length} bytes), ${from}\n`);
  io.stdout(
    encoded.frames.length === 1
      ? `1 frame, QR version ${version}, ECC L\n`
      : `${encoded.frames.length} frames looping (${encoded.seqLen} fragments), QR version ${version}, ECC L; show about 10 frames/s\n`,
  );
  for (const w of written) io.stdout(`${w.path}\n`);
  return 0;
}
