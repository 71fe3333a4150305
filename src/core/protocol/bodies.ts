/**
 * Message bodies of every type (docs/architecture.md, "Formats: messages") with their strict schemas. A body type and its schema
 * sit side by side so that the two cannot drift apart unnoticed.
 */
import type { Schema } from './fields.js';
import type { SignatureAlgorithm } from './identity.js';
import { arrayOf, bool, bytes, int, mapOf, oneOf, text, textMap, uint } from './fields.js';

export type MessageType =
  | 'genesis'
  | 'enroll'
  | 'statement'
  | 'ack'
  | 'exception'
  | 'abort'
  | 'suspend'
  | 'resume'
  | 'roster'
  | 'close'
  | 'attest'
  | 'blob'
  | 'seal';
export const MESSAGE_TYPES: readonly MessageType[] = [
  'genesis',
  'enroll',
  'statement',
  'ack',
  'exception',
  'abort',
  'suspend',
  'resume',
  'roster',
  'close',
  'attest',
  'blob',
  'seal',
];

/** Types whose envelope carries `prev`, the transcript head the signer saw (see HAS_PREV). */
export type ChainedType =
  'statement' | 'ack' | 'exception' | 'abort' | 'suspend' | 'resume' | 'roster' | 'close' | 'attest';

/**
 * What the room acknowledges: coordinator messages an `ack` may answer. Statements and exceptions
 * belong to a step's attempt; the others are session events judged by the quorum of the step in
 * progress (session/room.ts).
 */
export type AckableType = 'statement' | 'exception' | 'abort' | 'resume' | 'roster';
export const ACKABLE_TYPES: readonly AckableType[] = ['statement', 'exception', 'abort', 'resume', 'roster'];

/**
 * Chained types the coordinator signs: their envelope also carries `appended`, the ids of the
 * entries appended to the transcript since the coordinator's previous entry (see HAS_APPENDED).
 */
export type CoordinatorChainedType = 'statement' | 'exception' | 'abort' | 'suspend' | 'resume' | 'roster' | 'close';

/**
 * Most ids one `appended` list holds: an answer from every participant to every target of a step
 * (or every enrolment) between two coordinator messages. 256 ids are 8.7 KB, so the message still
 * fits one 16 KiB message, and a context blob.
 */
export const MAX_APPENDED = 256;

export type SessionMode = 'rehearsal' | 'production';

/** Most bytes one blob carries, so that a blob message stays within a QR transfer's 16 KiB. */
export const MAX_BLOB_DATA_BYTES = 15 * 1024;

/** Most clock records in one message: one per enrolment since the coordinator's previous record. */
export const MAX_CLOCK_RECORDS = 256;
/** Bound of a recorded skew (about 31 years either way): any real wrong clock, nothing unbounded. */
export const MAX_SKEW_MS = 1e12;

const NAME = text(128, 1);
const ID = text(64, 1);
const REASON = text(4000);
const HASH = bytes(32);
const CLOCKS = arrayOf(
  mapOf({ who: [HASH, true], skew_ms: [int(-MAX_SKEW_MS, MAX_SKEW_MS), true] }),
  MAX_CLOCK_RECORDS,
);

/** Opens a session: binds the session id to the script hash and the coordinator's key. */
export interface GenesisBody {
  readonly script: Uint8Array;
  readonly script_id: string;
  readonly mode: SessionMode;
  readonly name: string;
  readonly role: string;
  readonly alg: SignatureAlgorithm;
  readonly key: Uint8Array;
  /** The coordinator app's build hash, hex ('' when unknown). */
  readonly app: string;
}

/** A participant joins: their key, self-signed (proof of possession), bound to the genesis. */
export interface EnrollBody {
  readonly genesis: Uint8Array;
  readonly name: string;
  readonly role: string;
  readonly alg: SignatureAlgorithm;
  readonly key: Uint8Array;
  /**
   * A replacement device: the fingerprint of the same person's enrolled identity it takes over
   * (same name and role); the coordinator's roster `replace` then links the two.
   */
  readonly replaces?: Uint8Array;
}

export interface EvidenceRef {
  readonly id: string;
  readonly kind: string;
  readonly sha256: Uint8Array;
  readonly size: number;
  readonly name: string;
}

/**
 * A device's clock as the coordinator measured it when it scanned the device's enrolment: the
 * enrolment's `at` less (the coordinator's clock less the scanning delay), in milliseconds;
 * positive when the device's clock is ahead.
 */
export interface ClockRecord {
  /** The enrolled participant's key fingerprint. */
  readonly who: Uint8Array;
  readonly skew_ms: number;
}

export interface CheckRecord {
  readonly id: string;
  readonly ok: boolean;
  readonly expected: string;
  readonly observed: string;
}

/** The coordinator's account of one step: inputs, evidence digests, check results. */
export interface StatementBody {
  readonly step: string;
  readonly n: number;
  readonly inputs: Readonly<Record<string, string>>;
  readonly evidence: readonly EvidenceRef[];
  readonly checks: readonly CheckRecord[];
  /** The typed confirmation of an irreversible step. */
  readonly confirm?: string;
  /** The clocks of the enrolments accepted since the coordinator last recorded clocks (state-clocks.ts). */
  readonly clocks?: readonly ClockRecord[];
  /** A repeated attempt: the id of the completed repeat exception of the step's previous attempt. */
  readonly retry?: Uint8Array;
}

export type Decision = 'confirm' | 'object';

/** A participant's answer to a statement, exception, abort or resume. */
export interface AckBody {
  readonly ref: Uint8Array;
  readonly decision: Decision;
  readonly reason?: string;
  /** The device recomputed the evidence checks itself. */
  readonly recomputed: boolean;
  /** The participant passed the word challenge against an independent source. */
  readonly challenge: boolean;
}

/**
 * What the room decided about an attempt of a step: `proceed` accepts it despite a failed check
 * or objections; `repeat` redoes the step (a new attempt whose statement names this exception).
 */
export type ExceptionDecision = 'proceed' | 'repeat';

/** Records how a failed check or objections on a statement were dealt with, or that the step is redone. */
export interface ExceptionBody {
  readonly step: string;
  readonly ref: Uint8Array;
  readonly objections: readonly Uint8Array[];
  readonly reason: string;
  readonly decision: ExceptionDecision;
}

/** The coordinator stops the ceremony for good; the quorum of the step in progress acknowledges it. */
export interface AbortBody {
  readonly reason: string;
  /** The step in progress, if any had started. */
  readonly step?: string;
}

/** The coordinator breaks off the ceremony (nothing waits for acknowledgements). */
export interface SuspendBody {
  readonly reason: string;
}

/** The coordinator takes up a suspended ceremony again; every participant present acknowledges it. */
export interface ResumeBody {
  /** The id of the suspend it ends. */
  readonly ref: Uint8Array;
  readonly reason?: string;
}

export type RosterChange = 'join' | 'leave' | 'replace';

/**
 * A change of who is present, acknowledged by the quorum of the step in progress (the subject
 * does not count): a participant who enrolled after the first step joins, one leaves, or a
 * replacement device takes over an enrolled identity (state-roster.ts).
 */
export interface RosterBody {
  readonly change: RosterChange;
  /** The subject's fingerprint: who joins, leaves, or the replacement device's key. */
  readonly participant: Uint8Array;
  /** For join and replace: the id of the subject's enrolment. */
  readonly enroll?: Uint8Array;
  /** For replace: the fingerprint of the identity the new device takes over. */
  readonly replaces?: Uint8Array;
  readonly reason: string;
  /** The step in progress, whose quorum acknowledges the change (absent before the first statement). */
  readonly step?: string;
  /** As on a statement: clocks of enrolments not yet recorded (the joining device's, typically). */
  readonly clocks?: readonly ClockRecord[];
}

/** Ends the ceremony. */
export interface CloseBody {
  /** Steps completed: every step of the script, or for an aborted session the steps reached. */
  readonly steps: number;
  /** As on a statement: clocks of enrolments not yet recorded. */
  readonly clocks?: readonly ClockRecord[];
  /** The abort this close ends the session after. */
  readonly abort?: Uint8Array;
}

/** A participant's closing attestation. */
export interface AttestBody {
  readonly ref: Uint8Array;
  readonly agree: boolean;
  readonly reason?: string;
  /** The device's log: a hash chain over what it signed and answered (session/device-log.ts). */
  readonly log: Uint8Array;
}

/** Evidence bytes travelling to witnesses, signed by the coordinator. */
export interface BlobBody {
  readonly name: string;
  readonly kind: string;
  readonly data: Uint8Array;
}

/**
 * The coordinator's seal over a closed session, carried in the bundle beside the transcript and
 * never in it: it chains the attestations, which nothing in the transcript follows. Signed anew at
 * every export.
 */
export interface SealBody {
  /** The close's id. */
  readonly close: Uint8Array;
  /** The ids of the attestations after the close, in transcript order. */
  readonly attestations: readonly Uint8Array[];
  /** The transcript head after the last entry. */
  readonly head: Uint8Array;
}

export interface BodyOf {
  genesis: GenesisBody;
  enroll: EnrollBody;
  statement: StatementBody;
  ack: AckBody;
  exception: ExceptionBody;
  abort: AbortBody;
  suspend: SuspendBody;
  resume: ResumeBody;
  roster: RosterBody;
  close: CloseBody;
  attest: AttestBody;
  blob: BlobBody;
  seal: SealBody;
}

export const BODY_SCHEMAS: Readonly<Record<MessageType, Schema>> = {
  genesis: {
    script: [HASH, true],
    script_id: [ID, true],
    mode: [oneOf('rehearsal', 'production'), true],
    name: [NAME, true],
    role: [ID, true],
    alg: [oneOf('ed25519', 'p256'), true],
    key: [bytes(undefined, 65), true],
    app: [text(128), true],
  },
  enroll: {
    genesis: [HASH, true],
    name: [NAME, true],
    role: [ID, true],
    alg: [oneOf('ed25519', 'p256'), true],
    key: [bytes(undefined, 65), true],
    replaces: [HASH, false],
  },
  statement: {
    step: [ID, true],
    n: [uint, true],
    inputs: [textMap(64, 64, 1024), true],
    evidence: [
      arrayOf(
        mapOf({ id: [ID, true], kind: [ID, true], sha256: [HASH, true], size: [uint, true], name: [text(256), true] }),
        32,
      ),
      true,
    ],
    checks: [
      arrayOf(
        mapOf({
          id: [text(160, 1), true],
          ok: [bool, true],
          expected: [text(2048), true],
          observed: [text(2048), true],
        }),
        256,
      ),
      true,
    ],
    confirm: [text(256, 1), false],
    clocks: [CLOCKS, false],
    retry: [HASH, false],
  },
  ack: {
    ref: [HASH, true],
    decision: [oneOf('confirm', 'object'), true],
    reason: [text(4000, 1), false],
    recomputed: [bool, true],
    challenge: [bool, true],
  },
  exception: {
    step: [ID, true],
    ref: [HASH, true],
    objections: [arrayOf(HASH, 64), true],
    reason: [text(4000, 1), true],
    decision: [oneOf('proceed', 'repeat'), true],
  },
  abort: { reason: [text(4000, 1), true], step: [ID, false] },
  suspend: { reason: [text(4000, 1), true] },
  resume: { ref: [HASH, true], reason: [text(4000, 1), false] },
  roster: {
    change: [oneOf('join', 'leave', 'replace'), true],
    participant: [HASH, true],
    enroll: [HASH, false],
    replaces: [HASH, false],
    reason: [text(4000, 1), true],
    step: [ID, false],
    clocks: [CLOCKS, false],
  },
  close: { steps: [uint, true], abort: [HASH, false], clocks: [CLOCKS, false] },
  attest: { ref: [HASH, true], agree: [bool, true], reason: [REASON, false], log: [HASH, true] },
  blob: { name: [text(256), true], kind: [ID, true], data: [bytes(undefined, MAX_BLOB_DATA_BYTES), true] },
  seal: { close: [HASH, true], attestations: [arrayOf(HASH, MAX_APPENDED), true], head: [HASH, true] },
};

/** Which types carry `prev` (the transcript head the signer saw): required, or forbidden. */
export const HAS_PREV: { readonly [K in MessageType]: K extends ChainedType ? true : false } = {
  genesis: false,
  enroll: false,
  statement: true,
  ack: true,
  exception: true,
  abort: true,
  suspend: true,
  resume: true,
  roster: true,
  close: true,
  attest: true,
  blob: false,
  seal: false,
};

/**
 * Which types carry `appended` (the ids appended to the transcript since the coordinator's previous
 * entry): required, or forbidden. Exhaustive over MessageType, like HAS_PREV, so that a new type
 * does not compile until it says whether devices fold it into their head.
 */
export const HAS_APPENDED: { readonly [K in MessageType]: K extends CoordinatorChainedType ? true : false } = {
  genesis: false,
  enroll: false,
  statement: true,
  ack: false,
  exception: true,
  abort: true,
  suspend: true,
  resume: true,
  roster: true,
  close: true,
  attest: false,
  blob: false,
  seal: false,
};
