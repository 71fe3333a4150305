/**
 * The participant device's journal records: what the participant session persists, in order,
 * before each change of its state, and replays to restore it (docs/architecture.md, "Storage:
 * journals and files"). Each record is a deterministic CBOR map checked with the same strict field
 * schemas as messages: unknown fields, wrong types, trailing bytes and oversized records are a
 * JOURNAL_CORRUPT error naming the record.
 */
import { KeywitnessError, isKeywitnessError } from '../errors.js';
import { decodeCbor, encodeCbor } from '../protocol/cbor.js';
import { arrayOf, bytes, checkMap, expectMap, oneOf, text, uint, type Schema } from '../protocol/fields.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../script/source-text.js';

/** One journal record of a participant session. */
export type ParticipantRecord =
  /** Joined: this device's own script, who holds it, and the genesis it accepted. Always first. */
  | {
      readonly t: 'join';
      readonly script: Uint8Array;
      readonly name: string;
      readonly role: string;
      readonly genesis: Uint8Array;
    }
  /** A coordinator message accepted into the pool (a statement, exception, blob or the close). */
  | { readonly t: 'received'; readonly wire: Uint8Array }
  /** The positions drawn for the challenge on a statement or exception (by message id). */
  | { readonly t: 'challenge'; readonly target: Uint8Array; readonly positions: readonly number[] }
  /** One attempt at that challenge: what the witness typed at each position. */
  | { readonly t: 'attempt'; readonly target: Uint8Array; readonly answers: readonly string[] }
  /** A message this device signed: its enrolment, an answer, or its closing attestation. */
  | { readonly t: 'signed'; readonly wire: Uint8Array };

/** Largest record: a join carries the script (at most DEFAULT_MAX_SCRIPT_BYTES) and a genesis. */
export const MAX_PARTICIPANT_RECORD_BYTES = DEFAULT_MAX_SCRIPT_BYTES + 64 * 1024;

const HASH = bytes(32);
const WIRE = bytes(undefined, 16 * 1024);
const SCHEMAS: Readonly<Record<ParticipantRecord['t'], Schema>> = {
  join: {
    t: [oneOf('join'), true],
    script: [bytes(undefined, DEFAULT_MAX_SCRIPT_BYTES), true],
    name: [text(128, 1), true],
    role: [text(64, 1), true],
    genesis: [WIRE, true],
  },
  received: { t: [oneOf('received'), true], wire: [WIRE, true] },
  challenge: { t: [oneOf('challenge'), true], target: [HASH, true], positions: [arrayOf(uint, 2), true] },
  attempt: { t: [oneOf('attempt'), true], target: [HASH, true], answers: [arrayOf(text(256), 2), true] },
  signed: { t: [oneOf('signed'), true], wire: [WIRE, true] },
};

function isRecordType(t: unknown): t is ParticipantRecord['t'] {
  return typeof t === 'string' && Object.hasOwn(SCHEMAS, t);
}

/** Encode a record for the journal. */
export function encodeParticipantRecord(record: ParticipantRecord): Uint8Array {
  const bytesOut = encodeCbor(record);
  if (bytesOut.length > MAX_PARTICIPANT_RECORD_BYTES) {
    throw new KeywitnessError(
      'INPUT_TOO_LARGE',
      `a ${record.t} record of ${bytesOut.length} bytes exceeds the journal's ${MAX_PARTICIPANT_RECORD_BYTES}-byte limit`,
    );
  }
  return bytesOut;
}

/**
 * Decode record `n` of a participant journal.
 * @throws KeywitnessError JOURNAL_CORRUPT naming the record and the field.
 */
export function decodeParticipantRecord(encoded: Uint8Array, n: number): ParticipantRecord {
  const where = `participant journal record ${n}`;
  try {
    const map = expectMap(decodeCbor(encoded, MAX_PARTICIPANT_RECORD_BYTES), 'record');
    const t = map.t;
    if (!isRecordType(t)) throw new KeywitnessError('JOURNAL_CORRUPT', `unknown record type ${JSON.stringify(t)}`);
    checkMap(map, SCHEMAS[t], '');
    // checkMap has checked every field of this record type against its schema.
    return map as unknown as ParticipantRecord;
  } catch (e) {
    if (isKeywitnessError(e, 'JOURNAL_CORRUPT')) throw new KeywitnessError('JOURNAL_CORRUPT', e.message, { where });
    const detail = e instanceof Error ? e.message : String(e);
    throw new KeywitnessError('JOURNAL_CORRUPT', `not a participant journal record: ${detail}`, { where, cause: e });
  }
}
