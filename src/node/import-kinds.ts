/**
 * Per-kind limits and first-gate validators for imported files. They refuse what is plainly not
 * ours (wrong format tag, not text, empty) before the bytes reach the parsers of src/core, which
 * then validate fully. Workflows may replace a validator with a stricter one.
 */
import { KeywitnessError } from '../core/errors.js';
import { MAX_EVIDENCE_BYTES } from '../core/evidence/der.js';
import { refuseWrongKind } from '../core/file-kind.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../core/script/source-text.js';
import { MAX_BUNDLE_BYTES, MAX_RECEIPT_BYTES } from '../core/session/files.js';
import { fromUtf8 } from '../core/util/bytes.js';
import type { ImportKind } from '../shared/ipc.js';
import type { ImportValidator } from './files.js';

/**
 * Largest accepted file per kind: the limits core parses them with, defined there once, so an
 * import never takes a file the parser then refuses for its size.
 */
export const IMPORT_LIMITS: Readonly<Record<ImportKind, number>> = {
  script: DEFAULT_MAX_SCRIPT_BYTES,
  bundle: MAX_BUNDLE_BYTES,
  receipt: MAX_RECEIPT_BYTES,
  evidence: MAX_EVIDENCE_BYTES,
};

function text(bytes: Uint8Array, name: string, what: string): string {
  let s: string;
  try {
    s = fromUtf8(bytes);
  } catch {
    throw new KeywitnessError('INPUT_INVALID', `${name} is not UTF-8 text, so it is not a ${what}`, { where: name });
  }
  if (s.includes('\0'))
    throw new KeywitnessError('INPUT_INVALID', `${name} contains NUL bytes, so it is not a ${what}`, { where: name });
  return s;
}

function jsonWithFormat(kind: 'bundle' | 'receipt', prefix: string, what: string): ImportValidator {
  return (bytes, name) => {
    // A file that is plainly something else (a receipt picked as the bundle) is named for what it is.
    refuseWrongKind(bytes, kind, name);
    const s = text(bytes, name, what);
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (e) {
      throw new KeywitnessError(
        'INPUT_INVALID',
        `${name} is not JSON (${(e as Error).message}), so it is not a ${what}`,
        { where: name },
      );
    }
    const format =
      typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)['format'] : undefined;
    if (typeof format !== 'string' || !format.startsWith(prefix)) {
      throw new KeywitnessError(
        'INPUT_INVALID',
        `${name} has no "format": "${prefix}…" field, so it is not a ${what}`,
        { where: `${name}: format` },
      );
    }
  };
}

/** The default validator per kind. */
export const IMPORT_VALIDATORS: Readonly<Record<ImportKind, ImportValidator>> = {
  script: (bytes, name) => {
    refuseWrongKind(bytes, 'script', name);
    const s = text(bytes, name, 'ceremony script');
    if (!/^format:\s*["']?keywitness-script\//m.test(s)) {
      throw new KeywitnessError(
        'INPUT_INVALID',
        `${name} has no "format: keywitness-script/…" line, so it is not a ceremony script`,
        { where: name },
      );
    }
  },
  bundle: jsonWithFormat('bundle', 'keywitness-bundle/', 'session bundle'),
  receipt: jsonWithFormat('receipt', 'keywitness-receipt/', 'receipt'),
  evidence: (bytes, name) => {
    if (bytes.length === 0) throw new KeywitnessError('INPUT_INVALID', `${name} is empty`, { where: name });
  },
};
