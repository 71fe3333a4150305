/**
 * Audit findings (docs/architecture.md, "Formats: audit findings"): stable codes, each with the
 * step, the participant and a sentence a person understands. A clean session has zero findings. The
 * session engine raises the same codes when it refuses a message live, so the coordinator's refusal
 * and the auditor's finding agree.
 */

export type FindingCode =
  // the bundle and its script
  | 'SCRIPT_HASH_MISMATCH'
  | 'SCRIPT_INVALID'
  | 'MESSAGE_MALFORMED'
  | 'GENESIS_MISSING'
  | 'SESSION_MISMATCH'
  // signatures and the chain
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_SIGNER'
  | 'NOT_COORDINATOR'
  | 'CHAIN_BROKEN'
  | 'REPLAYED_MESSAGE'
  | 'CLOCK_WENT_BACKWARDS'
  | 'CLOCK_SKEW'
  | 'CLOCK_NOT_RECORDED'
  | 'CLOCK_RECORD_INVALID'
  // enrolment
  | 'ENROLLMENT_INVALID'
  | 'PINNED_IDENTITY_MISMATCH'
  | 'ENROLLMENT_INCOMPLETE'
  // attendance
  | 'ROSTER_INVALID'
  | 'ROSTER_INCOMPLETE'
  | 'ACK_FROM_ABSENT'
  // steps
  | 'STEP_OUT_OF_ORDER'
  | 'STATEMENT_INVALID'
  | 'IRREVERSIBLE_NOT_CONFIRMED'
  | 'INPUT_MISMATCH'
  | 'ACK_FOR_UNKNOWN_STATEMENT'
  | 'ACK_WRONG_STEP'
  | 'ACK_ROLE_NOT_REQUIRED'
  | 'DUPLICATE_ACK'
  | 'EXCEPTION_INVALID'
  | 'QUORUM_NOT_MET'
  | 'CHECK_FAILED_NOT_EXCEPTED'
  | 'OBJECTION_NOT_RESOLVED'
  | 'CHECK_RESULT_MISMATCH'
  // attempts, aborts and suspensions
  | 'REPEAT_FORBIDDEN'
  | 'RETRY_INVALID'
  | 'RETRY_MISSING'
  | 'ABORT_INVALID'
  | 'ENTRY_AFTER_ABORT'
  | 'ENTRY_WHILE_SUSPENDED'
  | 'RESUME_INVALID'
  // evidence
  | 'EVIDENCE_MISSING'
  | 'EVIDENCE_HASH_MISMATCH'
  | 'EVIDENCE_UNREFERENCED'
  // closing
  | 'CLOSE_MISSING'
  | 'CLOSE_PREMATURE'
  | 'ENTRY_AFTER_CLOSE'
  | 'ATTESTATION_INVALID'
  | 'ATTESTATION_MISSING'
  | 'ATTESTATION_DISAGREES'
  | 'SEAL_MISSING'
  | 'SEAL_MISMATCH'
  // device logs and time (what each device attested to, and when it signed)
  | 'LOG_MISMATCH'
  | 'RECEIPT_LOG_MISMATCH'
  | 'TIME_OUT_OF_ORDER'
  // receipts
  | 'RECEIPT_INVALID'
  | 'RECEIPT_SESSION_MISMATCH'
  | 'RECEIPT_ENTRY_MISSING'
  // receipts accounted for, and the auditor's own expectations: a receipt of
  // another opening of the session, a receipt given twice, and the script hash or coordinator key
  // differing from what the auditor expects (`keywitness audit --expect-script/--expect-coordinator`)
  | 'RECEIPT_GENESIS_MISMATCH'
  | 'RECEIPT_DUPLICATE'
  | 'SCRIPT_NOT_EXPECTED'
  | 'COORDINATOR_NOT_EXPECTED';

/** One problem found in a session. */
export interface Finding {
  readonly code: FindingCode;
  /** A sentence a person understands: what is wrong and why it matters. */
  readonly message: string;
  /** Step id, when the finding concerns a step. */
  readonly step?: string;
  /** Participant, as "name (role, first words of fingerprint)". */
  readonly participant?: string;
  /** Transcript position (0-based), when the finding concerns an entry. */
  readonly seq?: number;
}

/** One-line explanation of every code, for reports and the README. */
export const FINDING_DESCRIPTIONS: Readonly<Record<FindingCode, string>> = {
  SCRIPT_HASH_MISMATCH: 'The script in the bundle is not the script the session was opened with.',
  SCRIPT_INVALID: 'The script in the bundle does not parse.',
  MESSAGE_MALFORMED: 'A transcript entry is not a well-formed Keywitness message.',
  GENESIS_MISSING: 'The transcript does not start with a genesis message.',
  SESSION_MISMATCH: 'An entry belongs to another session (spliced in).',
  BAD_SIGNATURE: 'A signature does not verify over the exact message bytes.',
  UNKNOWN_SIGNER: 'An entry is signed by a key that is neither the coordinator nor an enrolled participant.',
  NOT_COORDINATOR: 'A coordinator-only message is signed by someone else.',
  CHAIN_BROKEN:
    "An entry does not commit to the transcript head before it, or a coordinator message's list of entries appended since its previous one is not what the transcript holds: entries were dropped, reordered or edited.",
  REPLAYED_MESSAGE: 'The same message appears twice.',
  CLOCK_WENT_BACKWARDS: "A signer's clock went backwards between two of its messages.",
  CLOCK_SKEW:
    "A device's clock, as the coordinator measured it when it scanned the device's enrolment, differed from the coordinator's by more than the script's clock tolerance.",
  CLOCK_NOT_RECORDED:
    "An enrolment's clock measurement is missing from the coordinator's next statement, roster change or close: the device's clock was never shown to the room on the record.",
  CLOCK_RECORD_INVALID:
    'A coordinator message records a clock for a key with no enrolment since the previous record, or records one twice.',
  ENROLLMENT_INVALID: 'An enrolment does not fit the script (role, limits, timing, genesis).',
  PINNED_IDENTITY_MISMATCH: 'A key does not match the identity the script pins for it.',
  ENROLLMENT_INCOMPLETE: 'Steps started before every role had its minimum number of participants.',
  ROSTER_INVALID:
    'A roster change does not fit who is enrolled and present: a join or replace that names no waiting enrolment, a replace that names another identity, a leave of someone not present, or a change while the previous one is unacknowledged.',
  ROSTER_INCOMPLETE:
    'The ceremony went on (a statement or the close) before a roster change had its acknowledgements, or while a late or replacement enrolment had no roster change.',
  ACK_FROM_ABSENT:
    'An acknowledgement or attestation from a participant who was not present: they left, their device was replaced, they had not joined yet, or they joined after the message they answer.',
  STEP_OUT_OF_ORDER: 'A statement is not for the step that was due.',
  STATEMENT_INVALID: 'A statement does not match its step in the script (inputs, evidence).',
  IRREVERSIBLE_NOT_CONFIRMED: 'An irreversible step was issued without its typed confirmation.',
  INPUT_MISMATCH: 'A typed input differs from the value the script expects.',
  ACK_FOR_UNKNOWN_STATEMENT: 'An acknowledgement names a statement that is not in this session.',
  ACK_WRONG_STEP: 'An acknowledgement names a statement whose step is not current.',
  ACK_ROLE_NOT_REQUIRED: 'An acknowledgement comes from a participant whose role the step does not ask for.',
  DUPLICATE_ACK: 'A participant answered the same statement twice, differently.',
  EXCEPTION_INVALID: 'An exception does not name the blocked statement or omits an objection.',
  QUORUM_NOT_MET: 'A step was passed without its required acknowledgements.',
  CHECK_FAILED_NOT_EXCEPTED: 'A step with a failed check was passed without an acknowledged exception.',
  OBJECTION_NOT_RESOLVED: 'A step with an objection was passed without an acknowledged exception.',
  CHECK_RESULT_MISMATCH:
    'Re-running a check on the recorded inputs and evidence gives a different result than the statement claims.',
  REPEAT_FORBIDDEN: 'A repeat was decided for a step the script marks `repeatable: false`.',
  RETRY_INVALID:
    "A second statement for a step does not name the completed repeat exception of the step's previous attempt (not a repeat, another step's, not the latest, or not acknowledged).",
  RETRY_MISSING: 'The room decided to repeat a step, and the session went on without repeating it.',
  ABORT_INVALID:
    'An abort does not name the step in progress, a second abort was issued, or the close of an aborted session does not name the abort, claims other steps, or came before the abort had its quorum.',
  ENTRY_AFTER_ABORT: 'After an abort, an entry other than its acknowledgements, the close and the attestations.',
  ENTRY_WHILE_SUSPENDED: 'While the session was suspended, an entry other than its resume.',
  RESUME_INVALID:
    "A resume does not name the open suspend, is not signed by the genesis's coordinator key, or the session went on before every participant present acknowledged it.",
  EVIDENCE_MISSING: 'Evidence a statement refers to is not in the bundle.',
  EVIDENCE_HASH_MISMATCH: 'Evidence bytes do not match the SHA-256 the statement signed.',
  EVIDENCE_UNREFERENCED: 'The bundle holds evidence no statement refers to.',
  CLOSE_MISSING: 'The session was never closed.',
  CLOSE_PREMATURE: 'The session was closed before every step was complete.',
  ENTRY_AFTER_CLOSE: 'The coordinator added entries after closing the session.',
  ATTESTATION_INVALID: 'A closing attestation does not refer to the close of this session.',
  ATTESTATION_MISSING: 'An enrolled participant gave no closing attestation.',
  ATTESTATION_DISAGREES: 'A participant attested that they do not agree with the record.',
  SEAL_MISSING:
    'A closed session whose bundle carries no coordinator seal: nothing chains the attestations after the close.',
  SEAL_MISMATCH:
    "The bundle's seal is not the coordinator's seal of this transcript: signed by another key or for another session, or naming another close, other attestations or another head.",
  LOG_MISMATCH:
    "A participant's closing attestation commits to a log of what their device signed and answered that the transcript does not reproduce: an answer was dropped, or they were shown a message the transcript does not hold.",
  RECEIPT_LOG_MISMATCH:
    "A receipt does not hold exactly what its owner's device attested to having signed and answered.",
  TIME_OUT_OF_ORDER:
    'A message is dated before what it answers, or outside the session (genesis to close), by more than the clock tolerance.',
  RECEIPT_INVALID: 'A receipt is malformed or its signatures do not verify.',
  RECEIPT_SESSION_MISMATCH: 'A receipt belongs to another session.',
  RECEIPT_ENTRY_MISSING:
    "A message in a participant's receipt is absent from the session transcript: it was dropped, never delivered to the coordinator, or fabricated; the audit cannot tell which.",
  // receipts accounted for, and the auditor's own expectations
  RECEIPT_GENESIS_MISMATCH:
    "A receipt answers another genesis than this session's: its device joined another opening of the session (same session id, another genesis).",
  RECEIPT_DUPLICATE: "More than one receipt of the same participant was given: each participant's receipt counts once.",
  SCRIPT_NOT_EXPECTED: 'The script hash differs from the one the auditor expects (the paper record).',
  COORDINATOR_NOT_EXPECTED:
    "The coordinator's key fingerprint differs from the one the auditor expects (the paper record).",
};
