import { describe, expect, it } from 'vitest';
import { isKeywitnessError } from '../../../../src/core/errors.js';
import { encodeCbor } from '../../../../src/core/protocol/cbor.js';
import {
  decodeParticipantRecord,
  encodeParticipantRecord,
  MAX_PARTICIPANT_RECORD_BYTES,
  type ParticipantRecord,
} from '../../../../src/core/session/participant-journal.js';

const id = new Uint8Array(32).fill(7);
const wire = Uint8Array.of(0x82, 0x41, 0x00, 0x40);

describe('participant journal records', () => {
  it.each<ParticipantRecord>([
    { t: 'join', script: Uint8Array.of(1, 2), name: 'Wanda Okafor', role: 'witness', genesis: wire },
    { t: 'received', wire },
    { t: 'challenge', target: id, positions: [3, 17] },
    { t: 'attempt', target: id, answers: ['Aztec', 'b7'] },
    { t: 'signed', wire },
  ])('a $t record round-trips', (record) => {
    expect(decodeParticipantRecord(encodeParticipantRecord(record), 0)).toEqual(record);
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['not CBOR', Uint8Array.of(0xff), /record 4: not a participant journal record/],
    ['a CBOR array', encodeCbor([1]), /must be a map/],
    ['an unknown record type', encodeCbor({ t: 'ack', wire }), /unknown record type "ack"/],
    ['an unknown field', encodeCbor({ t: 'received', wire, extra: 1 }), /extra: unknown field/],
    ['a missing field', encodeCbor({ t: 'challenge', target: id }), /positions: missing/],
    ['a short message id', encodeCbor({ t: 'attempt', target: id.slice(1), answers: [] }), /target: must be 32 bytes/],
    ['three positions', encodeCbor({ t: 'challenge', target: id, positions: [1, 2, 3] }), /more than 2 items/],
    ['a text position', encodeCbor({ t: 'challenge', target: id, positions: ['1'] }), /unsigned integer/],
    ['an empty name', encodeCbor({ t: 'join', script: wire, name: '', role: 'w', genesis: wire }), /must not be empty/],
    ['trailing bytes', Uint8Array.from([...encodeCbor({ t: 'received', wire }), 0]), /not a participant journal/],
    ['an oversized record', new Uint8Array(MAX_PARTICIPANT_RECORD_BYTES + 1), /not a participant journal/],
  ])('refuses %s with JOURNAL_CORRUPT naming the record', (_what, bytes, message) => {
    let error: unknown;
    try {
      decodeParticipantRecord(bytes, 4);
    } catch (e) {
      error = e;
    }
    expect(isKeywitnessError(error, 'JOURNAL_CORRUPT')).toBe(true);
    expect((error as Error).message).toMatch(/^participant journal record 4: /);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses to encode a record larger than the journal takes', () => {
    const script = new Uint8Array(MAX_PARTICIPANT_RECORD_BYTES);
    expect(() => encodeParticipantRecord({ t: 'join', script, name: 'W', role: 'witness', genesis: wire })).toThrow(
      /exceeds the journal's/,
    );
  });
});
