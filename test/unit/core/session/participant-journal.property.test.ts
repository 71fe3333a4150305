/**
 * Properties of the participant journal reader, with the suite's fixed seed and bounded runs
 * (test/support/property.ts). A journal is the device's own storage, but it is read back after a
 * crash, from a disk anyone with the laptop could have edited, so it is read as untrusted: each
 * record of a played session round-trips through its encoder, a damaged record decodes to itself
 * or is refused, and a journal with one damaged, dropped, repeated or reordered record restores to
 * a session or is refused with a KeywitnessError (JOURNAL_CORRUPT for what is not the device's
 * own history) within the per-case ceiling.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { decodeParticipantRecord, encodeParticipantRecord } from '../../../../src/core/session/participant-journal.js';
import { ParticipantSession } from '../../../../src/core/session/participant-session.js';
import type { SimulatedDevice } from '../../../../src/core/session/simulate.js';
import { equalBytes } from '../../../../src/core/util/bytes.js';
import { playDemo } from '../../../support/demo.js';
import { failsClosed, failsClosedAsync, mutated, params } from '../../../support/property.js';

let devices: readonly SimulatedDevice[];
beforeAll(async () => {
  devices = (await playDemo()).devices;
}, 120_000);

describe('participant journal records', () => {
  it('every record of a played session round-trips', () => {
    const records = devices.flatMap((d) => d.journal);
    expect(records.length).toBeGreaterThan(50);
    records.forEach((bytes, n) => {
      expect(equalBytes(encodeParticipantRecord(decodeParticipantRecord(bytes, n)), bytes)).toBe(true);
    });
  });

  it('a damaged record decodes to exactly its bytes or is refused', () => {
    // The join record holds the whole script; the others are the messages and answers.
    const seeds = devices.slice(0, 2).flatMap((d) => d.journal.slice(1));
    fc.assert(
      fc.property(mutated(seeds, 3), (bytes) => {
        const decoded = failsClosed(() => decodeParticipantRecord(bytes, 1));
        if (decoded.ok) expect(equalBytes(encodeParticipantRecord(decoded.value), bytes)).toBe(true);
        else
          expect(['JOURNAL_CORRUPT', 'CBOR_INVALID', 'INPUT_TOO_LARGE', 'MESSAGE_INVALID']).toContain(
            decoded.error.code,
          );
      }),
      params(1000),
    );
  });

  const edit = fc.oneof(
    fc.record({
      op: fc.constant('damage' as const),
      at: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
      byte: fc.nat(),
    }),
    fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('repeat' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
  );
  it('a journal with one record damaged, dropped, repeated or swapped restores or is refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), edit, async (which, e) => {
        const device = devices[which % devices.length]!;
        const records = [...device.journal];
        const i = e.at % records.length;
        if (e.op === 'damage') {
          const copy = new Uint8Array(records[i]!);
          copy[e.byte % copy.length]! ^= 1 << e.bit;
          records[i] = copy;
        } else if (e.op === 'drop') records.splice(i, 1);
        else if (e.op === 'repeat') records.splice(i, 0, records[i]!);
        else if (i + 1 < records.length) [records[i], records[i + 1]] = [records[i + 1]!, records[i]!];
        const restored = await failsClosedAsync(() =>
          ParticipantSession.restore({ signer: device.signer, checker: checkEvidence }, records),
        );
        // Dropping the last record is a journal cut short by a crash, which restores to less;
        // anything else that is not the device's own history is JOURNAL_CORRUPT.
        if (!restored.ok) expect(restored.error.code).toBe('JOURNAL_CORRUPT');
      }),
      params(150),
    );
  });
});
