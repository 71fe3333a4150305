/**
 * ECDSA P-256 signatures in low-s form. For any valid signature (r, s), (r, n − s) verifies too,
 * so a third party can turn one signed message into a second, different byte string that verifies
 * and has another id. Keywitness signs only with s ≤ n/2 and refuses high-s in its own messages
 * (as BIP 62 and libsecp256k1 do for secp256k1), which makes each signed message's bytes unique.
 * Signatures are IEEE P1363 `r ‖ s`, 32 bytes each (SEC 1 v2 §4.1.3 for the verification itself).
 */

/** The order n of the P-256 base point (FIPS 186-4 §D.1.2.3). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = P256_N >> 1n;

function readScalar(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function writeScalar(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let rest = v;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** True when a 64-byte P-256 signature has s ≤ n/2. Any other length is not low-s. */
export function isLowS(signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  return readScalar(signature.subarray(32)) <= HALF_N;
}

/** The low-s form of a 64-byte P-256 signature: s replaced by n − s when s > n/2. */
export function toLowS(signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new RangeError(`a P-256 signature is 64 bytes, got ${signature.length}`);
  const s = readScalar(signature.subarray(32));
  if (s <= HALF_N) return signature;
  const out = signature.slice();
  out.set(writeScalar(P256_N - s), 32);
  return out;
}
