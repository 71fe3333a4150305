/**
 * PEM (RFC 7468) and raw DER input for certificates, CSRs and keys. Labels are checked against
 * what the evidence kind allows and base64 is decoded strictly (RFC 7468 §3: only whitespace may
 * interrupt it). Text outside the blocks is read as OpenSSL's PEM reader reads it, ignored: `openssl
 * x509 -text` writes its dump before the block and `openssl pkey -pubin -text` after it; each such
 * stretch is noted, so a witness knows the dump was not what was checked. Base64 or hex of DER
 * without armour is recognised and read with a note; other text is refused saying what it looks like.
 */
import { KeywitnessError } from '../errors.js';
import { group, must } from '../util/must.js';
import { checkEvidenceSize } from './der.js';

/** One decoded PEM block, or the whole input when it was DER. */
export interface DerBlock {
  /** PEM label, or `DER` when the input was binary. */
  readonly label: string;
  readonly der: Uint8Array;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/**
 * Strict base64 (RFC 4648 §4): whitespace is skipped, padding only at the end, and the unused
 * bits of the last group must be zero so that one text has exactly one decoding.
 */
export function decodeBase64(text: string, where: string): Uint8Array {
  const clean = text.replace(/[ \t\r\n]/g, '');
  if (clean.length % 4 !== 0) {
    throw new KeywitnessError('ENCODING_INVALID', `base64 length ${clean.length} is not a multiple of 4`, { where });
  }
  const pad = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let acc = 0;
    for (let j = 0; j < 4; j++) {
      const c = clean.charCodeAt(i + j);
      const isPad = c === 61 && i + 4 === clean.length && j >= 4 - pad;
      const v = isPad ? 0 : c < 128 ? (B64_INDEX[c] ?? -1) : -1;
      if (v < 0) {
        throw new KeywitnessError(
          'ENCODING_INVALID',
          `invalid base64 character "${clean[i + j]}" at position ${i + j}`,
          { where },
        );
      }
      acc = (acc << 6) | v;
    }
    const take = i + 4 === clean.length ? 3 - pad : 3;
    if (take < 3 && (pad === 2 ? acc & 0xffff : acc & 0xff) !== 0) {
      throw new KeywitnessError('ENCODING_INVALID', 'base64 has non-zero bits after the last byte', { where });
    }
    for (let k = 0; k < take; k++) out[o++] = (acc >> (16 - 8 * k)) & 0xff;
  }
  return out;
}

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    s += B64.charAt((n >> 18) & 63) + B64.charAt((n >> 12) & 63);
    s += b === undefined ? '=' : B64.charAt((n >> 6) & 63);
    s += c === undefined ? '=' : B64.charAt(n & 63);
  }
  return s;
}

/** Whether the bytes look like text containing a PEM block rather than binary DER. */
export function looksLikePem(bytes: Uint8Array): boolean {
  const head = String.fromCharCode(...bytes.subarray(0, Math.min(bytes.length, 4096)));
  return head.includes('-----BEGIN ');
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----[ \t]*$/;
const END = /^-----END ([A-Z0-9 ]+)-----[ \t]*$/;

/**
 * Find every PEM block in a text. Explanatory text outside the blocks is allowed (RFC 7468 §5.2;
 * `openssl x509 -text` prints its dump before the PEM, `openssl pkey -pubin -text` after it) and
 * noted in `notes`. Every label must be in `allowed`.
 */
export function decodePem(text: string, allowed: readonly string[], where: string, notes: string[] = []): DerBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: DerBlock[] = [];
  /** Line numbers (1-based) of text outside every block, in runs `[first, last]`. */
  const outside: [number, number][] = [];
  let lastEnd = -1;
  for (let i = 0; i < lines.length; i++) {
    const current = must(lines[i], 'a line of the PEM text');
    const begin = BEGIN.exec(current);
    if (!begin) {
      if (END.test(current)) {
        throw new KeywitnessError('EVIDENCE_INVALID', `line ${i + 1}: END line without a BEGIN line`, { where });
      }
      if (current.trim() !== '') {
        const run = outside.at(-1);
        if (run && run[1] === i) run[1] = i + 1;
        else outside.push([i + 1, i + 1]);
      }
      continue;
    }
    const label = group(begin, 1);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = must(lines[j], 'a line of the PEM text');
      const end = END.exec(line);
      if (end) {
        if (end[1] !== label) {
          throw new KeywitnessError('EVIDENCE_INVALID', `line ${j + 1}: "END ${end[1]}" closes "BEGIN ${label}"`, {
            where,
          });
        }
        break;
      }
      if (BEGIN.test(line))
        throw new KeywitnessError('EVIDENCE_INVALID', `line ${j + 1}: BEGIN inside the "${label}" block`, { where });
      if (/^[A-Za-z-]+: /.test(line)) {
        throw new KeywitnessError(
          'EVIDENCE_UNSUPPORTED',
          `line ${j + 1}: PEM headers (encrypted or legacy PEM) are not supported`,
          { where },
        );
      }
      body.push(line);
    }
    if (j >= lines.length)
      throw new KeywitnessError('EVIDENCE_INVALID', `"BEGIN ${label}" on line ${i + 1} has no END line`, { where });
    if (!allowed.includes(label)) {
      throw new KeywitnessError(
        'EVIDENCE_INVALID',
        `line ${i + 1}: PEM label "${label}" is not one of: ${allowed.join(', ')}`,
        { where },
      );
    }
    const der = decodeBase64(body.join(''), `${where} (PEM block on line ${i + 1})`);
    if (der.length === 0)
      throw new KeywitnessError('EVIDENCE_INVALID', `PEM block on line ${i + 1} is empty`, { where });
    blocks.push({ label, der });
    lastEnd = j;
    i = j;
  }
  if (blocks.length === 0)
    throw new KeywitnessError('EVIDENCE_INVALID', `no PEM block found (expected ${allowed.join(' or ')})`, { where });
  if (outside.length > 0) notes.push(outsideNote(outside, lastEnd + 1));
  return blocks;
}

/** The note for text outside the PEM blocks: where it is, and that it was not what was checked. */
function outsideNote(runs: readonly [number, number][], lastEndLine: number): string {
  const lines = runs.reduce((n, [a, b]) => n + b - a + 1, 0);
  const at = runs
    .slice(0, 3)
    .map(([a, b]) => (a === b ? `line ${a}` : `lines ${a}–${b}`))
    .join(', ');
  const after = runs.some(([a]) => a > lastEndLine);
  return (
    `${lines} line${lines === 1 ? '' : 's'} of text outside the PEM block${after ? ', some after it' : ''} (${at}${runs.length > 3 ? ', …' : ''}), ` +
    'as openssl -text writes them: ignored, as openssl ignores them; only the PEM block is the evidence, and the text is not checked against it'
  );
}

/** Bytes that are text of DER without PEM armour, or what the text looks like instead. */
export type BareDer =
  | { readonly ok: true; readonly form: 'base64' | 'hex'; readonly der: Uint8Array }
  | { readonly ok: false; readonly looks: string };

/**
 * Recognise DER written as text without armour: hex (as `xxd -p` or `od` print it; colons and
 * whitespace allowed) or base64 (a PEM body without its BEGIN and END lines), decoding to a DER
 * SEQUENCE. Otherwise say what the text looks like, for the refusal.
 */
export function bareDer(text: string): BareDer {
  const compact = text.replace(/[\s:]/g, '');
  const firstLine = (text.trim().split(/\r?\n/)[0] ?? '').slice(0, 60);
  if (compact === '') return { ok: false, looks: 'the text is empty' };
  if (/^[0-9a-fA-F]+$/.test(compact)) {
    if (compact.length % 2 !== 0) return { ok: false, looks: `hex with an odd number of digits (${compact.length})` };
    const der = Uint8Array.from(compact.match(/../g) ?? [], (h) => parseInt(h, 16));
    return der[0] === 0x30
      ? { ok: true, form: 'hex', der }
      : {
          ok: false,
          looks: `hex of ${der.length} bytes that are not DER (the first byte is 0x${compact.slice(0, 2)}, not 0x30)`,
        };
  }
  // A PEM body has no blanks inside its lines; words with spaces between them are just text.
  if (!/[ \t]/.test(text.trim()) && /^[A-Za-z0-9+/]+=*$/.test(compact)) {
    let der: Uint8Array;
    try {
      der = decodeBase64(compact, 'base64');
    } catch (e) {
      return { ok: false, looks: `base64 that does not decode (${(e as Error).message.replace(/^base64: /, '')})` };
    }
    return der[0] === 0x30
      ? { ok: true, form: 'base64', der }
      : {
          ok: false,
          looks: `base64 of ${der.length} bytes that are not DER (the first byte is 0x${(der[0] ?? 0).toString(16).padStart(2, '0')}, not 0x30)`,
        };
  }
  return { ok: false, looks: `text beginning "${firstLine}"` };
}

/** The note for DER read from unarmoured text. */
export function bareDerNote(form: 'base64' | 'hex', length: number): string {
  return `the file is ${form} without PEM armour (no -----BEGIN line); it was read as the ${length}-byte DER it decodes to`;
}

/**
 * Turn evidence bytes into DER blocks: binary input is one DER element (checked later by the
 * walker), text input must be PEM with one of the allowed labels, or base64 or hex of DER.
 * `notes` collects what a witness should know of how the file was read.
 */
export function derBlocks(
  bytes: Uint8Array,
  allowed: readonly string[],
  where: string,
  notes: string[] = [],
): DerBlock[] {
  checkEvidenceSize(bytes, where);
  if (bytes.length === 0) throw new KeywitnessError('EVIDENCE_INVALID', 'empty input', { where });
  if (bytes[0] === 0x30) return [{ label: 'DER', der: bytes }];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new KeywitnessError(
      'EVIDENCE_INVALID',
      'neither DER (first byte is not 0x30, a SEQUENCE) nor PEM text (not valid UTF-8)',
      { where },
    );
  }
  if (!text.includes('-----BEGIN ')) {
    const bare = bareDer(text);
    if (bare.ok) {
      notes.push(bareDerNote(bare.form, bare.der.length));
      return [{ label: 'DER', der: bare.der }];
    }
    throw new KeywitnessError(
      'EVIDENCE_INVALID',
      `neither DER nor PEM: no "-----BEGIN" line (expected ${allowed.join(' or ')}), and not base64 or hex of DER: ${bare.looks}`,
      { where },
    );
  }
  return decodePem(text, allowed, where, notes);
}

/** PEM-encode DER with a label (64-column lines, RFC 7468 §2). */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = encodeBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
