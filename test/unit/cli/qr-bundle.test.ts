/**
 * `qr encode` of one entry of a session bundle or a receipt, and `qr decode` checked against a
 * key of a bundle: its genesis (coordinator) key, or the key named by its fingerprint as hex or
 * PGP words. Runs on a bundle and receipts `keywitness demo` writes during the test.
 */
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, type SignedMessage } from '../../../src/core/protocol/message.js';
import { spokenWords, toWords } from '../../../src/core/protocol/words.js';
import { decodeBundle, decodeReceipt } from '../../../src/core/session/files.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { sha256 } from '../../../src/core/util/hash.js';
import { runCli } from '../../support/cli.js';

const run = runCli;

let dir: string;
let bundlePath: string;
let receiptPath: string;
let messages: SignedMessage[];
let counter = 0;
const fresh = (name: string): string => join(dir, `${++counter}-${name}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-qr-bundle-'));
  const demo = join(dir, 'demo');
  expect((await run('demo', '--out', demo)).code).toBe(0);
  bundlePath = join(demo, 'session.keywitness.json');
  receiptPath = join(
    demo,
    (await readdir(demo)).find((f) => f.endsWith('.receipt.json'))!,
  );
  messages = decodeBundle(await readFile(bundlePath)).transcript.map((w) => decodeMessage(w));
}, 120_000);

/** Encode `--entry` of `file` into a fresh folder; the frame paths. */
async function frames(file: string, entry: string): Promise<string[]> {
  const out = fresh('frames');
  const r = await run('qr', 'encode', file, '--entry', entry, '--out', out, '--scale', '3');
  expect(r.code, r.err).toBe(0);
  return (await readdir(out)).sort().map((f) => join(out, f));
}

/** The fingerprint (SHA-256 of the raw key) the enrolment of the message's signer declares. */
function signerFingerprint(m: SignedMessage): Uint8Array {
  const keyOf = (e: SignedMessage): Uint8Array => (e.envelope.body as { key: Uint8Array }).key;
  const enrol = messages.find(
    (e) =>
      (e.envelope.t === 'enroll' || e.envelope.t === 'genesis') && toHex(sha256(keyOf(e))) === toHex(m.envelope.by),
  );
  if (!enrol) throw new Error('no enrolment for the signer');
  return sha256(keyOf(enrol));
}

const colonHex = (b: Uint8Array): string => (toHex(b).toUpperCase().match(/../g) ?? []).join(':');

describe('qr encode of a bundle or receipt entry, qr decode against a key of the bundle', () => {
  it("entry 0 (the genesis) verifies against the bundle's genesis key", async () => {
    const r = await run('qr', 'decode', ...(await frames(bundlePath, '0')), '--bundle', bundlePath);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^verified genesis message [0-9a-f]{64} /);
    expect(r.out).toContain(`in ${bundlePath} (entry 0)`);
    expect(r.out).toContain("the coordinator's key in its genesis");
  });

  it('an acknowledgement: refused against the genesis key, verified against its signer named by fingerprint', async () => {
    const n = messages.findIndex((m) => m.envelope.t === 'ack');
    const ack = messages[n]!;
    const images = await frames(bundlePath, String(n));
    const coordinator = await run('qr', 'decode', ...images, '--bundle', bundlePath);
    expect(coordinator.code).toBe(1);
    expect(coordinator.err).toContain('signature does not verify against the key of Ada Lovelace (');
    const fp = signerFingerprint(ack);
    for (const given of [colonHex(fp), toHex(fp), toWords(fp).join(' ')]) {
      const r = await run('qr', 'decode', ...images, '--bundle', bundlePath, '--signer-fingerprint', given);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`verified ack message`);
      expect(r.out).toContain(`signed by ${toHex(fp)} (${spokenWords(fp)}), checked against the key of `);
      expect(r.out).toContain('a key enrolled in');
    }
  });

  it('a fingerprint given as --signer (a raw key) is refused saying which option takes a fingerprint', async () => {
    const images = await frames(bundlePath, '0');
    // The genesis key's own fingerprint, and others: any 32 bytes pass as an Ed25519 key's length.
    const key = (messages[0]!.envelope.body as { key: Uint8Array }).key;
    for (const fp of [sha256(key), ...Array.from({ length: 8 }, (_, i) => sha256(new Uint8Array([i])))]) {
      const r = await run('qr', 'decode', ...images, '--signer', toHex(fp));
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain('a fingerprint is given with --signer-fingerprint and --bundle');
    }
  });

  it("the last message of a receipt verifies against its participant's key", async () => {
    const receipt = decodeReceipt(await readFile(receiptPath));
    const r = await run(
      'qr',
      'decode',
      ...(await frames(receiptPath, 'last')),
      '--bundle',
      bundlePath,
      '--signer-fingerprint',
      toHex(receipt.participant),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`signed by ${toHex(receipt.participant)}`);
  });

  it.each([
    [
      'a bundle without --entry',
      () => ['encode', bundlePath, '--out', fresh('o')],
      /this is a Keywitness session bundle \(keywitness-bundle\/1\) with \d+ messages: choose one with --entry N \(0 to \d+\) or --entry last\n$/,
    ],
    [
      'an entry past the end',
      () => ['encode', bundlePath, '--entry', '99999', '--out', fresh('o')],
      /--entry: is 99999, but the bundle's transcript holds \d+ messages \(entries 0 to \d+\)\n$/,
    ],
    [
      'an entry that is no number',
      () => ['encode', receiptPath, '--entry', 'first', '--out', fresh('o')],
      /--entry: is "first"; give an entry number \(0 to \d+\) or last\n$/,
    ],
    [
      '--signer-fingerprint without --bundle',
      () => ['decode', 'x.png', '--signer-fingerprint', 'ab'],
      /arguments: --signer-fingerprint is looked up in --bundle BUNDLE; usage: keywitness qr decode/,
    ],
    [
      '--signer with --bundle',
      () => ['decode', 'x.png', '--signer', 'ab', '--bundle', bundlePath],
      /arguments: --signer gives the key itself/,
    ],
    [
      'a fingerprint no key of the bundle has',
      () => ['decode', 'x.png', '--bundle', bundlePath, '--signer-fingerprint', '00'.repeat(32)],
      /--signer-fingerprint: no key in the bundle has fingerprint \w+ \w+ \w+ \w+; its keys: Ada Lovelace \(\w+, \w+/,
    ],
    [
      'a receipt given as --bundle',
      () => ['decode', 'x.png', '--bundle', receiptPath],
      /this is a Keywitness receipt \(keywitness-receipt\/1\), not a session bundle \(keywitness-bundle\/1\): give receipts to keywitness audit with --receipt FILE\n$/,
    ],
  ])('%s: exit 2, one line', async (_, args, message) => {
    const r = await run('qr', ...args());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^keywitness qr (encode|decode): [A-Z_]+: /);
    expect(r.err).toMatch(message);
    expect(r.err.split('\n')).toHaveLength(2);
  });

  it('--entry on a message file says it selects within a bundle or receipt', async () => {
    const file = fresh('genesis.bin');
    await writeFile(file, decodeBundle(await readFile(bundlePath)).transcript[0]!);
    const r = await run('qr', 'encode', file, '--entry', '0', '--out', fresh('o'));
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `keywitness qr encode: INPUT_INVALID: ${file}: --entry selects a message of a session bundle or a receipt, and this is a Keywitness wire message (a signed genesis)\n`,
    );
  });
});
