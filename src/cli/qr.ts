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
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliCommand, CliIo } from './io.js';
import { isKeywitnessError, KeywitnessError } from '../core/errors.js';
import { decodeMessage, verifyMessage } from '../core/protocol/message.js';
import { checkPublicKey, fingerprintOf, parseAlgorithm, type PublicIdentity } from '../core/protocol/identity.js';
import { shortWords } from '../core/protocol/words.js';
import { fromHex, toHex } from '../core/util/bytes.js';
import { Assembler } from '../core/transfer/assembler.js';
import { encodeMessage } from '../core/transfer/encoder.js';
import { hasFrameMagic, MAX_MESSAGE_BYTES } from '../core/transfer/frame.js';
import { decodeQrImage, MAX_IMAGE_FILE_BYTES, renderFramesPng } from '../node/qr-image.js';

const USAGE = `usage: keywitness qr encode FILE --out DIR [--scale N]
       keywitness qr decode IMAGE… [--signer HEX [--alg ed25519|p256]] [--out FILE]
       keywitness qr decode IMAGE --raw [--out FILE]
`;

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--out', '--scale', '--signer', '--alg']);
const BOOL_FLAGS = new Set(['--raw']);

function parseArgs(args: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const queue = [...args];
  for (let a = queue.shift(); a !== undefined; a = queue.shift()) {
    if (a.startsWith('--')) {
      if (flags.has(a)) throw new KeywitnessError('INPUT_INVALID', `${a} given twice`, { where: 'arguments' });
      if (BOOL_FLAGS.has(a)) flags.set(a, true);
      else if (VALUE_FLAGS.has(a)) {
        const v = queue.shift();
        if (v === undefined) throw new KeywitnessError('INPUT_INVALID', `${a} needs a value`, { where: 'arguments' });
        flags.set(a, v);
      } else throw new KeywitnessError('INPUT_INVALID', `unknown option ${a}`, { where: 'arguments' });
    } else positional.push(a);
  }
  return { positional, flags };
}

function readBounded(path: string, max: number, what: string): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new KeywitnessError('IO_FAILED', `cannot read ${what}: ${(e as Error).message}`, { where: path, cause: e });
  }
  if (size > max)
    throw new KeywitnessError('INPUT_TOO_LARGE', `${what} is ${size} bytes; at most ${max}`, { where: path });
  return new Uint8Array(readFileSync(path));
}

function writeExclusive(path: string, data: Uint8Array): void {
  try {
    writeFileSync(path, data, { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new KeywitnessError('ALREADY_EXISTS', 'exists already; Keywitness never overwrites', { where: path });
    throw new KeywitnessError('IO_FAILED', `cannot write: ${(e as Error).message}`, { where: path, cause: e });
  }
}

async function encode(p: Parsed, io: CliIo): Promise<number> {
  const [file, ...extra] = p.positional;
  const out = p.flags.get('--out');
  if (!file || extra.length > 0 || typeof out !== 'string' || p.flags.has('--raw') || p.flags.has('--signer')) {
    io.stderr(USAGE);
    return 2;
  }
  const scaleText = p.flags.get('--scale');
  const scale = scaleText === undefined ? 8 : Number(scaleText);
  if (!Number.isInteger(scale) || scale < 1 || scale > 32)
    throw new KeywitnessError('INPUT_INVALID', '--scale must be 1..32 pixels per module', { where: 'arguments' });
  const wire = readBounded(file, MAX_MESSAGE_BYTES, 'message');
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
  mkdirSync(out, { recursive: true });
  const names: string[] = [];
  for (const [i, png] of pngs.entries()) {
    const name = join(out, `frame-${String(i + 1).padStart(2, '0')}.png`);
    writeExclusive(name, png);
    names.push(name);
  }
  io.stdout(`message ${toHex(encoded.messageId)} (${message.envelope.t}, ${wire.length} bytes)\n`);
  io.stdout(
    encoded.frames.length === 1
      ? `1 frame, QR version ${version}, ECC L\n`
      : `${encoded.frames.length} frames looping (${encoded.seqLen} fragments), QR version ${version}, ECC L; show about 10 frames/s\n`,
  );
  for (const name of names) io.stdout(`${name}\n`);
  return 0;
}

function signerFrom(p: Parsed): PublicIdentity | undefined {
  const hex = p.flags.get('--signer');
  if (hex === undefined) return undefined;
  const alg = parseAlgorithm(p.flags.get('--alg') ?? 'ed25519', '--alg');
  let publicKey: Uint8Array;
  try {
    publicKey = fromHex(String(hex));
  } catch (e) {
    throw new KeywitnessError('INPUT_INVALID', `--signer is not hex: ${(e as Error).message}`, { where: 'arguments' });
  }
  checkPublicKey(alg, publicKey, '--signer');
  return { alg, publicKey, fingerprint: fingerprintOf(publicKey) };
}

async function decodeImages(paths: readonly string[]): Promise<{ path: string; codes: Uint8Array[] }[]> {
  const out: { path: string; codes: Uint8Array[] }[] = [];
  for (const path of paths)
    out.push({ path, codes: await decodeQrImage(readBounded(path, MAX_IMAGE_FILE_BYTES, 'image'), path) });
  return out;
}

async function decodeRaw(p: Parsed, io: CliIo): Promise<number> {
  if (p.positional.length !== 1 || p.flags.has('--signer') || p.flags.has('--alg')) {
    io.stderr(USAGE);
    return 2;
  }
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
  const out = p.flags.get('--out');
  if (typeof out === 'string') {
    writeExclusive(out, bytes);
    return 0;
  }
  // Exactly the code's bytes, nothing added: a PEM or a hash from qrencode comes out byte for byte.
  io.stdoutBytes(bytes);
  return 0;
}

async function decode(p: Parsed, io: CliIo): Promise<number> {
  if (p.flags.has('--raw')) return decodeRaw(p, io);
  if (p.positional.length === 0 || p.flags.has('--scale')) {
    io.stderr(USAGE);
    return 2;
  }
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
        return `signature does not verify against key ${shortWords(identity.fingerprint)}`;
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
        io.stdout(`signed by ${toHex(who.fingerprint)} (${shortWords(who.fingerprint)}), checked against ${how}\n`);
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
  const out = p.flags.get('--out');
  if (typeof out === 'string') {
    const [only, ...others] = released;
    if (only === undefined || others.length > 0)
      throw new KeywitnessError('INPUT_INVALID', `--out takes one message; the images held ${released.length}`, {
        where: out,
      });
    writeExclusive(out, only);
  }
  return 0;
}

/** The `qr` command. Exit codes: 0 done, 1 nothing verified, 2 usage, 3 refused input. */
export const runQr: CliCommand = async (args, io) => {
  try {
    const [sub, ...rest] = args;
    const parsed = parseArgs(rest);
    if (sub === 'encode') return await encode(parsed, io);
    if (sub === 'decode') return await decode(parsed, io);
    io.stderr(USAGE);
    return 2;
  } catch (e) {
    if (!isKeywitnessError(e)) throw e;
    io.stderr(`keywitness qr: ${e.message}\n`);
    return 3;
  }
};
