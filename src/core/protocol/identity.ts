/**
 * Identities and signatures (docs/architecture.md, "Formats: identities and signatures"). Ed25519 by default, ECDSA P-256 with IEEE P1363
 * signatures for organisations that require FIPS curves; both through WebCrypto, which Chromium and
 * Node share. A key's fingerprint is SHA-256 of its raw public key.
 *
 * Domain separation: the bytes actually signed are `"keywitness/1/" || type || 0x00 || envelope`, so
 * a signature made for one message type can never be replayed as another, nor as anything outside
 * Keywitness.
 */
import { toLowS } from './low-s.js';
import { KeywitnessError } from '../errors.js';
import { concatBytes, equalBytes, toHex, utf8 } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';

export type SignatureAlgorithm = 'ed25519' | 'p256';
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['ed25519', 'p256'];

/** Raw public key lengths: RFC 8032 §5.1.5 (32 bytes); SEC 1 §2.3.3 uncompressed point (65 bytes). */
const PUBLIC_KEY_LENGTH: Record<SignatureAlgorithm, number> = { ed25519: 32, p256: 65 };
/** Signature lengths: RFC 8032 §5.1.6 (R || S); IEEE P1363 r || s for P-256. */
export const SIGNATURE_LENGTH: Record<SignatureAlgorithm, number> = { ed25519: 64, p256: 64 };

const IMPORT_PARAMS: Record<SignatureAlgorithm, EcKeyImportParams | Algorithm> = {
  ed25519: { name: 'Ed25519' },
  p256: { name: 'ECDSA', namedCurve: 'P-256' },
};
const SIGN_PARAMS: Record<SignatureAlgorithm, Algorithm | EcdsaParams> = {
  ed25519: { name: 'Ed25519' },
  p256: { name: 'ECDSA', hash: 'SHA-256' },
};

/** A public identity: algorithm, raw public key and its fingerprint. */
export interface PublicIdentity {
  readonly alg: SignatureAlgorithm;
  readonly publicKey: Uint8Array;
  /** SHA-256 of the raw public key. */
  readonly fingerprint: Uint8Array;
}

/** A private signing identity held by one device. */
export interface Signer extends PublicIdentity {
  /** Sign already domain-separated bytes. */
  signRaw(data: Uint8Array): Promise<Uint8Array>;
  /** PKCS#8 of the private key, when it was created extractable (for the device's own storage). */
  exportPkcs8(): Promise<Uint8Array>;
}

let subtleCrypto: SubtleCrypto | undefined;

function subtle(): SubtleCrypto {
  if (subtleCrypto) return subtleCrypto;
  const s = globalThis.crypto?.subtle;
  if (!s) throw new KeywitnessError('KEY_INVALID', 'WebCrypto is not available in this environment');
  subtleCrypto = s;
  return s;
}

/** Check an algorithm name read from untrusted input. */
export function parseAlgorithm(value: unknown, where?: string): SignatureAlgorithm {
  if (value === 'ed25519' || value === 'p256') return value;
  throw new KeywitnessError(
    'KEY_INVALID',
    `unknown signature algorithm ${JSON.stringify(value)}; expected "ed25519" or "p256"`,
    where === undefined ? {} : { where },
  );
}

/** Check a raw public key's length and form for its algorithm. */
export function checkPublicKey(alg: SignatureAlgorithm, publicKey: Uint8Array, where?: string): void {
  const opts = where === undefined ? {} : { where };
  const want = PUBLIC_KEY_LENGTH[alg];
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== want) {
    throw new KeywitnessError(
      'KEY_INVALID',
      `${alg} public key must be ${want} bytes, got ${publicKey?.length ?? 'none'}`,
      opts,
    );
  }
  if (alg === 'p256' && publicKey[0] !== 0x04) {
    throw new KeywitnessError('KEY_INVALID', 'P-256 public key must be an uncompressed point (first byte 0x04)', opts);
  }
}

/** Fingerprint of a raw public key: SHA-256. */
export function fingerprintOf(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey);
}

const domainPrefixes = new Map<string, Uint8Array>();

/** The exact bytes a signature covers: `"keywitness/1/" || type || 0x00 || envelope`. */
export function signedBytes(type: string, envelope: Uint8Array): Uint8Array {
  let prefix = domainPrefixes.get(type);
  if (!prefix) {
    prefix = concatBytes(utf8(`keywitness/1/${type}`), new Uint8Array([0]));
    if (domainPrefixes.size < 64) domainPrefixes.set(type, prefix);
  }
  const out = new Uint8Array(prefix.length + envelope.length);
  out.set(prefix, 0);
  out.set(envelope, prefix.length);
  return out;
}

// Imported verification keys, by algorithm and key bytes. Importing costs about as much as a
// verification, and an audit checks thousands of signatures from a handful of keys. Once an import
// has resolved, the key is kept as a value so a verification starts at once, without waiting for
// a turn of the event loop: an audit starts thousands of them before it goes on with its own work.
interface CachedKey {
  readonly pending: Promise<CryptoKey>;
  ready?: CryptoKey;
  failed?: boolean;
}
const keyCache = new Map<string, CachedKey>();
const KEY_CACHE_LIMIT = 4096;
// Per key array: the cache entry and a copy of the bytes it was looked up for, so repeated
// verifications with the same array skip hex-encoding it; a changed array no longer matches.
const keyByArray = new WeakMap<
  Uint8Array,
  { readonly alg: SignatureAlgorithm; readonly bytes: Uint8Array; readonly entry: CachedKey }
>();

function cachedVerifyKey(alg: SignatureAlgorithm, publicKey: Uint8Array): CachedKey {
  const known = keyByArray.get(publicKey);
  if (known && known.alg === alg && !known.entry.failed && equalBytes(known.bytes, publicKey)) return known.entry;
  const id = alg + toHex(publicKey);
  let entry = keyCache.get(id);
  if (!entry) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    const pending = subtle().importKey('raw', publicKey.slice(), IMPORT_PARAMS[alg], false, ['verify']);
    const created: CachedKey = { pending };
    // A key that fails to import is not cached: the failure is reported to every caller afresh.
    pending.then(
      (key) => {
        created.ready = key;
      },
      () => {
        created.failed = true;
        keyCache.delete(id);
      },
    );
    keyCache.set(id, created);
    entry = created;
  }
  keyByArray.set(publicKey, { alg, bytes: publicKey.slice(), entry });
  return entry;
}

/**
 * Import the verification keys of these identities ahead of time, so that verifications of their
 * messages can all start at once. Keys that fail to import are reported by verifySignature.
 */
export async function prepareVerifyKeys(identities: Iterable<PublicIdentity>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (const id of identities) {
    try {
      checkPublicKey(id.alg, id.publicKey);
    } catch {
      continue;
    }
    pending.push(cachedVerifyKey(id.alg, id.publicKey).pending.catch(() => undefined));
  }
  await Promise.all(pending);
}

/**
 * Verify a signature over `data` (already domain-separated). Returns false for any invalid
 * signature, including one of the wrong length; throws KEY_INVALID only when the public key itself
 * is malformed or not on the curve.
 */
export function verifySignature(
  alg: SignatureAlgorithm,
  publicKey: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    checkPublicKey(alg, publicKey);
  } catch (e) {
    return Promise.reject(e);
  }
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH[alg]) return Promise.resolve(false);
  const cached = cachedVerifyKey(alg, publicKey);
  // With the key at hand the check starts now, in this turn; otherwise once the import is done.
  if (cached.ready) return runVerify(alg, cached.ready, data, signature);
  return cached.pending.then(
    (key) => runVerify(alg, key, data, signature),
    (e: unknown) => {
      throw new KeywitnessError('KEY_INVALID', `${alg} public key rejected: ${(e as Error).message}`, { cause: e });
    },
  );
}

function runVerify(alg: SignatureAlgorithm, key: CryptoKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  // Views are passed as they are: WebCrypto copies its inputs before the job starts. Some
  // implementations throw on malformed signatures instead of returning false; both mean "invalid".
  try {
    return subtle()
      .verify(SIGN_PARAMS[alg], key, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>)
      .catch(() => false);
  } catch {
    return Promise.resolve(false);
  }
}

async function signerFromKeys(alg: SignatureAlgorithm, privateKey: CryptoKey, publicKey: Uint8Array): Promise<Signer> {
  checkPublicKey(alg, publicKey);
  const fingerprint = fingerprintOf(publicKey);
  return {
    alg,
    publicKey,
    fingerprint,
    async signRaw(data) {
      const signature = new Uint8Array(await subtle().sign(SIGN_PARAMS[alg], privateKey, data.slice()));
      // WebCrypto's ECDSA returns either s; Keywitness messages carry only the low one (low-s.ts).
      return alg === 'p256' ? toLowS(signature) : signature;
    },
    async exportPkcs8() {
      if (!privateKey.extractable)
        throw new KeywitnessError('KEY_INVALID', 'this private key was created non-extractable');
      return new Uint8Array(await subtle().exportKey('pkcs8', privateKey));
    },
  };
}

/** Generate a new signing identity. `extractable` lets the device store its key (PKCS#8). */
export async function generateSigner(alg: SignatureAlgorithm = 'ed25519', extractable = false): Promise<Signer> {
  const pair = await subtle().generateKey(IMPORT_PARAMS[alg] as EcKeyGenParams, extractable, ['sign', 'verify']);
  const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return signerFromKeys(alg, pair.privateKey, raw);
}

/** Load a signing identity from its PKCS#8 private key (as stored by the device). */
export async function signerFromPkcs8(
  alg: SignatureAlgorithm,
  pkcs8: Uint8Array,
  extractable = false,
): Promise<Signer> {
  let privateKey: CryptoKey;
  try {
    privateKey = await subtle().importKey('pkcs8', pkcs8.slice(), IMPORT_PARAMS[alg], true, ['sign']);
  } catch (e) {
    throw new KeywitnessError('KEY_INVALID', `not a valid ${alg} PKCS#8 private key`, { cause: e });
  }
  // WebCrypto cannot derive the public key from a private CryptoKey directly; JWK export carries it.
  const jwk = await subtle().exportKey('jwk', privateKey);
  const publicKey = publicKeyFromJwk(alg, jwk);
  if (!extractable) privateKey = await subtle().importKey('pkcs8', pkcs8.slice(), IMPORT_PARAMS[alg], false, ['sign']);
  return signerFromKeys(alg, privateKey, publicKey);
}

function publicKeyFromJwk(alg: SignatureAlgorithm, jwk: JsonWebKey): Uint8Array {
  const b64u = (s: string | undefined): Uint8Array => {
    if (!s) throw new KeywitnessError('KEY_INVALID', 'private key has no public part');
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  };
  if (alg === 'ed25519') return b64u(jwk.x);
  return concatBytes(new Uint8Array([4]), b64u(jwk.x), b64u(jwk.y));
}
