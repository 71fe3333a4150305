/**
 * Distinguished names as RFC 4514 strings: read from a DER Name (RFC 5280 §4.1.2.4) and parsed
 * from the text a script author writes, so a subject can be shown and compared exactly.
 */
import { KeywitnessError } from '../errors.js';
import { toHex } from '../util/bytes.js';
import { decodeString, oidOf } from './asn1-values.js';
import { childrenOf, encodingOf, type DerNode } from './der.js';
import { ATTRIBUTE_OIDS, ATTRIBUTE_TYPES, lookup } from './oids.js';

/** One attribute of a name: its type OID and its value as text (or `#hex` for non-strings). */
export interface NameAttribute {
  readonly oid: string;
  readonly value: string;
  /** True when the value was not a string type and `value` is `#` + hex of its DER (RFC 4514 §2.4). */
  readonly hex?: boolean;
}

/** A name as its RDNs in DER order (most significant first, e.g. C before CN). */
export type NameRdns = readonly (readonly NameAttribute[])[];

/** RFC 4514 §2.4 escaping of an attribute value. */
function escapeValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** Read the RDNs of a DER Name. */
export function readName(bytes: Uint8Array, node: DerNode, where: string): NameRdns {
  if (node.cls !== 0 || node.tag !== 16)
    throw new KeywitnessError('EVIDENCE_INVALID', 'a Name must be a SEQUENCE', { where });
  return childrenOf(bytes, node, where).map((set) => {
    if (set.cls !== 0 || set.tag !== 17)
      throw new KeywitnessError('EVIDENCE_INVALID', 'an RDN must be a SET', { where });
    const atvs = childrenOf(bytes, set, where);
    if (atvs.length === 0) throw new KeywitnessError('EVIDENCE_INVALID', 'empty RDN', { where });
    return atvs.map((atv) => {
      const [type, value, extra] = childrenOf(bytes, atv, where);
      if (!value || extra)
        throw new KeywitnessError('EVIDENCE_INVALID', 'an attribute must be a type and one value', { where });
      const oid = oidOf(bytes, type, where);
      const text = decodeString(bytes, value, where);
      return text === undefined
        ? { oid, value: `#${toHex(encodingOf(bytes, value))}`, hex: true }
        : { oid, value: text };
    });
  });
}

/** RFC 4514 string: RDNs in reverse order, `,` between RDNs and `+` inside one. */
export function formatName(rdns: NameRdns): string {
  return [...rdns]
    .reverse()
    .map((rdn) =>
      rdn.map((a) => `${lookup(ATTRIBUTE_TYPES, a.oid) ?? a.oid}=${a.hex ? a.value : escapeValue(a.value)}`).join('+'),
    )
    .join(',');
}

function unescape(raw: string, where: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(next)) {
      out += String.fromCharCode(parseInt(next, 16));
      i += 2;
    } else if (i + 1 < raw.length) {
      out += raw[++i];
    } else {
      throw new KeywitnessError('SCRIPT_INVALID', `name "${raw}" ends with a lone backslash`, { where });
    }
  }
  return out;
}

/** Split on a separator that is not escaped. */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[++i];
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  return parts;
}

/**
 * Parse an RFC 4514 string as a script writes it (`CN=Example Root,O=Example`) into RDNs in DER
 * order. Attribute names are case-insensitive; spaces around separators are ignored.
 * @throws KeywitnessError with `code` (SCRIPT_INVALID by default) naming the bad part.
 */
export function parseName(text: string, where: string): NameRdns {
  if (text.trim() === '') return [];
  const rdns = splitUnescaped(text, ',').map((rdnText) =>
    splitUnescaped(rdnText, '+').map((atv) => {
      const eq = atv.indexOf('=');
      if (eq <= 0)
        throw new KeywitnessError('SCRIPT_INVALID', `"${atv.trim()}" is not TYPE=value (RFC 4514)`, { where });
      const type = atv.slice(0, eq).trim();
      const oid = /^\d+(\.\d+)+$/.test(type) ? type : lookup(ATTRIBUTE_OIDS, type.toLowerCase());
      if (!oid)
        throw new KeywitnessError(
          'SCRIPT_INVALID',
          `unknown attribute type "${type}" (use CN, O, OU, C, L, ST, … or a dotted OID)`,
          { where },
        );
      const rawValue = atv
        .slice(eq + 1)
        .replace(/^\s+/, '')
        .replace(/(?<!\\)\s+$/, '');
      if (/^#[0-9a-fA-F]+$/.test(rawValue)) return { oid, value: rawValue.toLowerCase(), hex: true };
      return { oid, value: unescape(rawValue, where) };
    }),
  );
  return rdns.reverse();
}

/** Exact equality of two names: same RDNs, same order, same types and values (RDN members in any order). */
export function namesEqual(a: NameRdns, b: NameRdns): boolean {
  if (a.length !== b.length) return false;
  return a.every((rdn, i) => {
    const other = b[i];
    if (other === undefined || rdn.length !== other.length) return false;
    const key = (x: NameAttribute): string => `${x.oid}=${x.hex ? 'h' : 's'}${x.value}`;
    const left = rdn.map(key).sort();
    const right = other.map(key).sort();
    return left.every((k, j) => k === right[j]);
  });
}
