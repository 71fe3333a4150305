// ORACLE, NOT PRODUCT CODE: the former regex parser, kept verbatim for hsm-linear.test.ts (see index.ts here).
/**
 * Helpers shared by the HSM transcript parsers: strict text decoding, PEM public keys embedded in
 * output, EC points and parameters as PKCS#11 prints them, and key-type normalisation.
 */
import { KeywitnessError } from '../../../../../src/core/errors.js';
import { fromHex } from '../../../../../src/core/util/bytes.js';
import { group } from '../../../../../src/core/util/must.js';
import { byteString, decodeOid } from '../../../../../src/core/evidence/asn1-values.js';
import { contentOf, readTlv } from '../../../../../src/core/evidence/der.js';
import { describeSpki, spkiFromEcPoint, type KeyFacts } from '../../../../../src/core/evidence/keys.js';
import { canonicalCurve, CURVES, lookup } from '../../../../../src/core/evidence/oids.js';
import { decodeBase64 } from '../../../../../src/core/evidence/pem.js';
import { parseCertificate } from '../../../../../src/core/evidence/certificate.js';

/** Decode transcript bytes as UTF-8 text (Windows line ends allowed) or fail with EVIDENCE_INVALID. */
export function transcriptText(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/\r\n/g, '\n');
  } catch {
    throw new KeywitnessError('EVIDENCE_INVALID', 'HSM output must be UTF-8 text', { where });
  }
}

/** Public keys from PEM blocks in the text: `PUBLIC KEY` directly, `CERTIFICATE` via its SPKI. */
export function pemPublicKeys(text: string, where: string): KeyFacts[] {
  const keys: KeyFacts[] = [];
  for (const m of text.matchAll(/-----BEGIN (PUBLIC KEY|CERTIFICATE)-----([\s\S]*?)-----END \1-----/g)) {
    const der = decodeBase64(group(m, 2), `${where} (PEM ${m[1]})`);
    keys.push(m[1] === 'PUBLIC KEY' ? describeSpki(der, where) : parseCertificate(der, where).key);
  }
  return keys;
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

/** `Some Label:   value` lines → snake_case facts (first occurrence wins). */
export function colonFacts(lines: readonly string[], into: Record<string, string>): void {
  for (const line of lines) {
    const m = /^\s*([A-Za-z][A-Za-z0-9 #./()-]*?)\s*:\s+(\S.*?)\s*$/.exec(line);
    if (!m) continue;
    const key = group(m, 1)
      .toLowerCase()
      .replace(/#/g, 'number')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '');
    if (key && key !== '__proto__' && !Object.hasOwn(into, key)) into[key] = group(m, 2);
  }
}

/** Hex text with optional `0x`, colons and line breaks → bytes, or undefined. */
export function looseHex(text: string): Uint8Array | undefined {
  const clean = text.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) return undefined;
  return fromHex(clean);
}
