import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { generateSigner } from '../../../src/core/protocol/identity.js';
import { signMessage } from '../../../src/core/protocol/message.js';
import { concatBytes, toHex, utf8 } from '../../../src/core/util/bytes.js';
import { sha256 } from '../../../src/core/util/hash.js';
import { createTestSigner } from '../../e2e/qr/fixtures/signed-message.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-qr-cli-'));
let counter = 0;
const fresh = (name: string): string => join(dir, `${counter++}-${name}`);

async function run(...args: string[]): Promise<{ code: number; out: string; err: string; bytes: Uint8Array }> {
  let out = '';
  let err = '';
  const chunks: Uint8Array[] = [];
  const code = await main(['qr', ...args], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdoutBytes: (b) => void chunks.push(b.slice()),
  });
  const bytes = concatBytes(...chunks);
  if (chunks.length > 0) out += new TextDecoder().decode(bytes);
  return { code, out, err, bytes };
}

async function encodeToDir(wire: Uint8Array): Promise<string[]> {
  const file = fresh('message.bin');
  writeFileSync(file, wire);
  const out = fresh('frames');
  const r = await run('encode', file, '--out', out, '--scale', '4');
  expect(r.code, r.err).toBe(0);
  return readdirSync(out)
    .sort()
    .map((f) => join(out, f));
}

const genesisSigner = await generateSigner('ed25519');
const genesis = await signMessage(genesisSigner, {
  t: 'genesis',
  sid: crypto.getRandomValues(new Uint8Array(16)),
  at: 1_790_000_000_000,
  body: {
    script: sha256(utf8('script')),
    script_id: 'example-root-2026',
    mode: 'rehearsal',
    name: 'Ceremony Administrator',
    role: 'admin',
    alg: 'ed25519',
    key: genesisSigner.publicKey,
    app: '',
  },
});
const blobs = await createTestSigner();

describe('qr encode / decode round trip', () => {
  it('a self-signed genesis: one frame, verified against the key it declares', async () => {
    const frames = await encodeToDir(genesis.wire);
    expect(frames).toHaveLength(1);
    const r = await run('decode', ...frames);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`verified genesis message ${toHex(genesis.id)}`);
    expect(r.out).toContain('compare its fingerprint with an independent source');
    expect(r.out).toContain(toHex(genesisSigner.fingerprint));
  });

  it('a 3 KB blob: multi-part, verified with --signer, written exactly with --out', async () => {
    const wire = await blobs.message(3000);
    const frames = await encodeToDir(wire);
    expect(frames.length).toBe(8);
    const out = fresh('received.bin');
    const r = await run('decode', ...frames, '--signer', toHex(blobs.signer.publicKey), '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`verified blob message ${toHex(sha256(wire))}`);
    expect(toHex(readFileSync(out))).toBe(toHex(wire));
  });

  it('any four consecutive frames of the loop are enough', async () => {
    const frames = await encodeToDir(await blobs.message(3000));
    const r = await run('decode', ...frames.slice(3, 7), '--signer', toHex(blobs.signer.publicKey));
    expect(r.code, r.err).toBe(0);
  });

  it('without the signer key a blob is not released, and says why', async () => {
    const frames = await encodeToDir(await blobs.message(900));
    const r = await run('decode', ...frames);
    expect(r.code).toBe(1);
    expect(r.err).toContain("without the signer's key: pass --bundle BUNDLE");
    expect(r.err).toContain('or --signer HEX');
  });

  it('a wrong signer key refuses the message', async () => {
    const frames = await encodeToDir(await blobs.message(900));
    const r = await run('decode', ...frames, '--signer', toHex(genesisSigner.publicKey));
    expect(r.code).toBe(1);
    expect(r.err).toContain('signature does not verify');
  });

  it('too few frames: reports how far it got', async () => {
    const frames = await encodeToDir(await blobs.message(3000));
    const r = await run('decode', ...frames.slice(0, 2), '--signer', toHex(blobs.signer.publicKey));
    expect(r.code).toBe(1);
    expect(r.err).toContain('incomplete: 2 of 4 parts');
  });
});

describe('qr decode --raw', () => {
  it('prints exactly the text of a plain qrencode QR code', async () => {
    const pem =
      '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n';
    const img = fresh('pem.png');
    execFileSync('qrencode', ['-8', '-o', img], { input: pem });
    const r = await run('decode', img, '--raw');
    expect({ code: r.code, out: r.out, err: r.err }).toEqual({ code: 0, out: pem, err: '' });
  });

  it('prints non-text content byte for byte, and writes it exactly with --out', async () => {
    const data = Uint8Array.from({ length: 64 }, (_, i) => 0xc0 + (i % 64));
    const img = fresh('bin.png');
    execFileSync('qrencode', ['-8', '-o', img], { input: data });
    const printed = await run('decode', img, '--raw');
    expect(printed.code).toBe(0);
    expect(toHex(printed.bytes)).toBe(toHex(data));
    const out = fresh('raw.bin');
    expect((await run('decode', img, '--raw', '--out', out)).code).toBe(0);
    expect(toHex(readFileSync(out))).toBe(toHex(data));
  });

  it('refuses a Keywitness frame', async () => {
    const [frame] = await encodeToDir(genesis.wire);
    const r = await run('decode', frame!, '--raw');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `keywitness qr decode: INPUT_INVALID: ${frame}: this is a Keywitness frame, not a plain QR code; decode it without --raw\n`,
    );
  });

  it('reports a plain code met without --raw', async () => {
    const img = fresh('hash.png');
    execFileSync('qrencode', ['-o', img, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']);
    const r = await run('decode', img);
    expect(r.code).toBe(1);
    expect(r.err).toContain('plain QR code (64 bytes)');
  });
});

describe('qr refuses bad input with a clear message', () => {
  it('encode: a file that is not a wire message', async () => {
    const file = fresh('text.txt');
    writeFileSync(file, 'hello');
    const r = await run('encode', file, '--out', fresh('o'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^keywitness qr encode: TRANSFER_INVALID: .*text\.txt: not a Keywitness wire message/);
  });

  it('encode: a file above 16 KiB that is no bundle or receipt is refused', async () => {
    const file = fresh('big.bin');
    writeFileSync(file, new Uint8Array(16385));
    const r = await run('encode', file, '--out', fresh('o'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^keywitness qr encode: INPUT_TOO_LARGE: .*big\.bin: is 16385 bytes; a wire message is at most 16384 \(or give a bundle or receipt with --entry\)\n$/,
    );
  });

  it('encode: never overwrites frames already in the directory', async () => {
    const file = fresh('genesis.bin');
    writeFileSync(file, genesis.wire);
    const out = fresh('frames');
    expect((await run('encode', file, '--out', out)).code).toBe(0);
    const before = readFileSync(join(out, 'frame-01.png'));
    const again = await run('encode', file, '--out', out);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(
      /^keywitness qr encode: ALREADY_EXISTS: .*frame-01\.png: exists already .*never overwrites/,
    );
    expect(readFileSync(join(out, 'frame-01.png')).equals(before)).toBe(true);
  });

  it('decode: a missing image and a non-image file', async () => {
    const missing = await run('decode', join(dir, 'nope.png'));
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`keywitness qr decode: NOT_FOUND: ${join(dir, 'nope.png')}: no such file\n`);
    const text = fresh('notes.txt');
    writeFileSync(text, 'not an image');
    const r = await run('decode', text);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^keywitness qr decode: INPUT_INVALID: .*notes\.txt: .*not a PNG or JPEG/);
  });

  it('decode --out refuses an existing file', async () => {
    const frames = await encodeToDir(genesis.wire);
    const out = fresh('exists.bin');
    writeFileSync(out, 'keep me');
    const r = await run('decode', ...frames, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^keywitness qr decode: ALREADY_EXISTS: /);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });

  it.each([
    [[]],
    [['frobnicate']],
    [['encode']],
    [['encode', 'x']],
    [['decode']],
    [['decode', 'a.png', '--raw', '--signer', 'ab']],
  ])('usage error for %j', async (args) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^keywitness qr( encode| decode)?: INPUT_INVALID: arguments: .*usage: keywitness qr (encode|decode)/,
    );
    expect(r.err.split('\n')).toHaveLength(2);
  });

  it.each([
    [['decode', 'a.png', '--bogus'], "qr decode: INPUT_INVALID: arguments: Unknown option '--bogus'"],
    [
      ['decode', 'a.png', '--signer'],
      "qr decode: INPUT_INVALID: arguments: Option '--signer <value>' argument missing",
    ],
    [['decode', 'a.png', '--raw', '--raw'], 'qr decode: INPUT_INVALID: arguments: --raw given twice'],
    [['decode', 'a.png', '--out', 'x', '--out', 'y'], 'qr decode: INPUT_INVALID: arguments: --out given twice'],
    [['decode', 'a.png', '--signer', 'zz'], 'qr decode: INPUT_INVALID: --signer: --signer is not hex'],
    [['encode', 'a.bin', '--out', 'd', '--scale', '0'], 'qr encode: INPUT_INVALID: --scale: --scale must be 1..32'],
  ])('%j', async (args, text) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`keywitness ${text}`);
  });

  it('a refused encode creates nothing', async () => {
    const file = fresh('genesis.bin');
    writeFileSync(file, genesis.wire);
    const out = fresh('never');
    expect((await run('encode', file, '--out', out, '--scale', '99')).code).toBe(2);
    const notMessage = fresh('text.bin');
    writeFileSync(notMessage, 'hello');
    expect((await run('encode', notMessage, '--out', out)).code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
