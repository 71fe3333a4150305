/**
 * Properties of the QR frame reader and the assembler over whatever a camera decodes, with the
 * suite's fixed seed and bounded runs (test/support/property.ts): frames round-trip through their
 * encoders; any bytes are parsed or refused with TRANSFER_INVALID / INPUT_TOO_LARGE; the
 * assembler never throws and releases only what its verifier accepted; and the frames of any
 * message, shown in any order with damaged and foreign frames among them, reassemble to exactly
 * that message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Assembler, type ScanEvent } from '../../../../src/core/transfer/assembler.js';
import { encodeMessage } from '../../../../src/core/transfer/encoder.js';
import {
  encodePartFrame,
  encodeSingleFrame,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
  parseFrame,
} from '../../../../src/core/transfer/frame.js';
import { equalBytes } from '../../../../src/core/util/bytes.js';
import { failsClosed, failsClosedAsync, mutated, params } from '../../../support/property.js';

const prefix = fc.uint8Array({ minLength: 8, maxLength: 8 });
const CODES = ['TRANSFER_INVALID', 'INPUT_TOO_LARGE'];

describe('frames', () => {
  it('single frames round-trip', () => {
    fc.assert(
      fc.property(
        prefix,
        prefix,
        fc.uint8Array({ minLength: 1, maxLength: MAX_FRAME_BYTES - HEADER_BYTES, size: 'max' }),
        (sid, id, m) => {
          const frame = parseFrame(encodeSingleFrame(sid, id, m));
          expect(frame.kind).toBe('single');
          if (frame.kind === 'single')
            expect(equalBytes(frame.message, m) && equalBytes(frame.idPrefix, id)).toBe(true);
        },
      ),
      params(300),
    );
  });

  it('part frames round-trip or are refused for inconsistent fields, never anything else', () => {
    const part = fc.record({
      seqNum: fc.nat(),
      seqLen: fc.integer({ min: 0, max: 0xffff }),
      messageLength: fc.integer({ min: 0, max: 0xffff }),
      checksum: fc.nat(),
      fragment: fc.uint8Array({ maxLength: 800, size: 'max' }),
    });
    fc.assert(
      fc.property(prefix, prefix, part, (sid, id, p) => {
        const parsed = failsClosed(() => parseFrame(encodePartFrame(sid, id, p)));
        if (!parsed.ok) expect(CODES).toContain(parsed.error.code);
        else if (parsed.value.kind === 'part') expect(equalBytes(parsed.value.fragment, p.fragment)).toBe(true);
      }),
      params(1000),
    );
  });

  it('any bytes are parsed or refused with a transfer error', () => {
    const withMagic = fc.uint8Array({ maxLength: 3000, size: 'max' }).map((b) => Uint8Array.from([0xff, 0x4b, ...b]));
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 3000, size: 'max' }), withMagic),
        (bytes) => {
          const parsed = failsClosed(() => parseFrame(bytes));
          if (!parsed.ok) expect(CODES).toContain(parsed.error.code);
        },
      ),
      params(2000),
    );
  });
});

/** Shuffle with a seeded permutation: fast-check chooses the order. */
function permute<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, i) => ({ item, key: keys[i % keys.length]! + i / items.length }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}

describe('the assembler', () => {
  const sid = new Uint8Array(16).fill(3);

  it('holds no more assemblies than its bound, whatever part frames arrive', async () => {
    const parts = fc.array(
      fc.record({
        id: prefix,
        seqNum: fc.integer({ min: 1, max: 40 }),
        seqLen: fc.integer({ min: 2, max: 40 }),
        messageLength: fc.integer({ min: 601, max: 16 * 1024 }),
        checksum: fc.nat(),
        fragment: fc.uint8Array({ minLength: 1, maxLength: 800 }),
      }),
      { maxLength: 80, size: 'max' },
    );
    await fc.assert(
      fc.asyncProperty(parts, fc.integer({ min: 1, max: 16 }), async (frames, maxAssemblies) => {
        const assembler = new Assembler({ sessionId: sid, maxAssemblies, verify: async () => 'never released' });
        for (const p of frames) {
          const event = await failsClosedAsync<ScanEvent>(() =>
            assembler.accept(encodePartFrame(sid.slice(0, 8), p.id, p)),
          );
          expect(event.ok).toBe(true);
          if (event.ok) expect(event.value.kind).not.toBe('message');
          expect(assembler.progress().length).toBeLessThanOrEqual(maxAssemblies);
        }
      }),
      params(200),
    );
  });

  it('reassembles any message from its frames in any order, among damaged and foreign frames', async () => {
    await fc.assert(
      fc.asyncProperty(
        // size 'max': most messages must need several part frames.
        fc.uint8Array({ minLength: 1, maxLength: 6000, size: 'max' }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 64 }),
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 6 }),
        async (message, order, noise) => {
          const encoded = encodeMessage(message, { sessionId: sid });
          const foreign = encodeMessage(Uint8Array.from([1, 2, 3]), { sessionId: new Uint8Array(16).fill(9) }).frames;
          const damaged = mutated(encoded.frames, 2);
          const extra = [...noise, ...foreign, ...fc.sample(damaged, { seed: order[0]!, numRuns: 4 })];
          const shown = permute([...encoded.frames, ...encoded.frames, ...extra], order);
          const released: Uint8Array[] = [];
          const assembler = new Assembler({
            sessionId: sid,
            verify: async (wire) => equalBytes(wire, message) || 'not the message shown',
          });
          for (const frame of shown) {
            const event = await failsClosedAsync<ScanEvent>(() => assembler.accept(frame));
            expect(event.ok, 'accept never throws').toBe(true);
            if (event.ok && event.value.kind === 'message') released.push(event.value.wire);
          }
          expect(released.length).toBe(1);
          expect(equalBytes(released[0]!, message)).toBe(true);
        },
      ),
      params(60),
    );
  });
});
