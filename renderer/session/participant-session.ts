/**
 * The participant's live session on this device: core's ParticipantSession, whose every record is
 * appended to this session's journal (fsynced by the main process) before the session changes, so
 * the screen only ever shows what is on disk. The session is listed in the device's index once its
 * join record is written; after a restart it is rebuilt with ParticipantSession.restore, which
 * re-verifies every record.
 */
import { KeywitnessError } from '../../src/core/errors.js';
import { checkEvidence } from '../../src/core/evidence/checks.js';
import type { Signer } from '../../src/core/protocol/identity.js';
import { ParticipantSession } from '../../src/core/session/participant-session.js';
import type { Script } from '../../src/core/script/types.js';
import { toHex } from '../../src/core/util/bytes.js';
import { appendRecord, indexSession, readRecords } from './device.js';

const persist = async (record: Uint8Array, _decoded: unknown, sessionId: Uint8Array): Promise<void> => {
  await appendRecord(toHex(sessionId), record);
};

/** Join the session of a scanned genesis with this device's own copy of the script. */
export async function joinParticipantSession(
  options: { script: Script; scriptBytes: Uint8Array; signer: Signer; name: string; role: string },
  genesisWire: Uint8Array,
): Promise<ParticipantSession> {
  const session = await ParticipantSession.join({ ...options, checker: checkEvidence, persist }, genesisWire);
  await indexSession({
    t: 'session',
    sid: toHex(session.sessionId),
    role: 'participant',
    title: options.script.title,
    at: Date.now(),
  });
  return session;
}

/** Rebuild a participant session from its journal, with how many torn-tail bytes were dropped. */
export async function restoreParticipantSession(
  sessionId: string,
  signer: Signer,
): Promise<{ session: ParticipantSession; droppedTailBytes: number; records: number }> {
  const { records, droppedTailBytes } = await readRecords(sessionId);
  const session = await ParticipantSession.restore({ signer, checker: checkEvidence, persist }, records);
  if (toHex(session.sessionId) !== sessionId) {
    throw new KeywitnessError('JOURNAL_CORRUPT', `the journal of session ${sessionId} holds another session's genesis`);
  }
  return { session, droppedTailBytes, records: records.length };
}
