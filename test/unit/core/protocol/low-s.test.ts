import { beforeAll, describe, expect, it } from 'vitest';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { encodeCbor, decodeCbor } from '../../../../src/core/protocol/cbor.js';
import { generateSigner, signedBytes, verifySignature } from '../../../../src/core/protocol/identity.js';
import { isLowS, toLowS } from '../../../../src/core/protocol/low-s.js';
import { decodeMessage, signMessage, verifyMessage } from '../../../../src/core/protocol/message.js';
import type { SimulationResult } from '../../../../src/core/session/simulate.js';
import { fromHex, toHex } from '../../../../src/core/util/bytes.js';
import { playDemo } from '../../../support/demo.js';

const N = fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const HALF_N = fromHex('7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8');

/** The same signature with s replaced by n − s: the malleated twin, which also verifies. */
function flipS(signature: Uint8Array): Uint8Array {
  const s = BigInt(`0x${toHex(signature.subarray(32))}`);
  const flipped = BigInt(`0x${toHex(N)}`) - s;
  return Uint8Array.from([...signature.subarray(0, 32), ...fromHex(flipped.toString(16).padStart(64, '0'))]);
}

function withSignature(wire: Uint8Array, signature: Uint8Array): Uint8Array {
  const [envelope] = decodeCbor(wire) as [Uint8Array, Uint8Array];
  return encodeCbor([envelope, signature]);
}

describe('P-256 signatures in low-s form', () => {
  const r = new Uint8Array(32).fill(1);
  it.each<[string, boolean, Uint8Array]>([
    ['s = 1', true, Uint8Array.from([...r, ...new Uint8Array(31), 1])],
    ['s = n/2 (rounded down)', true, Uint8Array.from([...r, ...HALF_N])],
    ['s = n/2 + 1', false, Uint8Array.from([...r, ...fromHex(`${toHex(HALF_N).slice(0, 63)}9`)])],
    ['s = n − 1', false, Uint8Array.from([...r, ...fromHex(`${toHex(N).slice(0, 63)}0`)])],
    ['a 63-byte signature', false, new Uint8Array(63)],
  ])('%s: low-s is %s', (_what, low, signature) => {
    expect(isLowS(signature)).toBe(low);
    if (signature.length === 64) expect(isLowS(toLowS(signature))).toBe(true);
  });

  it('every signature Keywitness makes is low-s, and its malleated twin is refused as a message', async () => {
    const signer = await generateSigner('p256');
    let sawHigh = 0;
    for (let i = 0; i < 64; i++) {
      const m = await signMessage(signer, {
        t: 'blob',
        sid: new Uint8Array(16).fill(1),
        at: i,
        body: { name: `n${i}`, kind: 'file', data: Uint8Array.of(i) },
      });
      expect(isLowS(m.signature)).toBe(true);
      expect(await verifyMessage(m, signer)).toBe(true);
      const twin = flipS(m.signature);
      // The twin is a valid ECDSA signature (the raw verifier says so, as Wycheproof expects) …
      const raw = await verifySignature('p256', signer.publicKey, signedBytes('blob', m.envelopeBytes), twin);
      if (raw) sawHigh++;
      // … but not a Keywitness message signature.
      expect(await verifyMessage(decodeMessage(withSignature(m.wire, twin)), signer)).toBe(false);
    }
    expect(sawHigh).toBe(64);
  });

  describe('in a session', () => {
    let demo: SimulationResult;
    beforeAll(async () => {
      demo = await playDemo();
    });

    it("a P-256 participant's attestation with s flipped is a bad signature to the audit", async () => {
      const walter = demo.devices.find((d) => d.signer.alg === 'p256');
      expect(walter).toBeDefined();
      const transcript = demo.bundle.transcript.map((wire) => {
        const m = decodeMessage(wire);
        return m.t === 'attest' && toHex(m.envelope.by) === toHex(walter!.signer.fingerprint)
          ? withSignature(wire, flipS(m.signature))
          : wire;
      });
      const clean = await auditBundle(demo.bundle, [], { checker: checkEvidence });
      expect(clean.findings).toEqual([]);
      const report = await auditBundle({ ...demo.bundle, transcript }, [], { checker: checkEvidence });
      // The attestation no longer counts, so the participant also has none; and its id is no longer
      // the one the coordinator's seal lists.
      expect(report.findings.map((f) => f.code).sort()).toEqual([
        'ATTESTATION_MISSING',
        'BAD_SIGNATURE',
        'SEAL_MISMATCH',
      ]);
    });
  });
});
