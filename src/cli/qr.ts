/**
 * `keywitness qr decode IMAGE…` (README.md, "Command line"; the options are in
 * src/cli/commands.ts) and the `qr` command, whose `encode` is in qr-encode.ts.
 *
 * decode: the QR codes in the images are reassembled and the message is released only if its
 * signature verifies: against a key of `--bundle` named by `--signer-fingerprint`, the bundle's
 * genesis (coordinator) key, a raw public key `--signer HEX`, or, for `genesis` and `enroll`
 * without any of these, the key the message itself declares (a proof of possession, not of
 * identity: its fingerprint still has to be compared with an independent source). `--raw` prints
 * exactly the content of one plain QR code and nothing else.
 */
import { basename, dirname, resolve } from 'node:path';
import type { CliCommand, CliIo } from './io.js';
import { parseExpectedDigest } from '../core/audit/verdict.js';
import { KeywitnessError } from '../core/errors.js';
import { decodeMessage, verifyMessage } from '../core/protocol/message.js';
import { checkPublicKey, fingerprintOf, parseAlgorithm, type PublicIdentity } from '../core/protocol/identity.js';
import { spokenWords } from '../core/protocol/words.js';
import { bundleKeys, findBundleKey } from '../core/session/bundle-keys.js';
import { MAX_BUNDLE_BYTES, decodeBundle } from '../core/session/files.js';
import { fromHex, toHex } from '../core/util/bytes.js';
import { Assembler } from '../core/transfer/assembler.js';
import { hasFrameMagic } from '../core/transfer/frame.js';
import { exportFiles } from '../node/files.js';
import { decodeQrImage, MAX_IMAGE_FILE_BYTES } from '../node/qr-image.js';
import { parseCommandArgs } from './args.js';
import { QR_DECODE_SPEC, QR_GROUP, usageOf } from './commands.js';
import { runQrEncode, usage } from './qr-encode.js';
import { readKind, withFile } from './read.js';

export const QR_USAGE = QR_GROUP.subcommands.map(usageOf).join(' | ');

/** Write one output file exactly as every CLI output is written (never over an existing file). */
async function writeOut(path: string, bytes: Uint8Array): Promise<void> {
  const full = resolve(path);
  await exportFiles(dirname(full), [{ name: basename(full), bytes }]);
}

type DecodeValues = ReturnType<typeof parseDecode>['values'];
const parseDecode = (args: readonly string[]) => parseCommandArgs(args, QR_DECODE_SPEC.options);

/** The key decode checks signatures against, and how to say so; undefined: the key a genesis or enrolment declares. */
interface Pinned {
  readonly identity: PublicIdentity;
  readonly how: string;
}

function rawSigner(hex: string, algName: string | undefined): Pinned {
  const alg = parseAlgorithm(algName ?? 'ed25519', '--alg');
  let publicKey: Uint8Array;
  try {
    publicKey = fromHex(hex);
  } catch (e) {
    throw new KeywitnessError('INPUT_INVALID', `--signer is not hex: ${(e as Error).message}`, { where: '--signer' });
  }
  checkPublicKey(alg, publicKey, '--signer');
  return {
    identity: { alg, publicKey, fingerprint: fingerprintOf(publicKey) },
    how: 'the raw public key given with --signer',
  };
}

async function pinnedSigner(p: DecodeValues): Promise<Pinned | undefined> {
  if (p.signer !== undefined) {
    if (p.bundle !== undefined || p['signer-fingerprint'] !== undefined)
      throw usage('--signer gives the key itself; --bundle and --signer-fingerprint name one in a bundle: choose one', [
        QR_DECODE_SPEC,
      ]);
    return rawSigner(p.signer, p.alg);
  }
  if (p.alg !== undefined) throw usage('--alg goes with --signer', [QR_DECODE_SPEC]);
  const wanted = p['signer-fingerprint'];
  if (p.bundle === undefined) {
    if (wanted !== undefined) throw usage('--signer-fingerprint is looked up in --bundle BUNDLE', [QR_DECODE_SPEC]);
    return undefined;
  }
  const fingerprint = wanted === undefined ? undefined : parseExpectedDigest(wanted, '--signer-fingerprint');
  const bundle = withFile(p.bundle, decodeBundle, await readKind(p.bundle, 'bundle', MAX_BUNDLE_BYTES));
  const keys = bundleKeys(bundle);
  const key = fingerprint === undefined ? keys.find((k) => k.source === 'genesis') : findBundleKey(keys, fingerprint);
  if (key === undefined) {
    const known = keys.map((k) => `${k.name} (${k.role}, ${spokenWords(k.identity.fingerprint)})`).join(', ');
    throw new KeywitnessError(
      'INPUT_INVALID',
      fingerprint === undefined
        ? 'the bundle has no genesis to take the coordinator key from'
        : `no key in the bundle has fingerprint ${spokenWords(fingerprint)}; its keys: ${known || 'none'}`,
      { where: fingerprint === undefined ? p.bundle : '--signer-fingerprint' },
    );
  }
  const whose = key.source === 'genesis' ? "the coordinator's key in its genesis" : 'a key enrolled';
  return {
    identity: key.identity,
    how: `the key of ${key.name} (${key.role}), ${whose} in ${p.bundle} (entry ${key.entry})`,
  };
}

/** Read each image, refusing a file that is plainly no image (a message, a bundle) by name. */
async function decodeImages(paths: readonly string[]): Promise<{ path: string; codes: Uint8Array[] }[]> {
  const out: { path: string; codes: Uint8Array[] }[] = [];
  for (const path of paths)
    out.push({ path, codes: await decodeQrImage(await readKind(path, 'image', MAX_IMAGE_FILE_BYTES), path) });
  return out;
}

async function decodeRaw(p: DecodeValues, positional: readonly string[], io: CliIo): Promise<number> {
  if (positional.length !== 1) throw usage('decode --raw takes one IMAGE', [QR_DECODE_SPEC]);
  if (p.signer !== undefined || p.alg !== undefined || p.bundle !== undefined || p['signer-fingerprint'] !== undefined)
    throw usage(
      '--raw prints a plain QR code, which carries no signature: no --signer, --alg, --bundle or --signer-fingerprint',
      [QR_DECODE_SPEC],
    );
  const [{ path, codes }] = (await decodeImages(positional)) as [{ path: string; codes: Uint8Array[] }];
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

async function decode(args: readonly string[], io: CliIo): Promise<number> {
  const { values: p, positionals } = parseDecode(args);
  if (p.raw) return decodeRaw(p, positionals, io);
  if (positionals.length === 0) throw usage('decode takes at least one IMAGE', [QR_DECODE_SPEC]);
  const pinned = await pinnedSigner(p);
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
      let identity = pinned?.identity;
      const { t, body } = message.envelope;
      if (!identity && (t === 'genesis' || t === 'enroll')) {
        const b = body as { alg: string; key: Uint8Array };
        const alg = parseAlgorithm(b.alg, 'body.alg');
        identity = { alg, publicKey: b.key, fingerprint: fingerprintOf(b.key) };
      }
      if (!identity)
        return `cannot check the signature of a ${t} without the signer's key: pass --bundle BUNDLE (its coordinator key, or the key --signer-fingerprint names) or --signer HEX`;
      if (!(await verifyMessage(message, identity)))
        return p.signer !== undefined
          ? `signature does not verify against the raw public key given with --signer (${spokenWords(identity.fingerprint)}); a fingerprint is given with --signer-fingerprint and --bundle`
          : `signature does not verify against ${pinned?.how ?? 'the key it declares'} (${spokenWords(identity.fingerprint)})`;
      signers.set(toHex(message.id), identity);
      return true;
    },
  });
  const released: Uint8Array[] = [];
  for (const { path, codes } of await decodeImages(positionals)) {
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
        const how =
          pinned?.how ??
          `the key the ${m.envelope.t} itself declares (compare its fingerprint with an independent source)`;
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
  return sub === 'encode' ? runQrEncode(rest, io) : decode(rest, io);
};
