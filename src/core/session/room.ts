/**
 * What the room acknowledges, and who is in the room. Every coordinator message the participants
 * answer with an `ack` is an AckTarget: a step's statement or exception (judged by the step's
 * quorum, completion.ts) or a session event, an abort, a resume or a roster change (judged here). "Who is present"
 * is decided by one function, presentParticipants, which every rule that counts the room uses.
 */
import type { AckableType } from '../protocol/bodies.js';
import type { SignedMessage } from '../protocol/message.js';
import type { AckSpec, StepSpec } from '../script/types.js';

/** A message the room answers, with the acknowledgements it received, keyed by signer fingerprint hex. */
export interface AckTarget<T extends AckableType = AckableType> {
  readonly message: SignedMessage<T>;
  readonly acks: Map<string, SignedMessage<'ack'>>;
}

/** Who may be counted in the room: an enrolled participant, by fingerprint hex. */
export interface RoomMember {
  readonly role: string;
  readonly label: string;
}

/** What presence is judged from: the enrolled participants, and the attendance changes (state-roster.ts). */
export interface Roster {
  readonly participants: ReadonlyMap<string, RoomMember>;
  readonly attendance?: { isPresent(fingerprintHex: string): boolean };
}

/**
 * The participants present now, by fingerprint hex: enrolled, and neither waiting for a roster
 * join or replace, nor gone by a roster leave or replace (state-roster.ts keeps the changes).
 */
export function presentParticipants<M extends RoomMember>(roster: {
  readonly participants: ReadonlyMap<string, M>;
  readonly attendance?: { isPresent(fingerprintHex: string): boolean };
}): ReadonlyMap<string, M> {
  const { attendance } = roster;
  if (!attendance) return roster.participants;
  return new Map([...roster.participants].filter(([fp]) => attendance.isPresent(fp)));
}

/** A session event the room acknowledges: an abort, a resume or a roster change, and the rule that completes it. */
export interface EventTarget<
  T extends 'abort' | 'resume' | 'roster' = 'abort' | 'resume' | 'roster',
> extends AckTarget<T> {
  /** Whose confirmations count, and how many are needed. */
  readonly quorum: EventQuorum;
}

/** Who must confirm an event. */
export interface EventQuorum {
  /** Roles whose confirmations count (undefined: anyone present). */
  readonly roles: readonly string[] | undefined;
  /** Fingerprints (hex) who must each confirm (undefined: any `min` of the roles). */
  readonly everyone: readonly string[] | undefined;
  readonly min: number;
  /** Fingerprints (hex) whose confirmations never count: a roster change's subject. */
  readonly excluded?: readonly string[];
  /** Said in findings: "the quorum of step 3.2 (witness, custodian, at least 3)". */
  readonly description: string;
}

/**
 * The quorum of an abort: that of the step in progress, or of the first step before any
 * statement. Recompute and challenge do not apply: an abort carries no evidence.
 */
export function abortQuorum(step: StepSpec): EventQuorum {
  return quorumOf(step.acks, `the quorum of step ${step.id}`);
}

/**
 * The quorum of a roster change: that of the step in progress (the first step's before any
 * statement), without its subject (who joins or leaves, and for a replace both devices).
 */
export function rosterQuorum(step: StepSpec, excluded: readonly string[]): EventQuorum {
  return { ...quorumOf(step.acks, `the quorum of step ${step.id}, not counting the participant concerned`), excluded };
}

function quorumOf(acks: AckSpec, what: string): EventQuorum {
  return {
    roles: acks.roles,
    everyone: undefined,
    min: acks.min,
    description: `${what} (${acks.roles.join(', ')}: at least ${acks.min})`,
  };
}

/** The quorum of a resume: every participant present when it was issued re-scans and confirms it. */
export function resumeQuorum(roster: Roster): EventQuorum {
  const everyone = [...presentParticipants(roster).keys()];
  return {
    roles: undefined,
    everyone,
    min: everyone.length,
    description: `every participant present (${everyone.length})`,
  };
}

/** Whether a participant may answer an event at all (their confirmation could count). */
export function mayAnswer(quorum: EventQuorum, fingerprintHex: string, member: RoomMember): boolean {
  if (quorum.excluded?.includes(fingerprintHex)) return false;
  if (quorum.everyone) return quorum.everyone.includes(fingerprintHex);
  return quorum.roles?.includes(member.role) ?? true;
}

export interface EventCompletion {
  readonly complete: boolean;
  readonly confirmations: number;
  readonly needed: number;
  /** Why it is not complete, in an auditor's words (empty when complete). */
  readonly missing: string;
}

/** An event is complete when its quorum has confirmed it and nobody objected. */
export function eventCompletion(event: EventTarget, members: ReadonlyMap<string, RoomMember>): EventCompletion {
  const { quorum } = event;
  const confirmed = [...event.acks.entries()].filter(([, a]) => a.envelope.body.decision === 'confirm');
  const objections = [...event.acks.values()].filter((a) => a.envelope.body.decision === 'object');
  const counted = quorum.everyone
    ? quorum.everyone.filter((fp) => confirmed.some(([k]) => k === fp)).length
    : confirmed.filter(([fp]) => {
        const m = members.get(fp);
        return m !== undefined && mayAnswer(quorum, fp, m);
      }).length;
  const needed = quorum.min;
  const waiting = quorum.everyone
    ?.filter((fp) => !confirmed.some(([k]) => k === fp))
    .map((fp) => members.get(fp)?.label ?? fp.slice(0, 16));
  const missing =
    objections.length > 0
      ? `the ${event.message.t} drew ${objections.length} objection(s) (${objections.map((o) => `"${o.envelope.body.reason ?? 'no reason given'}"`).join(', ')})`
      : counted < needed
        ? `the ${event.message.t} has ${counted} of ${needed} confirmations from ${quorum.description}${waiting && waiting.length > 0 ? `; not yet: ${waiting.join(', ')}` : ''}`
        : '';
  return { complete: missing === '', confirmations: counted, needed, missing };
}
