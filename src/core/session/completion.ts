/**
 * When a step is complete, judged on its last attempt: its quorum of confirmations is in, and if a
 * check failed or anyone objected, the latest exception lists every objection made before it (to
 * the statement and to each earlier exception of the attempt), decides to proceed, and has been
 * confirmed by the same quorum with no objection to it. A latest exception that decides to repeat,
 * once so confirmed, means the step must be redone: a new attempt whose statement names it. On a
 * step that asks witnesses to recompute or to pass the challenge, only confirmations that say so
 * count.
 */
import type { FindingCode } from '../audit/findings.js';
import type { SignedMessage } from '../protocol/message.js';
import type { StepSpec } from '../script/types.js';
import { toHex } from '../util/bytes.js';
import type { AckTarget } from './room.js';

export type { AckTarget } from './room.js';

/** One attempt of a step: its statement and the exceptions recorded for it, in order. */
export interface Attempt {
  readonly statement: AckTarget<'statement'>;
  readonly exceptions: AckTarget<'exception'>[];
}

/**
 * A step's progress through the session. `statement` and `exceptions` are those of the last
 * attempt, which completion and later steps' evidence go by; `attempts` holds every attempt in order.
 */
export interface StepProgress {
  readonly spec: StepSpec;
  readonly statement: AckTarget<'statement'> | undefined;
  readonly exceptions: AckTarget<'exception'>[];
  readonly attempts: readonly Attempt[];
}

/** The decision of an attempt's latest exception, if it has one. */
export function latestException(step: StepProgress): AckTarget<'exception'> | undefined {
  return step.exceptions.at(-1);
}

export interface Completion {
  readonly complete: boolean;
  /**
   * The last attempt's latest exception decided to repeat the step and has its quorum: the step is
   * not complete, and the next statement must be a new attempt of it naming that exception.
   */
  readonly repeat: boolean;
  /** Why the step blocks: failed checks or objections on the statement. */
  readonly blocked: boolean;
  /**
   * The step is blocked and no exception can resolve it as things stand: none was recorded, the
   * latest leaves an objection out, or the latest drew an objection itself. The coordinator records one.
   */
  readonly exceptionNeeded: boolean;
  readonly confirmations: number;
  readonly needed: number;
  readonly problems: readonly { readonly code: FindingCode; readonly message: string }[];
}

/** Everything participants may currently answer for a step: its last attempt's statement and exceptions. */
export function ackTargets(step: StepProgress): AckTarget<'statement' | 'exception'>[] {
  return step.statement ? [step.statement, ...step.exceptions] : [];
}

function count(target: AckTarget<'statement' | 'exception'>, decision: 'confirm' | 'object'): SignedMessage<'ack'>[] {
  return [...target.acks.values()].filter((a) => a.envelope.body.decision === decision);
}

/**
 * Whether a confirmation counts toward the step's quorum: on a step that asks witnesses to
 * recompute the evidence or to pass the word challenge, only a confirmation that says it did.
 */
export function confirmationCounts(step: StepSpec, ack: SignedMessage<'ack'>): boolean {
  const { body } = ack.envelope;
  return (
    body.decision === 'confirm' && (!step.acks.recompute || body.recomputed) && (!step.acks.challenge || body.challenge)
  );
}

/** Confirmations of a target that count, and how many more were given without what the step asks. */
function confirmations(
  step: StepSpec,
  target: AckTarget<'statement' | 'exception'>,
): { readonly counted: number; readonly short: number } {
  const all = count(target, 'confirm');
  const counted = all.filter((a) => confirmationCounts(step, a)).length;
  return { counted, short: all.length - counted };
}

function shortfall(step: StepSpec, short: number): string {
  if (short === 0) return '';
  const asks = [step.acks.recompute ? 'recomputed the evidence' : '', step.acks.challenge ? 'passed the challenge' : '']
    .filter(Boolean)
    .join(' and ');
  return `; ${short} more confirmation(s) do not count because they do not say the device ${asks}`;
}

/**
 * Every objection an exception must list: the objections to the step's statement and to each of
 * its exceptions before `upTo` (all of them when `upTo` is undefined).
 */
export function objectionsBefore(step: StepProgress, upTo?: number): SignedMessage<'ack'>[] {
  const targets = ackTargets(step).slice(0, upTo === undefined ? undefined : upTo + 1);
  return targets.flatMap((t) => count(t, 'object'));
}

/** Evaluate a step's completion; `problems` say what is missing in auditor's words. */
export function stepCompletion(
  step: StepProgress,
  participants: ReadonlyMap<string, { readonly label: string }>,
): Completion {
  const needed = step.spec.acks.min;
  const statement = step.statement;
  if (!statement) {
    return {
      complete: false,
      repeat: false,
      blocked: false,
      exceptionNeeded: false,
      confirmations: 0,
      needed,
      problems: [{ code: 'QUORUM_NOT_MET', message: `step ${step.spec.id} has no statement` }],
    };
  }
  const failed = statement.message.envelope.body.checks.filter((c) => !c.ok);
  const objections = count(statement, 'object');
  if (failed.length === 0 && objections.length === 0 && step.exceptions.length === 0) {
    const { counted, short } = confirmations(step.spec, statement);
    const complete = counted >= needed;
    return {
      complete,
      repeat: false,
      blocked: false,
      exceptionNeeded: false,
      confirmations: counted,
      needed,
      problems: complete
        ? []
        : [
            {
              code: 'QUORUM_NOT_MET',
              message: `step ${step.spec.id} was passed with ${counted} of ${needed} required confirmations (${step.spec.acks.roles.join(', ')})${shortfall(step.spec, short)}`,
            },
          ],
    };
  }
  // Blocked: only the latest exception can resolve the step, and it must list every objection made
  // before it, to the statement and to each earlier exception, so that issuing a second exception
  // never buries an objection to the first.
  const latest = step.exceptions.length - 1;
  const exception = step.exceptions[latest];
  const before = objectionsBefore(step, latest);
  const listed = new Set(exception?.message.envelope.body.objections.map(toHex) ?? []);
  const uncovered = before.filter((o) => !listed.has(toHex(o.id)));
  const covered = exception !== undefined && uncovered.length === 0;
  const { counted, short } = exception ? confirmations(step.spec, exception) : { counted: 0, short: 0 };
  const objectedToException = exception ? count(exception, 'object') : [];
  const decided = covered && counted >= needed && objectedToException.length === 0;
  const exceptionNeeded = !covered || objectedToException.length > 0;
  const blocked = true;
  if (decided && exception?.message.envelope.body.decision === 'repeat') {
    return {
      complete: false,
      repeat: true,
      blocked,
      exceptionNeeded: false,
      confirmations: counted,
      needed,
      problems: [
        {
          code: 'RETRY_MISSING',
          message: `the room decided to repeat step ${step.spec.id} ("${exception.message.envelope.body.reason}"), but it was not repeated`,
        },
      ],
    };
  }
  if (decided)
    return { complete: true, repeat: false, blocked, exceptionNeeded, confirmations: counted, needed, problems: [] };
  const why = !exception
    ? 'no exception was recorded'
    : !covered
      ? 'the last exception does not list every objection made before it'
      : objectedToException.length > 0
        ? `the last exception itself drew ${objectedToException.length} objection(s)`
        : `the last exception has ${counted} of ${needed} required confirmations${shortfall(step.spec, short)}`;
  const problems: { code: FindingCode; message: string }[] = [];
  if (failed.length > 0) {
    problems.push({
      code: 'CHECK_FAILED_NOT_EXCEPTED',
      message: `step ${step.spec.id} was passed with failed check(s) ${failed.map((c) => c.id).join(', ')}: ${why}`,
    });
  }
  for (const o of objectionsBefore(step)) {
    const who = participants.get(toHex(o.envelope.by))?.label ?? 'a participant';
    problems.push({
      code: 'OBJECTION_NOT_RESOLVED',
      message: `${who} objected to step ${step.spec.id} ("${o.envelope.body.reason ?? 'no reason given'}"): ${why}`,
    });
  }
  if (problems.length === 0) {
    // Nothing failed and nobody objected, but the room took up a repeat that is not yet decided.
    problems.push({ code: 'QUORUM_NOT_MET', message: `step ${step.spec.id} was left undecided: ${why}` });
  }
  return { complete: false, repeat: false, blocked, exceptionNeeded, confirmations: counted, needed, problems };
}
