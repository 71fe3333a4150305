/**
 * Properties of the CRL, OCSP and YubiHSM 2 attestation readers over untrusted DER, with the
 * suite's fixed seed and bounded runs (test/support/property.ts). Seeds: CRLs and OCSP responses
 * OpenSSL makes during the test (`openssl ca -gencrl`, `openssl ocsp`, signed-fixtures.ts) and
 * Yubico's published attestation certificates (test/vectors/attestation). Damaged files are read
 * or refused with an evidence error within the per-case ceiling; nothing else is thrown.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../../src/core/evidence/certificate.js';
import { parseCrl } from '../../../../src/core/evidence/crl.js';
import { parseOcspResponse } from '../../../../src/core/evidence/ocsp.js';
import { derBlocks } from '../../../../src/core/evidence/pem.js';
import { readYubiHsmAttestation } from '../../../../src/core/evidence/yubihsm-attestation.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { missingTool } from '../../../support/tools.js';
import { VECTORS_DIR, vectorBytes } from '../../../support/vectors.js';
import { failsClosed, mutated, params } from '../../../support/property.js';
import { hasCommand } from './dnssec-fixtures.js';
import { makeSignedFixtures, type SignedFixtures } from './signed-fixtures.js';

const CODES = ['EVIDENCE_INVALID', 'EVIDENCE_UNSUPPORTED', 'INPUT_TOO_LARGE', 'ENCODING_INVALID'];

function readsOrRefuses<T>(parse: () => T): void {
  const read = failsClosed(parse);
  if (!read.ok) expect(CODES).toContain(read.error.code);
}

const ATTESTATIONS = readdirSync(join(VECTORS_DIR, 'attestation', 'yubihsm2-psf-2020'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(d.parentPath, d.name))
      .filter((f) => f.endsWith('_attestation.der'))
      .map((f) => vectorBytes('attestation', 'yubihsm2-psf-2020', d.name, f)),
  );

describe('YubiHSM 2 attestations', () => {
  beforeAll(() => installCryptoEngine());

  it('damaged attestation certificates are read or refused with an evidence error', () => {
    expect(ATTESTATIONS.length).toBeGreaterThan(1);
    for (const der of ATTESTATIONS) expect(readYubiHsmAttestation(parseCertificate(der, 'seed'), 'seed')).toBeDefined();
    fc.assert(
      fc.property(mutated(ATTESTATIONS, 3), (der) =>
        readsOrRefuses(() => readYubiHsmAttestation(parseCertificate(der, 'evidence'), 'evidence')),
      ),
      params(600),
    );
  });
});

describe.skipIf(missingTool(hasCommand('openssl'), 'openssl'))('CRLs and OCSP responses made by OpenSSL', () => {
  let fixtures: SignedFixtures;
  beforeAll(() => {
    installCryptoEngine();
    fixtures = makeSignedFixtures();
  }, 120_000);

  it('damaged CRLs (PEM and DER) are read or refused with an evidence error', () => {
    const seeds = ['root.crl', 'root.crl.der', 'impostor.crl', 'nosign.crl'].map((n) => fixtures.read(n));
    for (const bytes of seeds)
      expect(() => parseCrl(derBlocks(bytes, ['X509 CRL'], 'seed')[0]!.der, 'seed')).not.toThrow();
    fc.assert(
      fc.property(mutated(seeds, 3), (bytes) =>
        readsOrRefuses(() => derBlocks(bytes, ['X509 CRL'], 'evidence').map((b) => parseCrl(b.der, 'evidence'))),
      ),
      params(800),
    );
  });

  it('damaged OCSP responses are read or refused with an evidence error', () => {
    const seeds = ['ocsp-by-ca.der', 'ocsp-delegated.der', 'ocsp-noeku.der', 'ocsp-impostor.der'].map((n) =>
      fixtures.read(n),
    );
    for (const der of seeds) expect(() => parseOcspResponse(der, 'seed')).not.toThrow();
    fc.assert(
      fc.property(mutated(seeds, 3), (der) => readsOrRefuses(() => parseOcspResponse(der, 'evidence'))),
      params(800),
    );
  });
});
