/**
 * A witness's or custodian's device: the twin of Coordinator. It trusts only its own copy of the
 * script and the bytes it scanned (docs/architecture.md, "Trust rules"). It owns the pool of
 * coordinator messages, decides what the room is answering now and what it still waits for,
 * recomputes every check itself, runs the word challenge, and signs only what its rules allow.
 *
 * Every change of state is a ParticipantRecord handed to the `persist` hook (the journal, which
 * fsyncs) before the state changes, and `restore` rebuilds the session by applying the same
 * records through the same code, re-verifying each: a journal that does not replay is refused.
 */
import type { EvidenceChecker } from '../checks.js';
import { KeywitnessError } from '../errors.js';
import type { Decision } from '../protocol/bodies.js';
import type { PublicIdentity, Signer } from '../protocol/identity.js';
import { decodeMessage, selfCertifiedIdentity, type SignedMessage } from '../protocol/message.js';
import { parseScript } from '../script/parse.js';
import type { Script } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import type { Receipt } from './files.js';
import { MessagePool } from './message-pool.js';
import { ParticipantLedger, type AnswerView, type ChallengeView } from './participant-ledger.js';
import { decodeParticipantRecord, encodeParticipantRecord, type ParticipantRecord } from './participant-journal.js';
import { assess, type Assessed, type Assessment } from './participant-review.js';
import { cryptoRandomIndex, type RandomIndex } from './challenge.js';
import { DeviceHead, type ChainedMessage } from './device-head.js';
import { acceptCoordinatorMessage, checkGenesis, type Intake } from './participant-intake.js';

export type { ChallengeView } from './participant-ledger.js';

export interface ParticipantSessionOptions {
  readonly signer: Signer;
  /** Recomputes evidence checks; without it only the inputs are recomputed. */
  readonly checker?: EvidenceChecker;
  /**
   * Durable storage: resolves only once the encoded record is safe (fsynced). `sessionId` names the
   * journal; the first record of a session is its `join`.
   */
  readonly persist?: (record: Uint8Array, decoded: ParticipantRecord, sessionId: Uint8Array) => Promise<void>;
  readonly clock?: () => number;
  /** Source of challenge positions (tests inject one); the platform CSPRNG by default. */
  readonly random?: RandomIndex;
}

export interface JoinOptions extends ParticipantSessionOptions {
  readonly script: Script;
  readonly scriptBytes: Uint8Array;
  readonly name: string;
  readonly role: string;
}

/** This device's review of a statement or exception, with what it lets the witness do. */
export interface Review extends Assessed {
  /** The step asks for this device's role. */
  readonly eligible: boolean;
  readonly challenge: ChallengeView | undefined;
  /** Why confirming is refused now; empty when this device would sign a confirmation. */
  readonly refusals: readonly string[];
}

/** An abort, a resume or a roster change for this device to acknowledge. */
export interface EventReview extends AnswerView {
  readonly target: SignedMessage<'abort' | 'resume' | 'roster'>;
  /** Who acknowledges it, in the witness's words. */
  readonly quorum: string;
}

/** What the device does next. */
export type NextAction =
  | { readonly kind: 'enrol' }
  | { readonly kind: 'acknowledge'; readonly event: EventReview }
  | { readonly kind: 'suspended'; readonly suspend: SignedMessage<'suspend'> }
  /** This device's participant left, or this device was replaced by a new one: it signs nothing more. */
  | { readonly kind: 'absent'; readonly roster: SignedMessage<'roster'>; readonly reason: string }
  | { readonly kind: 'waiting'; readonly waitingFor: readonly string[]; readonly target: ChainedMessage | undefined }
  | { readonly kind: 'review'; readonly review: Review }
  | { readonly kind: 'refused'; readonly target: ChainedMessage; readonly reason: string }
  | { readonly kind: 'attest'; readonly close: SignedMessage<'close'> }
  | { readonly kind: 'closed'; readonly attestation: SignedMessage<'attest'> };

function refuse(message: string): never {
  throw new KeywitnessError('SESSION_REJECTED', message);
}

export class ParticipantSession {
  readonly script: Script;
  readonly scriptBytes: Uint8Array;
  readonly name: string;
  readonly role: string;
  readonly genesis: SignedMessage<'genesis'>;
  readonly coordinator: PublicIdentity;
  private readonly options: ParticipantSessionOptions;
  private readonly pool: MessagePool;
  private readonly ledger: ParticipantLedger;
  /** This device's own copy of the transcript head (device-head.ts). */
  private readonly head: DeviceHead;
  private queue: Promise<unknown> = Promise.resolve();
  private lastAssessment: { readonly key: string; readonly assessment: Assessment } | undefined;

  private constructor(options: JoinOptions, genesis: SignedMessage<'genesis'>) {
    this.options = options;
    this.script = options.script;
    this.scriptBytes = options.scriptBytes;
    this.name = options.name;
    this.role = options.role;
    this.genesis = genesis;
    this.coordinator = selfCertifiedIdentity(genesis);
    this.pool = new MessagePool(options.script);
    this.head = new DeviceHead(options.script, genesis);
    this.ledger = new ParticipantLedger({
      signer: options.signer,
      genesis,
      script: options.script,
      role: options.role,
      name: options.name,
      clock: options.clock ?? Date.now,
    });
  }

  /**
   * Join a session: check the scanned genesis against this device's own script, then persist the
   * join record. Nothing is stored for a genesis this device refuses.
   */
  static async join(options: JoinOptions, genesisWire: Uint8Array): Promise<ParticipantSession> {
    const genesis = await checkGenesis(options, genesisWire);
    const session = new ParticipantSession(options, genesis);
    const record: ParticipantRecord = {
      t: 'join',
      script: options.scriptBytes,
      name: options.name,
      role: options.role,
      genesis: genesis.wire,
    };
    await options.persist?.(encodeParticipantRecord(record), record, genesis.envelope.sid);
    return session;
  }

  /** Rebuild a session from its journal records, re-verifying each one as it is applied. */
  static async restore(
    options: ParticipantSessionOptions,
    records: readonly Uint8Array[],
  ): Promise<ParticipantSession> {
    const first = records[0];
    if (!first) throw new KeywitnessError('JOURNAL_CORRUPT', 'the participant journal is empty');
    const join = decodeParticipantRecord(first, 0);
    if (join.t !== 'join') {
      throw new KeywitnessError('JOURNAL_CORRUPT', `starts with a ${join.t} record, not the join`, {
        where: 'participant journal record 0',
      });
    }
    const script = parseScript(join.script);
    const joinOptions: JoinOptions = { ...options, script, scriptBytes: join.script, name: join.name, role: join.role };
    let genesis: SignedMessage<'genesis'>;
    try {
      genesis = await checkGenesis(joinOptions, join.genesis);
    } catch (e) {
      // The join record held a genesis this device accepted; one it refuses now was changed.
      const detail = e instanceof Error ? e.message : String(e);
      throw new KeywitnessError('JOURNAL_CORRUPT', `the joined genesis does not check: ${detail}`, {
        where: 'participant journal record 0',
        cause: e,
      });
    }
    const session = new ParticipantSession(joinOptions, genesis);
    for (const [i, bytes] of records.entries()) {
      if (i === 0) continue;
      const record = decodeParticipantRecord(bytes, i);
      try {
        await session.apply(record, true);
      } catch (e) {
        const detail = e instanceof Error ? e.message : String(e);
        throw new KeywitnessError('JOURNAL_CORRUPT', `does not replay: ${detail}`, {
          where: `participant journal record ${i}`,
          cause: e,
        });
      }
    }
    return session;
  }

  /** The session id of the genesis. */
  get sessionId(): Uint8Array {
    return this.genesis.envelope.sid;
  }

  /** This device's signing fingerprint. */
  get fingerprint(): Uint8Array {
    return this.options.signer.fingerprint;
  }

  /** This device's signed enrolment, once signed. */
  get enrolment(): SignedMessage<'enroll'> | undefined {
    return this.ledger.enrolment;
  }

  /** This device's closing attestation, once signed. */
  get attestation(): SignedMessage<'attest'> | undefined {
    return this.ledger.attestation;
  }

  /** Every message this device signed, in order. */
  get signed(): readonly SignedMessage[] {
    return this.ledger.signed;
  }

  /** True when this device objected to the message with this id. */
  objectedTo(id: Uint8Array): boolean {
    return this.ledger.objectedTo(id);
  }

  /**
   * Accept a message scanned from the coordinator's screen: a statement, exception, evidence or
   * context blob, or the close, of this session and signed by its coordinator. A message already
   * held is a duplicate and changes nothing.
   * @throws KeywitnessError MESSAGE_INVALID/CBOR_INVALID for bad bytes, SESSION_REJECTED when refused.
   */
  receive(wire: Uint8Array): Promise<{ readonly status: 'accepted' | 'duplicate'; readonly message: SignedMessage }> {
    return this.serial(async () => {
      const accepted = await acceptCoordinatorMessage(this, this.pool, wire);
      if (accepted.status === 'duplicate') return accepted;
      await this.persist({ t: 'received', wire });
      this.take(accepted);
      return { status: 'accepted', message: accepted.inner ?? accepted.message };
    });
  }

  /** What the device does next: enrol, wait (saying for what), review, attest, or nothing more. */
  next(): Promise<NextAction> {
    return this.serial(() => this.decide(false));
  }

  /**
   * Sign this device's enrolment (name, role, key; self-signed as proof of possession). With
   * `replaces`, the device enrols as the replacement of the same person's enrolled identity (the
   * fingerprint of the device it takes over); the coordinator then records a roster `replace`.
   */
  enroll(options: { readonly replaces?: Uint8Array } = {}): Promise<SignedMessage<'enroll'>> {
    return this.serial(async () => {
      const message = await this.ledger.signEnrolment(options.replaces);
      await this.persist({ t: 'signed', wire: message.wire });
      this.recordEnrolment(message);
      return message;
    });
  }

  /** Type the words of the current challenge. Journaled before it counts. */
  answerChallenge(answers: readonly [string, string]): Promise<ChallengeView> {
    return this.serial(async () => {
      const review = await this.currentReview();
      const challenge = this.ledger.checkAttempt(review, answers);
      await this.persist({ t: 'attempt', target: review.target.id, answers: [...answers] });
      return this.ledger.recordAttempt(challenge.target, answers, challenge.fingerprint);
    });
  }

  /** Confirm the current statement or exception; refused with the reasons the review lists. */
  confirm(): Promise<SignedMessage<'ack'>> {
    return this.answer('confirm');
  }

  /** Object to the current statement or exception, saying why. */
  object(reason: string): Promise<SignedMessage<'ack'>> {
    return this.answer('object', reason);
  }

  /** Sign the closing attestation for the close the coordinator showed. */
  attest(agree: boolean, reason?: string): Promise<SignedMessage<'attest'>> {
    return this.serial(async () => {
      const action = await this.decide(false);
      if (action.kind !== 'attest') refuse("there is no close to attest: scan the coordinator's close first");
      const message = await this.ledger.signAttestation(action.close, agree, reason);
      await this.persist({ t: 'signed', wire: message.wire });
      this.ledger.recordAttestation(action.close, message);
      return message;
    });
  }

  /** The receipt: every message this device signed, and every coordinator message it answered. */
  receipt(): Receipt {
    return this.ledger.receipt();
  }

  private answer(decision: Decision, reason?: string): Promise<SignedMessage<'ack'>> {
    return this.serial(async () => {
      const action = await this.decide(false);
      if (action.kind !== 'review' && action.kind !== 'acknowledge') {
        refuse(
          action.kind === 'suspended'
            ? `the session is suspended ("${action.suspend.envelope.body.reason}"): there is nothing to sign until it is resumed`
            : 'nothing is waiting for an answer on this device',
        );
      }
      const review = action.kind === 'review' ? action.review : action.event;
      const message = await this.ledger.signAnswer(review, decision, reason);
      await this.persist({ t: 'signed', wire: message.wire });
      this.recordAnswer(review, message);
      return message;
    });
  }

  private async currentReview(): Promise<Review> {
    const action = await this.decide(false);
    if (action.kind !== 'review') refuse('nothing is waiting for an answer on this device');
    return action.review;
  }

  /**
   * Work out the next action. A challenge is drawn (and journaled) the first time its review is
   * ready for an eligible, unanswered target; during a restore the journal's draw is used instead.
   */
  private async decide(restoring: boolean): Promise<NextAction> {
    if (!this.ledger.enrolment) return { kind: 'enrol' };
    const attestation = this.ledger.attestation;
    if (attestation) return { kind: 'closed', attestation };
    const gone = this.departure();
    if (gone) return gone;
    const target = this.pool.current();
    // The close comes before any session event: after an abort it is what the room attests.
    const event = target?.t === 'close' ? undefined : this.sessionEvent();
    if (event) return event;
    if (!target) return { kind: 'waiting', waitingFor: ['the first statement'], target: undefined };
    // Never review or sign for a target that does not extend this device's own head, nor while a
    // message this device signed is missing from the record (device-head.ts).
    const chain = this.head.status(target);
    if (chain.kind === 'refused') return { kind: 'refused', target, reason: chain.reason };
    if (chain.kind === 'waiting') return { kind: 'waiting', waitingFor: [chain.reason], target };
    const joined = this.joined();
    if (joined && target.t !== 'close' && target.envelope.at < joined.envelope.at) {
      // Issued before this device's participant joined: their answer would not count.
      return {
        kind: 'waiting',
        waitingFor: ['the next statement (the one shown was issued before you joined, so you do not answer it)'],
        target,
      };
    }
    if (target.t !== 'close' && this.ledger.answered(target)) {
      return { kind: 'waiting', waitingFor: ['the next statement, or an exception for this step'], target };
    }
    const missing = this.head.ownMissing();
    if (missing !== undefined) return { kind: 'refused', target, reason: missing };
    if (target.t === 'close') return { kind: 'attest', close: target };
    const assessment = await this.assessed(target);
    if (assessment.kind === 'waiting') return { kind: 'waiting', waitingFor: assessment.waitingFor, target };
    if (assessment.kind === 'refused') return { kind: 'refused', target, reason: assessment.reason };
    const { review, draw } = await this.ledger.review(assessment.assessed);
    if (!draw || restoring) return { kind: 'review', review };
    const positions = this.ledger.drawPositions(review, this.options.random ?? cryptoRandomIndex);
    await this.persist({ t: 'challenge', target: target.id, positions: [...positions] });
    this.ledger.recordChallenge(target.id, positions);
    return { kind: 'review', review: (await this.ledger.review(assessment.assessed)).review };
  }

  /**
   * An abort, a suspend or a resume, which come before any step's target: after an abort the room
   * acknowledges it and waits for the close; while suspended there is nothing to sign; a resume is
   * acknowledged by everyone present before the ceremony goes on.
   */
  private sessionEvent(): NextAction | undefined {
    const abort = this.pool.abort();
    if (abort) {
      if (this.ledger.answered(abort) || !this.pool.shown(abort)) {
        return { kind: 'waiting', waitingFor: ['the close of the aborted session'], target: undefined };
      }
      const step = this.script.steps.find((s) => s.id === abort.envelope.body.step) ?? this.script.steps[0];
      const roles = step?.acks.roles ?? [];
      const eligible = roles.includes(this.role);
      const quorum = `the quorum of step ${step?.id ?? ''} (${roles.join(', ')})`;
      const refusals = eligible ? [] : [`the abort is acknowledged by ${quorum}, not by a ${this.role}`];
      return this.acknowledge({
        target: abort,
        eligible,
        refusals,
        recomputedAll: false,
        challenge: undefined,
        quorum,
      });
    }
    const suspension = this.pool.suspension();
    if (!suspension) return this.rosterEvent();
    if (!suspension.resume) return { kind: 'suspended', suspend: suspension.suspend };
    if (this.ledger.answered(suspension.resume) || !this.pool.shown(suspension.resume)) return this.rosterEvent();
    const quorum = 'every participant present';
    return this.acknowledge({
      target: suspension.resume,
      eligible: true,
      refusals: [],
      recomputedAll: false,
      challenge: undefined,
      quorum,
    });
  }

  /** An abort or resume to acknowledge, once it extends this device's head and nothing it signed is missing. */
  private acknowledge(event: EventReview): NextAction {
    const chain = this.head.status(event.target);
    if (chain.kind === 'refused') return { kind: 'refused', target: event.target, reason: chain.reason };
    if (chain.kind === 'waiting') return { kind: 'waiting', waitingFor: [chain.reason], target: event.target };
    const missing = this.head.ownMissing();
    if (missing !== undefined) return { kind: 'refused', target: event.target, reason: missing };
    return { kind: 'acknowledge', event };
  }

  /** The roster join or replace that made this device's participant present, if it was shown. */
  private joined(): SignedMessage<'roster'> | undefined {
    return this.pool
      .rosterChanges()
      .find((r) => r.envelope.body.change !== 'leave' && equalBytes(r.envelope.body.participant, this.fingerprint));
  }

  /** A roster leave of this device's participant, or the replace of this device: it signs nothing more. */
  private departure(): NextAction | undefined {
    for (const roster of this.pool.rosterChanges()) {
      const { change, participant, replaces, reason } = roster.envelope.body;
      if (change === 'leave' && equalBytes(participant, this.fingerprint))
        return { kind: 'absent', roster, reason: `you left the session ("${reason}"): this device signs nothing more` };
      if (change === 'replace' && replaces && equalBytes(replaces, this.fingerprint))
        return {
          kind: 'absent',
          roster,
          reason: `this device was replaced by a new device of yours ("${reason}"): it signs nothing more; use the new one`,
        };
    }
    return undefined;
  }

  /**
   * A roster change this device has not answered and may acknowledge: the quorum of the step in
   * progress (the first step's before any statement), never the participant it concerns. A device
   * whose role is not asked goes on to the step's own messages.
   */
  private rosterEvent(): NextAction | undefined {
    const current = this.pool.current();
    const me = this.fingerprint;
    const joined = this.joined();
    const stepOf = (r: SignedMessage<'roster'>) =>
      this.script.steps.find((s) => s.id === r.envelope.body.step) ?? this.script.steps[0];
    const roster = this.pool.rosterChanges().find((r) => {
      const { participant, replaces } = r.envelope.body;
      const subject = equalBytes(participant, me) || (replaces !== undefined && equalBytes(replaces, me));
      // Not a change a later statement or exception shown here has overtaken, nor one from before this device joined.
      const past = current !== undefined && current.envelope.at > r.envelope.at;
      const before = joined !== undefined && r.envelope.at <= joined.envelope.at;
      const asked = stepOf(r)?.acks.roles.includes(this.role) ?? false;
      return !subject && !past && !before && asked && this.pool.shown(r) && !this.ledger.answered(r);
    });
    const step = roster ? stepOf(roster) : undefined;
    if (!roster || !step) return undefined;
    const quorum = `the quorum of step ${step.id} (${step.acks.roles.join(', ')}), not counting the participant concerned`;
    return this.acknowledge({
      target: roster,
      eligible: true,
      refusals: [],
      recomputedAll: false,
      challenge: undefined,
      quorum,
    });
  }

  /** Apply a journal record during a restore, through the same checks as the live verbs. */
  private async apply(record: ParticipantRecord, restoring: boolean): Promise<void> {
    switch (record.t) {
      case 'join':
        refuse('a second join record');
        break;
      case 'received': {
        const accepted = await acceptCoordinatorMessage(this, this.pool, record.wire);
        if (accepted.status === 'duplicate') refuse('a message received twice');
        this.take(accepted);
        break;
      }
      case 'challenge': {
        const action = await this.decide(restoring);
        if (action.kind !== 'review' || !equalBytes(action.review.target.id, record.target)) {
          refuse('a challenge for a message that is not the one under review');
        }
        this.ledger.recordChallenge(record.target, this.ledger.checkDraw(action.review, record.positions));
        break;
      }
      case 'attempt': {
        const action = await this.decide(restoring);
        if (action.kind !== 'review' || !equalBytes(action.review.target.id, record.target)) {
          refuse('a challenge attempt for a message that is not the one under review');
        }
        const [a = '', b = ''] = record.answers;
        const challenge = this.ledger.checkAttempt(action.review, [a, b]);
        this.ledger.recordAttempt(challenge.target, [a, b], challenge.fingerprint);
        break;
      }
      case 'signed':
        await this.applySigned(decodeMessage(record.wire));
        break;
    }
  }

  private async applySigned(message: SignedMessage): Promise<void> {
    switch (message.t) {
      case 'enroll':
        await this.ledger.checkRecorded(
          message,
          this.ledger.draftEnrolment(message.envelope.at, message.envelope.body.replaces),
        );
        this.recordEnrolment(message);
        return;
      case 'ack': {
        const action = await this.decide(true);
        if (action.kind !== 'review' && action.kind !== 'acknowledge')
          refuse('an answer recorded while nothing was under review');
        const review = action.kind === 'review' ? action.review : action.event;
        const { decision, reason } = message.envelope.body;
        const draft = this.ledger.draftAnswer(review, decision, reason, message.envelope.at);
        await this.ledger.checkRecorded(message, draft);
        this.recordAnswer(review, message);
        return;
      }
      case 'attest': {
        const action = await this.decide(true);
        if (action.kind !== 'attest') refuse('an attestation recorded before the close');
        const { agree, reason } = message.envelope.body;
        const draft = this.ledger.draftAttestation(action.close, agree, reason, message.envelope.at);
        await this.ledger.checkRecorded(message, draft);
        this.ledger.recordAttestation(action.close, message);
        return;
      }
      default:
        refuse(`this device never signs a ${message.t}`);
    }
  }

  /** Add an accepted coordinator message to the pool, and fold what it carries into the head. */
  private take(accepted: Extract<Intake, { status: 'accepted' }>): void {
    this.pool.add(accepted.message, false);
    if (accepted.message.t !== 'blob') this.head.offer(accepted.message);
    if (accepted.inner) {
      this.pool.add(accepted.inner, true);
      this.head.offer(accepted.inner);
    }
  }

  private recordEnrolment(message: SignedMessage<'enroll'>): void {
    this.ledger.recordEnrolment(message);
    this.head.recordOwn(message, 'your enrolment', this.head.stepReached);
  }

  private recordAnswer(review: Review | EventReview, message: SignedMessage<'ack'>): void {
    this.ledger.recordAnswer(review, message);
    const decision = message.envelope.body.decision === 'object' ? 'objection to' : 'confirmation of';
    if (!('step' in review)) {
      // An abort's or resume's acknowledgement must be listed by the next coordinator message of a later step or the close.
      this.head.recordOwn(message, `your ${decision} the ${review.target.t}`, this.head.stepReached);
      return;
    }
    const what =
      review.target.t === 'exception' ? `the exception for step ${review.step.id}` : `step ${review.step.id}`;
    this.head.recordOwn(message, `your ${decision} ${what}`, review.step.index);
  }

  /**
   * The assessment of a target, recomputed only when the pool changed: the screen asks for the next
   * action after every scanned message, and re-running every evidence check each time is waste.
   */
  private async assessed(target: SignedMessage<'statement' | 'exception'>): Promise<Assessment> {
    const key = `${toHex(target.id)}@${this.pool.version}`;
    if (this.lastAssessment?.key !== key) {
      this.lastAssessment = { key, assessment: await assess(this.script, this.pool, target, this.options.checker) };
    }
    return this.lastAssessment.assessment;
  }

  private async persist(record: ParticipantRecord): Promise<void> {
    await this.options.persist?.(encodeParticipantRecord(record), record, this.sessionId);
  }

  /** Run one verb after every earlier one has finished: the state is changed by one verb at a time. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
