/**
 * Decoding of the primitive ASN.1 values evidence needs, from elements the DER walker located:
 * OBJECT IDENTIFIER (X.690 §8.19), INTEGER (§8.3), the string types of X.520 names, and UTCTime /
 * GeneralizedTime as RFC 5280 §4.1.2.5 restricts them.
 */
import { KeywitnessError } from '../errors.js';
import { toHex } from '../util/bytes.js';
import { contentOf, type DerNode } from './der.js';

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

/** One char per byte (ISO 8859-1), built in chunks: spreading a large array into one call overflows the stack. */
export function byteString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

/** Dotted OID from the content octets of an OBJECT IDENTIFIER (§8.19: base-128, minimal). */
export function decodeOid(content: Uint8Array, where: string): string {
  if (content.length === 0 || content.length > 64) invalid(`object identifier of ${content.length} bytes`, where);
  const arcs: number[] = [];
  let value = 0;
  let started = false;
  for (const b of content) {
    if (!started && b === 0x80) invalid('object identifier has a non-minimal arc', where);
    started = true;
    if (value > 2 ** 45) invalid('object identifier arc is too large', where);
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0;
      started = false;
    }
  }
  if (started) invalid('object identifier ends in the middle of an arc', where);
  const [first, ...rest] = arcs;
  if (first === undefined) invalid('object identifier has no arcs', where);
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...rest].join('.');
}

/** OID of an element, checking it is an OBJECT IDENTIFIER. */
export function oidOf(bytes: Uint8Array, node: DerNode | undefined, where: string): string {
  if (!node || node.cls !== 0 || node.tag !== 6) invalid('expected an OBJECT IDENTIFIER', where);
  return decodeOid(contentOf(bytes, node), where);
}

/** Unsigned magnitude of a non-negative INTEGER's content (minimal encoding, §8.3.2). */
export function integerMagnitude(content: Uint8Array, where: string): { negative: boolean; magnitude: Uint8Array } {
  const first = content[0];
  const second = content[1];
  if (first === undefined) invalid('INTEGER with no content octets', where);
  if (second !== undefined && ((first === 0 && second < 0x80) || (first === 0xff && second >= 0x80))) {
    invalid('INTEGER has a non-minimal encoding (X.690 §8.3.2)', where);
  }
  const negative = first >= 0x80;
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  return { negative, magnitude: content.subarray(start) };
}

/** Number of significant bits in an unsigned big-endian magnitude. */
export function bitLength(magnitude: Uint8Array): number {
  for (const [i, b] of magnitude.entries()) {
    if (b !== 0) return (magnitude.length - i - 1) * 8 + (32 - Math.clz32(b));
  }
  return 0;
}

/** Small non-negative INTEGER as a number (for versions, path lengths). */
export function smallInteger(bytes: Uint8Array, node: DerNode | undefined, where: string): number {
  if (!node || node.cls !== 0 || node.tag !== 2) invalid('expected an INTEGER', where);
  const { negative, magnitude } = integerMagnitude(contentOf(bytes, node), where);
  if (negative || magnitude.length > 4) invalid('INTEGER out of range', where);
  let v = 0;
  for (const b of magnitude) v = v * 256 + b;
  return v;
}

function decodeUcs(content: Uint8Array, width: 2 | 4, where: string): string {
  if (content.length % width !== 0) invalid(`string length is not a multiple of ${width}`, where);
  let s = '';
  for (let i = 0; i < content.length; i += width) {
    let cp = 0;
    for (let j = 0; j < width; j++) cp = cp * 256 + (content[i + j] ?? 0);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) invalid('string holds an invalid code point', where);
    s += String.fromCodePoint(cp);
  }
  return s;
}

/**
 * Text of a directory string, or undefined when the element is not a string type (such values are
 * shown as `#hex`, RFC 4514 §2.4).
 */
export function decodeString(bytes: Uint8Array, node: DerNode, where: string): string | undefined {
  if (node.cls !== 0 || node.constructed) return undefined;
  const c = contentOf(bytes, node);
  switch (node.tag) {
    case 12: // UTF8String
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(c);
      } catch {
        return invalid('UTF8String is not valid UTF-8', where);
      }
    case 19: // PrintableString
    case 22: // IA5String
    case 18: // NumericString
    case 26: // VisibleString
      for (const b of c) if (b > 0x7e) invalid('non-ASCII byte in an ASCII string type', where);
      return byteString(c);
    case 20: // TeletexString: treated as Latin-1, as OpenSSL does
      return byteString(c);
    case 30: // BMPString
      return decodeUcs(c, 2, where);
    case 28: // UniversalString
      return decodeUcs(c, 4, where);
    default:
      return undefined;
  }
}

/**
 * Instant of a UTCTime or GeneralizedTime in the forms RFC 5280 §4.1.2.5.1-2 allows
 * (YYMMDDHHMMSSZ, YYYYMMDDHHMMSSZ; UTCTime years ≥ 50 are 19xx).
 */
export function decodeTime(bytes: Uint8Array, node: DerNode | undefined, where: string): Date {
  if (!node || node.cls !== 0 || (node.tag !== 23 && node.tag !== 24))
    invalid('expected UTCTime or GeneralizedTime', where);
  const text = byteString(contentOf(bytes, node));
  const m =
    node.tag === 23
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) invalid(`time "${text}" is not in the form RFC 5280 requires`, where);
  let year = Number(m[1]);
  if (node.tag === 23) year += year >= 50 ? 1900 : 2000;
  const [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, s));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    invalid(`time "${text}" is not a valid date`, where);
  return date;
}

/** Hex of an element's content, e.g. for serial numbers and key identifiers. */
export function hexOf(bytes: Uint8Array, node: DerNode): string {
  return toHex(contentOf(bytes, node));
}
