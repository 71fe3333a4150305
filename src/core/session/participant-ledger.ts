/**
 * What a participant device has done: its enrolment, its answers, its attestation, the challenges
 * drawn and tried, and the log its receipt is made of. It also holds the rules for what the device
 * may sign: every draft is built here, checked here, and compared here with what a journal
 * recorded, so that live signing and a restore apply exactly the same rules.
 */
import { KeywitnessError } from '../errors.js';
import type { ComparableFingerprint } from '../evidence/comparable.js';
import type { AckableType, Decision } from '../protocol/bodies.js';
import type { Signer } from '../protocol/identity.js';
import { encodeEnvelope, signMessage, verifyMessage, type Draft, type SignedMessage } from '../protocol/message.js';
import type { Script } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import {
  answerMatches,
  challengeFingerprint,
  challengePositions,
  checkPositions,
  CHALLENGE_TRIES,
  type RandomIndex,
} from './challenge.js';
import { deviceLogStart, extendDeviceLog } from './device-log.js';
import type { Receipt } from './files.js';
import type { Assessed } from './participant-review.js';
import type { Review } from './participant-session.js';

/** The word challenge of one review as the witness sees it. */
export interface ChallengeView {
  /** The fingerprint asked about, and how the independent source shows it. */
  readonly fingerprint: ComparableFingerprint;
  /** The two positions asked (from 0), once drawn. */
  readonly positions: readonly [number, number] | undefined;
  readonly attempts: number;
  readonly triesLeft: number;
  readonly passed: boolean;
}

/** What the device answers: a review of a statement or exception, or an abort or resume to acknowledge. */
export interface AnswerView {
  readonly target: SignedMessage<AckableType>;
  /** The statement behind a statement or exception (undefined for an abort or resume). */
  readonly statement?: SignedMessage<'statement'>;
  /** The device's role may answer. */
  readonly eligible: boolean;
  /** Why confirming is refused now; empty when this device would sign a confirmation. */
  readonly refusals: readonly string[];
  readonly recomputedAll: boolean;
  readonly challenge: ChallengeView | undefined;
}

interface Drawn {
  readonly positions: readonly [number, number];
  attempts: number;
  passed: boolean;
}

function refuse(message: string): never {
  throw new KeywitnessError('SESSION_REJECTED', message);
}

export class ParticipantLedger {
  enrolment: SignedMessage<'enroll'> | undefined;
  attestation: SignedMessage<'attest'> | undefined;
  private readonly signer: Signer;
  private readonly genesis: SignedMessage<'genesis'>;
  private readonly script: Script;
  private readonly role: string;
  private readonly name: string;
  private readonly clock: () => number;
  private readonly log: SignedMessage[] = [];
  private readonly logged = new Set<string>();
  private readonly answers = new Map<
    string,
    { readonly target: SignedMessage<AckableType>; readonly ack: SignedMessage<'ack'> }
  >();
  private readonly challenges = new Map<string, Drawn>();
  private readonly own: SignedMessage[] = [];
  private lastAt = 0;
  /** The chain the attestation commits to (device-log.ts). */
  private deviceLog: Uint8Array;

  constructor(options: {
    signer: Signer;
    genesis: SignedMessage<'genesis'>;
    script: Script;
    role: string;
    name: string;
    clock: () => number;
  }) {
    this.signer = options.signer;
    this.genesis = options.genesis;
    this.script = options.script;
    this.role = options.role;
    this.name = options.name;
    this.clock = options.clock;
    this.deviceLog = deviceLogStart(options.genesis.id);
    this.remember(options.genesis);
  }

  /** Every message this device signed, in order. */
  get signed(): readonly SignedMessage[] {
    return this.own;
  }

  /** True when this device already answered the target. */
  answered(target: SignedMessage): boolean {
    return this.answers.has(toHex(target.id));
  }

  /** True when this device objected to the message with this id. */
  objectedTo(id: Uint8Array): boolean {
    return this.answers.get(toHex(id))?.ack.envelope.body.decision === 'object';
  }

  /**
   * The review of an assessed target: eligibility, the challenge, and why confirming is refused.
   * `draw` is set when the challenge's positions still have to be drawn.
   */
  async review(assessed: Assessed): Promise<{ readonly review: Review; readonly draw: boolean }> {
    const { step, target } = assessed;
    const eligible = step.acks.roles.includes(this.role);
    const refusals: string[] = [];
    if (!eligible) refusals.push(`step ${step.id} asks for ${step.acks.roles.join(', ')}, not ${this.role}`);
    if (target.t === 'statement' && assessed.disagreements.length > 0) {
      const ids = assessed.disagreements.map((d) => d.id).join(', ');
      refusals.push(`this device's own checks disagree with the statement (${ids}): object instead`);
    }
    if (step.acks.recompute && !assessed.recomputedAll) {
      refusals.push('this step asks for the evidence to be recomputed on this device, which has not happened');
    }
    if (target.t === 'exception') {
      const listed = new Set(target.envelope.body.objections.map(toHex));
      if (this.ownObjections(target.envelope.body.ref).some((o) => !listed.has(toHex(o.id)))) {
        refusals.push('the exception leaves out an objection this device made: object to it');
      }
    }
    let challenge: ChallengeView | undefined;
    let draw = false;
    if (step.acks.challenge) {
      const fingerprint = await challengeFingerprint(assessed.statement.envelope.body.evidence, assessed.evidence);
      const drawn = this.challenges.get(toHex(target.id));
      if (!fingerprint) {
        refusals.push('the step asks for a word challenge, but its statement records no evidence to compare');
      } else {
        const attempts = drawn?.attempts ?? 0;
        challenge = {
          fingerprint,
          positions: drawn?.positions,
          attempts,
          triesLeft: CHALLENGE_TRIES - attempts,
          passed: drawn?.passed === true,
        };
        draw = eligible && !drawn;
        if (!challenge.passed) {
          refusals.push(
            challenge.triesLeft > 0
              ? 'type the two words from the independent source first (the word challenge)'
              : `the words did not match in ${CHALLENGE_TRIES} tries: object, saying what the independent source shows`,
          );
        }
      }
    }
    return { review: { ...assessed, eligible, challenge, refusals }, draw };
  }

  /** Draw the two positions of a review's challenge. */
  drawPositions(review: Review, random: RandomIndex): readonly [number, number] {
    const fingerprint = review.challenge?.fingerprint;
    if (!fingerprint) refuse('this review has no word challenge');
    return challengePositions(fingerprint.bytes.length, random);
  }

  /** Check positions a journal recorded for a review's challenge before they are applied. */
  checkDraw(review: Review, positions: readonly number[]): readonly [number, number] {
    const length = review.challenge?.fingerprint.bytes.length;
    if (length === undefined) refuse('a challenge recorded for a review without one');
    if (this.challenges.has(toHex(review.target.id))) refuse('a second challenge drawn for the same message');
    checkPositions(positions, length, 'challenge');
    const [a = 0, b = 0] = positions;
    return [a, b];
  }

  recordChallenge(target: Uint8Array, positions: readonly [number, number]): void {
    this.challenges.set(toHex(target), { positions, attempts: 0, passed: false });
  }

  /** Whether an attempt may be made now. Returns what the attempt is checked against. */
  checkAttempt(review: Review, answers: readonly string[]): { target: Uint8Array; fingerprint: ComparableFingerprint } {
    const challenge = review.challenge;
    if (!challenge?.positions) refuse('this review has no word challenge to answer');
    if (challenge.passed) refuse('the word challenge is already passed');
    if (challenge.triesLeft <= 0) refuse(`the word challenge was tried ${CHALLENGE_TRIES} times: object instead`);
    if (answers.length !== 2 || answers.some((a) => a.trim() === '' || a.length > 256)) {
      refuse('type a word (or two hex digits) at each of the two positions');
    }
    return { target: review.target.id, fingerprint: challenge.fingerprint };
  }

  /** Count an attempt; it passes when both answers name the bytes at the drawn positions. */
  recordAttempt(target: Uint8Array, answers: readonly string[], fingerprint: ComparableFingerprint): ChallengeView {
    const drawn = this.challenges.get(toHex(target));
    if (!drawn) refuse('no challenge was drawn for this message');
    drawn.attempts += 1;
    drawn.passed = drawn.positions.every((p, i) => answerMatches(fingerprint.bytes, p, answers[i] ?? ''));
    return {
      fingerprint,
      positions: drawn.positions,
      attempts: drawn.attempts,
      triesLeft: CHALLENGE_TRIES - drawn.attempts,
      passed: drawn.passed,
    };
  }

  /** The enrolment this device signs: name, role and key, bound to the genesis. */
  /** The enrolment; `replaces` makes it a replacement device for the same person's enrolled identity. */
  draftEnrolment(at: number, replaces?: Uint8Array): Draft<'enroll'> {
    if (this.enrolment) refuse('this device already enrolled in this session');
    const { alg, publicKey } = this.signer;
    if (replaces && equalBytes(replaces, this.signer.fingerprint)) refuse('a device cannot replace its own key');
    const body = {
      genesis: this.genesis.id,
      name: this.name,
      role: this.role,
      alg,
      key: publicKey,
      ...(replaces ? { replaces } : {}),
    };
    return { t: 'enroll', sid: this.genesis.envelope.sid, at, body };
  }

  async signEnrolment(replaces?: Uint8Array): Promise<SignedMessage<'enroll'>> {
    return signMessage(this.signer, this.draftEnrolment(this.now(), replaces));
  }

  recordEnrolment(message: SignedMessage<'enroll'>): void {
    this.enrolment = message;
    this.deviceLog = extendDeviceLog(this.deviceLog, message.id);
    this.recordOwn(message);
  }

  /** The answer this device signs for a review, refused where the review's rules say so. */
  draftAnswer(review: AnswerView, decision: Decision, reason: string | undefined, at: number): Draft<'ack'> {
    if (!this.enrolment) refuse("sign and show this device's enrolment first");
    if (this.answered(review.target)) refuse(`this device already answered this ${review.target.t}`);
    if (!review.eligible) refuse(review.refusals[0] ?? 'this step does not ask for this device');
    const why = reason?.trim();
    if (decision === 'object' && !why) refuse('an objection needs a reason');
    if (decision === 'confirm' && review.refusals.length > 0) refuse(`cannot confirm: ${review.refusals.join('; ')}`);
    const body = {
      ref: review.target.id,
      decision,
      recomputed: review.recomputedAll,
      challenge: review.challenge?.passed === true,
      ...(why ? { reason: why } : {}),
    };
    return { t: 'ack', sid: this.genesis.envelope.sid, at, prev: review.target.envelope.prev, body };
  }

  async signAnswer(review: AnswerView, decision: Decision, reason?: string): Promise<SignedMessage<'ack'>> {
    return signMessage(this.signer, this.draftAnswer(review, decision, reason, this.now()));
  }

  recordAnswer(review: AnswerView, message: SignedMessage<'ack'>): void {
    this.answers.set(toHex(review.target.id), { target: review.target, ack: message });
    this.deviceLog = extendDeviceLog(extendDeviceLog(this.deviceLog, review.target.id), message.id);
    this.remember(review.target);
    if (review.statement) this.remember(review.statement);
    this.recordOwn(message);
  }

  /** This device's objections within one attempt of a step: to its statement and to its exceptions. */
  private ownObjections(statementId: Uint8Array): SignedMessage<'ack'>[] {
    const attemptOf = (target: SignedMessage<AckableType>): Uint8Array | undefined =>
      target.t === 'statement' ? target.id : target.t === 'exception' ? target.envelope.body.ref : undefined;
    return [...this.answers.values()]
      .filter(({ target, ack }) => {
        const attempt = attemptOf(target);
        return attempt !== undefined && equalBytes(attempt, statementId) && ack.envelope.body.decision === 'object';
      })
      .map(({ ack }) => ack);
  }

  /** The closing attestation for a close; "do not agree" needs a reason. */
  draftAttestation(
    close: SignedMessage<'close'>,
    agree: boolean,
    reason: string | undefined,
    at: number,
  ): Draft<'attest'> {
    if (this.attestation) refuse('this device already attested the close');
    if (!this.enrolment) refuse('this device never enrolled in this session');
    const why = reason?.trim();
    if (!agree && !why) refuse('"do not agree" needs a reason');
    const body = { ref: close.id, agree, ...(why ? { reason: why } : {}), log: this.deviceLog };
    return { t: 'attest', sid: this.genesis.envelope.sid, at, prev: close.envelope.prev, body };
  }

  async signAttestation(
    close: SignedMessage<'close'>,
    agree: boolean,
    reason?: string,
  ): Promise<SignedMessage<'attest'>> {
    return signMessage(this.signer, this.draftAttestation(close, agree, reason, this.now()));
  }

  recordAttestation(close: SignedMessage<'close'>, message: SignedMessage<'attest'>): void {
    this.attestation = message;
    this.remember(close);
    this.recordOwn(message);
  }

  /** A journal's signed message must be exactly the draft, under this device's own key. */
  async checkRecorded(message: SignedMessage, draft: Draft<'enroll' | 'ack' | 'attest'>): Promise<void> {
    if (!equalBytes(message.envelope.by, this.signer.fingerprint)) refuse(`a ${message.t} signed by another key`);
    if (message.envelope.at < this.lastAt) {
      // Live signing never dates a message before the device's previous one (see now()).
      refuse(`the recorded ${message.t} is dated before this device's previous message`);
    }
    if (!equalBytes(encodeEnvelope(this.signer.fingerprint, draft), message.envelopeBytes)) {
      refuse(`the recorded ${message.t} differs from what this device signs at that point`);
    }
    if (!(await verifyMessage(message, this.signer))) refuse(`the recorded ${message.t}'s signature does not verify`);
  }

  /** The receipt: every message this device signed, and every coordinator message it answered. */
  receipt(): Receipt {
    return { participant: this.signer.fingerprint, messages: this.log.map((m) => m.wire) };
  }

  private recordOwn(message: SignedMessage): void {
    this.lastAt = Math.max(this.lastAt, message.envelope.at);
    this.own.push(message);
    this.remember(message);
  }

  private remember(message: SignedMessage): void {
    const key = toHex(message.id);
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.log.push(message);
  }

  private now(): number {
    // Never sign a time earlier than this device's previous message.
    this.lastAt = Math.max(this.lastAt, this.clock());
    return this.lastAt;
  }
}
