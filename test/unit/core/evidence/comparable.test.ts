/**
 * The fingerprint a witness compares is shown in the form the named command prints it, and the
 * command really prints it: each `how` is run here with the system's OpenSSL and sha256sum on the
 * sample ceremonies' files and its output compared with `hex` character for character. A key that
 * lives in an HSM is named by a command for the ceremony laptop, never by a key file the witness
 * does not hold.
 */
import { execSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparableFingerprints, fileFingerprint, formatHex } from '../../../../src/core/evidence/comparable.js';
import { describeEvidence } from '../../../../src/core/evidence/describe.js';
import type { EvidenceKind } from '../../../../src/core/script/types.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { missingTool } from '../../../support/tools.js';

const ASSETS = join(import.meta.dirname, '../../../../assets/ceremonies');
const hasOpenssl = (() => {
  try {
    execSync('openssl version', { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function described(kind: EvidenceKind, path: string, parser?: string) {
  installCryptoEngine();
  const bytes = new Uint8Array(readFileSync(path));
  return describeEvidence(kind, bytes, parser);
}

/** Run `how` in a folder holding the file under its own name; the digest it prints. */
function run(how: string, path: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kw-comparable-'));
  copyFileSync(path, join(dir, name));
  const out = execSync(how, { cwd: dir, encoding: 'utf8', shell: '/bin/sh' }).trim();
  // openssl x509 -fingerprint prints "sha256 Fingerprint=AB:CD…"; sha256sum prints "abcd…  FILE".
  return out.replace(/^.*Fingerprint=/i, '').split(/\s+/)[0]!;
}

describe('comparable fingerprints', () => {
  it('formats the hex as the command prints it', () => {
    const b = Uint8Array.from([0x19, 0xbf, 0x7e, 0x63]);
    expect(formatHex(b, 'colon')).toBe('19:BF:7E:63');
    expect(formatHex(b, 'plain')).toBe('19bf7e63');
    const f = fileFingerprint('3.2-keypairgen.txt', b);
    expect(f).toMatchObject({ how: 'sha256sum 3.2-keypairgen.txt', hexFormat: 'plain', hex: '19bf7e63' });
    expect(fileFingerprint('pasted text', b).how).toBe('sha256sum FILE');
  });

  it.skipIf(missingTool(hasOpenssl, 'openssl')).each([
    ['certificate', 'root-ca-rehearsal/4.1/root.pem', 'root-ca.pem', ['colon', 'plain', 'plain']],
    ['csr', 'intermediate-ca-signing/3.1/csr.pem', 'ica.csr.pem', ['plain', 'plain', 'plain']],
    ['public-key', 'root-ca-rehearsal/3.3/root_pub.pem', 'root-ca-p384.pub.pem', ['plain', 'plain']],
  ] as const)('%s: each command prints exactly the hex shown', async (kind, file, name, formats) => {
    const path = join(ASSETS, file);
    const list = comparableFingerprints(await described(kind, path), name);
    expect(list.map((f) => f.hexFormat)).toEqual(formats);
    for (const f of list) {
      expect(f.how).toBe(f.command);
      expect(f.command).toContain(name);
      expect(run(f.command, path, name)).toBe(f.hex);
    }
    expect(list.at(-1)!.hex).toBe(formatHex(sha256(new Uint8Array(readFileSync(path))), 'plain'));
  });

  it('names the placeholder when the evidence has no file name (pasted, scanned)', async () => {
    const d = await described('certificate', join(ASSETS, 'root-ca-rehearsal/4.1/root.pem'));
    expect(comparableFingerprints(d, 'scanned QR code')[0]!.how).toBe(
      'openssl x509 -in CERT.pem -noout -fingerprint -sha256',
    );
  });

  it('an HSM key: the command runs on the ceremony laptop against the token, by the label the output shows', async () => {
    const d = await described('hsm-output', join(ASSETS, 'root-ca-rehearsal/3.2/keygen.txt'), 'pkcs11-tool');
    const [key, file] = comparableFingerprints(d, 'keygen.txt');
    expect(key!.label).toBe('SHA-256 of the public key');
    expect(key!.where).toMatch(/^on the ceremony laptop/);
    expect(key!.command).toBe(
      'openssl pkey -engine pkcs11 -inform engine -pubin -in "pkcs11:object=root-ca-p384;type=public" -outform DER | sha256sum',
    );
    expect(key!.how).toBe(`${key!.where}: ${key!.command}`);
    expect(key!.how).not.toContain('KEY.pem');
    expect(key!.hexFormat).toBe('plain');
    expect(file!.how).toBe('sha256sum keygen.txt');
    // The same key as the file exported at step 3.3, where a witness can run the file command.
    const exported = comparableFingerprints(
      await described('public-key', join(ASSETS, 'root-ca-rehearsal/3.3/root_pub.pem')),
    )[0]!;
    expect(key!.hex).toBe(exported.hex);
  });
});
