/**
 * Mutation fuzzing of `verifyEvidenceSignatures` with a fixed seed, over real inputs made during the
 * test: a signed zone, a CRL, OCSP responses, a CSR, a chain and a YubiHSM attestation. Every
 * mutated input must either give checks or fail with a KeywitnessError (never another exception,
 * never a hang), and a zone with a changed signed byte never verifies entirely.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isKeywitnessError } from '../../../../src/core/errors.js';
import {
  readTrustMaterial,
  verifyEvidenceSignatures,
  type TrustMaterial,
} from '../../../../src/core/evidence/verify-signatures.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { mulberry32 } from '../../../support/prng.js';
import { VECTORS_DIR } from '../../../support/vectors.js';
import { signWithLdns, type SignedZone } from './dnssec-fixtures.js';
import { makeSignedFixtures, type SignedFixtures } from './signed-fixtures.js';

const SEED = 0x13;

function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  const b = new Uint8Array(input);
  const pos = (): number => Math.floor(rand() * b.length);
  switch (Math.floor(rand() * 5)) {
    case 0: {
      const p = pos();
      b[p] = (b[p] ?? 0) ^ (1 << Math.floor(rand() * 8));
      return b;
    }
    case 1:
      return b.subarray(0, pos());
    case 2: {
      const p = pos();
      b[p] = [0x00, 0x80, 0x81, 0x84, 0xff, 0x28, 0x29, 0x22, 0x5c, 0x0a][Math.floor(rand() * 10)] ?? 0;
      return b;
    }
    case 3: {
      const p = pos();
      return Uint8Array.from([...b.subarray(0, p), Math.floor(rand() * 256), ...b.subarray(p)]);
    }
    default: {
      const p = pos();
      return Uint8Array.from([...b.subarray(0, p), ...b.subarray(Math.min(b.length, p + 1 + Math.floor(rand() * 8)))]);
    }
  }
}

let fx: SignedFixtures;
let zone: SignedZone;
let trust: TrustMaterial;

beforeAll(() => {
  installCryptoEngine();
  fx = makeSignedFixtures();
  zone = signWithLdns('ED25519');
  const attest = join(VECTORS_DIR, 'attestation', 'yubihsm2-psf-2020', '0013200460');
  trust = readTrustMaterial([
    { bytes: fx.read('root.pem'), where: 'root.pem' },
    { bytes: new Uint8Array(readFileSync(join(attest, '0013200460_cert.der'))), where: 'device' },
    { bytes: new Uint8Array(readFileSync(zone.ds)), where: 'ds' },
  ]);
});

async function outcome(bytes: Uint8Array): Promise<'checked' | 'refused'> {
  const started = Date.now();
  try {
    await verifyEvidenceSignatures(bytes, 'fuzz', trust, { at: new Date() });
    return 'checked';
  } catch (e) {
    if (!isKeywitnessError(e)) throw new Error(`not a KeywitnessError: ${String(e)}`, { cause: e });
    return 'refused';
  } finally {
    expect(Date.now() - started).toBeLessThan(1000);
  }
}

describe('verify under mutation', () => {
  const inputs: [string, () => Uint8Array, number][] = [
    ['CRL (DER)', () => fx.read('root.crl.der'), 400],
    ['OCSP response, delegated', () => fx.read('ocsp-delegated.der'), 300],
    ['CSR (PEM)', () => fx.read('leaf.csr'), 300],
    ['chain (PEM)', () => fx.read('chain.pem'), 200],
    [
      'YubiHSM attestation',
      () =>
        new Uint8Array(
          readFileSync(
            join(VECTORS_DIR, 'attestation', 'yubihsm2-psf-2020', '0013200460', '0013200460_root_attestation.der'),
          ),
        ),
      400,
    ],
    ['signed zone', () => new Uint8Array(readFileSync(zone.signed)), 150],
  ];
  it.each(inputs)('%s: every mutant is checked or refused with a KeywitnessError', async (_name, make, rounds) => {
    const rand = mulberry32(SEED);
    const seed = make();
    const seen = { checked: 0, refused: 0 };
    for (let i = 0; i < rounds; i++) seen[await outcome(mutate(seed, rand))]++;
    expect(seen.checked + seen.refused).toBe(rounds);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('a zone with one signed byte of RDATA changed never verifies entirely (glue is not signed)', async () => {
    const text = readFileSync(zone.signed, 'utf8');
    const rand = mulberry32(SEED + 1);
    // Every authoritative A record; ns.sub's is glue below the delegation, which DNSSEC does not sign.
    const addresses = [...text.matchAll(/^(?!ns\.sub\.)\S+\t\d+\tIN\tA\t(192\.0\.2\.)(\d+)/gm)];
    expect(addresses.length).toBeGreaterThan(3);
    for (let i = 0; i < 20; i++) {
      const m = addresses[Math.floor(rand() * addresses.length)];
      if (!m || m.index === undefined) continue;
      const last = Number(m[2]);
      const head = m[0].slice(0, m[0].length - (m[2] ?? '').length);
      const changed = `${text.slice(0, m.index)}${head}${(last + 1 + Math.floor(rand() * 50)) % 256}${text.slice(m.index + m[0].length)}`;
      const r = await verifyEvidenceSignatures(new TextEncoder().encode(changed), 'z', trust, { at: new Date() });
      expect(r.checks.some((c) => c.status === 'invalid')).toBe(true);
    }
  });
});
