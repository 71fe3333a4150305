/**
 * Byte- and character-level checks on a script file before any YAML is parsed
 * (docs/architecture.md, "Formats: the ceremony script").
 *
 * A ceremony script is read aloud, compared on paper and hashed over its exact bytes, so what a
 * person sees must be what the parser reads: strict UTF-8 (RFC 3629), no byte order mark, no
 * control characters and no invisible bidirectional overrides ("Trojan Source", CVE-2021-42574)
 * that could make a value look different from what it is.
 */
import { KeywitnessError } from '../errors.js';
import { fromUtf8 } from '../util/bytes.js';
import { must } from '../util/must.js';

/** Default size limit for a script file: 1 MiB. */
export const DEFAULT_MAX_SCRIPT_BYTES = 1024 * 1024;

/** A 1-based line and column in the script text. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** 1-based line and column of a UTF-16 offset in `text` (columns count UTF-16 code units). */
export function textPosition(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return { line, column: offset - lineStart + 1 };
}

/** `line 5, column 3`: the `where` of an error that has a position but no YAML path. */
export function positionWhere(pos: TextPosition): string {
  return `line ${pos.line}, column ${pos.column}`;
}

function fail(message: string, where: string): never {
  throw new KeywitnessError('SCRIPT_INVALID', message, { where });
}

/** Line and column (1-based, in bytes within the line) of a byte offset. */
function bytePosition(bytes: Uint8Array, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Offset of the first byte that breaks UTF-8 well-formedness (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or -1. TextDecoder only says "invalid"; a preparer needs
 * to know where.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * Characters no script may contain anywhere, raw or produced by a YAML escape: C0 controls other
 * than tab and line feed, DEL, C1 controls, the byte order mark, line/paragraph separators (shown
 * as line breaks by some viewers, not by YAML) and the bidirectional formatting characters of
 * Unicode UAX #9 that reorder what a reader sees.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/u;
/** The same in raw file text, where a carriage return is allowed only as part of CRLF. */
const FORBIDDEN_IN_FILE =
  // eslint-disable-next-line no-control-regex -- as above
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]|\r(?!\n)/u;

/** Describe a forbidden character for an error message, e.g. `U+202E (a bidirectional override)`. */
export function describeForbiddenChar(ch: string): string {
  const cp = must(ch.codePointAt(0), 'the character to describe');
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0x0d) return `${hex} (a carriage return not followed by a line feed)`;
  if (cp === 0xfeff) return `${hex} (a byte order mark)`;
  if (cp === 0x2028 || cp === 0x2029) return `${hex} (a Unicode line or paragraph separator)`;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return `${hex} (a control character)`;
  return `${hex} (an invisible bidirectional formatting character)`;
}

/** The first forbidden character in a string value, or undefined. */
export function findForbiddenChar(text: string): string | undefined {
  const m = FORBIDDEN_CHAR.exec(text);
  return m ? m[0] : undefined;
}

/**
 * Check size, encoding and characters of a script file and return its text.
 * @param bytes the exact file bytes.
 * @param maxBytes size limit, checked before anything else is done with the bytes.
 * @throws KeywitnessError SCRIPT_INVALID with `where` = `(file)` or `line L, column C`.
 */
export function decodeScriptText(bytes: Uint8Array, maxBytes: number): string {
  if (bytes.length > maxBytes) {
    fail(`the file is ${bytes.length} bytes; a ceremony script may be at most ${maxBytes} bytes`, '(file)');
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    fail(
      'the file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM, since the script hash covers every byte',
      positionWhere({ line: 1, column: 1 }),
    );
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const b = must(bytes[bad], 'the byte at the reported offset').toString(16).padStart(2, '0');
    fail(
      `byte 0x${b} at offset ${bad} is not valid UTF-8; a script must be UTF-8 text`,
      positionWhere(bytePosition(bytes, bad)),
    );
  }
  const text = fromUtf8(bytes);
  // A lone CR is a line break to YAML but not to line numbering, so it would shift every line.
  const m = FORBIDDEN_IN_FILE.exec(text);
  if (m)
    fail(
      `contains ${describeForbiddenChar(m[0])}, which a reader cannot see; remove it`,
      positionWhere(textPosition(text, m.index)),
    );
  return text;
}
