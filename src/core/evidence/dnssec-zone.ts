/**
 * DNS zone files in presentation format (RFC 1035 §5.1), as ldns-signzone and dnssec-signzone
 * write them: `$ORIGIN` and `$TTL` (RFC 2308 §4), relative names and `@`, omitted owners, TTLs and
 * classes, parentheses over several lines, `;` comments, quoted strings and `\X` / `\DDD` escapes.
 * Every record is turned into its wire-format RDATA (RFC 1035 §3.3, RFC 3596, RFC 4034 §2-5, RFC
 * 5155 §3-4, RFC 8976 §2) so signatures can be checked over the exact bytes; RFC 3597 generic
 * `TYPEnnn` / `\# len hex` is read for any type. The canonical form of RDATA (RFC 4034 §6.2 as
 * corrected by RFC 6840 §5.1) is given by {@link canonicalRdata}.
 *
 * Bounded: the input is size-checked before it is decoded, records, names and strings are limited
 * as the RFCs limit them, and `$INCLUDE` (which would read another file) is refused.
 */
import { KeywitnessError } from '../errors.js';
import { concatBytes } from '../util/bytes.js';
import { checkEvidenceSize } from './der.js';
import { decodeBase64 } from './pem.js';

/** A domain name as its labels (bytes as written: case is kept; comparisons ignore ASCII case). */
export interface DnsName {
  readonly labels: readonly Uint8Array[];
}

/** One resource record with its RDATA in wire form. */
export interface ZoneRecord {
  readonly owner: DnsName;
  /**
   * TTL as written, or from `$TTL` or the previous record; undefined when none was ever given (as in
   * the DS files dnssec-dsfromkey and ldns-key2ds write). Signatures use the RRSIG's original TTL.
   */
  readonly ttl: number | undefined;
  /** Always 1 (IN): other classes are refused. */
  readonly class: number;
  readonly type: number;
  readonly rdata: Uint8Array;
  /** Line of the file where the record starts (1-based). */
  readonly line: number;
}

/** A parsed zone file. */
export interface Zone {
  readonly records: readonly ZoneRecord[];
  /** The last `$ORIGIN` in effect, if any. */
  readonly origin: DnsName | undefined;
}

/** RR type mnemonics (IANA "Resource Record (RR) TYPEs") for the types read here. */
export const RR_TYPES: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  DNAME: 39,
  DS: 43,
  SSHFP: 44,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  CDS: 59,
  CDNSKEY: 60,
  ZONEMD: 63,
  CAA: 257,
};

const TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(RR_TYPES).map(([name, code]) => [code, name]),
);

/** Most records read from one zone (a 1 MiB file holds far fewer). */
export const MAX_ZONE_RECORDS = 200_000;

/** The mnemonic of a type, or `TYPEnnn` (RFC 3597 §5). */
export function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

// ---------------------------------------------------------------------------------------------
// Names

const DOT = 0x2e;

/** Lower-case an ASCII byte (RFC 4343: only A-Z fold). */
function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}

/** Wire form of a name (RFC 1035 §3.1), uncompressed; `canonical` lower-cases it (RFC 4034 §6.2). */
export function nameWire(name: DnsName, canonical: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const label of name.labels) parts.push(Uint8Array.of(label.length), canonical ? label.map(lower) : label);
  parts.push(Uint8Array.of(0));
  return concatBytes(...parts);
}

/** Names equal ignoring ASCII case (RFC 4343). */
export function namesEqualDns(a: DnsName, b: DnsName): boolean {
  if (a.labels.length !== b.labels.length) return false;
  return a.labels.every((l, i) => {
    const m = b.labels[i];
    return m !== undefined && m.length === l.length && l.every((x, j) => lower(x) === lower(m[j] ?? -1));
  });
}

/** Whether `name` is `zone` or below it (RFC 1034 §3.1: a subdomain by its rightmost labels). */
export function isAtOrBelow(name: DnsName, zone: DnsName): boolean {
  const extra = name.labels.length - zone.labels.length;
  return extra >= 0 && namesEqualDns({ labels: name.labels.slice(extra) }, zone);
}

function labelText(label: Uint8Array): string {
  let s = '';
  for (const b of label) {
    if (b === DOT || b === 0x5c || b === 0x22 || b === 0x28 || b === 0x29 || b === 0x3b || b === 0x40 || b === 0x24)
      s += `\\${String.fromCharCode(b)}`;
    else if (b <= 0x20 || b >= 0x7f) s += `\\${String(b).padStart(3, '0')}`;
    else s += String.fromCharCode(b);
  }
  return s;
}

/** Presentation form of a name (RFC 1035 §5.1), fully qualified: `example.org.`, `.` for the root. */
export function nameText(name: DnsName): string {
  return name.labels.length === 0 ? '.' : `${name.labels.map(labelText).join('.')}.`;
}

/** Labels of a name for RRSIG's Labels field: the root and a leading `*` do not count (RFC 4034 §3.1.3). */
export function labelCount(name: DnsName): number {
  const first = name.labels[0];
  const wildcard = first !== undefined && first.length === 1 && first[0] === 0x2a;
  return name.labels.length - (wildcard ? 1 : 0);
}

/** Read a name from wire RDATA at `offset` (no compression: RFC 4034 §6.2, RFC 3597 §4). */
export function readWireName(rdata: Uint8Array, offset: number, where: string): { name: DnsName; end: number } {
  const labels: Uint8Array[] = [];
  let p = offset;
  for (;;) {
    const len = rdata[p];
    if (len === undefined) invalid('a domain name in the RDATA runs past its end', where);
    if (len > 63)
      invalid(`a domain name in the RDATA has a label length byte 0x${len.toString(16)} (compression or >63)`, where);
    p++;
    if (len === 0) break;
    if (p + len > rdata.length) invalid('a domain name in the RDATA runs past its end', where);
    labels.push(rdata.subarray(p, p + len));
    p += len;
  }
  if (p - offset > 255) invalid('a domain name in the RDATA is longer than 255 octets', where);
  return { name: { labels }, end: p };
}

// ---------------------------------------------------------------------------------------------
// Tokens (RFC 1035 §5.1)

interface Token {
  /** Text with escapes still in place (quotes removed). */
  readonly raw: string;
  readonly quoted: boolean;
}

interface Line {
  readonly tokens: readonly Token[];
  /** The line started with a blank: the owner is the previous record's. */
  readonly blankOwner: boolean;
  readonly line: number;
}

/** Split the text into logical lines of tokens: comments dropped, parentheses joined. */
function logicalLines(text: string, where: string): Line[] {
  const out: Line[] = [];
  let tokens: Token[] = [];
  let depth = 0;
  let startLine = 1;
  let blankOwner = false;
  let lineNo = 1;
  let atLineStart = true;
  let i = 0;
  const flush = (): void => {
    if (tokens.length > 0) out.push({ tokens, blankOwner, line: startLine });
    tokens = [];
  };
  while (i < text.length) {
    const c = text.charAt(i);
    if (atLineStart && depth === 0) {
      startLine = lineNo;
      blankOwner = c === ' ' || c === '\t';
      atLineStart = false;
    }
    if (c === '\n') {
      lineNo++;
      i++;
      if (depth === 0) {
        flush();
        atLineStart = true;
      }
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === ';') {
      while (i < text.length && text.charAt(i) !== '\n') i++;
      continue;
    }
    if (c === '(') {
      depth++;
      i++;
      continue;
    }
    if (c === ')') {
      if (depth === 0) invalid(`line ${lineNo}: ")" without "("`, where);
      depth--;
      i++;
      continue;
    }
    if (c === '"') {
      let raw = '';
      i++;
      for (;;) {
        const d = text.charAt(i);
        if (i >= text.length) invalid(`line ${lineNo}: a quoted string is not closed`, where);
        if (d === '\\') {
          raw += text.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (d === '"') break;
        if (d === '\n') lineNo++;
        raw += d;
        i++;
      }
      i++;
      tokens.push({ raw, quoted: true });
      continue;
    }
    let raw = '';
    while (i < text.length) {
      const d = text.charAt(i);
      if (d === '\\') {
        if (i + 1 >= text.length) invalid(`line ${lineNo}: the file ends with a lone backslash`, where);
        raw += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (' \t\r\n;()"'.includes(d)) break;
      raw += d;
      i++;
    }
    tokens.push({ raw, quoted: false });
  }
  if (depth > 0) invalid(`line ${startLine}: "(" is not closed before the end of the file`, where);
  flush();
  return out;
}

/** Decode `\X` and `\DDD` escapes (RFC 1035 §5.1) into bytes; `splitDots` separates labels. */
function unescapeBytes(raw: string, where: string, splitDots: boolean): Uint8Array[] {
  const parts: number[][] = [[]];
  const bytes = new TextEncoder().encode(raw);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    const cur = parts[parts.length - 1] ?? [];
    if (b === 0x5c) {
      const n1 = bytes[i + 1];
      if (n1 === undefined) invalid('a backslash ends the text', where);
      if (n1 >= 0x30 && n1 <= 0x39) {
        const digits = String.fromCharCode(n1, bytes[i + 2] ?? 0, bytes[i + 3] ?? 0);
        if (!/^\d{3}$/.test(digits)) invalid(`"\\${digits}" is not a \\DDD escape of three digits`, where);
        const v = Number(digits);
        if (v > 255) invalid(`"\\${digits}" is larger than 255`, where);
        cur.push(v);
        i += 3;
      } else {
        cur.push(n1);
        i += 1;
      }
      continue;
    }
    if (splitDots && b === DOT) {
      parts.push([]);
      continue;
    }
    cur.push(b);
  }
  return parts.map((p) => Uint8Array.from(p));
}

// ---------------------------------------------------------------------------------------------
// Fields

interface Cursor {
  readonly tokens: readonly Token[];
  i: number;
  readonly where: string;
  readonly origin: DnsName | undefined;
  readonly type: string;
}

function next(c: Cursor, what: string): Token {
  const t = c.tokens[c.i];
  if (t === undefined) invalid(`${c.type}: ${what} is missing`, c.where);
  c.i++;
  return t;
}

function rest(c: Cursor): Token[] {
  const out = c.tokens.slice(c.i);
  c.i = c.tokens.length;
  return [...out];
}

/** Parse a name token against the origin (RFC 1035 §5.1: `@`, relative names). */
export function parseNameText(raw: string, origin: DnsName | undefined, where: string): DnsName {
  if (raw === '@') {
    if (!origin) invalid('"@" is used but no $ORIGIN is set', where);
    return origin;
  }
  if (raw === '.') return { labels: [] };
  const absolute = /(^|[^\\])(\\\\)*\.$/.test(raw);
  const body = absolute ? raw.slice(0, -1) : raw;
  const labels = unescapeBytes(body, where, true);
  for (const l of labels) {
    if (l.length === 0) invalid(`name "${raw}" has an empty label`, where);
    if (l.length > 63) invalid(`name "${raw}" has a label of ${l.length} octets; at most 63 (RFC 1035 §2.3.4)`, where);
  }
  let name: DnsName = { labels };
  if (!absolute) {
    if (!origin) invalid(`name "${raw}" is relative but no $ORIGIN is set`, where);
    name = { labels: [...labels, ...origin.labels] };
  }
  if (nameWire(name, false).length > 255) invalid(`name "${raw}" is longer than 255 octets (RFC 1035 §2.3.4)`, where);
  return name;
}

function num(c: Cursor, what: string, max: number): number {
  const t = next(c, what);
  if (!/^\d{1,10}$/.test(t.raw) || Number(t.raw) > max)
    invalid(`${c.type}: ${what} "${t.raw}" is not a number from 0 to ${max}`, c.where);
  return Number(t.raw);
}

const u8 = (n: number): Uint8Array => Uint8Array.of(n);
const u16 = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff);
const u32 = (n: number): Uint8Array => Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

/** A TTL: seconds, or BIND's `1h30m` form; at most 2^31 - 1 (RFC 2181 §8). */
function parseTtl(raw: string, where: string): number {
  let total = 0;
  if (/^\d+$/.test(raw)) total = Number(raw);
  else {
    const m = /^(\d+[wdhms])+$/i.test(raw) ? raw.match(/\d+[wdhms]/gi) : null;
    if (!m) invalid(`TTL "${raw}" is neither seconds nor a 1h30m form`, where);
    const unit: Readonly<Record<string, number>> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
    for (const part of m) total += Number(part.slice(0, -1)) * (unit[part.slice(-1).toLowerCase()] ?? 0);
  }
  if (total > 0x7fffffff) invalid(`TTL ${raw} is larger than 2147483647 (RFC 2181 §8)`, where);
  return total;
}

function isTtl(raw: string): boolean {
  return /^\d+$/.test(raw) || /^(\d+[wdhms])+$/i.test(raw);
}

function characterString(t: Token, c: Cursor): Uint8Array {
  const [bytes = new Uint8Array()] = unescapeBytes(t.raw, c.where, false);
  if (bytes.length > 255)
    invalid(`${c.type}: a character-string of ${bytes.length} octets; at most 255 (RFC 1035 §3.3)`, c.where);
  return concatBytes(u8(bytes.length), bytes);
}

function hexText(tokens: readonly Token[], c: Cursor, what: string, allowEmpty = false): Uint8Array {
  const text = tokens.map((t) => t.raw).join('');
  if (text === '' && allowEmpty) return new Uint8Array();
  if (!/^([0-9a-fA-F]{2})+$/.test(text))
    invalid(`${c.type}: ${what} "${text.slice(0, 40)}" is not hex of whole octets`, c.where);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function base64Text(tokens: readonly Token[], c: Cursor, what: string): Uint8Array {
  const text = tokens.map((t) => t.raw).join('');
  if (text === '') invalid(`${c.type}: ${what} is missing`, c.where);
  try {
    return decodeBase64(text, c.where);
  } catch (e) {
    return invalid(`${c.type}: ${what} is not valid base64 (${(e as Error).message.replace(/^.*?: /, '')})`, c.where);
  }
}

const B32HEX = '0123456789abcdefghijklmnopqrstuv';

function base32hex(raw: string, c: Cursor): Uint8Array {
  const text = raw.toLowerCase();
  if (!/^[0-9a-v]+$/.test(text) || [1, 3, 6].includes(text.length % 8))
    invalid(`${c.type}: next hashed owner "${raw}" is not base32hex (RFC 4648 §7)`, c.where);
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    acc = (acc << 5) | B32HEX.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0)
    invalid(`${c.type}: next hashed owner "${raw}" has non-zero padding bits`, c.where);
  return Uint8Array.from(out);
}

function typeCode(raw: string, c: Cursor): number {
  const upper = raw.toUpperCase();
  const known = RR_TYPES[upper];
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  if (m && Number(m[1]) <= 0xffff) return Number(m[1]);
  return invalid(`${c.type}: "${raw}" is not a record type this reader knows (use TYPEnnn, RFC 3597 §5)`, c.where);
}

/** Type bit maps (RFC 4034 §4.1.2): windows of the types present. */
function typeBitmap(tokens: readonly Token[], c: Cursor): Uint8Array {
  const types = [...new Set(tokens.map((t) => typeCode(t.raw, c)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  for (let w = 0; w < 256; w++) {
    const inWindow = types.filter((t) => t >> 8 === w);
    if (inWindow.length === 0) continue;
    const last = Math.max(...inWindow) & 0xff;
    const bitmap = new Uint8Array((last >> 3) + 1);
    for (const t of inWindow) bitmap[(t & 0xff) >> 3] = (bitmap[(t & 0xff) >> 3] ?? 0) | (0x80 >> (t & 7));
    parts.push(u8(w), u8(bitmap.length), bitmap);
  }
  return concatBytes(...parts);
}

/** RRSIG time: YYYYMMDDHHmmSS in UTC, or seconds since the epoch; kept modulo 2^32 (RFC 4034 §3.2). */
function sigTime(c: Cursor, what: string): Uint8Array {
  const t = next(c, what);
  let seconds: number;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(t.raw);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(ms);
    if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
      invalid(`RRSIG: ${what} "${t.raw}" is not a valid date and time`, c.where);
    seconds = ms / 1000;
  } else if (/^\d{1,10}$/.test(t.raw) && Number(t.raw) <= 0xffffffff) seconds = Number(t.raw);
  else return invalid(`RRSIG: ${what} "${t.raw}" is neither YYYYMMDDHHmmSS nor seconds (RFC 4034 §3.2)`, c.where);
  return u32(seconds % 2 ** 32);
}

function ipv4(raw: string, c: Cursor): Uint8Array {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(raw);
  const parts = m ? m.slice(1).map(Number) : [];
  if (!m || parts.some((p) => p > 255) || m.slice(1).some((p) => p.length > 1 && p.startsWith('0')))
    invalid(`${c.type}: "${raw}" is not an IPv4 address`, c.where);
  return Uint8Array.from(parts);
}

function ipv6(raw: string, c: Cursor): Uint8Array {
  const bad = (): never => invalid(`${c.type}: "${raw}" is not an IPv6 address (RFC 4291 §2.2)`, c.where);
  let text = raw;
  let tail: number[] = [];
  const v4 = /:(\d{1,3}(\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    tail = [...ipv4(v4[1] ?? '', c)];
    text = `${text.slice(0, v4.index)}:0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) bad();
  const groups = (s: string): number[] =>
    s === '' ? [] : s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : bad()));
  const head = groups(halves[0] ?? '');
  const back = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const fill = 8 - head.length - back.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) bad();
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...back];
  const out = new Uint8Array(16);
  all.forEach((g, i) => out.set(u16(g), 2 * i));
  if (tail.length === 4) out.set(tail, 12);
  return out;
}

/** RFC 3597 §5 generic RDATA: `\# length hex…`. */
function genericRdata(tokens: readonly Token[], c: Cursor): Uint8Array {
  const [, lengthToken, ...hex] = tokens;
  if (!lengthToken || !/^\d{1,5}$/.test(lengthToken.raw)) invalid(`${c.type}: "\\#" needs a length`, c.where);
  const data = hexText(hex, c, 'generic RDATA', true);
  if (data.length !== Number(lengthToken.raw))
    invalid(`${c.type}: generic RDATA says ${lengthToken.raw} octets but holds ${data.length}`, c.where);
  return data;
}

type RdataParser = (c: Cursor) => Uint8Array;

const name = (c: Cursor, what: string): Uint8Array =>
  nameWire(parseNameText(next(c, what).raw, c.origin, c.where), false);

const RDATA: Readonly<Record<number, RdataParser>> = {
  1: (c) => ipv4(next(c, 'the address').raw, c),
  2: (c) => name(c, 'the name server'),
  5: (c) => name(c, 'the canonical name'),
  6: (c) =>
    concatBytes(
      name(c, 'MNAME'),
      name(c, 'RNAME'),
      u32(num(c, 'SERIAL', 0xffffffff)),
      ...['REFRESH', 'RETRY', 'EXPIRE', 'MINIMUM'].map((w) => u32(parseTtl(next(c, w).raw, c.where))),
    ),
  12: (c) => name(c, 'the pointer'),
  13: (c) => concatBytes(characterString(next(c, 'CPU'), c), characterString(next(c, 'OS'), c)),
  15: (c) => concatBytes(u16(num(c, 'the preference', 0xffff)), name(c, 'the exchange')),
  16: (c) => {
    const strings = rest(c);
    if (strings.length === 0) invalid('TXT: no character-string', c.where);
    return concatBytes(...strings.map((t) => characterString(t, c)));
  },
  28: (c) => ipv6(next(c, 'the address').raw, c),
  33: (c) =>
    concatBytes(
      u16(num(c, 'the priority', 0xffff)),
      u16(num(c, 'the weight', 0xffff)),
      u16(num(c, 'the port', 0xffff)),
      name(c, 'the target'),
    ),
  39: (c) => name(c, 'the target'),
  43: (c) => ds(c),
  44: (c) =>
    concatBytes(
      u8(num(c, 'the algorithm', 255)),
      u8(num(c, 'the fingerprint type', 255)),
      hexText(rest(c), c, 'the fingerprint'),
    ),
  46: (c) =>
    concatBytes(
      u16(typeCode(next(c, 'the type covered').raw, c)),
      u8(num(c, 'the algorithm', 255)),
      u8(num(c, 'the labels', 255)),
      u32(num(c, 'the original TTL', 0xffffffff)),
      sigTime(c, 'the expiration'),
      sigTime(c, 'the inception'),
      u16(num(c, 'the key tag', 0xffff)),
      name(c, "the signer's name"),
      base64Text(rest(c), c, 'the signature'),
    ),
  47: (c) => concatBytes(name(c, 'the next domain name'), typeBitmap(rest(c), c)),
  48: (c) => dnskey(c),
  50: (c) => {
    const head = concatBytes(
      u8(num(c, 'the hash algorithm', 255)),
      u8(num(c, 'the flags', 255)),
      u16(num(c, 'the iterations', 0xffff)),
      salt(c),
    );
    const hashed = base32hex(next(c, 'the next hashed owner').raw, c);
    return concatBytes(head, u8(hashed.length), hashed, typeBitmap(rest(c), c));
  },
  51: (c) =>
    concatBytes(
      u8(num(c, 'the hash algorithm', 255)),
      u8(num(c, 'the flags', 255)),
      u16(num(c, 'the iterations', 0xffff)),
      salt(c),
    ),
  52: (c) =>
    concatBytes(
      u8(num(c, 'the usage', 255)),
      u8(num(c, 'the selector', 255)),
      u8(num(c, 'the matching type', 255)),
      hexText(rest(c), c, 'the certificate association data'),
    ),
  59: (c) => ds(c),
  60: (c) => dnskey(c),
  63: (c) =>
    concatBytes(
      u32(num(c, 'the serial', 0xffffffff)),
      u8(num(c, 'the scheme', 255)),
      u8(num(c, 'the hash algorithm', 255)),
      hexText(rest(c), c, 'the digest'),
    ),
  257: (c) => {
    const flags = u8(num(c, 'the flags', 255));
    const tag = next(c, 'the tag');
    if (!/^[A-Za-z0-9]{1,15}$/.test(tag.raw))
      invalid(`CAA: tag "${tag.raw}" is not 1-15 letters and digits (RFC 8659 §4.1)`, c.where);
    const [value = new Uint8Array()] = unescapeBytes(next(c, 'the value').raw, c.where, false);
    return concatBytes(flags, u8(tag.raw.length), new TextEncoder().encode(tag.raw), value);
  },
};

function ds(c: Cursor): Uint8Array {
  return concatBytes(
    u16(num(c, 'the key tag', 0xffff)),
    u8(num(c, 'the algorithm', 255)),
    u8(num(c, 'the digest type', 255)),
    hexText(rest(c), c, 'the digest'),
  );
}

function dnskey(c: Cursor): Uint8Array {
  return concatBytes(
    u16(num(c, 'the flags', 0xffff)),
    u8(num(c, 'the protocol', 255)),
    u8(num(c, 'the algorithm', 255)),
    base64Text(rest(c), c, 'the public key'),
  );
}

function salt(c: Cursor): Uint8Array {
  const t = next(c, 'the salt');
  if (t.raw === '-') return u8(0);
  const bytes = hexText([t], c, 'the salt');
  if (bytes.length > 255) invalid(`${c.type}: salt of ${bytes.length} octets; at most 255`, c.where);
  return concatBytes(u8(bytes.length), bytes);
}

// ---------------------------------------------------------------------------------------------
// Canonical RDATA (RFC 4034 §6.2 item 3, RFC 6840 §5.1, RFC 3597 §7)

/** Offsets of the embedded names that RFC 4034 §6.2 (with RFC 6840 §5.1: not NSEC) lower-cases. */
function namedFields(type: number, rdata: Uint8Array, where: string): number[] {
  switch (type) {
    case 2:
    case 5:
    case 12:
    case 39:
      return [0];
    case 15:
      return [2];
    case 33:
      return [6];
    case 6: {
      const { end } = readWireName(rdata, 0, where);
      return [0, end];
    }
    case 46:
      return [18];
    default:
      return [];
  }
}

/**
 * The canonical form of RDATA for signing (RFC 4034 §6.2 item 3 as corrected by RFC 6840 §5.1):
 * the embedded names of NS, CNAME, SOA, PTR, MX, SRV, DNAME and RRSIG lower-cased; NSEC's next
 * name and every type defined after RFC 3597 left as they are.
 */
export function canonicalRdata(type: number, rdata: Uint8Array, where: string): Uint8Array {
  const offsets = namedFields(type, rdata, where);
  if (offsets.length === 0) return rdata;
  const out = new Uint8Array(rdata);
  for (const offset of offsets) {
    let p = offset;
    for (let len = out[p] ?? 0; len !== 0; len = out[p] ?? 0) {
      if (len > 63 || p + 1 + len > out.length) invalid('a domain name in the RDATA is malformed', where);
      for (let k = p + 1; k <= p + len; k++) out[k] = lower(out[k] ?? 0);
      p += 1 + len;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The zone

/**
 * Parse a zone file in presentation format (RFC 1035 §5.1) into records with wire RDATA.
 * @param origin the initial origin, used until a `$ORIGIN` line (none by default).
 * @throws KeywitnessError EVIDENCE_INVALID naming the line, the type and the field that is wrong;
 *   INPUT_TOO_LARGE before reading more than 1 MiB or {@link MAX_ZONE_RECORDS} records.
 */
export function parseZone(bytes: Uint8Array, where: string, origin?: DnsName): Zone {
  checkEvidenceSize(bytes, where);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return invalid('a zone file must be UTF-8 text', where);
  }
  if (text.includes('\0')) invalid('a zone file must not contain NUL characters', where);
  const records: ZoneRecord[] = [];
  let currentOrigin = origin;
  let defaultTtl: number | undefined;
  let lastOwner: DnsName | undefined;
  let lastTtl: number | undefined;
  for (const line of logicalLines(text, where)) {
    const at = `${where} line ${line.line}`;
    const [first, ...others] = line.tokens;
    if (first === undefined) continue;
    if (!line.blankOwner && !first.quoted && first.raw.startsWith('$')) {
      const directive = first.raw.toUpperCase();
      if (directive === '$ORIGIN') {
        const [value, extra] = others;
        if (!value || extra) invalid('$ORIGIN takes exactly one name', at);
        currentOrigin = parseNameText(value.raw, currentOrigin, at);
      } else if (directive === '$TTL') {
        const [value, extra] = others;
        if (!value || extra) invalid('$TTL takes exactly one TTL', at);
        defaultTtl = parseTtl(value.raw, at);
      } else if (directive === '$INCLUDE') {
        invalid('$INCLUDE is not followed: evidence must be one file', at);
      } else invalid(`unknown directive ${first.raw}`, at);
      continue;
    }
    let tokens = line.tokens;
    let owner: DnsName;
    if (line.blankOwner) {
      if (!lastOwner) invalid('the first record has no owner name', at);
      owner = lastOwner;
    } else {
      owner = parseNameText(first.raw, currentOrigin, at);
      tokens = others;
    }
    let ttl: number | undefined;
    let cls: string | undefined;
    let k = 0;
    for (; k < 2; k++) {
      const t = tokens[k];
      if (!t || t.quoted) break;
      if (ttl === undefined && isTtl(t.raw)) ttl = parseTtl(t.raw, at);
      else if (cls === undefined && /^(IN|CH|HS|CS|CLASS\d+)$/i.test(t.raw)) cls = t.raw.toUpperCase();
      else break;
    }
    if (cls !== undefined && cls !== 'IN' && cls !== 'CLASS1')
      invalid(`class ${cls} is not supported: only IN zones carry DNSSEC here`, at);
    const typeToken = tokens[k];
    if (!typeToken) invalid('the record has no type', at);
    const c: Cursor = {
      tokens: tokens.slice(k + 1),
      i: 0,
      where: at,
      origin: currentOrigin,
      type: typeToken.raw.toUpperCase(),
    };
    const type = typeCode(typeToken.raw, c);
    const [head] = c.tokens;
    let rdata: Uint8Array;
    if (head && !head.quoted && head.raw === '\\#') rdata = genericRdata(c.tokens, c);
    else {
      const parser = RDATA[type];
      if (!parser) invalid(`${typeName(type)}: give this type's RDATA in the RFC 3597 "\\# length hex" form`, at);
      rdata = parser(c);
      if (c.i < c.tokens.length)
        invalid(
          `${typeName(type)}: ${c.tokens.length - c.i} unexpected field(s) after the RDATA, starting "${c.tokens[c.i]?.raw ?? ''}"`,
          at,
        );
    }
    if (rdata.length > 0xffff) invalid(`${typeName(type)}: RDATA of ${rdata.length} octets; at most 65535`, at);
    const effectiveTtl = ttl ?? defaultTtl ?? lastTtl;
    if (records.length >= MAX_ZONE_RECORDS)
      throw new KeywitnessError('INPUT_TOO_LARGE', `more than ${MAX_ZONE_RECORDS} records`, { where: at });
    records.push({ owner, ttl: effectiveTtl, class: 1, type, rdata, line: line.line });
    lastOwner = owner;
    lastTtl = effectiveTtl;
  }
  if (records.length === 0) invalid('no resource record found', where);
  return { records, origin: currentOrigin };
}
