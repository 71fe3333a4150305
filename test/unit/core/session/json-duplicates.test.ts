/**
 * Bundles and receipts with a repeated JSON key are refused: JSON.parse keeps the last value,
 * other readers the first, so such a file shows different readers different sessions.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../../src/cli/main.js';
import { KeywitnessError } from '../../../../src/core/errors.js';
import { decodeBundle, decodeReceipt, encodeBundle, encodeReceipt } from '../../../../src/core/session/files.js';
import { fromUtf8, utf8 } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { findDuplicateKey } from '../../../../src/core/util/json-keys.js';

const evidence = [utf8('first'), utf8('second')].map((data) => ({ sha256: sha256(data), data }));
const bundleText = fromUtf8(encodeBundle({ script: utf8('script'), evidence, transcript: [utf8('a'), utf8('b')] }));
const receiptText = fromUtf8(encodeReceipt({ participant: sha256(utf8('p')), messages: [utf8('m')] }));
const bundle = JSON.parse(bundleText) as {
  format: string;
  script: string;
  evidence: { sha256: string; data: string }[];
};
const receipt = JSON.parse(receiptText) as { format: string; participant: string; messages: string[] };

function error(f: () => unknown): KeywitnessError {
  try {
    f();
  } catch (e) {
    if (e instanceof KeywitnessError) return e;
    throw e;
  }
  throw new Error('expected a KeywitnessError');
}

describe('a repeated key is refused, naming where', () => {
  const e0 = bundle.evidence[0]!;
  const e1 = bundle.evidence[1]!;
  const BUNDLES: [name: string, json: string, where: string][] = [
    [
      'format twice',
      `{"format":"${bundle.format}","format":"${bundle.format}","script":"","evidence":[],"transcript":[]}`,
      'format',
    ],
    ['transcript twice, the second one empty', bundleText.replace(/\n}\n$/, ',\n "transcript": []\n}\n'), 'transcript'],
    [
      'a key spelled with an escape',
      `{"format":"${bundle.format}","\\u0066ormat":"x","script":"","evidence":[],"transcript":[]}`,
      'format',
    ],
    [
      'sha256 twice in the second evidence entry',
      `{"format":"${bundle.format}","script":"${bundle.script}","evidence":[{"sha256":"${e0.sha256}","data":"${e0.data}"},{"sha256":"${e1.sha256}","sha256":"${e0.sha256}","data":"${e1.data}"}],"transcript":[]}`,
      'evidence[1].sha256',
    ],
  ];
  it.each(BUNDLES)('bundle: %s', (_name, json, where) => {
    const e = error(() => decodeBundle(utf8(json)));
    expect([e.code, e.where]).toEqual(['BUNDLE_INVALID', where]);
    expect(e.message).toMatch(/appears twice in one object; readers disagree on which counts/);
  });

  const RECEIPTS: [name: string, json: string, where: string][] = [
    [
      'participant twice',
      `{"format":"${receipt.format}","participant":"${'0'.repeat(64)}","participant":"${receipt.participant}","messages":[]}`,
      'participant',
    ],
    [
      'messages twice',
      `{"format":"${receipt.format}","participant":"${receipt.participant}","messages":["bQ=="],"messages":[]}`,
      'messages',
    ],
  ];
  it.each(RECEIPTS)('receipt: %s', (_name, json, where) => {
    const e = error(() => decodeReceipt(utf8(json)));
    expect([e.code, e.where]).toEqual(['RECEIPT_INVALID', where]);
  });

  it('the CLI audit refuses such a bundle with exit 2 and one line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kw-dup-')), 'dup.keywitness.json');
    writeFileSync(file, BUNDLES[1]![1]);
    let err = '';
    const code = await main(['audit', file], {
      stdout: () => undefined,
      stderr: (t) => (err += t),
      stdoutBytes: () => undefined,
    });
    expect(code).toBe(2);
    expect(err).toBe(
      `keywitness audit: BUNDLE_INVALID: ${file}: transcript: the key "transcript" appears twice in one object; readers disagree on which counts\n`,
    );
  });
});

describe('what is not a repeated key', () => {
  it('the files Keywitness writes decode', () => {
    expect(decodeBundle(utf8(bundleText)).evidence).toHaveLength(2);
    expect(decodeReceipt(utf8(receiptText)).messages).toHaveLength(1);
  });

  it.each([
    ['equal keys in sibling objects', '[{"a":1},{"a":2}]'],
    ['equal keys at different depths', '{"a":{"a":{"a":1}}}'],
    ['a key equal to a value', '{"a":"a","b":"a"}'],
    ['quotes, braces and commas inside strings', '{"a\\"b":"x,\\"a\\":{","a":"}\\\\","c":["a","a"]}'],
    ['an escaped backslash before a closing quote', '{"a\\\\":1,"a":2}'],
  ])('%s', (_name, json) => {
    JSON.parse(json);
    expect(findDuplicateKey(json)).toBeUndefined();
  });

  it('finds the first repeat, with its path', () => {
    expect(findDuplicateKey('{"x":[{"a":1},{"b":{"c":1,"c":2}}]}')).toEqual({ path: 'x[1].b.c', key: 'c' });
    expect(findDuplicateKey('{"a":1, "b" : 2 , "a" : 3}')).toEqual({ path: 'a', key: 'a' });
  });
});
