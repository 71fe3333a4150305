/**
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): what key it holds (algorithm, size, curve) and its
 * SHA-256, the value a generated key and the certificate made from it must share. Also the reverse:
 * an SPKI rebuilt from the raw key material HSM tools print.
 */
import { KeywitnessError } from '../errors.js';
import { toHex } from '../util/bytes.js';
import { bitLength, integerMagnitude, oidOf } from './asn1-values.js';
import { bitString, encodeOid, encodeUnsignedInteger, sequence } from './der-encode.js';
import { childrenOf, contentOf, encodingOf, expectTag, scanDer, type DerNode } from './der.js';
import { sha256Fingerprint, type Fingerprint } from './fingerprints.js';
import {
  CURVE_BITS,
  CURVE_OIDS,
  CURVES,
  lookup,
  OID_EC,
  OID_ED25519,
  OID_ED448,
  OID_RSA,
  OID_RSA_PSS,
} from './oids.js';

/** Facts about a public key. */
export interface KeyFacts {
  /** `RSA`, `RSA-PSS`, `ECDSA`, `Ed25519`, `Ed448`, or the algorithm OID when unknown. */
  readonly algorithm: string;
  /** Key size in bits: RSA modulus length, or the curve's size. */
  readonly size: number | undefined;
  /** Named curve (canonical name, e.g. `P-384`, `Ed25519`) for EC and Edwards keys. */
  readonly curve: string | undefined;
  /** RSA public exponent in decimal. */
  readonly exponent: string | undefined;
  /** The public key itself in hex: EC point, Edwards key, or RSA modulus. */
  readonly publicHex: string;
  /** The exact SPKI DER. */
  readonly spki: Uint8Array;
  /** SHA-256 of the SPKI DER. */
  readonly spkiSha256: Fingerprint;
}

const ED_SIZES: Readonly<Record<string, number>> = { Ed25519: 32, Ed448: 57 };
const EC_COORD_BYTES: Readonly<Record<string, number>> = {
  'P-256': 32,
  'P-384': 48,
  'P-521': 66,
  'P-224': 28,
  secp256k1: 32,
  brainpoolP256r1: 32,
  brainpoolP384r1: 48,
  brainpoolP512r1: 64,
};

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

/** Check an EC point's encoding (SEC 1 §2.3.3) against the curve's size. */
export function checkEcPoint(curve: string, point: Uint8Array, where: string): void {
  const n = lookup(EC_COORD_BYTES, curve);
  if (n === undefined) return;
  const ok =
    (point[0] === 4 && point.length === 1 + 2 * n) || ((point[0] === 2 || point[0] === 3) && point.length === 1 + n);
  if (!ok)
    invalid(
      `EC point of ${point.length} bytes (first byte ${point[0] ?? 'none'}) is not a valid ${curve} point encoding`,
      where,
    );
}

/** Describe an SPKI element located in `bytes`. */
export function describeSpkiNode(bytes: Uint8Array, node: DerNode, where: string): KeyFacts {
  expectTag(node, 16, 'SubjectPublicKeyInfo', where);
  const [algIdNode, keyBitsNode, extra] = childrenOf(bytes, node, where);
  if (extra) invalid('SubjectPublicKeyInfo has more than two fields', where);
  const algId = expectTag(algIdNode, 16, 'SubjectPublicKeyInfo algorithm', where);
  const keyBits = expectTag(keyBitsNode, 3, 'SubjectPublicKeyInfo subjectPublicKey', where);
  const [oidNode, params, extraParam] = childrenOf(bytes, algId, where);
  if (extraParam) invalid('AlgorithmIdentifier has more than two fields', where);
  const oid = oidOf(bytes, oidNode, where);
  const bits = contentOf(bytes, keyBits);
  if (bits.length < 2 || bits[0] !== 0) invalid('subjectPublicKey BIT STRING must have zero unused bits', where);
  const key = bits.subarray(1);
  const spki = encodingOf(bytes, node);
  const base = { spki, spkiSha256: sha256Fingerprint(spki), exponent: undefined as string | undefined };

  if (oid === OID_RSA || oid === OID_RSA_PSS) {
    if (oid === OID_RSA && (!params || params.tag !== 5 || params.end !== params.contentStart)) {
      invalid('rsaEncryption parameters must be NULL (RFC 3279 §2.3.1)', where);
    }
    const rsa = scanDer(key, `${where} (RSAPublicKey)`);
    const [n, e, more] = childrenOf(key, expectTag(rsa, 16, 'RSAPublicKey', where), where);
    if (more) invalid('RSAPublicKey has more than two fields', where);
    const mod = integerMagnitude(contentOf(key, expectTag(n, 2, 'RSA modulus', where)), where);
    const exp = integerMagnitude(contentOf(key, expectTag(e, 2, 'RSA exponent', where)), where);
    if (mod.negative || exp.negative) invalid('RSA modulus and exponent must be positive', where);
    return {
      ...base,
      algorithm: oid === OID_RSA ? 'RSA' : 'RSA-PSS',
      size: bitLength(mod.magnitude),
      curve: undefined,
      exponent: BigInt(`0x${toHex(exp.magnitude)}`).toString(10),
      publicHex: toHex(mod.magnitude),
    };
  }
  if (oid === OID_EC) {
    if (!params || params.cls !== 0 || params.tag !== 6) {
      throw new KeywitnessError(
        'EVIDENCE_UNSUPPORTED',
        'EC key without a named curve (explicit parameters are not accepted, RFC 5480 §2.1.1)',
        { where },
      );
    }
    const curveOid = oidOf(bytes, params, where);
    const curve = lookup(CURVES, curveOid) ?? curveOid;
    checkEcPoint(curve, key, where);
    return { ...base, algorithm: 'ECDSA', size: lookup(CURVE_BITS, curve), curve, publicHex: toHex(key) };
  }
  if (oid === OID_ED25519 || oid === OID_ED448) {
    const name = oid === OID_ED25519 ? 'Ed25519' : 'Ed448';
    if (params) invalid(`${name} AlgorithmIdentifier must have no parameters (RFC 8410 §3)`, where);
    if (key.length !== ED_SIZES[name])
      invalid(`${name} public key must be ${ED_SIZES[name]} bytes, found ${key.length}`, where);
    return { ...base, algorithm: name, size: CURVE_BITS[name], curve: name, publicHex: toHex(key) };
  }
  return { ...base, algorithm: oid, size: undefined, curve: undefined, publicHex: toHex(key) };
}

/** Describe a standalone SPKI DER (a `PUBLIC KEY` file). */
export function describeSpki(der: Uint8Array, where: string): KeyFacts {
  return describeSpkiNode(der, scanDer(der, where), where);
}

/** SPKI for an EC public point on a named curve (RFC 5480 §2). */
export function spkiFromEcPoint(curve: string, point: Uint8Array, where: string): Uint8Array {
  if (curve === 'Ed25519' || curve === 'Ed448') return spkiFromEdwards(curve, point, where);
  const curveOid = lookup(CURVE_OIDS, curve);
  if (!curveOid) throw new KeywitnessError('EVIDENCE_UNSUPPORTED', `curve ${curve} has no known OID`, { where });
  checkEcPoint(curve, point, where);
  return sequence(sequence(encodeOid(OID_EC), encodeOid(curveOid)), bitString(point));
}

/** SPKI for an Ed25519/Ed448 public key (RFC 8410 §4). */
export function spkiFromEdwards(curve: 'Ed25519' | 'Ed448', raw: Uint8Array, where: string): Uint8Array {
  if (raw.length !== ED_SIZES[curve])
    invalid(`${curve} public key must be ${ED_SIZES[curve]} bytes, found ${raw.length}`, where);
  return sequence(sequence(encodeOid(curve === 'Ed25519' ? OID_ED25519 : OID_ED448)), bitString(raw));
}

/** SPKI for an RSA modulus and exponent (RFC 3279 §2.3.1). */
export function spkiFromRsa(modulus: Uint8Array, exponent: Uint8Array): Uint8Array {
  const rsaKey = sequence(encodeUnsignedInteger(modulus), encodeUnsignedInteger(exponent));
  return sequence(sequence(encodeOid(OID_RSA), Uint8Array.of(0x05, 0x00)), bitString(rsaKey));
}
