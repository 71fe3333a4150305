/**
 * DNSSEC keys: DNSKEY records in presentation format (RFC 4034 §2.2) or the trust anchors of an
 * IANA `root-anchors.xml` (RFC 9718 §2), turned into key tags (RFC 4034 Appendix B) and DS digests
 * (RFC 4034 §5.1.4; SHA-256 per RFC 4509, SHA-384 per RFC 6605 §4).
 */
import { KeywitnessError } from '../errors.js';
import { concatBytes, toHex } from '../util/bytes.js';
import { sha1, sha256, sha384 } from '../util/hash.js';
import { group, must } from '../util/must.js';
import { checkEvidenceSize } from './der.js';
import { decodeBase64 } from './pem.js';

/** One DNSKEY with what is derived from it. */
export interface DnskeyFacts {
  /** Owner name, fully qualified, as written (lower-cased for the digest). */
  readonly owner: string;
  readonly flags: number;
  readonly protocol: number;
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
  /** RFC 4034 Appendix B key tag. */
  readonly keyTag: number;
  /** Flags 257: the Secure Entry Point bit is set (a KSK). */
  readonly sep: boolean;
  /** DS digests by digest type (1 SHA-1, 2 SHA-256, 4 SHA-384), upper-case hex as DS records show them. */
  readonly ds: { readonly 1: string; readonly 2: string; readonly 4: string };
}

/** One `<KeyDigest>` of a trust-anchor file. */
export interface AnchorDigest {
  readonly id: string;
  readonly validFrom: string | undefined;
  readonly validUntil: string | undefined;
  readonly keyTag: number;
  readonly algorithm: number;
  readonly digestType: number;
  readonly digest: string;
}

/** A parsed DNSKEY evidence file: keys, and anchors when it was a root-anchors.xml. */
export interface DnssecFacts {
  readonly format: 'dnskey' | 'root-anchors-xml';
  readonly zone: string | undefined;
  readonly keys: readonly DnskeyFacts[];
  readonly anchors: readonly AnchorDigest[];
}

export const DS_DIGEST_NAMES: Readonly<Record<number, string>> = { 1: 'SHA-1', 2: 'SHA-256', 4: 'SHA-384' };

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

/** Canonical wire form of an owner name (RFC 4034 §6.2: lower case, uncompressed). */
export function ownerWire(name: string, where: string): Uint8Array {
  const trimmed = name === '.' ? '' : name.replace(/\.$/, '');
  if (!name.endsWith('.')) invalid(`owner name "${name}" is not fully qualified (must end with ".")`, where);
  const labels = trimmed === '' ? [] : trimmed.split('.');
  const parts: Uint8Array[] = [];
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || !/^[A-Za-z0-9_*-]+$/.test(label))
      invalid(`owner name label "${label}" is not supported`, where);
    const bytes = new TextEncoder().encode(label.toLowerCase());
    parts.push(Uint8Array.of(bytes.length), bytes);
  }
  parts.push(Uint8Array.of(0));
  const wire = concatBytes(...parts);
  if (wire.length > 255) invalid('owner name is longer than 255 octets', where);
  return wire;
}

/** RFC 4034 Appendix B key tag over the DNSKEY RDATA (algorithm 1 uses its own rule, B.1). */
export function keyTag(rdata: Uint8Array): number {
  if (rdata[3] === 1) {
    const hi = rdata[rdata.length - 3];
    const lo = rdata[rdata.length - 2];
    return hi !== undefined && lo !== undefined ? (hi << 8) | lo : 0;
  }
  let ac = 0;
  for (const [i, b] of rdata.entries()) ac += i & 1 ? b : b << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

/** Build DnskeyFacts from the record's fields. */
export function dnskeyFacts(
  owner: string,
  flags: number,
  protocol: number,
  algorithm: number,
  publicKey: Uint8Array,
  where: string,
): DnskeyFacts {
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffff) invalid(`flags ${flags} out of range`, where);
  if (protocol !== 3) invalid(`protocol field is ${protocol}; RFC 4034 §2.1.2 requires 3`, where);
  if (!Number.isInteger(algorithm) || algorithm < 0 || algorithm > 255)
    invalid(`algorithm ${algorithm} out of range`, where);
  if (publicKey.length === 0) invalid('empty public key', where);
  const rdata = concatBytes(Uint8Array.of(flags >> 8, flags & 0xff, protocol, algorithm), publicKey);
  const input = concatBytes(ownerWire(owner, where), rdata);
  return {
    owner,
    flags,
    protocol,
    algorithm,
    publicKey,
    keyTag: keyTag(rdata),
    sep: (flags & 1) === 1,
    ds: {
      1: toHex(sha1(input)).toUpperCase(),
      2: toHex(sha256(input)).toUpperCase(),
      4: toHex(sha384(input)).toUpperCase(),
    },
  };
}

/** Join parenthesised multi-line records and drop `;` comments (RFC 1035 §5.1). */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/;.*$/, '');
    for (const c of line) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
    }
    cur += ` ${line.replace(/[()]/g, ' ')}`;
    if (depth <= 0) {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
      depth = 0;
    }
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** Parse DNSKEY records in presentation format; lines that are not DNSKEY RRs must be DS or `$` directives. */
export function parseDnskeyText(text: string, where: string): DnskeyFacts[] {
  const keys: DnskeyFacts[] = [];
  logicalLines(text).forEach((line, n) => {
    const at = `${where} record ${n + 1}`;
    if (line.startsWith('$')) return;
    const tokens = line.split(/\s+/);
    const typeIndex = tokens.findIndex((t) => /^(DNSKEY|DS|CDNSKEY|CDS|RRSIG)$/i.test(t));
    const type = tokens[typeIndex]?.toUpperCase();
    if (type === undefined) invalid(`"${line.slice(0, 60)}" is not a DNSKEY record`, at);
    if (type !== 'DNSKEY' && type !== 'CDNSKEY') return;
    const owner = must(tokens[0], 'the first field of a record');
    const middle = tokens.slice(1, typeIndex);
    if (middle.some((t) => !/^(\d+|IN|CH|HS)$/i.test(t)))
      invalid(`unexpected fields before DNSKEY: ${middle.join(' ')}`, at);
    const [flags, protocol, algorithm, ...key] = tokens.slice(typeIndex + 1);
    if (!flags || !protocol || !algorithm || key.length === 0)
      invalid('DNSKEY needs flags, protocol, algorithm and a public key', at);
    for (const [name, v] of [
      ['flags', flags],
      ['protocol', protocol],
      ['algorithm', algorithm],
    ] as const) {
      if (!/^\d{1,5}$/.test(v)) invalid(`${name} "${v}" is not a number`, at);
    }
    keys.push(
      dnskeyFacts(owner, Number(flags), Number(protocol), Number(algorithm), decodeBase64(key.join(''), at), at),
    );
  });
  if (keys.length === 0) invalid('no DNSKEY record found', where);
  return keys;
}

function xmlText(block: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(block);
  return m?.[1]?.trim();
}

function xmlAttr(attrs: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];
}

/** Parse an IANA root-anchors.xml (RFC 9718 §2.1): digests, and DNSKEYs where PublicKey/Flags are given. */
export function parseRootAnchors(text: string, where: string): DnssecFacts {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) invalid('DTDs and entities are not accepted in a trust-anchor file', where);
  const root = /<TrustAnchor\b[^>]*>([\s\S]*)<\/TrustAnchor>\s*$/.exec(text.replace(/^<\?xml[^>]*\?>\s*/, '').trim());
  if (!root) invalid('not a <TrustAnchor> document', where);
  const anchorXml = group(root, 1);
  const zone = xmlText(anchorXml, 'Zone');
  if (!zone) invalid('<Zone> is missing', where);
  const anchors: AnchorDigest[] = [];
  const keys: DnskeyFacts[] = [];
  for (const m of anchorXml.matchAll(/<KeyDigest\b([^>]*)>([\s\S]*?)<\/KeyDigest>/g)) {
    const [, attrs = '', body = ''] = m;
    const id = xmlAttr(attrs, 'id') ?? '';
    const at = `${where} KeyDigest ${id}`;
    const num = (tag: string): number => {
      const v = xmlText(body, tag);
      if (v === undefined || !/^\d+$/.test(v)) invalid(`<${tag}> is missing or not a number`, at);
      return Number(v);
    };
    const digest = xmlText(body, 'Digest');
    if (!digest || !/^[0-9A-Fa-f]+$/.test(digest)) invalid('<Digest> is missing or not hex', at);
    const anchor: AnchorDigest = {
      id,
      validFrom: xmlAttr(attrs, 'validFrom'),
      validUntil: xmlAttr(attrs, 'validUntil'),
      keyTag: num('KeyTag'),
      algorithm: num('Algorithm'),
      digestType: num('DigestType'),
      digest: digest.toUpperCase(),
    };
    anchors.push(anchor);
    const publicKey = xmlText(body, 'PublicKey');
    if (publicKey !== undefined) {
      keys.push(dnskeyFacts(zone, num('Flags'), 3, anchor.algorithm, decodeBase64(publicKey, at), at));
    }
  }
  if (anchors.length === 0) invalid('no <KeyDigest> found', where);
  return { format: 'root-anchors-xml', zone, keys, anchors };
}

/** Parse DNSKEY evidence: root-anchors.xml when it starts as XML, else presentation-format records. */
export function parseDnssec(bytes: Uint8Array, where: string): DnssecFacts {
  checkEvidenceSize(bytes, where);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return invalid('DNSKEY evidence must be UTF-8 text', where);
  }
  if (text.trim() === '') invalid('empty input', where);
  if (/^\s*(<\?xml|<TrustAnchor)/.test(text)) return parseRootAnchors(text, where);
  const keys = parseDnskeyText(text, where);
  return { format: 'dnskey', zone: keys[0]?.owner, keys, anchors: [] };
}

/** The DS record text for a key and digest type, as `dnssec-dsfromkey` prints it. */
export function dsRecord(key: DnskeyFacts, digestType: 1 | 2 | 4): string {
  return `${key.owner} IN DS ${key.keyTag} ${key.algorithm} ${digestType} ${key.ds[digestType]}`;
}
