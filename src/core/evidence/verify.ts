/**
 * Signature verification of certificates and CSRs through WebCrypto: the engine pkijs was given
 * (src/node/crypto-engine.ts installs @peculiar/webcrypto in Node) or, failing that, the platform's
 * `globalThis.crypto` (the renderer's native WebCrypto). An algorithm the engine cannot verify is
 * reported as `unsupported`, never as valid.
 */
import * as pkijs from 'pkijs';
import { oidOf, integerMagnitude } from './asn1-values.js';
import { childrenOf, contentOf, scanDer, type DerNode } from './der.js';
import type { KeyFacts } from './keys.js';
import { lookup, OID_ED25519, OID_ED448, SIGNATURE_ALGORITHMS } from './oids.js';

/** Outcome of one signature verification. */
export interface VerifyResult {
  readonly status: 'valid' | 'invalid' | 'unsupported';
  /** Why, in a sentence: the algorithm used, or what could not be done. */
  readonly detail: string;
}

/** A signature algorithm as found in a certificate or CSR. */
export interface SignatureAlgorithm {
  readonly oid: string;
  /** OpenSSL name, or the OID. */
  readonly name: string;
  /** DER of the parameters, if any (needed for RSA-PSS). */
  readonly params: Uint8Array | undefined;
}

/** Read an AlgorithmIdentifier element. */
export function readAlgorithm(bytes: Uint8Array, node: DerNode, where: string): SignatureAlgorithm {
  const [oidNode, params] = childrenOf(bytes, node, where);
  const oid = oidOf(bytes, oidNode, where);
  return {
    oid,
    name: lookup(SIGNATURE_ALGORITHMS, oid) ?? oid,
    params: params ? bytes.subarray(params.start, params.end) : undefined,
  };
}

/** The SubtleCrypto in use: pkijs's engine, else the platform's. */
export function currentSubtle(): SubtleCrypto | undefined {
  try {
    const engine = pkijs.getCrypto(false) as { subtle?: SubtleCrypto } | null;
    if (engine?.subtle) return engine.subtle;
  } catch {
    // pkijs throws when no engine was ever set; fall back to the platform below.
  }
  return (globalThis as { crypto?: Crypto }).crypto?.subtle;
}

const HASHES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'SHA-1',
  '1.2.840.113549.1.1.11': 'SHA-256',
  '1.2.840.113549.1.1.12': 'SHA-384',
  '1.2.840.113549.1.1.13': 'SHA-512',
  '1.2.840.10045.4.1': 'SHA-1',
  '1.2.840.10045.4.3.2': 'SHA-256',
  '1.2.840.10045.4.3.3': 'SHA-384',
  '1.2.840.10045.4.3.4': 'SHA-512',
};
const HASH_OIDS: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
/** A fresh copy on its own ArrayBuffer, as WebCrypto's BufferSource requires. */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

const COORD: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/** ECDSA-Sig-Value (RFC 3279 §2.2.3) → IEEE P1363 r||s as WebCrypto expects. */
function ecdsaDerToP1363(sig: Uint8Array, size: number, where: string): Uint8Array | undefined {
  try {
    const seq = scanDer(sig, where);
    const [r, s, extra] = childrenOf(sig, seq, where);
    if (!r || !s || extra || r.tag !== 2 || s.tag !== 2) return undefined;
    const out = new Uint8Array(2 * size);
    for (const [i, node] of [r, s].entries()) {
      const { negative, magnitude } = integerMagnitude(contentOf(sig, node), where);
      if (negative || magnitude.length > size) return undefined;
      out.set(magnitude, i * size + size - magnitude.length);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** RSASSA-PSS-params (RFC 4055 §3.1) → hash name and salt length; only MGF1 with the same hash. */
function pssParams(params: Uint8Array | undefined, where: string): { hash: string; saltLength: number } | string {
  if (!params) return 'RSA-PSS without parameters (SHA-1 defaults) is not accepted';
  const seq = scanDer(params, where);
  let hash = 'SHA-1';
  let mgfHash = 'SHA-1';
  let saltLength = 20;
  for (const field of childrenOf(params, seq, where)) {
    if (field.cls !== 2) return 'unexpected field in RSA-PSS parameters';
    const [inner] = childrenOf(params, field, where);
    if (!inner) return 'empty field in RSA-PSS parameters';
    if (field.tag === 0)
      hash = lookup(HASH_OIDS, oidOf(params, childrenOf(params, inner, where)[0], where)) ?? 'unknown';
    else if (field.tag === 1) {
      const [mgfOid, mgfAlg] = childrenOf(params, inner, where);
      if (oidOf(params, mgfOid, where) !== '1.2.840.113549.1.1.8' || !mgfAlg)
        return 'RSA-PSS mask generation other than MGF1';
      mgfHash = lookup(HASH_OIDS, oidOf(params, childrenOf(params, mgfAlg, where)[0], where)) ?? 'unknown';
    } else if (field.tag === 2) {
      const { magnitude } = integerMagnitude(contentOf(params, inner), where);
      saltLength = magnitude.reduce((a, b) => a * 256 + b, 0);
    }
  }
  if (hash === 'unknown' || mgfHash !== hash) return `RSA-PSS with hash ${hash} and MGF1 hash ${mgfHash}`;
  return { hash, saltLength };
}

/**
 * Verify `signature` over `signed` with the key in `key`, using the algorithm named in the
 * certificate or CSR. Never throws: malformed signatures are `invalid`, missing support is
 * `unsupported`.
 */
export async function verifySignature(
  key: KeyFacts,
  alg: SignatureAlgorithm,
  signed: Uint8Array,
  signature: Uint8Array,
  where: string,
): Promise<VerifyResult> {
  const subtle = currentSubtle();
  if (!subtle) return { status: 'unsupported', detail: 'no WebCrypto implementation is available on this device' };
  let importAlg: RsaHashedImportParams | EcKeyImportParams | Algorithm;
  let verifyAlg: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  let sig = signature;
  const hash = lookup(HASHES, alg.oid);
  try {
    if (alg.oid.startsWith('1.2.840.113549.1.1.') && hash) {
      if (key.algorithm !== 'RSA')
        return { status: 'invalid', detail: `${alg.name} signature but the key is ${key.algorithm}` };
      importAlg = { name: 'RSASSA-PKCS1-v1_5', hash };
      verifyAlg = { name: 'RSASSA-PKCS1-v1_5' };
    } else if (alg.oid === '1.2.840.113549.1.1.10') {
      if (key.algorithm !== 'RSA')
        return { status: 'unsupported', detail: `RSA-PSS with a ${key.algorithm} key cannot be verified here` };
      const p = pssParams(alg.params, where);
      if (typeof p === 'string') return { status: 'unsupported', detail: p };
      importAlg = { name: 'RSA-PSS', hash: p.hash };
      verifyAlg = { name: 'RSA-PSS', saltLength: p.saltLength };
    } else if (alg.oid.startsWith('1.2.840.10045.4.') && hash) {
      if (key.algorithm !== 'ECDSA')
        return { status: 'invalid', detail: `${alg.name} signature but the key is ${key.algorithm}` };
      const curve = key.curve;
      const size = curve === undefined ? undefined : lookup(COORD, curve);
      if (curve === undefined || !size)
        return {
          status: 'unsupported',
          detail: `ECDSA on curve ${curve ?? '?'} cannot be verified with WebCrypto`,
        };
      const p1363 = ecdsaDerToP1363(signature, size, where);
      if (!p1363) return { status: 'invalid', detail: 'the ECDSA signature is not a well-formed ECDSA-Sig-Value' };
      sig = p1363;
      importAlg = { name: 'ECDSA', namedCurve: curve };
      verifyAlg = { name: 'ECDSA', hash };
    } else if (alg.oid === OID_ED25519 || alg.oid === OID_ED448) {
      const name = alg.oid === OID_ED25519 ? 'Ed25519' : 'Ed448';
      if (key.algorithm !== name)
        return { status: 'invalid', detail: `${name} signature but the key is ${key.algorithm}` };
      return await verifyEdwards(subtle, name, key.spki, signature, signed);
    } else {
      return { status: 'unsupported', detail: `signature algorithm ${alg.name} is not supported` };
    }
  } catch (e) {
    return { status: 'invalid', detail: `malformed signature parameters: ${(e as Error).message}` };
  }
  let cryptoKey: CryptoKey;
  try {
    cryptoKey = await subtle.importKey('spki', own(key.spki), importAlg, false, ['verify']);
  } catch (e) {
    return {
      status: 'unsupported',
      detail: `this device's WebCrypto cannot import the ${key.algorithm} key for ${alg.name}: ${(e as Error).message}`,
    };
  }
  try {
    const ok = await subtle.verify(verifyAlg, cryptoKey, own(sig), own(signed));
    return ok
      ? { status: 'valid', detail: `${alg.name} signature verified` }
      : { status: 'invalid', detail: `${alg.name} signature does not verify` };
  } catch (e) {
    return { status: 'invalid', detail: `${alg.name} verification failed: ${(e as Error).message}` };
  }
}

/**
 * Verify an Ed25519/Ed448 signature (RFC 8032 §5.1.7, §5.2.7) over `data` with an SPKI key: the
 * standard WebCrypto name first, then the older `EdDSA` + namedCurve form some engines use.
 */
export async function verifyEdwards(
  subtle: SubtleCrypto,
  name: string,
  spki: Uint8Array,
  sig: Uint8Array,
  data: Uint8Array,
): Promise<VerifyResult> {
  const forms: [Algorithm, Algorithm][] = [
    [{ name }, { name }],
    [{ name: 'EdDSA', namedCurve: name } as Algorithm, { name: 'EdDSA' }],
  ];
  const errors: string[] = [];
  for (const [importAlg, verifyAlg] of forms) {
    let key: CryptoKey;
    try {
      key = await subtle.importKey('spki', own(spki), importAlg, false, ['verify']);
    } catch (e) {
      errors.push((e as Error).message);
      continue;
    }
    try {
      const ok = await subtle.verify(verifyAlg, key, own(sig), own(data));
      return ok
        ? { status: 'valid', detail: `${name} signature verified` }
        : { status: 'invalid', detail: `${name} signature does not verify` };
    } catch (e) {
      return { status: 'invalid', detail: `${name} verification failed: ${(e as Error).message}` };
    }
  }
  return { status: 'unsupported', detail: `this device's WebCrypto does not support ${name} (${errors.join('; ')})` };
}
