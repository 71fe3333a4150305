/**
 * The one file-kind sniffer (src/core/file-kind.ts): Keywitness's own files, the images, videos
 * and certificates people confuse with them, each told apart from its first bytes; text it cannot
 * place is left to the parser of the kind a command expects.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { refuseWrongKind, sniffFileKind, type FileKind } from '../../../src/core/file-kind.js';
import { generateSigner } from '../../../src/core/protocol/identity.js';
import { signMessage } from '../../../src/core/protocol/message.js';
import { encodeBundle, encodeReceipt } from '../../../src/core/session/files.js';
import { encodeMessage } from '../../../src/core/transfer/encoder.js';
import { fromBase64 } from '../../../src/core/util/base64.js';
import { utf8 } from '../../../src/core/util/bytes.js';
import { sha256 } from '../../../src/core/util/hash.js';
import { renderFramesPng } from '../../../src/node/qr-image.js';

const asset = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../${path}`, import.meta.url)));
const SCRIPT = asset('assets/ceremonies/minimal.yaml');
const PEM = asset('test/vectors/dnssec/iana/icannbundle.pem');
const PEM_TEXT = new TextDecoder().decode(PEM);
const DER = fromBase64(/-----BEGIN CERTIFICATE-----\n([\s\S]+?)\n-----END/.exec(PEM_TEXT)![1]!.replace(/\s/g, ''));

const signer = await generateSigner('ed25519');
const genesis = await signMessage(signer, {
  t: 'genesis',
  sid: new Uint8Array(16).fill(7),
  at: 1_790_000_000_000,
  body: {
    script: sha256(SCRIPT),
    script_id: 'minimal-example',
    mode: 'rehearsal',
    name: 'Ada',
    role: 'admin',
    alg: 'ed25519',
    key: signer.publicKey,
    app: '',
  },
});
const frame = encodeMessage(genesis.wire, { sessionId: genesis.envelope.sid }).frames[0]!;
const bundle = encodeBundle({ script: SCRIPT, evidence: [], transcript: [genesis.wire] });
const receipt = encodeReceipt({ participant: sha256(signer.publicKey), messages: [genesis.wire] });
const text = (s: string): Uint8Array => utf8(s);
const bytesOf = (...b: number[]): Uint8Array => new Uint8Array([...b, ...new Uint8Array(32)]);

const CASES: [string, Uint8Array, FileKind, boolean, RegExp][] = [
  ['a session bundle', bundle, 'bundle', true, /^a Keywitness session bundle \(keywitness-bundle\/1\)$/],
  ['a receipt', receipt, 'receipt', true, /^a Keywitness receipt \(keywitness-receipt\/1\)$/],
  [
    'a bundle of another version (its parser names the version)',
    text('{"format": "keywitness-bundle/9"}'),
    'bundle',
    true,
    /keywitness-bundle\/9/,
  ],
  ['a bundle after a byte-order mark', new Uint8Array([0xef, 0xbb, 0xbf, ...bundle]), 'bundle', true, /bundle/],
  [
    'audit --json output',
    text('{\n  "format": "keywitness-audit/1",\n  "verdict": {}\n}\n'),
    'json',
    true,
    /^the JSON output of keywitness audit \(keywitness-audit\/1\)$/,
  ],
  [
    'JSON with a foreign format tag',
    text('{"format": "cyclonedx/1.5"}'),
    'json',
    true,
    /^a JSON file of format "cyclonedx\/1\.5"$/,
  ],
  ['JSON without a format tag', text('{"a": 1}'), 'json', false, /^a JSON file$/],
  ['the minimal script', SCRIPT, 'script', true, /^a ceremony script \(keywitness-script\/1\)$/],
  [
    'a script quoting a PEM block',
    text(`format: keywitness-script/1\ninstructions: "-----BEGIN CERTIFICATE-----"\n`),
    'script',
    true,
    /script/,
  ],
  ['a script written as JSON', text('{"format": "keywitness-script/1", "id": "x"}'), 'script', true, /script/],
  ['a PEM bundle of certificates', PEM, 'pem', true, /^a PEM file \(CERTIFICATE\)$/],
  ['a DER certificate', DER, 'der', true, /^binary DER/],
  ['a signed wire message', genesis.wire, 'message', true, /^a Keywitness wire message \(a signed genesis\)$/],
  ['one QR frame', frame, 'frame', true, /frame/],
  ['a GIF', bytesOf(0x47, 0x49, 0x46, 0x38, 0x39, 0x61), 'image', true, /^a GIF image$/],
  ['a WebM video', bytesOf(0x1a, 0x45, 0xdf, 0xa3), 'video', true, /^a WebM or Matroska video$/],
  ['an MP4 video', bytesOf(0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70), 'video', true, /^an MP4 or QuickTime video$/],
  ['a PDF', text('%PDF-1.7\n'), 'document', true, /^a PDF document$/],
  ['a ZIP', bytesOf(0x50, 0x4b, 0x03, 0x04), 'archive', true, /^a ZIP archive$/],
  ['plain text', text('hello\n'), 'text', false, /^a text file$/],
  [
    'a format tag after the first 4 KiB is not read',
    text(`${' '.repeat(5000)}{"format": "keywitness-bundle/1"}`),
    'text',
    false,
    /text/,
  ],
  ['random binary', new Uint8Array(64).map((_, i) => (i * 37 + 200) & 0xff), 'binary', false, /^a binary file$/],
  ['an empty file', new Uint8Array(), 'empty', false, /^an empty file$/],
];

describe('sniffFileKind', () => {
  it.each(CASES)('%s', (_, bytes, kind, definite, description) => {
    const guess = sniffFileKind(bytes);
    expect(guess.kind).toBe(kind);
    expect(guess.definite).toBe(definite);
    expect(guess.description).toMatch(description);
  });

  it('a PNG the repo renders for a QR frame is an image', async () => {
    expect(sniffFileKind((await renderFramesPng([frame], 2)).pngs[0]!)).toMatchObject({
      kind: 'image',
      description: 'a PNG image',
    });
  });

  it('reads a 1 MiB file in bounded time', () => {
    const big = new Uint8Array(1 << 20).fill(0x7b);
    const t = performance.now();
    sniffFileKind(big);
    expect(performance.now() - t).toBeLessThan(1000);
  });
});

describe('refuseWrongKind', () => {
  it('refuses a definite other kind, saying what it is and adding the hint', () => {
    expect(() => refuseWrongKind(receipt, 'bundle', 'r.json', () => 'give it with --receipt')).toThrow(
      'r.json: this is a Keywitness receipt (keywitness-receipt/1), not a session bundle (keywitness-bundle/1): give it with --receipt',
    );
  });

  it.each([
    ['the expected kind', bundle, 'bundle'],
    ['text the parser should judge', text('not json'), 'bundle'],
    ['JSON without a format tag', text('{}'), 'receipt'],
    ['an empty file', new Uint8Array(), 'script'],
  ] as const)('passes %s', (_, bytes, expected) => {
    expect(() => refuseWrongKind(bytes, expected, 'f')).not.toThrow();
  });
});
