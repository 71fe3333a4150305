import { describe, expect, it } from 'vitest';
import { verifySignature, type SignatureAlgorithm } from '../../../../src/core/protocol/identity.js';
import { derSignatureToP1363 } from '../../../../src/core/protocol/ecdsa-der.js';
import { fromHex } from '../../../../src/core/util/bytes.js';
import { isKeywitnessError } from '../../../../src/core/errors.js';
import { vectorJson } from '../../../support/vectors.js';

interface WycheproofFile {
  numberOfTests: number;
  testGroups: {
    publicKey: { pk?: string; uncompressed?: string };
    tests: {
      tcId: number;
      comment: string;
      msg: string;
      sig: string;
      result: 'valid' | 'invalid' | 'acceptable';
      flags: string[];
    }[];
  }[];
}

/**
 * Runs one Wycheproof vector through the project's own verify function. A malformed public key
 * (KEY_INVALID) counts as "rejected", which is the expected outcome for an invalid vector.
 */
async function outcome(
  alg: SignatureAlgorithm,
  pk: Uint8Array,
  msg: Uint8Array,
  sig: Uint8Array | null,
): Promise<boolean> {
  if (sig === null) return false;
  try {
    return await verifySignature(alg, pk, msg, sig);
  } catch (e) {
    if (isKeywitnessError(e, 'KEY_INVALID')) return false;
    throw e;
  }
}

function cases(file: WycheproofFile, key: 'pk' | 'uncompressed') {
  const all = file.testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, pk: fromHex(g.publicKey[key]!) })));
  expect(all).toHaveLength(file.numberOfTests);
  return all;
}

describe('Wycheproof', () => {
  it('Ed25519: every vector gives its expected result', async () => {
    const file = vectorJson<WycheproofFile>('wycheproof/testvectors_v1/ed25519_test.json');
    const wrong: number[] = [];
    for (const t of cases(file, 'pk')) {
      const ok = await outcome('ed25519', t.pk, fromHex(t.msg), fromHex(t.sig));
      if (ok !== (t.result === 'valid')) wrong.push(t.tcId);
    }
    expect(wrong).toEqual([]);
  });

  it('ECDSA P-256 SHA-256, IEEE P1363 signatures: every vector gives its expected result', async () => {
    const file = vectorJson<WycheproofFile>('wycheproof/testvectors_v1/ecdsa_secp256r1_sha256_p1363_test.json');
    const wrong: number[] = [];
    for (const t of cases(file, 'uncompressed')) {
      const ok = await outcome('p256', t.pk, fromHex(t.msg), fromHex(t.sig));
      if (ok !== (t.result === 'valid')) wrong.push(t.tcId);
    }
    expect(wrong).toEqual([]);
  });

  it('ECDSA P-256 SHA-256, DER signatures through the strict DER decoder: every vector gives its expected result', async () => {
    const file = vectorJson<WycheproofFile>('wycheproof/testvectors_v1/ecdsa_secp256r1_sha256_test.json');
    const wrong: number[] = [];
    for (const t of cases(file, 'uncompressed')) {
      let sig: Uint8Array | null;
      try {
        sig = derSignatureToP1363(fromHex(t.sig), 32);
      } catch (e) {
        if (!isKeywitnessError(e, 'SIGNATURE_INVALID')) throw e;
        sig = null;
      }
      const ok = await outcome('p256', t.pk, fromHex(t.msg), sig);
      if (ok !== (t.result === 'valid')) wrong.push(t.tcId);
    }
    expect(wrong).toEqual([]);
  });
});
