/**
 * Receipts against the session (docs/architecture.md, "Trust rules"): each participant's device kept every
 * message it signed and every coordinator message it answered. Anything in a receipt that is not in
 * the transcript is absent from the record: dropped, never delivered to the coordinator, or
 * fabricated, which the audit cannot tell apart; that is how a silently dropped objection surfaces.
 * The receipts are also accounted for: whose were given, and which enrolled participants gave none,
 * so a verdict never counts a receipt it did not have (README, "Audit findings").
 */
import {
  decodeMessage,
  isMessageOf,
  selfCertifiedIdentity,
  verifyMessage,
  type SignedMessage,
} from '../protocol/message.js';
import { spokenWords } from '../protocol/words.js';
import { equalBytes, toHex } from '../util/bytes.js';
import type { Receipt } from '../session/files.js';
import type { Participant, SessionState } from '../session/state.js';
import { receiptLogFinding } from './device-logs.js';
import type { Finding } from './findings.js';

/** The participant a receipt belongs to, as its own signed enrolment names them. */
export interface ReceiptOwner {
  readonly name: string;
  readonly role: string;
  readonly fingerprint: Uint8Array;
  /** "name (role, first words of fingerprint)", as findings name participants. */
  readonly label: string;
  /** Whether the audited transcript enrols this key (a receipt can hold an enrolment it lacks). */
  readonly enrolled: boolean;
  /** Positions (from 1, in the order given) of the receipts accepted for this participant. */
  readonly receipts: readonly number[];
}

/** Whose receipts the audit had. */
export interface ReceiptAccount {
  /** One entry per participant with at least one accepted receipt, in the order first given. */
  readonly given: readonly ReceiptOwner[];
  /** Enrolled participants without an accepted receipt, in enrolment order. */
  readonly missing: readonly Participant[];
  /** Number of participants the transcript enrols. */
  readonly enrolled: number;
}

export interface ReceiptAudit {
  readonly findings: readonly Finding[];
  readonly account: ReceiptAccount;
}

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
    case 'enroll':
      return 'enrolment';
    default:
      return m.t;
  }
}

const sameMessages = (a: Receipt, b: Receipt): boolean =>
  a.messages.length === b.messages.length &&
  a.messages.every((m, i) => {
    const other = b.messages[i];
    return other !== undefined && equalBytes(m, other);
  });

/** Cross-check receipts against the audited transcript (the findings of `auditReceipts`). */
/**
 * Cross-check receipts against the audited transcript and account for them. A receipt counts for
 * its owner only when it is well formed, of this session and its genesis, holds the owner's own
 * enrolment and every message in it verifies; a second receipt of the same owner is a finding.
 */
export async function auditReceipts(receipts: readonly Receipt[], state: SessionState): Promise<ReceiptAudit> {
  const findings: Finding[] = [];
  const owners = new Map<string, { owner: ReceiptOwner; receipt: Receipt; positions: number[] }>();
  const reported = new Set<string>();
  const genesis = state.genesis;
  for (const [index, receipt] of receipts.entries()) {
    const name = `receipt ${index + 1} (${spokenWords(receipt.participant)})`;
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
    if (malformed || !genesis) continue;
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
    const otherGenesis =
      messages.find((m) => m.t === 'genesis' && !equalBytes(m.id, genesis.id)) ??
      (enroll && !equalBytes(enroll.envelope.body.genesis, genesis.id) ? enroll : undefined);
    if (otherGenesis) {
      const id = otherGenesis.t === 'genesis' ? otherGenesis.id : (enroll?.envelope.body.genesis ?? otherGenesis.id);
      findings.push({
        code: 'RECEIPT_GENESIS_MISMATCH',
        message: `${name} answers genesis ${toHex(id).slice(0, 16)}…, not this session's genesis ${toHex(genesis.id).slice(0, 16)}…: its device joined another opening of session ${toHex(genesis.envelope.sid)}`,
      });
      continue;
    }
    const participant = enroll ? selfCertifiedIdentity(enroll) : undefined;
    if (!enroll || !participant || !equalBytes(participant.fingerprint, enroll.envelope.by)) {
      findings.push({ code: 'RECEIPT_INVALID', message: `${name} does not hold the participant's own enrolment` });
      continue;
    }
    const key = toHex(participant.fingerprint);
    const enrolled = state.participants.get(key);
    const body = enroll.envelope.body;
    const label = enrolled?.label ?? `${body.name} (${body.role}, ${spokenWords(participant.fingerprint)})`;
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
    const first = owners.get(key);
    if (first) {
      const identical = sameMessages(first.receipt, receipt);
      findings.push({
        code: 'RECEIPT_DUPLICATE',
        message: `receipts ${first.positions[0] ?? '?'} and ${index + 1} are both of ${label}${identical ? ': the same receipt given twice' : ', and they differ (each is checked)'}; the participant counts once`,
        participant: label,
      });
      first.positions.push(index + 1);
      if (identical) continue;
    } else {
      const positions = [index + 1];
      const owner: ReceiptOwner = {
        name: body.name,
        role: body.role,
        fingerprint: participant.fingerprint,
        label,
        enrolled: enrolled !== undefined,
        receipts: positions,
      };
      owners.set(key, { owner, receipt, positions });
    }
    for (const m of messages) {
      if (state.message(m.id) || reported.has(toHex(m.id))) continue;
      reported.add(toHex(m.id));
      const step =
        m.t === 'ack'
          ? stepOfAck(m, messages)
          : isMessageOf(m, 'statement', 'exception')
            ? m.envelope.body.step
            : undefined;
      const own = equalBytes(m.envelope.by, participant.fingerprint);
      findings.push({
        code: 'RECEIPT_ENTRY_MISSING',
        message: own
          ? `${label} holds a ${describe(m)} signed by this participant that is absent from the session transcript (dropped, never delivered to the coordinator, or fabricated)`
          : `${label} holds a ${describe(m)} signed by the coordinator that is absent from the session transcript`,
        participant: label,
        ...(step ? { step } : {}),
      });
    }
    const log = receiptLogFinding(state, participant.fingerprint, label, messages);
    if (log) findings.push(log);
  }
  const given = [...owners.values()].map((o) => o.owner);
  const missing = [...state.participants.entries()].filter(([key]) => !owners.has(key)).map(([, p]) => p);
  return { findings, account: { given, missing, enrolled: state.participants.size } };
}

function stepOfAck(ack: SignedMessage<'ack'>, messages: readonly SignedMessage[]): string | undefined {
  const target = messages.find((m) => equalBytes(m.id, ack.envelope.body.ref));
  return target && isMessageOf(target, 'statement', 'exception') ? target.envelope.body.step : undefined;
}
