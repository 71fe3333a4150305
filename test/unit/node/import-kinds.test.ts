/**
 * The app's import gate names a file of the wrong kind for what it is, with the same sniffer and
 * words as the CLI (src/core/file-kind.ts), before its own format-tag checks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPORT_VALIDATORS } from '../../../src/node/import-kinds.js';
import { encodeBundle, encodeReceipt } from '../../../src/core/session/files.js';
import { utf8 } from '../../../src/core/util/bytes.js';

const script = new Uint8Array(readFileSync(new URL('../../../assets/ceremonies/minimal.yaml', import.meta.url)));
const bundle = encodeBundle({ script, evidence: [], transcript: [] });
const receipt = encodeReceipt({ participant: new Uint8Array(32), messages: [] });
const pem = new Uint8Array(readFileSync(new URL('../../vectors/dnssec/iana/icannbundle.pem', import.meta.url)));

describe('import validators refuse the wrong kind of file by name', () => {
  it.each([
    [
      'bundle',
      receipt,
      'r: this is a Keywitness receipt (keywitness-receipt/1), not a session bundle (keywitness-bundle/1)',
    ],
    [
      'receipt',
      bundle,
      'r: this is a Keywitness session bundle (keywitness-bundle/1), not a receipt (keywitness-receipt/1)',
    ],
    [
      'script',
      bundle,
      'r: this is a Keywitness session bundle (keywitness-bundle/1), not a ceremony script (keywitness-script/1)',
    ],
    ['bundle', pem, 'r: this is a PEM file (CERTIFICATE), not a session bundle (keywitness-bundle/1)'],
  ] as const)('%s given %#', (kind, bytes, message) => {
    expect(() => IMPORT_VALIDATORS[kind](bytes, 'r')).toThrow(message);
  });

  it.each([
    ['bundle', bundle],
    ['receipt', receipt],
    ['script', script],
  ] as const)('accepts a %s', (kind, bytes) => {
    expect(() => IMPORT_VALIDATORS[kind](bytes, 'r')).not.toThrow();
  });

  it('text it cannot place still gets the format-tag check', () => {
    expect(() => IMPORT_VALIDATORS.bundle(utf8('{"a": 1}'), 'r')).toThrow(
      'has no "format": "keywitness-bundle/…" field',
    );
  });
});
