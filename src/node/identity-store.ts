/**
 * This device's signing key (docs/architecture.md, "Formats: identities and signatures"), stored as
 * PKCS#8 DER in the user-data folder with owner-only permissions. Saving is atomic and never
 * replaces an existing key: the key is written to a temporary file, fsynced, then hard-linked into
 * place (link(2) fails if the name exists), so a crash leaves either no key or the whole key, and a
 * bug or a hostile call cannot swap the identity the other participants enrolled.
 */
import { link, open, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KeywitnessError } from '../core/errors.js';
import { fsyncDirectory, ioError, readAt, writeAllAt } from './fs-util.js';

/** File name of the key inside the user-data folder. */
export const IDENTITY_FILE = 'device-identity.pkcs8';
/** Largest key accepted (an Ed25519 key is 48 bytes, P-256 about 138). */
export const MAX_IDENTITY_BYTES = 4096;

/**
 * Check the outer DER shape of a PKCS#8 PrivateKeyInfo (RFC 5208 §5, RFC 5958 §2): one SEQUENCE
 * whose definite length covers exactly the input, starting with INTEGER version 0 or 1. The key
 * itself is checked when WebCrypto imports it; this gate keeps arbitrary bytes off the disk.
 */
export function checkPkcs8Shape(der: Uint8Array): void {
  const fail = (why: string) => new KeywitnessError('KEY_INVALID', `not a PKCS#8 private key: ${why}`);
  if (!(der instanceof Uint8Array) || der.length < 8) throw fail('too short');
  if (der.length > MAX_IDENTITY_BYTES)
    throw new KeywitnessError('INPUT_TOO_LARGE', `key of ${der.length} bytes exceeds ${MAX_IDENTITY_BYTES}`);
  if (der[0] !== 0x30) throw fail('does not start with a SEQUENCE');
  // At least 8 bytes, so the length bytes read below (offsets 1 to 3) are all there.
  const view = new DataView(der.buffer, der.byteOffset, der.byteLength);
  let len = view.getUint8(1);
  let off = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 2) throw fail('unsupported length encoding');
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | view.getUint8(off + i);
    off += n;
    // DER (X.690 §10.1): the shortest length form only.
    if (len < 0x80 || (n === 2 && len < 0x100)) throw fail('length not in shortest form');
  }
  if (off + len !== der.length)
    throw fail(
      `SEQUENCE length ${len} does not cover the ${der.length - off} bytes that follow (trailing or missing bytes)`,
    );
  if (der[off] !== 0x02 || der[off + 1] !== 0x01 || (der[off + 2] !== 0x00 && der[off + 2] !== 0x01))
    throw fail('version is not INTEGER 0 or 1');
}

/** Store the key; ALREADY_EXISTS if this device already has one. */
export async function saveIdentity(dir: string, pkcs8: Uint8Array): Promise<void> {
  checkPkcs8Shape(pkcs8);
  const final = join(dir, IDENTITY_FILE);
  const tmp = join(dir, `.${IDENTITY_FILE}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      await writeAllAt(fh, pkcs8, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await link(tmp, final);
    await fsyncDirectory(dir);
  } catch (e) {
    const err = ioError(e, 'cannot save the device identity', final);
    if (err.code === 'ALREADY_EXISTS') {
      throw new KeywitnessError('ALREADY_EXISTS', 'this device already has an identity; it is never replaced', {
        where: final,
        cause: e,
      });
    }
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** The stored key, or null when none was saved yet. A damaged file is KEY_INVALID, not null. */
export async function loadIdentity(dir: string): Promise<Uint8Array | null> {
  const path = join(dir, IDENTITY_FILE);
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(e, 'cannot read the device identity', path);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_IDENTITY_BYTES)
      throw new KeywitnessError('KEY_INVALID', 'the stored identity is not a key file', { where: path });
    const der = await readAt(fh, st.size, 0);
    checkPkcs8Shape(der);
    return der;
  } finally {
    await fh.close();
  }
}
