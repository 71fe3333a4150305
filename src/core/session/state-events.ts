/**
 * Session events in the rule fold (state.ts): abort, suspend and resume. An abort is acknowledged
 * by the quorum of the step in progress and only its acknowledgements, the close and the
 * attestations may follow it; a suspend waits for nobody and only its resume may follow; a resume
 * is signed by the genesis's coordinator key and every participant present acknowledges it before
 * the ceremony goes on (room.ts says who is present and when an event is complete).
 */
import type { MessageType } from '../protocol/bodies.js';
import type { SignedMessage } from '../protocol/message.js';
import type { StepSpec } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { abortQuorum, eventCompletion, resumeQuorum, type EventTarget, type RoomMember } from './room.js';
import type { AddFinding } from './state-attempts.js';

/** One suspension of the session, with its resume once issued. */
export interface Suspension {
  readonly suspend: SignedMessage<'suspend'>;
  resume: EventTarget | undefined;
}

/** The session-event part of the session state. */
export class SessionEvents {
  /** Aborts and resumes in transcript order: what the room acknowledges besides the steps. */
  readonly events: EventTarget[] = [];
  readonly suspensions: Suspension[] = [];
  abort: EventTarget<'abort'> | undefined;

  /** The open suspend, if the session is suspended now. */
  get suspended(): SignedMessage<'suspend'> | undefined {
    const last = this.suspensions.at(-1);
    return last && !last.resume ? last.suspend : undefined;
  }

  /** The latest resume, while not every participant present has acknowledged it. */
  pendingResume(members: ReadonlyMap<string, RoomMember>): EventTarget | undefined {
    const resume = this.suspensions.at(-1)?.resume;
    return resume && !eventCompletion(resume, members).complete ? resume : undefined;
  }

  /** The event with this id, if it is one the room acknowledges. */
  event(id: Uint8Array): EventTarget | undefined {
    return this.events.find((e) => equalBytes(e.message.id, id));
  }

  /**
   * Findings that gate every entry by what the session is in now: aborted, suspended, or resumed
   * and not yet acknowledged. Returns false when the entry must not be applied.
   */
  gate(message: SignedMessage, members: ReadonlyMap<string, RoomMember>, add: AddFinding): boolean {
    const t = message.t;
    if (this.abort) {
      if (t === 'ack' || t === 'close' || t === 'attest') return true;
      add('ENTRY_AFTER_ABORT', `a ${t} after the session was aborted ("${this.abort.message.envelope.body.reason}")`);
      return false;
    }
    const suspended = this.suspended;
    if (suspended) {
      if (t === 'resume') return true;
      add(
        'ENTRY_WHILE_SUSPENDED',
        `a ${t} while the session is suspended ("${suspended.envelope.body.reason}"): only its resume may follow`,
      );
      return false;
    }
    const pending = this.pendingResume(members);
    if (pending && COORDINATOR_ONWARD.has(t)) {
      add('RESUME_INVALID', `a ${t} before the resume was acknowledged: ${eventCompletion(pending, members).missing}`);
      return false;
    }
    return true;
  }

  /** An abort: it names the step in progress (none before the first statement). */
  evaluateAbort(
    message: SignedMessage<'abort'>,
    current: StepSpec | undefined,
    first: StepSpec,
    add: AddFinding,
  ): () => void {
    const { step } = message.envelope.body;
    if (step !== current?.id) {
      add(
        'ABORT_INVALID',
        step === undefined
          ? `the abort names no step, but step ${current?.id ?? ''} is in progress`
          : `the abort names step ${step}, but ${current ? `step ${current.id} is in progress` : 'no step has started'}`,
        step !== undefined ? { step } : {},
      );
      return () => undefined;
    }
    const event: EventTarget<'abort'> = { message, acks: new Map(), quorum: abortQuorum(current ?? first) };
    return () => {
      this.events.push(event);
      this.abort = event;
    };
  }

  evaluateSuspend(message: SignedMessage<'suspend'>): () => void {
    return () => this.suspensions.push({ suspend: message, resume: undefined });
  }

  /** A resume names the open suspend and is signed by the genesis's coordinator key (checked by the caller). */
  evaluateResume(
    message: SignedMessage<'resume'>,
    roster: { readonly participants: ReadonlyMap<string, RoomMember> },
    add: AddFinding,
  ): () => void {
    const open = this.suspensions.at(-1);
    if (!open || open.resume) {
      add('RESUME_INVALID', 'a resume while the session is not suspended');
      return () => undefined;
    }
    if (!equalBytes(message.envelope.body.ref, open.suspend.id)) {
      add(
        'RESUME_INVALID',
        `the resume names ${toHex(message.envelope.body.ref).slice(0, 16)}…, not the open suspend ${toHex(open.suspend.id).slice(0, 16)}…`,
      );
      return () => undefined;
    }
    const event: EventTarget = { message, acks: new Map(), quorum: resumeQuorum(roster) };
    return () => {
      this.events.push(event);
      open.resume = event;
    };
  }

  /** Findings for the close of an aborted session; `reached` is the number of steps with a statement. */
  closeFindings(
    close: SignedMessage<'close'>,
    reached: number,
    members: ReadonlyMap<string, RoomMember>,
    add: AddFinding,
  ): void {
    const { abort, steps } = close.envelope.body;
    if (!this.abort) {
      if (abort !== undefined) add('ABORT_INVALID', 'the close names an abort, but the session was not aborted');
      return;
    }
    if (abort === undefined || !equalBytes(abort, this.abort.message.id))
      add('ABORT_INVALID', 'the session was aborted, but the close does not name the abort');
    const completion = eventCompletion(this.abort, members);
    if (!completion.complete) add('ABORT_INVALID', `closed before the abort had its quorum: ${completion.missing}`);
    if (steps !== reached)
      add('ABORT_INVALID', `the close of the aborted session claims ${steps} steps; ${reached} were reached`);
  }
}

/** Coordinator messages that carry the ceremony on, and so must wait for a resume's acknowledgements. */
const COORDINATOR_ONWARD: ReadonlySet<MessageType> = new Set(['statement', 'exception', 'abort', 'suspend', 'close']);
