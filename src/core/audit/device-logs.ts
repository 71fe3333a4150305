/**
 * Attested device logs against the record. Each closing attestation commits to the attesting
 * device's log (session/device-log.ts): what it signed and what it answered. Recomputed here from
 * the transcript, a difference means the transcript lacks something that device signed or
 * answered (a dropped objection, an equivocation: the device was shown another statement) or holds
 * it in another order. A receipt must give the same log as its owner's attestation, so a receipt cut
 * short or padded is found too.
 */
import { isMessageOf, type SignedMessage } from '../protocol/message.js';
import { deviceLog, loggedIds } from '../session/device-log.js';
import type { SessionState } from '../session/state.js';
import { equalBytes, toHex } from '../util/bytes.js';
import type { Finding } from './findings.js';

/** LOG_MISMATCH for every attestation whose log the transcript does not reproduce. */
export function attestedLogFindings(state: SessionState): Finding[] {
  const genesis = state.genesis;
  if (!genesis) return [];
  const findings: Finding[] = [];
  const messages = state.entries.flatMap((e) => (e.message ? [e.message] : []));
  for (const [fp, attest] of state.attestations) {
    const participant = state.participants.get(fp);
    if (!participant) continue;
    const ids = loggedIds(participant.identity.fingerprint, messages);
    if (equalBytes(deviceLog(genesis.id, ids), attest.envelope.body.log)) continue;
    const answers = ids.length === 0 ? 0 : (ids.length - 1) / 2;
    findings.push({
      code: 'LOG_MISMATCH',
      message: `${participant.label}'s device attests to a log that the transcript does not reproduce (the transcript holds their enrolment and ${answers} answer(s)): something they signed or answered is missing, was replaced, or is out of order`,
      participant: participant.label,
    });
  }
  return findings;
}

/**
 * RECEIPT_LOG_MISMATCH when a receipt's own messages do not give the log its owner attested to
 * (the attestation from the transcript, or else the one in the receipt).
 */
export function receiptLogFinding(
  state: SessionState,
  participant: Uint8Array,
  label: string,
  messages: readonly SignedMessage[],
): Finding | undefined {
  const genesis = state.genesis;
  if (!genesis) return undefined;
  const attest =
    state.attestations.get(toHex(participant)) ??
    messages.find(
      (m): m is SignedMessage<'attest'> => isMessageOf(m, 'attest') && equalBytes(m.envelope.by, participant),
    );
  if (!attest) return undefined;
  if (equalBytes(deviceLog(genesis.id, loggedIds(participant, messages)), attest.envelope.body.log)) return undefined;
  return {
    code: 'RECEIPT_LOG_MISMATCH',
    message: `${label}'s receipt does not hold exactly what their device attested to having signed and answered: it was cut short, padded or reordered`,
    participant: label,
  };
}
