/**
 * Hashes for core. SHA-256 is synchronous (@noble/hashes, audited) because transcript hashing runs
 * once per entry in tight loops where a WebCrypto promise per 100-byte input would cost more than
 * the hash itself. Signatures stay with WebCrypto.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { sha384 as nobleSha384 } from '@noble/hashes/sha2.js';

/** SHA-256 of the bytes (FIPS 180-4). */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** SHA-384 of the bytes (FIPS 180-4). */
export function sha384(data: Uint8Array): Uint8Array {
  return nobleSha384(data);
}

/** SHA-1 of the bytes; only for fingerprints other tools still print (certificate SHA-1, DS type 1). */
export function sha1(data: Uint8Array): Uint8Array {
  return nobleSha1(data);
}
