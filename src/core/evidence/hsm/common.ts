/**
 * Helpers shared by the HSM transcript parsers: strict text decoding, PEM public keys embedded in
 * output, EC points and parameters as PKCS#11 prints them, and key-type normalisation.
 */
import { KeywitnessError } from '../../errors.js';
import { fromHex } from '../../util/bytes.js';
import { byteString, decodeOid } from '../asn1-values.js';
import { contentOf, readTlv } from '../der.js';
import { describeSpki, spkiFromEcPoint, type KeyFacts } from '../keys.js';
import { canonicalCurve, CURVES, lookup } from '../oids.js';
import { decodeBase64 } from '../pem.js';
import { parseCertificate } from '../certificate.js';

/** Decode transcript bytes as UTF-8 text (Windows line ends allowed) or fail with EVIDENCE_INVALID. */
export function transcriptText(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/\r\n/g, '\n');
  } catch {
    throw new KeywitnessError('EVIDENCE_INVALID', 'HSM output must be UTF-8 text', { where });
  }
}

const PEM_KEY_TYPES = ['PUBLIC KEY', 'CERTIFICATE'] as const;
type PemKeyType = (typeof PEM_KEY_TYPES)[number];

/**
 * `-----BEGIN T-----…-----END T-----` blocks, each up to the first END of its own type, found
 * with `indexOf`: every END search either succeeds and the scan moves past it, or fails once and
 * that type is not searched again, so the scan is linear in the text (a lazy regex rescans the
 * rest of the text from every BEGIN that has no END).
 */
function pemBlocks(text: string): { readonly type: PemKeyType; readonly body: string }[] {
  const blocks: { type: PemKeyType; body: string }[] = [];
  const exhausted = new Set<PemKeyType>();
  let pos = 0;
  for (;;) {
    const begin = text.indexOf('-----BEGIN ', pos);
    if (begin < 0) return blocks;
    const head = begin + '-----BEGIN '.length;
    const type = PEM_KEY_TYPES.find((t) => !exhausted.has(t) && text.startsWith(`${t}-----`, head));
    if (type === undefined) {
      pos = begin + 1;
      continue;
    }
    const bodyStart = head + type.length + '-----'.length;
    const endMarker = `-----END ${type}-----`;
    const end = text.indexOf(endMarker, bodyStart);
    if (end < 0) {
      exhausted.add(type);
      pos = begin + 1;
      continue;
    }
    blocks.push({ type, body: text.slice(bodyStart, end) });
    pos = end + endMarker.length;
  }
}

/** Public keys from PEM blocks in the text: `PUBLIC KEY` directly, `CERTIFICATE` via its SPKI. */
export function pemPublicKeys(text: string, where: string): KeyFacts[] {
  return pemBlocks(text).map(({ type, body }) => {
    const der = decodeBase64(body, `${where} (PEM ${type})`);
    return type === 'PUBLIC KEY' ? describeSpki(der, where) : parseCertificate(der, where).key;
  });
}

/** Unique by SPKI hash, keeping the first. */
export function uniqueKeys(keys: readonly (KeyFacts | undefined)[]): KeyFacts[] {
  const seen = new Set<string>();
  const out: KeyFacts[] = [];
  for (const k of keys) {
    if (!k || seen.has(k.spkiSha256.hex)) continue;
    seen.add(k.spkiSha256.hex);
    out.push(k);
  }
  return out;
}

/**
 * Curve from PKCS#11 CKA_EC_PARAMS DER: a namedCurve OID, or the PrintableString
 * `edwards25519`/`edwards448` OpenSC and SoftHSM use for Edwards keys (PKCS#11 3.0 §2.3.10).
 */
export function curveFromEcParams(hex: string, where: string): string | undefined {
  const der = looseHex(hex);
  if (!der) throw new KeywitnessError('EVIDENCE_INVALID', `EC_PARAMS "${hex.slice(0, 40)}" is not hex`, { where });
  const node = readTlv(der, 0, der.length, where);
  if (node.end !== der.length) return undefined;
  const content = contentOf(der, node);
  if (node.tag === 6) {
    const oid = decodeOid(content, where);
    return lookup(CURVES, oid) ?? canonicalCurve(oid) ?? oid;
  }
  if (node.tag === 19 || node.tag === 12) return canonicalCurve(byteString(content));
  return undefined;
}

/**
 * CKA_EC_POINT is a DER OCTET STRING around the point (PKCS#11 §2.3.3); some tools print the bare
 * point. Accept both, preferring the wrapped reading when it parses exactly.
 */
export function unwrapEcPoint(hex: string, where: string): Uint8Array {
  const raw = looseHex(hex);
  if (!raw) throw new KeywitnessError('EVIDENCE_INVALID', `EC_POINT "${hex.slice(0, 40)}" is not hex`, { where });
  if (raw[0] === 0x04 && raw.length > 2) {
    try {
      const node = readTlv(raw, 0, raw.length, where);
      if (node.end === raw.length && node.tag === 4) return contentOf(raw, node);
    } catch {
      // not wrapped: fall through to the bare point
    }
  }
  return raw;
}

/** SPKI facts for a printed EC/Edwards point on a curve, or undefined when the curve is unknown. */
export function keyFromPoint(curve: string | undefined, point: Uint8Array, where: string): KeyFacts | undefined {
  if (!curve) return undefined;
  return describeSpki(spkiFromEcPoint(curve, point, where), where);
}

const KEY_TYPES: Readonly<Record<string, string>> = {
  ec: 'EC',
  ecdsa: 'EC',
  ecc: 'EC',
  rsa: 'RSA',
  ec_edwards: 'EC_EDWARDS',
  eddsa: 'EC_EDWARDS',
  ed25519: 'EC_EDWARDS',
  ed448: 'EC_EDWARDS',
  aes: 'AES',
  des3: 'DES3',
  generic_secret: 'GENERIC_SECRET',
  hmac: 'GENERIC_SECRET',
};

/** Normalise a key-type word (`EC`, `ecdsa`, `EC_EDWARDS`, `rsa`…) to the PKCS#11 CKK_ name without prefix. */
export function normalizeKeyType(word: string): string {
  const key = word.trim().toLowerCase().replace(/^ckk_/, '');
  return lookup(KEY_TYPES, key) ?? word.trim().toUpperCase();
}

/**
 * JavaScript's `\s` (WhiteSpace and LineTerminator) spelled for RE2, whose own `\s` is ASCII only;
 * the RE2 patterns of the parsers use it so that they read a transcript as the JavaScript
 * patterns they replace did.
 */
export const JS_SPACE =
  '[\\t\\n\\x0B\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]';

/** JavaScript's line terminators: the characters its `.` does not match, where its `/m` lines end. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** True when `s` holds a character JavaScript's `.` does not match. */
export function hasLineBreak(s: string): boolean {
  return LINE_BREAK.test(s);
}

/** The lines as JavaScript's `/m` flag sees them: split at every line terminator, not only `\n`. */
export function jsLines(text: string): string[] {
  return text.split(/[\n\r\u2028\u2029]/);
}

/**
 * What `\s{minBlanks,}(.{minRest,})$` captures from `start` in `line`, or undefined when it does
 * not match, in one pass: the rest after the blanks, which `.` must cover, so it may hold no line
 * terminator. (The regex itself takes time quadratic in the blanks when it fails.)
 */
export function restAfterBlanks(line: string, start: number, minBlanks: 0 | 1, minRest: 0 | 1): string | undefined {
  const tail = line.slice(start);
  const rest = tail.trimStart();
  const blanks = tail.length - rest.length;
  if (blanks < minBlanks || hasLineBreak(rest)) return undefined;
  if (rest.length >= minRest) return rest;
  // Nothing after the blanks: `.+` takes the last blank back, when there is one to spare and `.` matches it.
  const last = tail.charAt(blanks - 1);
  return blanks - 1 >= minBlanks && last !== '' && !hasLineBreak(last) ? last : undefined;
}

/**
 * A `name: value` line split at its first colon. The parsers check the name with an anchored
 * character-class regex and trim the value, instead of one regex whose lazy name and optional
 * spaces overlap (quadratic in a line of spaces on a backtracking engine).
 */
export function splitAtColon(line: string): { readonly name: string; readonly value: string } | undefined {
  const i = line.indexOf(':');
  return i < 0 ? undefined : { name: line.slice(0, i), value: line.slice(i + 1) };
}

/** `Some Label:   value` lines → snake_case facts (first occurrence wins). */
export function colonFacts(lines: readonly string[], into: Record<string, string>): void {
  for (const line of lines) {
    // As `^\s*([A-Za-z][A-Za-z0-9 #./()-]*?)\s*:\s+(\S.*?)\s*$` reads it: a label that starts with a
    // letter, then at least one blank after the colon and a value without line terminators.
    const split = splitAtColon(line);
    if (!split) continue;
    const name = split.name.trim();
    const value = split.value.trim();
    if (!/^[A-Za-z][A-Za-z0-9 #./()-]*$/.test(name) || !/^\s/.test(split.value) || value === '' || hasLineBreak(value))
      continue;
    const key = name
      .toLowerCase()
      .replace(/#/g, 'number')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '');
    if (key && key !== '__proto__' && !Object.hasOwn(into, key)) into[key] = value;
  }
}

/** Hex text with optional `0x`, colons and line breaks → bytes, or undefined. */
export function looseHex(text: string): Uint8Array | undefined {
  const clean = text.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) return undefined;
  return fromHex(clean);
}
