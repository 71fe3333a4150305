/**
 * A participant device's log, as its closing attestation commits to it: a hash chain over the id
 * of every message the device signed (its enrolment and each answer) and, before each answer, the
 * id of the statement or exception it answered, in the order the device signed them.
 *
 *   log₀ = SHA-256("keywitness-device-log/1" ‖ genesis id)
 *   logᵢ = SHA-256(logᵢ₋₁ ‖ idᵢ)
 *
 * The audit recomputes each attesting participant's log from the transcript alone. A coordinator
 * that dropped one of their answers, or showed them a statement the transcript does not hold, no
 * longer matches what they attested, with or without their receipt (docs/architecture.md,
 * "Formats: bundle and receipts").
 */
import { isMessageOf, type SignedMessage } from '../protocol/message.js';
import { concatBytes, equalBytes, utf8 } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';

const DOMAIN = utf8('keywitness-device-log/1');

/** The log of a device that has signed nothing yet in the session of `genesisId`. */
export function deviceLogStart(genesisId: Uint8Array): Uint8Array {
  return sha256(concatBytes(DOMAIN, genesisId));
}

/** The log after one more message id. */
export function extendDeviceLog(log: Uint8Array, id: Uint8Array): Uint8Array {
  return sha256(concatBytes(log, id));
}

/**
 * The ids a participant's log is made of, read from a sequence of messages (a transcript, or a
 * receipt): their enrolment, and for each of their answers the message it answers, then the answer.
 */
export function loggedIds(participant: Uint8Array, messages: Iterable<SignedMessage>): Uint8Array[] {
  const ids: Uint8Array[] = [];
  for (const m of messages) {
    if (!isMessageOf(m, 'enroll', 'ack') || !equalBytes(m.envelope.by, participant)) continue;
    if (m.t === 'ack') ids.push(m.envelope.body.ref);
    ids.push(m.id);
  }
  return ids;
}

/** The log over `ids` in the session of `genesisId`. */
export function deviceLog(genesisId: Uint8Array, ids: readonly Uint8Array[]): Uint8Array {
  let log = deviceLogStart(genesisId);
  for (const id of ids) log = extendDeviceLog(log, id);
  return log;
}
