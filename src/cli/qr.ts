/**
 * `keywitness qr encode FILE --out DIR` and `keywitness qr decode IMAGE… [--raw]`
 * (README.md, "Command line").
 *
 * encode: a wire message (≤ 16 KiB) becomes numbered PNG frames, one fixed QR version, to be shown
 * in order at about 10 frames/s. decode: the QR codes in the images are reassembled and the message
 * is released only if its signature verifies — against `--signer HEX` (the raw public key), or, for
 * `genesis` and `enroll`, against the key the message itself declares (a proof of possession, not
 * of identity: its fingerprint still has to be compared with an independent source). `--raw`
 * prints exactly the content of one plain QR code and nothing else.
 */
import { basename, dirname, resolve } from 'node:path';
import type { CliCommand, CliIo } from './io.js';
import { KeywitnessError } from '../core/errors.js';
import { decodeMessage, verifyMessage } from '../core/protocol/message.js';
import { checkPublicKey, fingerprintOf, parseAlgorithm, type PublicIdentity } from '../core/protocol/identity.js';
import { spokenWords } from '../core/protocol/words.js';
import { fromHex, toHex } from '../core/util/bytes.js';
import { Assembler } from '../core/transfer/assembler.js';
import { encodeMessage } from '../core/transfer/encoder.js';
import { hasFrameMagic, MAX_MESSAGE_BYTES } from '../core/transfer/frame.js';
import { exportFiles, readInputFile } from '../node/files.js';
import { decodeQrImage, MAX_IMAGE_FILE_BYTES, renderFramesPng } from '../node/qr-image.js';
import { UsageError, parseCommandArgs } from './args.js';

export const QR_USAGE = `keywitness qr encode FILE --out DIR [--scale N]
       keywitness qr decode IMAGE… [--signer HEX [--alg ed25519|p256]] [--out FILE]
       keywitness qr decode IMAGE --raw [--out FILE]`;

const OPTIONS = {
  out: { type: 'string' },
  scale: { type: 'string' },
  signer: { type: 'string' },
  alg: { type: 'string' },
  raw: { type: 'boolean' },
} as const;

interface Parsed {
  readonly positional: readonly string[];
  readonly out: string | undefined;
  readonly scale: string | undefined;
  readonly signer: string | undefined;
  readonly alg: string | undefined;
  readonly raw: boolean;
}

function usage(why: string): UsageError {
  return new UsageError(`${why}; usage: ${QR_USAGE.replace(/\n\s+/g, ' | ')}`);
}

/** Write one output file exactly as every CLI output is written (never over an existing file). */
async function writeOut(path: string, bytes: Uint8Array): Promise<void> {
  const full = resolve(path);
  await exportFiles(dirname(full), [{ name: basename(full), bytes }]);
}

/** Frame file names, `frame-01.png` on. */
export function frameNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `frame-${String(i + 1).padStart(2, '0')}.png`);
}

async function encode(p: Parsed, io: CliIo): Promise<number> {
  const [file, ...extra] = p.positional;
  if (!file || extra.length > 0) throw usage('encode takes one FILE');
  if (p.out === undefined) throw usage('encode needs --out DIR');
  if (p.raw || p.signer !== undefined || p.alg !== undefined) throw usage('--raw, --signer and --alg are for decode');
  const scale = p.scale === undefined ? 8 : Number(p.scale);
  if (!/^\d+$/.test(p.scale ?? '8') || !Number.isInteger(scale) || scale < 1 || scale > 32)
    throw new KeywitnessError('INPUT_INVALID', '--scale must be 1..32 pixels per module', { where: '--scale' });
  const wire = await readInputFile(file, MAX_MESSAGE_BYTES);
  let message;
  try {
    message = decodeMessage(wire);
  } catch (e) {
    throw new KeywitnessError('TRANSFER_INVALID', `not a Keywitness wire message: ${(e as Error).message}`, {
      where: file,
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
  io.stdout(`message ${toHex(encoded.messageId)} (${message.envelope.t}, ${wire.length} bytes)\n`);
  io.stdout(
    encoded.frames.length === 1
      ? `1 frame, QR version ${version}, ECC L\n`
      : `${encoded.frames.length} frames looping (${encoded.seqLen} fragments), QR version ${version}, ECC L; show about 10 frames/s\n`,
  );
  for (const w of written) io.stdout(`${w.path}\n`);
  return 0;
}

function signerFrom(p: Parsed): PublicIdentity | undefined {
  const hex = p.signer;
  if (hex === undefined) {
    if (p.alg !== undefined) throw usage('--alg goes with --signer');
    return undefined;
  }
  const alg = parseAlgorithm(p.alg ?? 'ed25519', '--alg');
  let publicKey: Uint8Array;
  try {
    publicKey = fromHex(hex);
  } catch (e) {
    throw new KeywitnessError('INPUT_INVALID', `--signer is not hex: ${(e as Error).message}`, { where: '--signer' });
  }
  checkPublicKey(alg, publicKey, '--signer');
  return { alg, publicKey, fingerprint: fingerprintOf(publicKey) };
}

async function decodeImages(paths: readonly string[]): Promise<{ path: string; codes: Uint8Array[] }[]> {
  const out: { path: string; codes: Uint8Array[] }[] = [];
  for (const path of paths)
    out.push({ path, codes: await decodeQrImage(await readInputFile(path, MAX_IMAGE_FILE_BYTES), path) });
  return out;
}

async function decodeRaw(p: Parsed, io: CliIo): Promise<number> {
  if (p.positional.length !== 1) throw usage('decode --raw takes one IMAGE');
  if (p.signer !== undefined || p.alg !== undefined || p.scale !== undefined)
    throw usage('--signer, --alg and --scale do not go with --raw');
  const [{ path, codes }] = (await decodeImages(p.positional)) as [{ path: string; codes: Uint8Array[] }];
  const [bytes, ...others] = codes;
  if (bytes === undefined || others.length > 0)
    throw new KeywitnessError('INPUT_INVALID', `--raw needs exactly one QR code; found ${codes.length}`, {
      where: path,
    });
  if (hasFrameMagic(bytes))
    throw new KeywitnessError(
      'INPUT_INVALID',
      'this is a Keywitness frame, not a plain QR code; decode it without --raw',
      { where: path },
    );
  if (p.out !== undefined) {
    await writeOut(p.out, bytes);
    return 0;
  }
  // Exactly the code's bytes, nothing added: a PEM or a hash from qrencode comes out byte for byte.
  io.stdoutBytes(bytes);
  return 0;
}

async function decode(p: Parsed, io: CliIo): Promise<number> {
  if (p.raw) return decodeRaw(p, io);
  if (p.positional.length === 0) throw usage('decode takes at least one IMAGE');
  if (p.scale !== undefined) throw usage('--scale is for encode');
  const pinned = signerFrom(p);
  const signers = new Map<string, PublicIdentity>();
  const assembler = new Assembler({
    maxAssemblies: 16,
    verify: async (wire) => {
      let message;
      try {
        message = decodeMessage(wire);
      } catch (e) {
        return (e as Error).message;
      }
      let identity = pinned;
      const { t, body } = message.envelope;
      if (!identity && (t === 'genesis' || t === 'enroll')) {
        const b = body as { alg: string; key: Uint8Array };
        const alg = parseAlgorithm(b.alg, 'body.alg');
        identity = { alg, publicKey: b.key, fingerprint: fingerprintOf(b.key) };
      }
      if (!identity) return `cannot check the signature of a ${t} without the signer's key: pass --signer HEX`;
      if (!(await verifyMessage(message, identity)))
        return `signature does not verify against key ${spokenWords(identity.fingerprint)}`;
      signers.set(toHex(message.id), identity);
      return true;
    },
  });
  const released: Uint8Array[] = [];
  for (const { path, codes } of await decodeImages(p.positional)) {
    if (codes.length === 0) io.stderr(`${path}: no QR code found\n`);
    for (const code of codes) {
      const e = await assembler.accept(code);
      if (e.kind === 'plain')
        io.stderr(`${path}: plain QR code (${code.length} bytes), not a Keywitness frame; print it with --raw\n`);
      else if (e.kind === 'refused') io.stderr(`${path}: refused: ${e.reason}\n`);
      else if (e.kind === 'message') {
        released.push(e.wire);
        const m = decodeMessage(e.wire);
        const who = signers.get(toHex(e.messageId));
        // The assembler releases only what verify accepted, and verify records the signer first.
        if (!who) throw new Error(`message ${toHex(e.messageId)} was released without a recorded signer`);
        const how = pinned
          ? 'the key given with --signer'
          : `the key the ${m.envelope.t} itself declares (compare its fingerprint with an independent source)`;
        io.stdout(
          `verified ${m.envelope.t} message ${toHex(e.messageId)} (${e.wire.length} bytes), session ${toHex(m.envelope.sid)}\n`,
        );
        io.stdout(`signed by ${toHex(who.fingerprint)} (${spokenWords(who.fingerprint)}), checked against ${how}\n`);
      }
    }
  }
  if (released.length === 0) {
    const partial = assembler
      .progress()
      .map((a) => `${a.received} of ${a.needed} parts`)
      .join(', ');
    io.stderr(`no verified Keywitness message${partial ? ` (incomplete: ${partial})` : ''}\n`);
    return 1;
  }
  if (p.out !== undefined) {
    const [only, ...others] = released;
    if (only === undefined || others.length > 0)
      throw new KeywitnessError('INPUT_INVALID', `--out takes one message; the images held ${released.length}`, {
        where: p.out,
      });
    await writeOut(p.out, only);
  }
  return 0;
}

/**
 * The `qr` command. Exit codes: 0 done, 1 nothing verified (decode), 2 bad input or usage, with the
 * one-line error `keywitness qr encode|decode: CODE: where: what` (src/cli/main.ts prints it).
 */
export const runQr: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub !== 'encode' && sub !== 'decode')
    throw usage(sub === undefined ? 'no subcommand' : `unknown subcommand "${sub}"`);
  const { values, positionals } = parseCommandArgs(rest, OPTIONS);
  const parsed: Parsed = { positional: positionals, raw: values.raw === true, ...pick(values) };
  return sub === 'encode' ? encode(parsed, io) : decode(parsed, io);
};

function pick(values: {
  out?: string;
  scale?: string;
  signer?: string;
  alg?: string;
}): Omit<Parsed, 'positional' | 'raw'> {
  return { out: values.out, scale: values.scale, signer: values.signer, alg: values.alg };
}
