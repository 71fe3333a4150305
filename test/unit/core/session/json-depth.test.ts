/**
 * Bundles and receipts nest three levels deep. Text nested deeper is refused by a linear scan
 * before JSON.parse builds its tree: 64 MiB of `[` would otherwise hold an auditor's laptop for
 * most of a minute before the refusal.
 */
import { describe, expect, it } from 'vitest';
import { KeywitnessError } from '../../../../src/core/errors.js';
import { decodeBundle, decodeReceipt, encodeBundle, encodeReceipt } from '../../../../src/core/session/files.js';
import { fromUtf8, utf8 } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { nestsDeeperThan } from '../../../../src/core/util/json-keys.js';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof KeywitnessError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'accepted';
}

describe('nesting depth', () => {
  it.each([
    ['flat', '{"a":1}', 1, false],
    ['at the limit', '[[[1]]]', 3, false],
    ['one past', '[[[[1]]]]', 3, true],
    ['brackets in strings do not count', '{"a":"[[[[[[[[[["}', 1, false],
    ['an escaped quote does not end the string', '{"a":"\\"[[[[[["}', 1, false],
    ['siblings do not add up', '[[1],[2],[3],[4]]', 2, false],
  ])('%s', (_name, text, max, deeper) => {
    expect(nestsDeeperThan(text, max)).toBe(deeper);
  });

  const bundle = encodeBundle({
    script: utf8('script'),
    evidence: [{ sha256: sha256(utf8('e')), data: utf8('e') }],
    transcript: [utf8('a')],
  });
  const receipt = encodeReceipt({ participant: sha256(utf8('p')), messages: [utf8('m')] });

  it('a real bundle and receipt are within the limit', () => {
    expect(decodeBundle(bundle).transcript).toHaveLength(1);
    expect(decodeReceipt(receipt).messages).toHaveLength(1);
  });

  it.each([
    [
      'a bundle of 1 MiB of [',
      () => decodeBundle(utf8('['.repeat(1 << 20))),
      /^BUNDLE_INVALID: bundle: nests .* more than 8 levels/,
    ],
    [
      'a receipt of 1 MiB of {"a":',
      () => decodeReceipt(utf8('{"a":'.repeat(1 << 18))),
      /^RECEIPT_INVALID: receipt: nests/,
    ],
    [
      'a bundle with a deep value in a known field',
      () => decodeBundle(utf8(fromUtf8(bundle).replace('"transcript": [', `"transcript": ${'['.repeat(9)}`))),
      /^BUNDLE_INVALID: bundle: nests/,
    ],
  ])('%s is refused before it is parsed', (_name, f, expected) => {
    expect(codeOf(f)).toMatch(expected);
  });
});
