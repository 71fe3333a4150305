/**
 * The session bundle and receipt files (docs/architecture.md, "Formats: bundle and receipts"). JSON is only transport: the file carries the
 * script bytes, the evidence bytes and the transcript as exact wire bytes, and nothing outside the
 * signed bytes is trusted. Parsing is strict: size checked first, unknown fields rejected, every
 * base64 value canonical.
 */
import { KeywitnessError } from '../errors.js';
import { fromBase64, toBase64 } from '../util/base64.js';
import { fromHex, fromUtf8, toHex, utf8 } from '../util/bytes.js';
import { findDuplicateKey, nestsDeeperThan } from '../util/json-keys.js';

export const BUNDLE_FORMAT = 'keywitness-bundle/1';
export const RECEIPT_FORMAT = 'keywitness-receipt/1';

/**
 * The one file name of a participant's receipt, wherever one is written (the app, `demo`,
 * `rehearse`): their name in lower-case words joined by hyphens, then `.receipt.json`, so that an
 * auditor finds every receipt by the same pattern.
 */
export function receiptFileName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 64);
  return `${slug || 'participant'}.receipt.json`;
}
/** Largest bundle accepted: 32 steps' worth of 1 MiB evidence plus the transcript fits easily. */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
export const MAX_RECEIPT_BYTES = 8 * 1024 * 1024;
const MAX_ENTRIES = 200_000;

/** A session bundle as bytes. */
export interface Bundle {
  readonly script: Uint8Array;
  /** Evidence bytes with the SHA-256 the file claims for them (the audit recomputes it). */
  readonly evidence: readonly { readonly sha256: Uint8Array; readonly data: Uint8Array }[];
  /** Transcript entries in order, as exact wire bytes. */
  readonly transcript: readonly Uint8Array[];
  /**
   * The coordinator's seal over a closed session (a `seal` message's wire bytes), outside the
   * transcript; absent while the session is open.
   */
  readonly seal?: Uint8Array;
}

/** One participant's receipt: every message their device signed or acknowledged, as wire bytes. */
export interface Receipt {
  /** The participant's fingerprint as the file states it (a label; the audit trusts the messages). */
  readonly participant: Uint8Array;
  readonly messages: readonly Uint8Array[];
}

/** Serialise a bundle as the `*.keywitness.json` file bytes. */
export function encodeBundle(bundle: Bundle): Uint8Array {
  const json = {
    format: BUNDLE_FORMAT,
    script: toBase64(bundle.script),
    evidence: bundle.evidence.map((e) => ({ sha256: toHex(e.sha256), data: toBase64(e.data) })),
    transcript: bundle.transcript.map(toBase64),
    ...(bundle.seal ? { seal: toBase64(bundle.seal) } : {}),
  };
  return utf8(JSON.stringify(json, null, 1) + '\n');
}

/** Serialise a receipt file. */
export function encodeReceipt(receipt: Receipt): Uint8Array {
  const json = {
    format: RECEIPT_FORMAT,
    participant: toHex(receipt.participant),
    messages: receipt.messages.map(toBase64),
  };
  return utf8(JSON.stringify(json, null, 1) + '\n');
}

/** Deeper than any bundle or receipt nests, with room for what a later format adds. */
const MAX_JSON_DEPTH = 8;

function fail(code: 'BUNDLE_INVALID' | 'RECEIPT_INVALID', where: string, message: string, cause?: unknown): never {
  throw new KeywitnessError(code, message, { where, cause });
}

function parseJsonObject(
  bytes: Uint8Array,
  max: number,
  code: 'BUNDLE_INVALID' | 'RECEIPT_INVALID',
  what: string,
  keys: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (bytes.length > max)
    throw new KeywitnessError('INPUT_TOO_LARGE', `${what} of ${bytes.length} bytes exceeds the ${max}-byte limit`);
  let value: unknown;
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch (e) {
    fail(code, what, `not UTF-8 text (${(e as Error).message}); this is not a Keywitness ${what}`, e);
  }
  // Bundles and receipts nest three levels deep; deeper text is refused before JSON.parse builds it.
  if (nestsDeeperThan(text, MAX_JSON_DEPTH))
    fail(
      code,
      what,
      `nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep; a Keywitness ${what} nests at most 3`,
    );
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(
      code,
      what,
      `not valid JSON (${(e as Error).message}); the file may be truncated or not a Keywitness ${what}`,
      e,
    );
  }
  // JSON.parse keeps the last of two equal keys, other readers the first: refuse the file.
  const duplicate = findDuplicateKey(text);
  if (duplicate)
    fail(
      code,
      duplicate.path,
      `the key "${duplicate.key}" appears twice in one object; readers disagree on which counts`,
    );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(code, what, 'must be a JSON object');
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!keys.includes(k) && !optional.includes(k)) fail(code, k, 'unknown field');
  for (const k of keys) if (!(k in obj)) fail(code, k, 'missing');
  return obj;
}

function stringArray(value: unknown, where: string, code: 'BUNDLE_INVALID' | 'RECEIPT_INVALID'): Uint8Array[] {
  if (!Array.isArray(value)) fail(code, where, 'must be an array');
  if (value.length > MAX_ENTRIES) fail(code, where, `more than ${MAX_ENTRIES} entries`);
  return value.map((v, i) => decodeB64(v, `${where}[${i}]`, code));
}

function decodeB64(value: unknown, where: string, code: 'BUNDLE_INVALID' | 'RECEIPT_INVALID'): Uint8Array {
  if (typeof value !== 'string') fail(code, where, 'must be a base64 string');
  try {
    return fromBase64(value, where);
  } catch (e) {
    fail(code, where, (e as KeywitnessError).message.replace(`${where}: `, ''), e);
  }
}

function decodeHex32(value: unknown, where: string, code: 'BUNDLE_INVALID' | 'RECEIPT_INVALID'): Uint8Array {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) fail(code, where, 'must be 64 lower-case hex digits');
  return fromHex(value);
}

/**
 * Parse a bundle file. Only structure is checked here; the audit judges the content.
 * @throws KeywitnessError BUNDLE_INVALID / INPUT_TOO_LARGE naming the field.
 */
export function decodeBundle(bytes: Uint8Array): Bundle {
  const obj = parseJsonObject(
    bytes,
    MAX_BUNDLE_BYTES,
    'BUNDLE_INVALID',
    'bundle',
    ['format', 'script', 'evidence', 'transcript'],
    ['seal'],
  );
  if (obj.format !== BUNDLE_FORMAT)
    fail('BUNDLE_INVALID', 'format', `expected "${BUNDLE_FORMAT}", got ${JSON.stringify(obj.format)}`);
  const script = decodeB64(obj.script, 'script', 'BUNDLE_INVALID');
  if (!Array.isArray(obj.evidence)) fail('BUNDLE_INVALID', 'evidence', 'must be an array');
  const evidence = obj.evidence.map((e: unknown, i) => {
    const where = `evidence[${i}]`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) fail('BUNDLE_INVALID', where, 'must be an object');
    const item = e as Record<string, unknown>;
    for (const k of Object.keys(item))
      if (k !== 'sha256' && k !== 'data') fail('BUNDLE_INVALID', `${where}.${k}`, 'unknown field');
    return {
      sha256: decodeHex32(item.sha256, `${where}.sha256`, 'BUNDLE_INVALID'),
      data: decodeB64(item.data, `${where}.data`, 'BUNDLE_INVALID'),
    };
  });
  const transcript = stringArray(obj.transcript, 'transcript', 'BUNDLE_INVALID');
  if (!('seal' in obj)) return { script, evidence, transcript };
  return { script, evidence, transcript, seal: decodeB64(obj.seal, 'seal', 'BUNDLE_INVALID') };
}

/**
 * Parse a receipt file.
 * @throws KeywitnessError RECEIPT_INVALID / INPUT_TOO_LARGE naming the field.
 */
export function decodeReceipt(bytes: Uint8Array): Receipt {
  const obj = parseJsonObject(bytes, MAX_RECEIPT_BYTES, 'RECEIPT_INVALID', 'receipt', [
    'format',
    'participant',
    'messages',
  ]);
  if (obj.format !== RECEIPT_FORMAT)
    fail('RECEIPT_INVALID', 'format', `expected "${RECEIPT_FORMAT}", got ${JSON.stringify(obj.format)}`);
  return {
    participant: decodeHex32(obj.participant, 'participant', 'RECEIPT_INVALID'),
    messages: stringArray(obj.messages, 'messages', 'RECEIPT_INVALID'),
  };
}
