/**
 * A file of the wrong kind is refused saying what it is, on one line, exit 2, with nothing
 * written: a receipt given as a bundle, a bundle as a receipt or a script, a PEM as a bundle, a
 * QR image as a message, a message as an image, audit output as a script.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigner } from '../../../src/core/protocol/identity.js';
import { signMessage } from '../../../src/core/protocol/message.js';
import { encodeBundle, encodeReceipt } from '../../../src/core/session/files.js';
import { sha256 } from '../../../src/core/util/hash.js';
import { missingTool } from '../../support/tools.js';
import { runCli } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-wrong-kind-'));
const file = (name: string, bytes: Uint8Array | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

const run = runCli;

const script = readFileSync(new URL('../../../assets/ceremonies/minimal.yaml', import.meta.url));
const signer = await generateSigner('ed25519');
const genesis = await signMessage(signer, {
  t: 'genesis',
  sid: new Uint8Array(16).fill(1),
  at: 1_790_000_000_000,
  body: {
    script: sha256(script),
    script_id: 'minimal-example',
    mode: 'rehearsal',
    name: 'Ada',
    role: 'admin',
    alg: 'ed25519',
    key: signer.publicKey,
    app: '',
  },
});
const BUNDLE = file('s.keywitness.json', encodeBundle({ script, evidence: [], transcript: [genesis.wire] }));
const RECEIPT = file(
  'ada.receipt.json',
  encodeReceipt({ participant: sha256(signer.publicKey), messages: [genesis.wire] }),
);
const MESSAGE = file('genesis.bin', genesis.wire);
const PEM = new URL('../../../test/vectors/dnssec/iana/icannbundle.pem', import.meta.url).pathname;
const AUDIT_JSON = file('audit.json', '{\n  "format": "keywitness-audit/1",\n  "verdict": {}\n}\n');
const hasQrencode = spawnSync('qrencode', ['-V']).status === 0;
const skipPng = missingTool(hasQrencode, 'qrencode (Debian package qrencode)');
const PNG = join(dir, 'hello.png');
if (!skipPng) execFileSync('qrencode', ['-o', PNG, 'hello']);

const RECEIPT_IS = 'this is a Keywitness receipt (keywitness-receipt/1)';
const BUNDLE_IS = 'this is a Keywitness session bundle (keywitness-bundle/1)';

describe('a file of the wrong kind says what it is', () => {
  it.each([
    [
      'a receipt given as the bundle',
      () => ['audit', RECEIPT],
      `keywitness audit: INPUT_INVALID: ${RECEIPT}: ${RECEIPT_IS}, not a session bundle (keywitness-bundle/1): give receipts to keywitness audit with --receipt FILE`,
    ],
    [
      'a bundle given as a receipt',
      () => ['audit', BUNDLE, '--receipt', BUNDLE],
      `keywitness audit: INPUT_INVALID: ${BUNDLE}: ${BUNDLE_IS}, not a receipt (keywitness-receipt/1): a bundle is audited with keywitness audit BUNDLE`,
    ],
    [
      'a PEM given as the bundle',
      () => ['audit', PEM],
      `keywitness audit: INPUT_INVALID: ${PEM}: this is a PEM file (CERTIFICATE), not a session bundle (keywitness-bundle/1): read certificates, keys and CSRs with keywitness inspect or keywitness verify`,
    ],
    [
      'a receipt given to compare',
      () => ['compare', BUNDLE, RECEIPT],
      `keywitness compare: INPUT_INVALID: ${RECEIPT}: ${RECEIPT_IS}, not a session bundle (keywitness-bundle/1): give receipts to keywitness audit with --receipt FILE`,
    ],
    [
      'a bundle given as a script',
      () => ['script', 'lint', BUNDLE],
      `keywitness script lint: INPUT_INVALID: ${BUNDLE}: ${BUNDLE_IS}, not a ceremony script (keywitness-script/1): a bundle is audited with keywitness audit BUNDLE`,
    ],
    [
      "audit's JSON output given as a script to hash",
      () => ['script', 'hash', AUDIT_JSON],
      `keywitness script hash: INPUT_INVALID: ${AUDIT_JSON}: this is the JSON output of keywitness audit (keywitness-audit/1), not a ceremony script (keywitness-script/1)`,
    ],
    [
      'a bundle given to rehearse as its script',
      () => ['rehearse', BUNDLE, '--evidence', dir],
      `keywitness rehearse: INPUT_INVALID: ${BUNDLE}: ${BUNDLE_IS}, not a ceremony script (keywitness-script/1): a bundle is audited with keywitness audit BUNDLE`,
    ],
    [
      'a wire message given as an image',
      () => ['qr', 'decode', MESSAGE],
      `keywitness qr decode: INPUT_INVALID: ${MESSAGE}: this is a Keywitness wire message (a signed genesis), not a PNG or JPEG image: make QR frames of a message with keywitness qr encode FILE --out DIR`,
    ],
    [
      'a PEM given as a message',
      () => ['qr', 'encode', PEM, '--out', join(dir, 'frames-pem')],
      `keywitness qr encode: INPUT_INVALID: ${PEM}: this is a PEM file (CERTIFICATE), not a Keywitness wire message: give a wire message, or a bundle or receipt with --entry`,
    ],
  ])('%s', async (_, args, line) => {
    const r = await run(...args());
    expect(r.err).toBe(`${line}\n`);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(existsSync(join(dir, 'frames-pem'))).toBe(false);
  });

  it.skipIf(skipPng)('a QR image given as a message: read it with qr decode; no frame written', async () => {
    const out = join(dir, 'frames-png');
    const r = await run('qr', 'encode', PNG, '--out', out);
    expect(r.err).toBe(
      `keywitness qr encode: INPUT_INVALID: ${PNG}: this is a PNG image, not a Keywitness wire message: read QR images with keywitness qr decode IMAGE…\n`,
    );
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it("a file of the right kind but damaged still gets its parser's own error", async () => {
    const broken = file('broken.keywitness.json', '{"format": "keywitness-bundle/1", "script": 7}');
    const r = await run('audit', broken);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^keywitness audit: BUNDLE_INVALID: /);
  });
});
