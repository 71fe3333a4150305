/**
 * The rules for repeating a step (README, "Retrying a step"): an exception that decides `repeat`
 * may be recorded even when nothing failed, but never on a step the script marks `repeatable:
 * false`; a second statement for a step is accepted only as a new attempt naming the completed
 * repeat exception of the step's last attempt. Part of the session fold (state.ts).
 */
import type { Finding, FindingCode } from '../audit/findings.js';
import type { SignedMessage } from '../protocol/message.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { latestException, stepCompletion, type StepProgress } from './completion.js';
import type { RoomMember } from './room.js';

/** Records one finding of the entry being judged. */
export type AddFinding = (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void;

/** What the attempt rules read from the session. */
export interface AttemptView {
  readonly participants: ReadonlyMap<string, RoomMember>;
  message(id: Uint8Array): SignedMessage | undefined;
}

/**
 * Judge the `retry` of a statement for the step in progress (`step`), which must be the step's
 * own position. Returns true when the statement is a valid new attempt.
 */
export function checkRetry(
  session: AttemptView,
  step: StepProgress,
  statement: SignedMessage<'statement'>,
  add: AddFinding,
): boolean {
  const { body } = statement.envelope;
  const at = { step: step.spec.id };
  if (body.retry === undefined) {
    add(
      'STEP_OUT_OF_ORDER',
      `a second statement for step ${step.spec.id}: only a new attempt naming the step's acknowledged repeat exception may follow its statement`,
      at,
    );
    return false;
  }
  const named = session.message(body.retry);
  const bad = (why: string): false => {
    add('RETRY_INVALID', `the new attempt of step ${step.spec.id} ${why}`, at);
    return false;
  };
  if (!named || named.t !== 'exception')
    return bad(`names ${shortId(body.retry)}, which is not an exception of this session`);
  if (named.envelope.body.step !== step.spec.id) return bad(`names an exception of step ${named.envelope.body.step}`);
  if (named.envelope.body.decision !== 'repeat')
    return bad('names an exception that decided to proceed, not to repeat');
  const latest = latestException(step);
  if (!latest || !equalBytes(latest.message.id, named.id)) {
    return bad("names an exception that is not the latest of the step's last attempt");
  }
  if (!step.spec.repeatable) {
    add('REPEAT_FORBIDDEN', `step ${step.spec.id} is marked repeatable: false in the script`, at);
    return false;
  }
  const completion = stepCompletion(step, session.participants);
  if (!completion.repeat) {
    const why = completion.problems.map((p) => p.message).join('; ');
    return bad(`names a repeat exception the room has not acknowledged${why ? ` (${why})` : ''}`);
  }
  return true;
}

/** A statement for the step after the one in progress must be a first attempt. */
export function checkFirstAttempt(statement: SignedMessage<'statement'>, add: AddFinding): void {
  const { body } = statement.envelope;
  if (body.retry !== undefined) {
    add(
      'RETRY_INVALID',
      `the statement for step ${body.step} names a repeat exception, but the step has had no attempt yet`,
      { step: body.step },
    );
  }
}

/** Findings for an exception's decision: a repeat is refused on a step the script forbids repeating. */
export function checkDecision(step: StepProgress, exception: SignedMessage<'exception'>, add: AddFinding): boolean {
  if (exception.envelope.body.decision === 'repeat' && !step.spec.repeatable) {
    add('REPEAT_FORBIDDEN', `step ${step.spec.id} is marked repeatable: false in the script: it cannot be redone`, {
      step: step.spec.id,
    });
    return false;
  }
  return true;
}

/** The step's progress with a new attempt started by `statement`. */
export function withAttempt(step: StepProgress, statement: SignedMessage<'statement'>): StepProgress {
  const attempt = { statement: { message: statement, acks: new Map<string, SignedMessage<'ack'>>() }, exceptions: [] };
  return {
    spec: step.spec,
    statement: attempt.statement,
    exceptions: attempt.exceptions,
    attempts: [...step.attempts, attempt],
  };
}

function shortId(id: Uint8Array): string {
  return `${toHex(id.subarray(0, 8))}…`;
}
