/**
 * Properties of the wire decoders over untrusted bytes (deterministic CBOR and signed messages),
 * with the suite's fixed seed and bounded runs (test/support/property.ts): every input decodes or
 * fails with a KeywitnessError of the decoder's own codes, within the per-case ceiling; whatever
 * decodes re-encodes to exactly the bytes given (only canonical encodings are accepted, so two
 * readers can never see different values in the same bytes); and a changed message that still
 * decodes never verifies.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborValue } from '../../../../src/core/protocol/cbor.js';
import { decodeMessage, verifyMessage } from '../../../../src/core/protocol/message.js';
import { equalBytes } from '../../../../src/core/util/bytes.js';
import type { SimulationResult } from '../../../../src/core/session/simulate.js';
import { playDemo } from '../../../support/demo.js';
import { failsClosed, failsClosedAsync, mutated, params } from '../../../support/property.js';

const CBOR_CODES = ['CBOR_INVALID', 'INPUT_TOO_LARGE'];
const MESSAGE_CODES = [...CBOR_CODES, 'MESSAGE_INVALID', 'KEY_INVALID'];

/** Values of the data model the protocol uses: safe integers, text, bytes, booleans, arrays, text-keyed maps. */
const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.integer({ min: -24, max: 24 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.boolean(),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('value'), { maxLength: 6 }),
    fc
      .array(fc.tuple(fc.string({ maxLength: 12 }), tie('value')), { maxLength: 6 })
      .map((entries) => Object.fromEntries(entries.filter(([k]) => k !== '__proto__')) as CborValue),
  ),
})).value;

describe('deterministic CBOR', () => {
  it('round-trips every value of the data model, byte for byte', () => {
    fc.assert(
      fc.property(cborValue, (value) => {
        const bytes = encodeCbor(value);
        const decoded = failsClosed(() => decodeCbor(bytes, 1 << 20));
        expect(decoded.ok).toBe(true);
        if (decoded.ok) {
          expect(decoded.value).toEqual(value);
          expect(equalBytes(encodeCbor(decoded.value), bytes)).toBe(true);
        }
      }),
      params(500),
    );
  });

  it('damaged encodings fail with CBOR_INVALID, or decode to a value that re-encodes to the same bytes', () => {
    const seeds = fc.sample(cborValue.map(encodeCbor), { seed: 7, numRuns: 40 });
    fc.assert(
      fc.property(mutated(seeds, 3), (bytes) => {
        const decoded = failsClosed(() => decodeCbor(bytes, 1 << 20));
        if (decoded.ok) expect(equalBytes(encodeCbor(decoded.value), bytes)).toBe(true);
        else expect(CBOR_CODES).toContain(decoded.error.code);
      }),
      params(2000),
    );
  });

  it('arbitrary bytes never escape as anything but CBOR_INVALID or INPUT_TOO_LARGE', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 400 }), (bytes, limit) => {
        const decoded = failsClosed(() => decodeCbor(bytes, limit));
        if (!decoded.ok) expect(CBOR_CODES).toContain(decoded.error.code);
        if (bytes.length > limit) expect(decoded.ok || decoded.error.code).toBe('INPUT_TOO_LARGE');
      }),
      params(2000),
    );
  });

  it('nesting deep enough to exhaust a recursive decoder is refused, not a stack overflow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12_000 }), fc.constantFrom(0x81, 0xa1), (depth, opener) => {
        // 0x81: an array of one; 0xa1 0x60: a map of one under the empty key.
        const unit = opener === 0x81 ? [0x81] : [0xa1, 0x60];
        const bytes = new Uint8Array([...Array.from({ length: depth }, () => unit).flat(), 0x00]);
        const decoded = failsClosed(() => decodeCbor(bytes, 1 << 20));
        if (!decoded.ok) expect(decoded.error.code).toBe('CBOR_INVALID');
      }),
      params(200),
    );
  });
});

describe('signed messages', () => {
  let demo: SimulationResult;
  let seeds: Uint8Array[];
  beforeAll(async () => {
    demo = await playDemo();
    seeds = [...demo.bundle.transcript, ...demo.receipts.flatMap((r) => r.messages)];
  });

  it('every message of a played session decodes and re-encodes to its wire bytes', () => {
    for (const wire of seeds) {
      const m = decodeMessage(wire);
      expect(equalBytes(encodeCbor([m.envelopeBytes, m.signature]), wire)).toBe(true);
      expect(equalBytes(encodeCbor(m.envelope as unknown as CborValue), m.envelopeBytes)).toBe(true);
    }
  });

  it('damaged messages fail with a message error, or decode canonically and then fail verification', async () => {
    const coordinator = demo.coordinatorSigner;
    const original = new Set(demo.bundle.transcript.map((w) => Buffer.from(w).toString('base64')));
    await fc.assert(
      fc.asyncProperty(mutated(demo.bundle.transcript, 3), async (wire) => {
        const decoded = failsClosed(() => decodeMessage(wire));
        if (!decoded.ok) {
          expect(MESSAGE_CODES).toContain(decoded.error.code);
          return;
        }
        expect(equalBytes(encodeCbor([decoded.value.envelopeBytes, decoded.value.signature]), wire)).toBe(true);
        if (original.has(Buffer.from(wire).toString('base64'))) return;
        const verified = await failsClosedAsync(() => verifyMessage(decoded.value, coordinator));
        expect(verified.ok ? verified.value : false).toBe(false);
      }),
      params(600),
    );
  });
});
