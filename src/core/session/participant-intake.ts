/**
 * What a participant device lets in: the genesis, checked against this device's own script, and
 * afterwards only the coordinator's chained messages (statements, exceptions, aborts, suspends,
 * resumes, the close) and blobs of that session, signed under the genesis's key and fitting this
 * device's script; a context blob carries one earlier chained message, so that the device can fold
 * its head from the genesis (device-head.ts). Anything else is refused with the reason, before
 * anything is stored.
 */
import { KeywitnessError } from '../errors.js';
import type { PublicIdentity } from '../protocol/identity.js';
import {
  decodeMessage,
  expectType,
  isMessageOf,
  selfCertifiedIdentity,
  verifyMessage,
  type SignedMessage,
} from '../protocol/message.js';
import type { Script } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';
import { isChained, type ChainedMessage } from './device-head.js';
import { CONTEXT_BLOB_KIND, type MessagePool } from './message-pool.js';
import { misfit } from './participant-review.js';

function refuse(message: string): never {
  throw new KeywitnessError('SESSION_REJECTED', message);
}

/**
 * Check a scanned genesis: signed by the key it carries, for this device's script (by hash and id),
 * with a coordinator role of that script, and a participant role for this device.
 */
export async function checkGenesis(
  device: { readonly script: Script; readonly role: string },
  wire: Uint8Array,
): Promise<SignedMessage<'genesis'>> {
  const genesis = expectType(decodeMessage(wire), 'genesis');
  const body = genesis.envelope.body;
  const identity = selfCertifiedIdentity(genesis);
  if (!(await verifyMessage(genesis, identity)))
    refuse('the genesis signature does not verify with the key it carries');
  if (!equalBytes(body.script, device.script.hash)) {
    refuse(
      `the session's script hash ${toHex(body.script)} differs from this device's script ${toHex(device.script.hash)}: do not proceed`,
    );
  }
  if (body.script_id !== device.script.id) {
    refuse(`the session names script "${body.script_id}", this device's script is "${device.script.id}"`);
  }
  const role = device.script.roles.find((r) => r.id === device.role);
  if (!role || role.coordinator) {
    throw new KeywitnessError(
      'INPUT_INVALID',
      `role "${device.role}" is not a participant role of script ${device.script.id}`,
    );
  }
  return genesis;
}

/** A coordinator message let in, with the chained message a context blob carried. */
export type Intake =
  | { readonly status: 'duplicate'; readonly message: SignedMessage }
  | {
      readonly status: 'accepted';
      readonly message: ChainedMessage | SignedMessage<'blob'>;
      readonly inner: ChainedMessage | undefined;
    };

interface Session {
  readonly script: Script;
  readonly genesis: SignedMessage<'genesis'>;
  readonly coordinator: PublicIdentity;
  /** True when this device objected to the message with this id. */
  objectedTo(id: Uint8Array): boolean;
}

async function fromCoordinator(session: Session, wire: Uint8Array, what: string): Promise<SignedMessage> {
  const message = decodeMessage(wire);
  const { t } = message;
  if (!equalBytes(message.envelope.sid, session.genesis.envelope.sid))
    refuse(`${what} ${t} belongs to another session`);
  if (!(await verifyMessage(message, session.coordinator))) {
    if (t === 'resume') {
      refuse(
        "this resume is not signed by the key that opened the session (the genesis's coordinator key): do not acknowledge it; tell the room",
      );
    }
    refuse(`${what} ${t} is not signed by the coordinator of this session (another participant's screen?)`);
  }
  return message;
}

function checkFits(session: Session, message: SignedMessage): void {
  if (message.t === 'statement') {
    const wrong = misfit(session.script, message);
    if (wrong) refuse(wrong);
  }
  if (message.t === 'exception') {
    const step = session.script.steps.find((s) => s.id === message.envelope.body.step);
    if (!step)
      refuse(`the exception names step "${message.envelope.body.step}", which this device's script does not have`);
    if (message.envelope.body.decision === 'repeat' && !step.repeatable) {
      refuse(`the exception decides to repeat step ${step.id}, which this device's script says must not be repeated`);
    }
  }
  if (message.t === 'roster') {
    const { change, enroll, replaces } = message.envelope.body;
    // The shape the fold requires, checked before anything is stored or acknowledged.
    if (change === 'leave' && (enroll !== undefined || replaces !== undefined))
      refuse('a roster leave that names an enrolment or a replaced identity: it is not one the session rules accept');
    if (change !== 'leave' && enroll === undefined) refuse(`a roster ${change} that names no enrolment`);
    if ((change === 'replace') !== (replaces !== undefined))
      refuse(
        `a roster ${change} ${change === 'replace' ? 'that names no replaced identity' : 'that names a replaced identity'}`,
      );
  }
  if (message.t === 'abort' && message.envelope.body.step !== undefined) {
    const { step } = message.envelope.body;
    if (!session.script.steps.some((s) => s.id === step))
      refuse(`the abort names step "${step}", which this device's script does not have`);
  }
  if (
    message.t === 'close' &&
    message.envelope.body.abort === undefined &&
    message.envelope.body.steps !== session.script.steps.length
  ) {
    refuse(
      `the close says the ceremony had ${message.envelope.body.steps} steps; this device's script has ${session.script.steps.length}`,
    );
  }
}

/**
 * What the coordinator shows must move forward through the script: never back to an earlier step,
 * and never a second, different statement for a step it already showed.
 */
function checkOrder(session: Session, pool: MessagePool, message: SignedMessage): void {
  const furthest = pool.furthestStep();
  const stepOf = (n: number): string => session.script.steps[n]?.id ?? `position ${n + 1}`;
  if (message.t === 'statement') {
    const { n, step } = message.envelope.body;
    if (n < furthest)
      refuse(`a statement for step ${step} after step ${stepOf(furthest)} was shown: the coordinator went back`);
    const shown = pool.shownStatement(n);
    if (shown) checkRetry(session, pool, message, shown);
    else if (message.envelope.body.retry !== undefined) {
      refuse(`the statement for step ${step} says it repeats an attempt this device was never shown`);
    }
  }
  if (message.t === 'exception') {
    const index = session.script.steps.findIndex((s) => s.id === message.envelope.body.step);
    if (index < furthest) {
      refuse(`an exception for step ${message.envelope.body.step} after step ${stepOf(furthest)} was shown`);
    }
  }
}

/**
 * The close of an aborted session names the abort this device acknowledged and the steps reached;
 * a close that names no abort after one was shown would pass off the abandoned ceremony as complete.
 */
function checkAbortedClose(session: Session, pool: MessagePool, close: SignedMessage<'close'>): void {
  // Messages arrive in any order, so an abort not held yet is judged by the head's fold (device-head.ts).
  const abort = pool.abort();
  const named = close.envelope.body.abort;
  if (!abort) return;
  if (named === undefined || !equalBytes(named, abort.id)) {
    refuse('the session was aborted, but this close does not name the abort this device was shown: do not attest');
  }
  const step = abort.envelope.body.step;
  const reached = step === undefined ? 0 : session.script.steps.findIndex((s) => s.id === step) + 1;
  if (close.envelope.body.steps !== reached) {
    refuse(
      `the close says ${close.envelope.body.steps} steps were reached; the abort came at step ${step ?? '(none)'}, step ${reached} of the script`,
    );
  }
}

/**
 * A second statement for a step this device was already shown is let in only as a new attempt:
 * it names a repeat exception of the step's latest attempt that this device holds, and that could
 * be complete (this device did not object to it).
 */
function checkRetry(
  session: Session,
  pool: MessagePool,
  statement: SignedMessage<'statement'>,
  shown: SignedMessage<'statement'>,
): void {
  const { step, retry } = statement.envelope.body;
  if (retry === undefined) {
    refuse(
      `a second, different statement for step ${step}: this device was already shown one, and no repeat was decided`,
    );
  }
  const exception = pool.exception(retry);
  if (!exception)
    refuse(`the new attempt of step ${step} names a repeat exception this device has not seen: scan it first`);
  if (exception.envelope.body.decision !== 'repeat') {
    refuse(`the new attempt of step ${step} names an exception that decided to proceed, not to repeat`);
  }
  if (exception.envelope.body.step !== step || !equalBytes(exception.envelope.body.ref, shown.id)) {
    refuse(`the new attempt of step ${step} names an exception of another attempt or step`);
  }
  const latest = pool.latestExceptionOf(shown);
  if (!latest || !equalBytes(latest.id, exception.id)) {
    refuse(`the new attempt of step ${step} names an exception that is not the latest this device was shown`);
  }
  if (session.objectedTo(exception.id)) {
    refuse(`the new attempt of step ${step} names a repeat exception this device objected to: it cannot be complete`);
  }
}

/**
 * Let a scanned coordinator message in, or refuse it. Evidence blobs are duplicates when the pool
 * already holds their bytes, context blobs when it holds the statement they carry.
 */
export async function acceptCoordinatorMessage(session: Session, pool: MessagePool, wire: Uint8Array): Promise<Intake> {
  const message = await fromCoordinator(session, wire, 'this');
  if (!isChained(message) && !isMessageOf(message, 'blob')) {
    if (message.t === 'genesis') refuse('this device already joined this session: scan the current statement');
    if (message.t === 'seal') refuse('a seal travels in the exported session bundle, not to participant devices');
    refuse(`this ${message.t} is a participant's message: point the camera at the coordinator's screen`);
  }
  // A message held only as context is let in again when the coordinator shows it to be answered.
  if (pool.has(message.id) && (message.t === 'blob' || pool.shown(message))) return { status: 'duplicate', message };
  let inner: ChainedMessage | undefined;
  if (message.t === 'blob') {
    const { kind, data } = message.envelope.body;
    if (kind === CONTEXT_BLOB_KIND) {
      const carried = await fromCoordinator(session, data, 'the context');
      if (!isChained(carried)) {
        refuse(`a context blob carries a ${carried.t}; only the coordinator's chained messages travel as context`);
      }
      if (pool.has(carried.id)) return { status: 'duplicate', message: carried };
      inner = carried;
    } else if (pool.blob(sha256(data))) {
      return { status: 'duplicate', message };
    }
  }
  checkFits(session, inner ?? message);
  if (message.t === 'close') checkAbortedClose(session, pool, message);
  if (!inner) checkOrder(session, pool, message);
  pool.checkRoom(wire.length);
  return { status: 'accepted', message, inner };
}
