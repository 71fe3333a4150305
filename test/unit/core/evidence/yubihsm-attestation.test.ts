/**
 * YubiHSM 2 key attestations: the real ones from the PSF's 2020 ceremony (test/vectors/attestation)
 * verified against their device certificates and read (serial, firmware, origin, domains,
 * capabilities, object id, label, the attested key), compared with `openssl verify
 * -partial_chain`; another device's certificate, an impostor device with the real one's name and a
 * forged attestation naming another serial each rejected; malformed Yubico extensions (made with
 * openssl) each refused with what is wrong.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../../src/core/evidence/certificate.js';
import { describeSpki } from '../../../../src/core/evidence/keys.js';
import { derBlocks } from '../../../../src/core/evidence/pem.js';
import {
  readTrustMaterial,
  verifyEvidenceSignatures,
  type EvidenceVerification,
} from '../../../../src/core/evidence/verify-signatures.js';
import { readYubiHsmAttestation } from '../../../../src/core/evidence/yubihsm-attestation.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { VECTORS_DIR } from '../../../support/vectors.js';
import { flipNearEnd } from './signed-fixtures.js';

const A = join(VECTORS_DIR, 'attestation', 'yubihsm2-psf-2020');
const file = (serial: string, name: string): string => join(A, serial, `${serial}_${name}`);
const bytes = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

let work: string;

function openssl(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('openssl', args, { cwd: work, encoding: 'utf8' });
  return { ok: r.status === 0 && !/error/i.test(`${r.stdout}${r.stderr}`), out: `${r.stdout}${r.stderr}` };
}

/** PEM of a DER certificate in the work folder, for openssl's -CAfile. */
function pem(path: string, name: string): string {
  const out = join(work, name);
  if (!openssl(['x509', '-inform', 'DER', '-in', path, '-out', out]).ok) throw new Error(`cannot convert ${path}`);
  return out;
}

async function verify(path: string, ...issuers: string[]): Promise<EvidenceVerification> {
  const trust = readTrustMaterial(issuers.map((i) => ({ bytes: bytes(i), where: i })));
  return verifyEvidenceSignatures(bytes(path), path, trust, { at: new Date() });
}

beforeAll(() => {
  installCryptoEngine();
  work = mkdtempSync(join(tmpdir(), 'kw-attest-'));
});

describe('the PSF ceremony’s YubiHSM 2 attestations', () => {
  const keys = [
    ['0013200460', 'root', '0x0003', 'tuf-root', 'P-384'],
    ['0013200460', 'targets', '0x0004', 'tuf-targets', 'P-384'],
    ['0013200461', 'root', '0x0003', 'tuf-root', 'P-256'],
    ['0013200461', 'targets', '0x0004', 'tuf-targets', 'P-256'],
  ] as const;

  it.each(keys)(
    '%s %s: verifies against its device certificate and attests its key',
    async (serial, role, id, label, curve) => {
      const attestation = file(serial, `${role}_attestation.der`);
      const device = file(serial, 'cert.der');
      const r = await verify(attestation, device);
      expect(r.checks.map((c) => [c.object, c.status, c.signer])).toEqual([
        [
          `key attestation "CN=YubiHSM Attestation id:${id}"`,
          'valid',
          `"CN=YubiHSM Attestation (${Number(serial)})" (${device})`,
        ],
      ]);
      expect(r.checks[0]?.detail).toBe('sha256WithRSAEncryption signature verified');
      expect(
        openssl(['verify', '-partial_chain', '-CAfile', pem(device, `${serial}.pem`), pem(attestation, 'a.pem')]).ok,
      ).toBe(true);
      const [a] = r.attestations ?? [];
      expect(a).toMatchObject({
        role: 'key',
        serial: Number(serial),
        firmware: '2.1.2',
        origin: { value: 1, text: 'generated', generatedOnDevice: true },
        domains: [1],
        capabilities: ['sign-ecdsa'],
        objectId: id,
        label,
        unknown: [],
      });
      expect(a?.key.curve).toBe(curve);
      // The attested key is the key the ceremony published, as SPKI and as the raw point.
      const published = describeSpki(
        derBlocks(bytes(file(serial, `${role}_pubkey.pem`)), ['PUBLIC KEY'], 'pub')[0]?.der ?? new Uint8Array(),
        'pub',
      );
      expect(a?.key.spkiSha256.hex).toBe(published.spkiSha256.hex);
      expect(a?.key.publicHex).toBe(toHex(bytes(file(serial, `${role}_pubkey.pub`))));
      expect(r.checks[0]?.notes[0]).toBe(
        `YubiHSM 2 serial ${Number(serial)} (firmware 2.1.2) attests object ${id}; label "${label}"; origin generated; domains 1; capabilities sign-ecdsa; key ECDSA ${curve} ${curve === 'P-384' ? 384 : 256} bits, SPKI SHA-256 ${published.spkiSha256.hex}`,
      );
    },
  );

  it('an attestation checked against another device’s certificate fails, as openssl says', async () => {
    const attestation = file('0013200461', 'root_attestation.der');
    const other = file('0013200460', 'cert.der');
    const r = await verify(attestation, other);
    expect([r.checks[0]?.status, r.checks[0]?.detail]).toEqual([
      'invalid',
      'it was not issued by the YubiHSM device certificate given (serial 13200460): its issuer is "CN=YubiHSM Attestation (13200461)"',
    ]);
    expect(
      openssl(['verify', '-partial_chain', '-CAfile', pem(other, 'other.pem'), pem(attestation, 'b.pem')]).ok,
    ).toBe(false);
  });

  it('without the device certificate it cannot be checked; the device certificate needs the Yubico CA', async () => {
    const alone = await verify(file('0013200460', 'root_attestation.der'));
    expect(alone.checks[0]?.status).toBe('unsupported');
    const device = await verify(file('0013200460', 'cert.der'));
    expect([device.checks[0]?.status, device.checks[0]?.detail]).toEqual([
      'unsupported',
      'its issuer "CN=Yubico YubiHSM 6742036 Sub-CA" is neither in this file nor given with --issuer, so the signature cannot be checked',
    ]);
    expect(device.attestations).toBeUndefined();
    expect(
      readYubiHsmAttestation(parseCertificate(bytes(file('0013200460', 'cert.der')), 'cert'), 'cert'),
    ).toMatchObject({
      role: 'device',
      serial: 13200460,
    });
  });

  it('one bit of the attestation’s signature flipped fails', async () => {
    const path = join(work, 'flipped.der');
    writeFileSync(path, flipNearEnd(bytes(file('0013200460', 'root_attestation.der'))));
    const r = await verify(path, file('0013200460', 'cert.der'));
    expect([r.checks[0]?.status, r.checks[0]?.detail]).toEqual([
      'invalid',
      `no candidate's key verifies it ("CN=YubiHSM Attestation (13200460)" (${file('0013200460', 'cert.der')}): sha256WithRSAEncryption signature does not verify)`,
    ]);
  });
});

describe('forged devices and attestations, made with openssl', () => {
  const o = (...args: string[]): void => {
    const r = openssl(args);
    if (!r.ok) throw new Error(`openssl ${args.join(' ')}: ${r.out}`);
  };
  beforeAll(() => {
    o('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'fake-device.key');
    // The real device's name and serial extension, another key.
    o(
      'req',
      '-new',
      '-x509',
      '-key',
      'fake-device.key',
      '-subj',
      '/CN=YubiHSM Attestation (13200460)',
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:true,pathlen:0',
      '-addext',
      '1.3.6.1.4.1.41482.4.2=DER:02:04:00:C9:6C:4C',
      '-out',
      'fake-device.pem',
    );
    o('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'key.key');
    o('req', '-new', '-key', 'key.key', '-subj', '/CN=YubiHSM Attestation id:0x0003', '-out', 'key.csr');
    const ext = (serialHex: string): string =>
      [
        '1.3.6.1.4.1.41482.4.1=DER:04:03:02:01:02',
        `1.3.6.1.4.1.41482.4.2=DER:02:04:${serialHex}`,
        '1.3.6.1.4.1.41482.4.3=DER:03:02:00:01',
        '1.3.6.1.4.1.41482.4.6=DER:02:01:03',
      ].join('\n');
    writeFileSync(join(work, 'forged.ext'), `${ext('00:C9:6C:4D')}\n`);
    o(
      'x509',
      '-req',
      '-in',
      'key.csr',
      '-CA',
      'fake-device.pem',
      '-CAkey',
      'fake-device.key',
      '-days',
      '30',
      '-extfile',
      'forged.ext',
      '-set_serial',
      '7',
      '-out',
      'forged.pem',
    );
  });

  it('the real attestation against an impostor device with the real name fails', async () => {
    const r = await verify(file('0013200460', 'root_attestation.der'), join(work, 'fake-device.pem'));
    expect(r.checks[0]?.status).toBe('invalid');
    expect(r.checks[0]?.detail).toMatch(/^no candidate's key verifies it/);
    expect(
      openssl([
        'verify',
        '-partial_chain',
        '-CAfile',
        'fake-device.pem',
        pem(file('0013200460', 'root_attestation.der'), 'c.pem'),
      ]).ok,
    ).toBe(false);
  });

  it('an attestation that names another serial than its signing device fails', async () => {
    const r = await verify(join(work, 'forged.pem'), join(work, 'fake-device.pem'));
    expect([r.checks[0]?.status, r.checks[0]?.detail]).toEqual([
      'invalid',
      "sha256WithRSAEncryption signature verified, but the attestation names YubiHSM serial 13200461, the signer's device certificate serial 13200460",
    ]);
  });

  const malformed: [string, string, RegExp][] = [
    [
      'firmware of 2 octets',
      '1.3.6.1.4.1.41482.4.1=DER:04:02:02:01',
      /extension 1\.3\.6\.1\.4\.1\.41482\.4\.1: the firmware version is 2 octets; a YubiHSM writes 3/,
    ],
    [
      'firmware not an OCTET STRING',
      '1.3.6.1.4.1.41482.4.1=DER:02:01:02',
      /firmware version \(1\.3\.6\.1\.4\.1\.41482\.4\.1\) must be universal tag 4/,
    ],
    [
      'negative serial',
      '1.3.6.1.4.1.41482.4.2=DER:02:01:FF',
      /serial number \(1\.3\.6\.1\.4\.1\.41482\.4\.2\) is not a 32-bit unsigned integer/,
    ],
    [
      'origin with unused bits',
      '1.3.6.1.4.1.41482.4.3=DER:03:02:07:80',
      /origin \(1\.3\.6\.1\.4\.1\.41482\.4\.3\) must be a BIT STRING with no unused bits/,
    ],
    ['origin of 2 octets', '1.3.6.1.4.1.41482.4.3=DER:03:03:00:00:01', /the origin is 2 octets; a YubiHSM writes 1/],
    ['domains of 1 octet', '1.3.6.1.4.1.41482.4.4=DER:03:02:00:01', /the domains are 1 octets; a YubiHSM writes 2/],
    [
      'capabilities of 7 octets',
      '1.3.6.1.4.1.41482.4.5=DER:03:08:00:00:00:00:00:00:00:80',
      /the capabilities are 7 octets; a YubiHSM writes 8/,
    ],
    ['object id over 16 bits', '1.3.6.1.4.1.41482.4.6=DER:02:03:01:00:00', /object id 65536 is larger than 16 bits/],
    [
      'label as PrintableString',
      '1.3.6.1.4.1.41482.4.9=DER:13:01:61',
      /label \(1\.3\.6\.1\.4\.1\.41482\.4\.9\) must be universal tag 12/,
    ],
    [
      'label of 41 octets',
      `1.3.6.1.4.1.41482.4.9=DER:0C:29:${Array(41).fill('61').join(':')}`,
      /the label is 41 octets; a YubiHSM label has at most 40/,
    ],
    ['trailing bytes in a value', '1.3.6.1.4.1.41482.4.6=DER:02:01:03:00', /1 trailing bytes after the DER element/],
  ];
  it.each(malformed)('refuses %s', (name, extension, message) => {
    const out = `${name.replace(/\W+/g, '-')}.pem`;
    o(
      'req',
      '-new',
      '-x509',
      '-key',
      'key.key',
      '-subj',
      '/CN=malformed',
      '-days',
      '1',
      '-addext',
      extension,
      '-out',
      out,
    );
    const cert = parseCertificate(
      derBlocks(bytes(join(work, out)), ['CERTIFICATE'], out)[0]?.der ?? new Uint8Array(),
      out,
    );
    expect(() => readYubiHsmAttestation(cert, out)).toThrow(message);
  });

  it('reads origin 0x11 as generated then imported under wrap (not generated on this device), and keeps unknown extensions', () => {
    o(
      'req',
      '-new',
      '-x509',
      '-key',
      'key.key',
      '-subj',
      '/CN=wrapped',
      '-days',
      '1',
      '-addext',
      '1.3.6.1.4.1.41482.4.3=DER:03:02:00:11',
      '-addext',
      '1.3.6.1.4.1.41482.4.10=DER:01:01:FF',
      '-out',
      'wrapped.pem',
    );
    const cert = parseCertificate(
      derBlocks(bytes(join(work, 'wrapped.pem')), ['CERTIFICATE'], 'w')[0]?.der ?? new Uint8Array(),
      'w',
    );
    expect(readYubiHsmAttestation(cert, 'w')).toMatchObject({
      role: 'key',
      origin: { value: 0x11, text: 'generated, imported under wrap', generatedOnDevice: false },
      unknown: [{ oid: '1.3.6.1.4.1.41482.4.10', hex: '0101ff' }],
    });
  });
});
