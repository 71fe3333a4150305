import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, rm, stat, writeFile, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { IDENTITY_FILE, checkPkcs8Shape, loadIdentity, saveIdentity } from '../../../src/node/identity-store.js';
import { isKeywitnessError } from '../../../src/core/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-id-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function realKey(alg: 'Ed25519' | 'P-256'): Promise<Uint8Array> {
  const params = alg === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
  const pair = (await webcrypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
  return new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey));
}

describe('device identity', () => {
  it.each(['Ed25519', 'P-256'] as const)('stores a real %s PKCS#8 key owner-only and loads it back', async (alg) => {
    const key = await realKey(alg);
    expect(await loadIdentity(dir)).toBeNull();
    await saveIdentity(dir, key);
    expect(await loadIdentity(dir)).toEqual(key);
    expect((await stat(join(dir, IDENTITY_FILE))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual([IDENTITY_FILE]); // no temporary file left
  });

  it('never replaces an existing identity', async () => {
    const a = await realKey('Ed25519');
    await saveIdentity(dir, a);
    const e = await saveIdentity(dir, await realKey('Ed25519')).catch((x: unknown) => x);
    expect(isKeywitnessError(e, 'ALREADY_EXISTS')).toBe(true);
    expect(await loadIdentity(dir)).toEqual(a);
    expect(await readdir(dir)).toEqual([IDENTITY_FILE]);
  });

  it('refuses a damaged stored key instead of treating it as absent', async () => {
    await writeFile(join(dir, IDENTITY_FILE), 'garbage!');
    await expect(loadIdentity(dir)).rejects.toThrow(/not a PKCS#8 private key/);
  });

  it('does not follow a link planted as the key file', async () => {
    await symlink('/etc/hostname', join(dir, IDENTITY_FILE));
    await expect(loadIdentity(dir)).rejects.toMatchObject({ code: 'POLICY_DENIED' });
  });

  it('accepts the long-form length of a P-256 key', async () => {
    const key = await realKey('P-256');
    expect(key[1]).toBe(0x81);
    expect(() => checkPkcs8Shape(key)).not.toThrow();
  });

  const ed = Buffer.from('302e020100300506032b657004220420' + '11'.repeat(32), 'hex');
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['too short', () => Uint8Array.of(0x30, 0x00), /too short/],
    [
      'not a SEQUENCE',
      () => {
        const b = Uint8Array.from(ed);
        b[0] = 0x31;
        return b;
      },
      /SEQUENCE/,
    ],
    ['a trailing byte', () => Uint8Array.from([...ed, 0]), /trailing or missing/],
    ['a missing byte', () => Uint8Array.from(ed.subarray(0, ed.length - 1)), /trailing or missing/],
    ['a non-minimal length', () => Uint8Array.from([0x30, 0x81, 0x2e, ...ed.subarray(2)]), /shortest form/],
    ['a 3-byte length', () => Uint8Array.from([0x30, 0x83, 0, 0, 0x2e, ...ed.subarray(2)]), /length encoding/],
    [
      'version 2',
      () => {
        const b = Uint8Array.from(ed);
        b[4] = 2;
        return b;
      },
      /version/,
    ],
    ['5000 bytes', () => new Uint8Array(5000), /exceeds/],
  ];
  it.each(cases)('refuses a key with %s', (_name, make, error) => {
    expect(() => checkPkcs8Shape(make())).toThrow(error);
  });
});
