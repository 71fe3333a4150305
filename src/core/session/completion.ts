/**
 * When a step is complete: its quorum of confirmations is in, and if a check
 * failed or anyone objected, an exception that names every objection has been acknowledged by the
 * same quorum with no objection to it.
 */
import type { FindingCode } from '../audit/findings.js';
import type { SignedMessage } from '../protocol/message.js';
import type { StepSpec } from '../script/types.js';
import { toHex } from '../util/bytes.js';

/** A statement or exception with the acknowledgements it received, keyed by signer fingerprint hex. */
export interface AckTarget<T extends 'statement' | 'exception' = 'statement' | 'exception'> {
  readonly message: SignedMessage<T>;
  readonly acks: Map<string, SignedMessage<'ack'>>;
}

/** A step's progress through the session. */
export interface StepProgress {
  readonly spec: StepSpec;
  readonly statement: AckTarget<'statement'> | undefined;
  readonly exceptions: AckTarget<'exception'>[];
}

export interface Completion {
  readonly complete: boolean;
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

/** Everything participants may currently answer for a step: its statement and its exceptions. */
export function ackTargets(step: StepProgress): AckTarget[] {
  return step.statement ? [step.statement, ...step.exceptions] : [];
}

function count(target: AckTarget, decision: 'confirm' | 'object'): SignedMessage<'ack'>[] {
  return [...target.acks.values()].filter((a) => a.envelope.body.decision === decision);
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
      blocked: false,
      exceptionNeeded: false,
      confirmations: 0,
      needed,
      problems: [{ code: 'QUORUM_NOT_MET', message: `step ${step.spec.id} has no statement` }],
    };
  }
  const failed = statement.message.envelope.body.checks.filter((c) => !c.ok);
  const objections = count(statement, 'object');
  if (failed.length === 0 && objections.length === 0) {
    const confirmations = count(statement, 'confirm').length;
    const complete = confirmations >= needed;
    return {
      complete,
      blocked: false,
      exceptionNeeded: false,
      confirmations,
      needed,
      problems: complete
        ? []
        : [
            {
              code: 'QUORUM_NOT_MET',
              message: `step ${step.spec.id} was passed with ${confirmations} of ${needed} required confirmations (${step.spec.acks.roles.join(', ')})`,
            },
          ],
    };
  }
  const exception = step.exceptions.at(-1);
  const covered =
    exception !== undefined &&
    objections.every((o) => exception.message.envelope.body.objections.some((id) => toHex(id) === toHex(o.id)));
  const confirmations = exception ? count(exception, 'confirm').length : 0;
  const objectedToException = exception ? count(exception, 'object') : [];
  const complete = covered && confirmations >= needed && objectedToException.length === 0;
  const exceptionNeeded = !covered || objectedToException.length > 0;
  if (complete) return { complete, blocked: true, exceptionNeeded, confirmations, needed, problems: [] };
  const why = !exception
    ? 'no exception was recorded'
    : !covered
      ? 'the exception does not cover every objection'
      : objectedToException.length > 0
        ? `the exception itself drew ${objectedToException.length} objection(s)`
        : `the exception has ${confirmations} of ${needed} required confirmations`;
  const problems: { code: FindingCode; message: string }[] = [];
  if (failed.length > 0) {
    problems.push({
      code: 'CHECK_FAILED_NOT_EXCEPTED',
      message: `step ${step.spec.id} was passed with failed check(s) ${failed.map((c) => c.id).join(', ')}: ${why}`,
    });
  }
  for (const o of objections) {
    const who = participants.get(toHex(o.envelope.by))?.label ?? 'a participant';
    problems.push({
      code: 'OBJECTION_NOT_RESOLVED',
      message: `${who} objected to step ${step.spec.id} ("${o.envelope.body.reason ?? 'no reason given'}"): ${why}`,
    });
  }
  return { complete: false, blocked: true, exceptionNeeded, confirmations, needed, problems };
}
