/**
 * Receipts against the session (docs/architecture.md, "Trust rules"): each participant's device kept every
 * message it signed and every coordinator message it answered. Anything in a receipt that is not in
 * the transcript was dropped by the coordinator; that is how a silently dropped objection surfaces.
 */
import {
  decodeMessage,
  isMessageOf,
  selfCertifiedIdentity,
  verifyMessage,
  type SignedMessage,
} from '../protocol/message.js';
import { identifyingWords } from '../protocol/words.js';
import { equalBytes, toHex } from '../util/bytes.js';
import type { Receipt } from '../session/files.js';
import type { SessionState } from '../session/state.js';
import type { Finding } from './findings.js';

function describe(m: SignedMessage): string {
  switch (m.t) {
    case 'ack': {
      const body = m.envelope.body;
      return body.decision === 'object' ? `objection ("${body.reason ?? ''}")` : 'confirmation';
    }
    case 'statement':
      return `statement for step ${m.envelope.body.step}`;
    case 'exception':
      return `exception for step ${m.envelope.body.step}`;
    case 'attest':
      return m.envelope.body.agree ? 'closing attestation' : 'closing attestation "do not agree"';
    default:
      return m.t;
  }
}

/** Cross-check receipts against the audited transcript. */
export async function checkReceipts(receipts: readonly Receipt[], state: SessionState): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const [index, receipt] of receipts.entries()) {
    const name = `receipt ${index + 1} (${identifyingWords(receipt.participant, 2).join(' ')})`;
    const messages: SignedMessage[] = [];
    let malformed = false;
    for (const [i, wire] of receipt.messages.entries()) {
      try {
        messages.push(decodeMessage(wire));
      } catch (e) {
        findings.push({
          code: 'RECEIPT_INVALID',
          message: `${name}: message ${i} is malformed: ${(e as Error).message}`,
        });
        malformed = true;
      }
    }
    if (malformed) continue;
    const genesis = state.genesis;
    if (!genesis) continue;
    const foreign = messages.find((m) => !equalBytes(m.envelope.sid, genesis.envelope.sid));
    if (foreign) {
      findings.push({
        code: 'RECEIPT_SESSION_MISMATCH',
        message: `${name} holds a ${foreign.envelope.t} of session ${toHex(foreign.envelope.sid)}, not of this session`,
      });
      continue;
    }
    const enroll = messages.find(
      (m): m is SignedMessage<'enroll'> => m.t === 'enroll' && equalBytes(m.envelope.by, receipt.participant),
    );
    const participant = enroll ? selfCertifiedIdentity(enroll) : undefined;
    if (!enroll || !participant || !equalBytes(participant.fingerprint, enroll.envelope.by)) {
      findings.push({ code: 'RECEIPT_INVALID', message: `${name} does not hold the participant's own enrolment` });
      continue;
    }
    const body = enroll.envelope.body;
    const label = `${body.name} (${body.role}, ${identifyingWords(participant.fingerprint, 2).join(' ')})`;
    const checks = await Promise.all(
      messages.map((m) => {
        if (equalBytes(m.envelope.by, participant.fingerprint)) return verifyMessage(m, participant);
        if (state.coordinator && equalBytes(m.envelope.by, state.coordinator.fingerprint))
          return verifyMessage(m, state.coordinator);
        return Promise.resolve(false);
      }),
    );
    const bad = messages.filter((_, i) => !checks[i]);
    if (bad.length > 0) {
      findings.push({
        code: 'RECEIPT_INVALID',
        message: `${name}: ${bad.length} message(s) are not signed by the participant or the coordinator`,
        participant: label,
      });
      continue;
    }
    for (const m of messages) {
      if (state.message(m.id)) continue;
      const step = m.t === 'ack' ? stepOfAck(m, messages) : undefined;
      findings.push({
        code: 'RECEIPT_ENTRY_MISSING',
        message: `${label} holds a signed ${describe(m)} that is not in the session transcript`,
        participant: label,
        ...(step ? { step } : {}),
      });
    }
  }
  return findings;
}

function stepOfAck(ack: SignedMessage<'ack'>, messages: readonly SignedMessage[]): string | undefined {
  const target = messages.find((m) => equalBytes(m.id, ack.envelope.body.ref));
  return target && isMessageOf(target, 'statement', 'exception') ? target.envelope.body.step : undefined;
}
