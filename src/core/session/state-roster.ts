/**
 * Attendance in the rule fold (state.ts): who is present, and the roster changes that alter it.
 * Participants enrolled before the first step are present from their enrolment. One who enrols
 * later, or a replacement device (an enrolment with `replaces`), is enrolled but not present until
 * the coordinator's roster `join` or `replace` for it; a roster `leave` makes a participant
 * absent, and a `replace` makes the old identity absent. Each roster change is acknowledged by the
 * quorum of the step in progress (the first step's before any statement), not counting its subject,
 * and the ceremony goes on (a statement, or the close) only once it is complete. Acknowledgements
 * and attestations are accepted only from a participant present now, and an acknowledgement only
 * for a message issued while they were present (README, "Attendance").
 */
import type { SignedMessage } from '../protocol/message.js';
import { spokenWords } from '../protocol/words.js';
import type { StepSpec } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { eventCompletion, rosterQuorum, type EventTarget, type RoomMember } from './room.js';
import type { AddFinding } from './state-attempts.js';

/** When a participant counts as present: from entry `from` (exclusive of earlier targets) until `until`. */
interface Presence {
  /** The seq from which their acknowledgements count: their enrolment, or their roster join/replace. */
  readonly from: number;
  /** The seq of the roster leave or replace that made them absent. */
  until: number | undefined;
  /** How they became absent, for refusals and the report. */
  why: string | undefined;
  /** The fingerprint (hex) of the device that replaced them. */
  replacedBy: string | undefined;
}

/** An enrolment waiting for its roster message: a late join, or a replacement. */
interface Awaiting {
  readonly enroll: SignedMessage<'enroll'>;
  readonly label: string;
}

/** The attendance part of the session state. */
export class Attendance {
  private readonly presence = new Map<string, Presence>();
  /** Enrolments accepted but not yet present, by fingerprint hex. */
  readonly awaiting = new Map<string, Awaiting>();
  /** Roster changes in transcript order. */
  readonly changes: EventTarget[] = [];

  /** A participant enrolled before the first step: present from their enrolment. */
  present(fpHex: string, seq: number): void {
    this.presence.set(fpHex, { from: seq, until: undefined, why: undefined, replacedBy: undefined });
  }

  /** An enrolment that needs a roster change before its participant is present. */
  await(fpHex: string, enroll: SignedMessage<'enroll'>, label: string): void {
    this.awaiting.set(fpHex, { enroll, label });
  }

  /** Whether a participant is present now. */
  isPresent(fpHex: string): boolean {
    const p = this.presence.get(fpHex);
    return p !== undefined && p.until === undefined;
  }

  /** Whether a participant was present when entry `seq` was issued. */
  presentAt(fpHex: string, seq: number): boolean {
    const p = this.presence.get(fpHex);
    return p !== undefined && p.from < seq && (p.until === undefined || p.until > seq);
  }

  /** Fingerprints (hex) present when entry `seq` was issued. */
  presentSetAt(seq: number): string[] {
    return [...this.presence.keys()].filter((fp) => this.presentAt(fp, seq));
  }

  /** The fingerprint (hex) of the device that replaced this identity, if it was replaced. */
  replacedBy(fpHex: string): string | undefined {
    return this.presence.get(fpHex)?.replacedBy;
  }

  /** Why a participant's answer to a target issued at `targetSeq` is not accepted; undefined when it is. */
  absence(fpHex: string, targetSeq: number | undefined): string | undefined {
    const p = this.presence.get(fpHex);
    if (!p) {
      return this.awaiting.has(fpHex)
        ? 'they enrolled after the steps started and have not joined yet (no roster change for them is recorded)'
        : 'they are not present in the session';
    }
    if (p.until !== undefined) return p.why ?? 'they are no longer present';
    if (targetSeq !== undefined && p.from >= targetSeq)
      return 'they joined after the message they answer was issued; their answers count only from their join on';
    return undefined;
  }

  /** Whether a participant takes a place in their role: present, or enrolled late and waiting to join (not as a replacement). */
  takesPlace(fpHex: string): boolean {
    const waiting = this.awaiting.get(fpHex);
    return this.isPresent(fpHex) || (waiting !== undefined && waiting.enroll.envelope.body.replaces === undefined);
  }

  /**
   * Why an enrolment may not replace `old` (undefined when it may): a replacement takes over the
   * same person's identity, enrolled and present, with the same name and role, once.
   */
  replacementRefusal(
    participants: ReadonlyMap<string, RoomMember & { readonly name: string }>,
    old: Uint8Array,
    name: string,
    role: string,
  ): string | undefined {
    const hex = toHex(old);
    const previous = participants.get(hex);
    if (!previous)
      return `the enrolment claims to replace key ${spokenWords(old)}, which is not enrolled in this session`;
    if (!this.isPresent(hex))
      return `the enrolment claims to replace ${previous.label}, who is not present: ${this.absence(hex, undefined) ?? ''}`;
    if (previous.name !== name || previous.role !== role)
      return `a replacement device keeps its identity's name and role: ${previous.label} is "${previous.name}" (${previous.role}), the enrolment says "${name}" (${role})`;
    for (const waiting of this.awaiting.values()) {
      const other = waiting.enroll.envelope.body.replaces;
      if (other && equalBytes(other, old)) return `${waiting.label} already enrolled to replace ${previous.label}`;
    }
    return undefined;
  }

  /** The roster change with this id, if it is one. */
  change(id: Uint8Array): EventTarget | undefined {
    return this.changes.find((c) => equalBytes(c.message.id, id));
  }

  /**
   * Why the ceremony may not go on now (a statement or the close): a roster change not yet
   * acknowledged, or an enrolment still waiting for its roster change. Undefined when it may.
   */
  blocking(members: ReadonlyMap<string, RoomMember>): string | undefined {
    const last = this.changes.at(-1);
    if (last) {
      const done = eventCompletion(last, members);
      if (!done.complete) return `the roster change (${describe(last.message)}) is not complete: ${done.missing}`;
    }
    const waiting = [...this.awaiting.values()][0];
    if (waiting)
      return `${waiting.label} enrolled ${waiting.enroll.envelope.body.replaces ? 'as a replacement device' : 'after the steps started'}, and no roster change for them is recorded`;
    return undefined;
  }

  /**
   * Judge a roster change against the enrolments and who is present. `seq` is the roster's own
   * position; `step` the step whose quorum acknowledges it (the step in progress, or the first step
   * when none has `started`), which the change must name.
   */
  evaluate(
    message: SignedMessage<'roster'>,
    seq: number,
    step: StepSpec,
    started: boolean,
    members: ReadonlyMap<string, RoomMember & { readonly enroll: SignedMessage<'enroll'> }>,
    add: AddFinding,
  ): () => void {
    const body = message.envelope.body;
    const subject = toHex(body.participant);
    const label =
      members.get(subject)?.label ?? this.awaiting.get(subject)?.label ?? `key ${spokenWords(body.participant)}`;
    const who = { participant: label };
    const bad = (text: string): (() => void) => {
      add('ROSTER_INVALID', text, who);
      return () => undefined;
    };
    if (body.step !== (started ? step.id : undefined))
      return bad(
        body.step === undefined
          ? `the roster change names no step, but step ${step.id} is in progress`
          : `the roster change names step ${body.step}, but ${started ? `step ${step.id} is in progress` : 'no step has started'}`,
      );
    const previous = this.changes.at(-1);
    if (previous && !eventCompletion(previous, members).complete)
      return bad(`a roster change while the previous one (${describe(previous.message)}) is not yet acknowledged`);
    const waiting = this.awaiting.get(subject);
    const named = body.enroll;
    if (body.change === 'leave') {
      if (named !== undefined || body.replaces !== undefined)
        return bad('a roster leave names no enrolment and replaces nothing');
      if (!this.isPresent(subject)) return bad(`${label} cannot leave: ${this.absence(subject, undefined) ?? ''}`);
    } else {
      if (!waiting) return bad(`a roster ${body.change} for ${label}, who has no enrolment waiting for one`);
      if (named === undefined || !equalBytes(named, waiting.enroll.id))
        return bad(`the roster ${body.change} does not name ${label}'s enrolment`);
      const replaces = waiting.enroll.envelope.body.replaces;
      if (body.change === 'join' && replaces !== undefined)
        return bad(`${label} enrolled as a replacement device: the roster change is a replace, not a join`);
      if (body.change === 'replace') {
        if (replaces === undefined) return bad(`${label} did not enrol as a replacement device`);
        if (body.replaces === undefined || !equalBytes(body.replaces, replaces))
          return bad(`the roster replace must name the identity ${label}'s enrolment replaces`);
        if (!this.isPresent(toHex(replaces)))
          return bad(
            `the identity ${label} replaces is no longer present: ${this.absence(toHex(replaces), undefined) ?? ''}`,
          );
      } else if (body.replaces !== undefined) return bad('a roster join replaces nothing');
    }
    const excluded = [subject, ...(body.change === 'replace' && body.replaces ? [toHex(body.replaces)] : [])];
    const target: EventTarget = { message, acks: new Map(), quorum: rosterQuorum(step, excluded) };
    return () => {
      this.changes.push(target);
      if (body.change === 'leave') {
        const p = this.presence.get(subject);
        if (p) {
          p.until = seq;
          p.why = `they left the session ("${body.reason}")`;
        }
        return;
      }
      this.awaiting.delete(subject);
      this.presence.set(subject, { from: seq, until: undefined, why: undefined, replacedBy: undefined });
      if (body.change === 'replace' && body.replaces) {
        const old = this.presence.get(toHex(body.replaces));
        if (old) {
          old.until = seq;
          old.why = `their device was replaced by ${label} ("${body.reason}")`;
          old.replacedBy = subject;
        }
      }
    };
  }
}

/** One roster change as the audit report shows it. */
export interface RosterEntry {
  readonly seq: number;
  readonly at: number;
  readonly change: 'join' | 'leave' | 'replace';
  /** Fingerprint hex of the subject (and, for a replace, of the identity replaced). */
  readonly participant: string;
  readonly replaces: string | undefined;
  readonly reason: string;
  readonly complete: boolean;
}

/**
 * Who was present at each step's statement (the last attempt's), by fingerprint hex in enrolment
 * order, and every roster change: what the audit report shows of attendance.
 */
export function attendanceTimeline(state: {
  readonly attendance: Attendance;
  readonly participants: ReadonlyMap<string, RoomMember>;
  readonly steps: readonly {
    readonly spec: StepSpec;
    readonly statement: { readonly message: SignedMessage } | undefined;
  }[];
  seqOf(id: Uint8Array): number | undefined;
}): { readonly steps: readonly (readonly string[] | undefined)[]; readonly changes: readonly RosterEntry[] } {
  const { attendance } = state;
  const steps = state.steps.map((step) => {
    const seq = step.statement ? state.seqOf(step.statement.message.id) : undefined;
    return seq === undefined ? undefined : [...state.participants.keys()].filter((fp) => attendance.presentAt(fp, seq));
  });
  const changes = attendance.changes.flatMap((c): RosterEntry[] => {
    const m = c.message;
    if (m.t !== 'roster') return [];
    const b = m.envelope.body;
    return [
      {
        seq: state.seqOf(m.id) ?? -1,
        at: m.envelope.at,
        change: b.change,
        participant: toHex(b.participant),
        replaces: b.replaces ? toHex(b.replaces) : undefined,
        reason: b.reason,
        complete: eventCompletion(c, state.participants).complete,
      },
    ];
  });
  return { steps, changes };
}

/** "join of key …", for findings. */
function describe(message: SignedMessage): string {
  if (message.t !== 'roster') return message.t;
  return `${message.envelope.body.change} of key ${spokenWords(message.envelope.body.participant)}`;
}
