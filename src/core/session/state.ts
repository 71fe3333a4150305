/**
 * The session rules as one fold over the transcript. The coordinator applies it
 * strictly (a message with any finding is refused and nothing changes); the auditor applies it
 * leniently over an exported transcript (findings are collected and the fold goes on). One set of
 * rules for both is what makes "the coordinator accepted it" and "the auditor finds it clean" agree.
 */
import type { Finding, FindingCode } from '../audit/findings.js';
import { fingerprintOf, type PublicIdentity } from '../protocol/identity.js';
import { ACKABLE_TYPES, HAS_APPENDED, type MessageType } from '../protocol/bodies.js';
import { isMessageOf, selfCertifiedIdentity, type SignedMessage } from '../protocol/message.js';
import { spokenWords } from '../protocol/words.js';
import { DEFAULT_CLOCK_TOLERANCE_S, type Script, type StepSpec } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { ackTargets, objectionsBefore, stepCompletion, type StepProgress } from './completion.js';
import { checkInputs } from './input-checks.js';
import { ClockLedger } from './state-clocks.js';
import { mayAnswer } from './room.js';
import { checkDecision, checkFirstAttempt, checkRetry, withAttempt } from './state-attempts.js';
import { SessionEvents } from './state-events.js';
import { Attendance } from './state-roster.js';
import { appendedMismatch, describeEntry } from './state-appended.js';
import { EMPTY_HEAD, entryHash } from './transcript.js';

/** An enrolled participant. */
export interface Participant {
  readonly name: string;
  readonly role: string;
  readonly identity: PublicIdentity;
  readonly enroll: SignedMessage<'enroll'>;
  /** "name (role, first words)" for findings and displays. */
  readonly label: string;
}

/** One accepted transcript entry. */
export interface Entry {
  readonly seq: number;
  readonly id: Uint8Array;
  readonly hash: Uint8Array;
  readonly wire: Uint8Array;
  /** Undefined when the bytes did not decode (audit only). */
  readonly message: SignedMessage | undefined;
}

type Commit = () => void;
interface Evaluation {
  readonly findings: Finding[];
  readonly commit: Commit;
}

const COORDINATOR_TYPES: ReadonlySet<MessageType> = new Set([
  'genesis',
  'statement',
  'exception',
  'abort',
  'suspend',
  'resume',
  'roster',
  'close',
]);

/** Transcript state: the chain plus everything the rules need to judge the next entry. */
export class SessionState {
  readonly script: Script;
  readonly entries: Entry[] = [];
  head: Uint8Array = EMPTY_HEAD;
  genesis: SignedMessage<'genesis'> | undefined;
  coordinator: PublicIdentity | undefined;
  readonly participants = new Map<string, Participant>();
  readonly steps: StepProgress[];
  /** Index of the step whose statement was issued last; -1 while enrolling. */
  current = -1;
  close: SignedMessage<'close'> | undefined;
  readonly attestations = new Map<string, SignedMessage<'attest'>>();
  /** Devices' clocks measured at enrolment, as the coordinator recorded them (state-clocks.ts). */
  readonly clocks = new ClockLedger();
  /** Aborts, suspensions and resumes (state-events.ts). */
  readonly events = new SessionEvents();
  /** Who is present: late joins, leaves and replaced devices (state-roster.ts). */
  readonly attendance = new Attendance();
  private readonly byId = new Map<string, SignedMessage>();
  private readonly lastAt = new Map<string, number>();
  private readonly seqById = new Map<string, number>();
  /** Position of the coordinator's latest genesis or chained entry; -1 before the genesis. */
  private coordinatorSeq = -1;

  constructor(script: Script) {
    this.script = script;
    this.steps = script.steps.map((spec) => ({ spec, statement: undefined, exceptions: [], attempts: [] }));
  }

  /** The transcript position of the message with this id, if it is in the transcript. */
  seqOf(id: Uint8Array): number | undefined {
    return this.seqById.get(toHex(id));
  }

  /** The message with this id, if it is in the transcript. */
  message(id: Uint8Array): SignedMessage | undefined {
    return this.byId.get(toHex(id));
  }

  /**
   * Ids of the entries appended since the coordinator's previous entry (the genesis counts), in
   * transcript order: what the coordinator's next chained message lists as `appended`.
   */
  appendedSince(): Uint8Array[] {
    return this.entries.slice(this.coordinatorSeq + 1).map((e) => e.id);
  }

  /** The step due next, or undefined when every step has a statement. */
  get nextStep(): StepSpec | undefined {
    return this.script.steps[this.current + 1];
  }

  /**
   * The step whose statement may be issued now: the step in progress again when the room decided
   * to repeat it, otherwise the next one.
   */
  get dueStep(): StepSpec | undefined {
    const step = this.steps[this.current];
    if (step && stepCompletion(step, this.participants).repeat) return step.spec;
    return this.nextStep;
  }

  /**
   * Judge a decoded message. `signatureValid` is the result of verifying it against the key its
   * `by` names (undefined when no key is known for that fingerprint). Returns the findings and a
   * commit that appends the entry and applies whatever part of the message is sound.
   */
  evaluate(message: SignedMessage, signatureValid: boolean | undefined): Evaluation {
    const findings: Finding[] = [];
    const { envelope } = message;
    const seq = this.entries.length;
    const add = (code: FindingCode, text: string, extra: Omit<Finding, 'code' | 'message' | 'seq'> = {}): void => {
      findings.push({ code, message: text, seq, ...extra });
    };
    const idHex = toHex(message.id);
    const chain = (): Commit => () => this.append(message.wire, message.id, message, idHex);

    if (this.byId.has(idHex)) {
      add('REPLAYED_MESSAGE', `this ${envelope.t} already appears in the transcript`);
      return { findings, commit: chain() };
    }
    if (message.t === 'genesis') return this.evaluateGenesis(message, signatureValid, findings, add, chain);
    if (!this.genesis) {
      // Without a genesis nothing can be judged; one finding says so rather than one per entry.
      if (seq === 0) add('GENESIS_MISSING', `the transcript starts with a ${envelope.t}, not a genesis`);
      return { findings, commit: chain() };
    }
    if (!equalBytes(envelope.sid, this.genesis.envelope.sid)) {
      add(
        'SESSION_MISMATCH',
        `this ${envelope.t} belongs to session ${toHex(envelope.sid)}, not ${toHex(this.genesis.envelope.sid)}`,
      );
      return { findings, commit: chain() };
    }
    const fpHex = toHex(envelope.by);
    const isCoordinator = this.coordinator !== undefined && equalBytes(envelope.by, this.coordinator.fingerprint);
    const participant = this.participants.get(fpHex);
    if (envelope.t === 'resume' && !isCoordinator) {
      add(
        'RESUME_INVALID',
        `a resume must be signed by the key that opened the session (the genesis's coordinator key ${shortFp(this.coordinator?.fingerprint ?? new Uint8Array(32))}); this one is signed by ${participant?.label ?? `key ${shortFp(envelope.by)}`}`,
      );
      return { findings, commit: chain() };
    }
    if (COORDINATOR_TYPES.has(envelope.t) && !isCoordinator) {
      add(
        'NOT_COORDINATOR',
        `a ${envelope.t} must be signed by the coordinator, this one is signed by ${participant?.label ?? `key ${shortFp(envelope.by)}`}`,
      );
      return { findings, commit: chain() };
    }
    if (envelope.t !== 'enroll' && !isCoordinator && !participant) {
      add(
        'UNKNOWN_SIGNER',
        `a ${envelope.t} signed by key ${shortFp(envelope.by)}, which is not enrolled in this session`,
      );
      return { findings, commit: chain() };
    }
    if (signatureValid !== true) {
      add(
        'BAD_SIGNATURE',
        `the signature on this ${envelope.t} does not verify`,
        participant ? { participant: participant.label } : {},
      );
      return { findings, commit: chain() };
    }
    const last = this.lastAt.get(fpHex);
    if (last !== undefined && envelope.at < last) {
      add(
        'CLOCK_WENT_BACKWARDS',
        `signed at ${iso(envelope.at)}, earlier than the same signer's previous message (${iso(last)})`,
        participant ? { participant: participant.label } : {},
      );
    }
    if (envelope.at + this.script.clockToleranceMs < this.genesis.envelope.at) {
      add(
        'TIME_OUT_OF_ORDER',
        `signed at ${iso(envelope.at)}, before the session's genesis (${iso(this.genesis.envelope.at)})`,
        participant ? { participant: participant.label } : {},
      );
    }
    const clock: Commit = () => this.lastAt.set(fpHex, Math.max(envelope.at, last ?? 0));
    const inner = this.evaluateTyped(message, participant, fpHex, add);
    return {
      findings,
      commit: () => {
        chain()();
        clock();
        inner();
      },
    };
  }

  private evaluateGenesis(
    message: SignedMessage<'genesis'>,
    signatureValid: boolean | undefined,
    findings: Finding[],
    add: (code: FindingCode, text: string) => void,
    chain: () => Commit,
  ): Evaluation {
    if (this.genesis || this.entries.length > 0) {
      add('SESSION_MISMATCH', 'a second genesis: it would open another session inside this one');
      return { findings, commit: chain() };
    }
    const body = message.envelope.body;
    const identity = selfCertifiedIdentity(message);
    if (!equalBytes(identity.fingerprint, message.envelope.by) || signatureValid !== true) {
      add('BAD_SIGNATURE', 'the genesis signature does not verify with the key it carries');
    }
    if (!equalBytes(body.script, this.script.hash)) {
      add(
        'SCRIPT_HASH_MISMATCH',
        `genesis names script ${toHex(body.script)}, the script here hashes to ${toHex(this.script.hash)}`,
      );
    }
    if (body.script_id !== this.script.id)
      add('SCRIPT_HASH_MISMATCH', `genesis names script id "${body.script_id}", the script is "${this.script.id}"`);
    const role = this.script.roles.find((r) => r.id === body.role);
    if (!role?.coordinator)
      add('ENROLLMENT_INVALID', `the coordinator's role "${body.role}" is not the script's coordinator role`);
    this.checkPinned(identity.fingerprint, body.role, add);
    return {
      findings,
      commit: () => {
        chain()();
        this.genesis = message;
        this.coordinator = identity;
        this.coordinatorSeq = this.entries.length - 1;
        this.lastAt.set(toHex(message.envelope.by), message.envelope.at);
      },
    };
  }

  private evaluateTyped(
    message: SignedMessage,
    participant: Participant | undefined,
    fpHex: string,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    const noop: Commit = () => undefined;
    const who = participant ? { participant: participant.label } : {};
    const { envelope } = message;
    if (message.t === 'seal') {
      add('MESSAGE_MALFORMED', 'a seal never enters the transcript: it travels beside it in the bundle');
      return noop;
    }
    if (this.close && envelope.t !== 'attest') {
      add('ENTRY_AFTER_CLOSE', `a ${envelope.t} after the session was closed`, who);
      return noop;
    }
    if (!this.events.gate(message, this.participants, (code, text) => add(code, text, who))) return noop;
    if (message.t === 'statement' || (message.t === 'close' && !this.events.abort)) {
      // The ceremony goes on only once the room has acknowledged who is in it.
      const blocked = this.attendance.blocking(this.participants);
      if (blocked) add('ROSTER_INCOMPLETE', `a ${message.t} while ${blocked}`);
    }
    if (envelope.prev !== undefined && COORDINATOR_TYPES.has(envelope.t) && !equalBytes(envelope.prev, this.head)) {
      add(
        'CHAIN_BROKEN',
        `this ${envelope.t} commits to head ${shortHex(envelope.prev)} but the transcript head before it is ${shortHex(this.head)}`,
      );
    }
    if (envelope.appended !== undefined) {
      const wrong = appendedMismatch(this.appendedSince(), envelope.appended, (id) =>
        describeEntry(this.byId.get(toHex(id)), id, (fp) => this.participants.get(toHex(fp))?.label),
      );
      if (wrong) add('CHAIN_BROKEN', wrong);
    }
    if ((message.t === 'ack' || message.t === 'attest') && !participant) {
      // Only the coordinator passes the signer checks without being enrolled.
      add('UNKNOWN_SIGNER', `a ${message.t} must be signed by an enrolled participant, this one by the coordinator`);
      return noop;
    }
    switch (message.t) {
      case 'enroll':
        return this.evaluateEnroll(message, add);
      case 'statement':
        return both(this.evaluateClocks(message, add), this.evaluateStatement(message, add));
      case 'exception':
        return this.evaluateException(message, add);
      case 'ack':
        return participant ? this.evaluateAck(message, participant, fpHex, add) : noop;
      case 'abort':
        return this.events.evaluateAbort(message, this.script.steps[this.current], must0(this.script.steps[0]), add);
      case 'suspend':
        return this.events.evaluateSuspend(message);
      case 'resume':
        return this.events.evaluateResume(message, this, add);
      case 'roster':
        return both(this.evaluateClocks(message, add), this.evaluateRoster(message, add));
      case 'close':
        return both(this.evaluateClocks(message, add), this.evaluateClose(message, add));
      case 'attest':
        return participant ? this.evaluateAttest(message, participant, fpHex, add) : noop;
      case 'genesis':
      case 'blob':
        add('MESSAGE_MALFORMED', `a ${message.t} message does not belong in the transcript here`);
        return noop;
    }
  }

  private evaluateEnroll(
    message: SignedMessage<'enroll'>,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    const { body, by } = message.envelope;
    const label = `${body.name} (${body.role}, ${spokenWords(by)})`;
    const who = { participant: label };
    let ok = true;
    const bad = (code: FindingCode, text: string): void => {
      ok = false;
      add(code, text, who);
    };
    if (!equalBytes(fingerprintOf(body.key), by))
      bad('BAD_SIGNATURE', 'the enrolment is not signed by the key it enrols');
    if (!this.genesis || !equalBytes(body.genesis, this.genesis.id))
      bad('ENROLLMENT_INVALID', 'the enrolment answers a different genesis');
    if (this.participants.has(toHex(by))) bad('ENROLLMENT_INVALID', 'this key is already enrolled');
    if (this.coordinator && equalBytes(by, this.coordinator.fingerprint))
      bad('ENROLLMENT_INVALID', "the coordinator's key cannot also enrol as a participant");
    const role = this.script.roles.find((r) => r.id === body.role);
    if (!role) bad('ENROLLMENT_INVALID', `role "${body.role}" is not in the script`);
    else if (role.coordinator) bad('ENROLLMENT_INVALID', `role "${body.role}" is the coordinator's`);
    else if (body.replaces === undefined && role.max !== undefined && this.countRole(role.id) >= role.max)
      bad('ENROLLMENT_INVALID', `role "${role.id}" already has its maximum of ${role.max}`);
    if (body.replaces !== undefined) {
      const why = this.attendance.replacementRefusal(this.participants, body.replaces, body.name, body.role);
      if (why) bad('ENROLLMENT_INVALID', why);
    }
    this.checkPinned(by, body.role, (code, text) => bad(code, text));
    // Even a refused enrolment was scanned, so its clock was measured and is due on the record.
    if (!ok) return () => this.clocks.enrolled(toHex(by), label);
    const seq = this.entries.length;
    // Before the first step an enrolment is present at once; after it (or as a replacement
    // device) it waits for the coordinator's roster change and the room's acknowledgement.
    const waits = this.current >= 0 || body.replaces !== undefined;
    return () => {
      this.clocks.enrolled(toHex(by), label);
      if (waits) this.attendance.await(toHex(by), message, label);
      else this.attendance.present(toHex(by), seq);
      this.participants.set(toHex(by), {
        name: body.name,
        role: body.role,
        label,
        enroll: message,
        identity: selfCertifiedIdentity(message),
      });
    };
  }

  private evaluateRoster(
    message: SignedMessage<'roster'>,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    const step = this.script.steps[this.current] ?? must0(this.script.steps[0]);
    return this.attendance.evaluate(message, this.entries.length, step, this.current >= 0, this.participants, add);
  }

  private evaluateClocks(
    message: SignedMessage<'statement' | 'roster' | 'close'>,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    return this.clocks.evaluate(message.t, message.envelope.body.clocks, this.script.clockToleranceMs, add);
  }

  private evaluateStatement(
    message: SignedMessage<'statement'>,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    const { body } = message.envelope;
    const spec = this.script.steps[body.n];
    if (!spec || spec.id !== body.step) {
      add(
        'STEP_OUT_OF_ORDER',
        `statement for step "${body.step}" at position ${body.n}, which the script does not have`,
        { step: body.step },
      );
      return () => undefined;
    }
    const at = { step: spec.id };
    const inProgress = this.steps[this.current];
    const retry = body.n === this.current && inProgress !== undefined;
    if (retry) {
      if (!checkRetry(this, inProgress, message, add)) return () => undefined;
    } else if (body.n !== this.current + 1) {
      const due = this.nextStep;
      add(
        'STEP_OUT_OF_ORDER',
        body.n < this.current
          ? `a statement for step ${spec.id}, which was already passed`
          : `statement for step ${spec.id} while step ${due?.id ?? '(none)'} was due`,
        at,
      );
    } else {
      checkFirstAttempt(message, add);
    }
    if (this.current < 0) {
      for (const role of this.script.roles) {
        if (!role.coordinator && this.countRole(role.id) < role.min) {
          add(
            'ENROLLMENT_INCOMPLETE',
            `steps started with ${this.countRole(role.id)} ${role.id}(s) enrolled; the script needs at least ${role.min}`,
            at,
          );
        }
      }
    } else if (body.n > this.current) {
      this.completionFindings(this.current, add);
    }
    this.checkStatementShape(spec, message, add);
    if (body.n < this.current) return () => undefined;
    const progress = must0(this.steps[body.n]);
    return () => {
      this.steps[body.n] = withAttempt(progress, message);
      this.current = body.n;
    };
  }

  private checkStatementShape(
    spec: StepSpec,
    message: SignedMessage<'statement'>,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): void {
    const { body } = message.envelope;
    const at = { step: spec.id };
    const declared = new Set(spec.inputs.map((i) => i.id));
    for (const id of Object.keys(body.inputs))
      if (!declared.has(id)) add('STATEMENT_INVALID', `input "${id}" is not declared for this step`, at);
    for (const id of declared) if (!(id in body.inputs)) add('STATEMENT_INVALID', `input "${id}" was not recorded`, at);
    const seen = new Set<string>();
    for (const ref of body.evidence) {
      const evidenceSpec = spec.evidence.find((e) => e.id === ref.id);
      if (!evidenceSpec) add('STATEMENT_INVALID', `evidence "${ref.id}" is not declared for this step`, at);
      else if (evidenceSpec.kind !== ref.kind)
        add(
          'STATEMENT_INVALID',
          `evidence "${ref.id}" is declared as ${evidenceSpec.kind}, recorded as ${ref.kind}`,
          at,
        );
      if (seen.has(ref.id)) add('STATEMENT_INVALID', `evidence "${ref.id}" recorded twice`, at);
      seen.add(ref.id);
    }
    for (const e of spec.evidence)
      if (e.required && !seen.has(e.id)) add('STATEMENT_INVALID', `required evidence "${e.id}" was not recorded`, at);
    if (spec.irreversible && body.confirm !== spec.irreversible.confirm) {
      add(
        'IRREVERSIBLE_NOT_CONFIRMED',
        body.confirm === undefined
          ? `irreversible step issued without typing "${spec.irreversible.confirm}"`
          : `irreversible step confirmed with "${body.confirm}" instead of "${spec.irreversible.confirm}"`,
        at,
      );
    }
    if (!spec.irreversible && body.confirm !== undefined)
      add('STATEMENT_INVALID', 'a confirmation was recorded for a step that is not irreversible', at);
    const claimed = new Map(body.checks.map((c) => [c.id, c]));
    for (const check of checkInputs(spec, body.inputs)) {
      const c = claimed.get(check.id);
      if (!c || c.ok !== check.ok) {
        add(
          'INPUT_MISMATCH',
          `input check ${check.id}: expected ${check.expected}, recorded "${check.observed}"; the statement ${c ? `claims ${c.ok ? 'pass' : 'fail'}` : 'omits this check'}`,
          at,
        );
      }
    }
  }

  private evaluateException(
    message: SignedMessage<'exception'>,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    const { body } = message.envelope;
    const step = this.steps[this.current];
    const statement = step?.statement;
    if (!step || !statement || !equalBytes(body.ref, statement.message.id) || body.step !== step.spec.id) {
      add('EXCEPTION_INVALID', `exception for step "${body.step}" does not name the current step's statement`, {
        step: body.step,
      });
      return () => undefined;
    }
    if (!checkDecision(step, message, add)) return () => undefined;
    // Every objection so far, to the statement and to each earlier exception, must be listed.
    const objections = objectionsBefore(step);
    const nothingFailed = objections.length === 0 && statement.message.envelope.body.checks.every((c) => c.ok);
    // The room may decide to redo a step that went well; accepting one that did needs no exception.
    if (nothingFailed && body.decision === 'proceed') {
      add('EXCEPTION_INVALID', `step ${body.step} has no failed check and no objection: there is nothing to except`, {
        step: body.step,
      });
      return () => undefined;
    }
    const listed = new Set(body.objections.map(toHex));
    for (const o of objections) {
      if (!listed.has(toHex(o.id)))
        add(
          'EXCEPTION_INVALID',
          `the exception omits the objection of ${this.participants.get(toHex(o.envelope.by))?.label ?? shortFp(o.envelope.by)}`,
          { step: body.step },
        );
    }
    const known = new Set(objections.map((o) => toHex(o.id)));
    for (const id of listed)
      if (!known.has(id))
        add(
          'EXCEPTION_INVALID',
          `the exception lists ${id.slice(0, 16)}…, which is not an objection to this step's statement or exceptions`,
          { step: body.step },
        );
    return () => step.exceptions.push({ message, acks: new Map() });
  }

  private evaluateAck(
    message: SignedMessage<'ack'>,
    participant: Participant,
    fpHex: string,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    const { body, prev } = message.envelope;
    const who = { participant: participant.label };
    const target = this.byId.get(toHex(body.ref));
    if (!target || !isMessageOf(target, ...ACKABLE_TYPES)) {
      add(
        'ACK_FOR_UNKNOWN_STATEMENT',
        'acknowledges a message that is not a statement, exception, abort, resume or roster change of this session',
        who,
      );
      return () => undefined;
    }
    answeredBefore(message, target, this.script.clockToleranceMs, who, add);
    const absent = this.attendance.absence(fpHex, this.seqOf(target.id));
    if (absent) {
      add('ACK_FROM_ABSENT', `an answer to a ${target.t} from ${participant.label}: ${absent}`, who);
      return () => undefined;
    }
    if (target.t === 'abort' || target.t === 'resume' || target.t === 'roster')
      return this.evaluateEventAck(message, participant, fpHex, add);
    if (this.events.abort) {
      add('ENTRY_AFTER_ABORT', `an answer to a ${target.t} of step ${target.envelope.body.step} after the abort`, who);
      return () => undefined;
    }
    const step = this.steps[this.current];
    const slot = step ? ackTargets(step).find((t) => equalBytes(t.message.id, body.ref)) : undefined;
    const stepId = target.envelope.body.step;
    if (!step || !slot) {
      const earlier = step?.spec.id === stepId;
      add(
        'ACK_WRONG_STEP',
        earlier
          ? `answers an earlier attempt of step ${stepId}, which a new attempt replaced`
          : `acknowledges step ${stepId}, which is not the current step`,
        { ...who, step: stepId },
      );
      return () => undefined;
    }
    if (!equalBytes(prev, target.envelope.prev)) {
      add(
        'CHAIN_BROKEN',
        `the acknowledgement commits to head ${shortHex(prev)}, the ${target.envelope.t} it answers to ${shortHex(target.envelope.prev)}`,
        { ...who, step: stepId },
      );
    }
    if (!step.spec.acks.roles.includes(participant.role)) {
      add(
        'ACK_ROLE_NOT_REQUIRED',
        `step ${stepId} asks for ${step.spec.acks.roles.join(', ')}; this participant is a ${participant.role}`,
        { ...who, step: stepId },
      );
      return () => undefined;
    }
    if (slot.acks.has(fpHex)) {
      add('DUPLICATE_ACK', `a second answer to the same ${target.envelope.t} of step ${stepId}`, {
        ...who,
        step: stepId,
      });
      return () => undefined;
    }
    return () => slot.acks.set(fpHex, message);
  }

  /** An answer to an abort or a resume: from someone the event's quorum counts, once. */
  private evaluateEventAck(
    message: SignedMessage<'ack'>,
    participant: Participant,
    fpHex: string,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    const who = { participant: participant.label };
    const { body, prev } = message.envelope;
    const event = this.events.event(body.ref) ?? this.attendance.change(body.ref);
    if (!event) {
      add(
        'ACK_FOR_UNKNOWN_STATEMENT',
        'acknowledges an abort, resume or roster change the session did not accept',
        who,
      );
      return () => undefined;
    }
    const t = event.message.t;
    if (this.events.abort && event !== this.events.abort) {
      add('ENTRY_AFTER_ABORT', `an answer to a ${t} after the abort`, who);
      return () => undefined;
    }
    if (!equalBytes(prev, event.message.envelope.prev)) {
      add(
        'CHAIN_BROKEN',
        `the acknowledgement commits to head ${shortHex(prev)}, the ${t} it answers to ${shortHex(event.message.envelope.prev)}`,
        who,
      );
    }
    if (!mayAnswer(event.quorum, fpHex, participant)) {
      add(
        'ACK_ROLE_NOT_REQUIRED',
        `the ${t} is acknowledged by ${event.quorum.description}; not by this participant`,
        who,
      );
      return () => undefined;
    }
    if (event.acks.has(fpHex)) {
      add('DUPLICATE_ACK', `a second answer to the same ${t}`, who);
      return () => undefined;
    }
    return () => event.acks.set(fpHex, message);
  }

  private evaluateClose(
    message: SignedMessage<'close'>,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    if (this.events.abort) {
      // An aborted session closes on the steps it reached; the abort says why the rest never came.
      this.events.closeFindings(message, this.current + 1, this.participants, add);
      return this.closeTimes(message, add);
    }
    this.events.closeFindings(message, this.current + 1, this.participants, add);
    const last = this.script.steps.length - 1;
    if (this.current < last) {
      add(
        'CLOSE_PREMATURE',
        `closed after step ${this.script.steps[this.current]?.id ?? '(none)'}; the script has ${this.script.steps.length} steps`,
      );
    }
    if (this.current >= 0) this.completionFindings(this.current, add);
    if (message.envelope.body.steps !== this.script.steps.length) {
      add(
        'CLOSE_PREMATURE',
        `the close claims ${message.envelope.body.steps} steps; the script has ${this.script.steps.length}`,
      );
    }
    return this.closeTimes(message, add);
  }

  /** TIME_OUT_OF_ORDER for entries dated after the close; the commit records the close. */
  private closeTimes(
    message: SignedMessage<'close'>,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    const late = this.entries.filter(
      (e) => e.message && e.message.envelope.at > message.envelope.at + this.script.clockToleranceMs,
    );
    const first = late[0]?.message;
    if (first) {
      add(
        'TIME_OUT_OF_ORDER',
        `${late.length} entr${late.length === 1 ? 'y' : 'ies'} before the close ${late.length === 1 ? 'is' : 'are'} dated after it (the first, a ${first.t}, at ${iso(first.envelope.at)}; the close at ${iso(message.envelope.at)})`,
      );
    }
    return () => {
      this.close = message;
    };
  }

  private evaluateAttest(
    message: SignedMessage<'attest'>,
    participant: Participant,
    fpHex: string,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): Commit {
    const who = { participant: participant.label };
    const { body, prev } = message.envelope;
    if (!this.close || !equalBytes(body.ref, this.close.id)) {
      add('ATTESTATION_INVALID', 'the attestation does not refer to the close of this session', who);
      return () => undefined;
    }
    answeredBefore(message, this.close, this.script.clockToleranceMs, who, add);
    const absent = this.attendance.absence(fpHex, undefined);
    if (absent) {
      // Only those present at the close attest to it; a replaced device's key signs nothing more.
      add('ACK_FROM_ABSENT', `an attestation from ${participant.label}: ${absent}`, who);
      return () => undefined;
    }
    if (!equalBytes(prev, this.close.envelope.prev))
      add('CHAIN_BROKEN', 'the attestation commits to a different head than the close', who);
    if (this.attestations.has(fpHex)) {
      add('ATTESTATION_INVALID', 'a second attestation from the same participant', who);
      return () => undefined;
    }
    return () => this.attestations.set(fpHex, message);
  }

  /** Findings for a step that is being left behind (by the next statement or the close). */
  private completionFindings(
    index: number,
    add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
  ): void {
    const step = this.steps[index];
    if (!step) return;
    for (const problem of stepCompletion(step, this.participants).problems)
      add(problem.code, problem.message, { step: step.spec.id });
  }

  /**
   * Pins are per role: once a script pins any identity for a role, only pinned keys may take that
   * role; roles without pins stay open (e.g. pinned custodians, walk-in external witnesses).
   */
  private checkPinned(fingerprint: Uint8Array, role: string, add: (code: FindingCode, text: string) => void): void {
    const pins = this.script.participants.filter((p) => p.role === role);
    if (pins.length === 0) return;
    if (!pins.some((p) => equalBytes(p.fingerprint, fingerprint))) {
      const elsewhere = this.script.participants.find((p) => equalBytes(p.fingerprint, fingerprint));
      add(
        'PINNED_IDENTITY_MISMATCH',
        elsewhere
          ? `key ${shortFp(fingerprint)} is pinned for role "${elsewhere.role}", not "${role}"`
          : `key ${shortFp(fingerprint)} is not one of the identities the script pins for role "${role}"`,
      );
    }
  }

  /** Participants of a role who are present or waiting to join (not those who left or were replaced). */
  private countRole(role: string): number {
    let n = 0;
    for (const [fp, p] of this.participants) {
      const waiting = this.attendance.awaiting.get(fp);
      if (p.role === role && (this.attendance.isPresent(fp) || (waiting && !waiting.enroll.envelope.body.replaces)))
        n++;
    }
    return n;
  }

  /** Append an entry to the chain (every evaluated entry is chained, sound or not). */
  appendRaw(wire: Uint8Array, id: Uint8Array): void {
    this.append(wire, id, undefined, undefined);
  }

  private append(
    wire: Uint8Array,
    id: Uint8Array,
    message: SignedMessage | undefined,
    idHex: string | undefined,
  ): void {
    const seq = this.entries.length;
    const hash = entryHash(seq, this.head, id);
    this.entries.push({ seq, id, hash, wire, message });
    this.head = hash;
    if (message) this.byId.set(idHex ?? toHex(id), message);
    this.seqById.set(idHex ?? toHex(id), seq);
    if (
      message &&
      HAS_APPENDED[message.t] &&
      this.coordinator &&
      equalBytes(message.envelope.by, this.coordinator.fingerprint)
    )
      this.coordinatorSeq = seq;
  }
}

/** A value the fold's own invariants guarantee (the script has a first step; every position has progress). */
function must0<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('session state invariant broken');
  return value;
}

function shortFp(fp: Uint8Array): string {
  return spokenWords(fp);
}

function shortHex(bytes: Uint8Array): string {
  return `${toHex(bytes.subarray(0, 8))}…`;
}

/**
 * The default of how far apart two devices' clocks may be before their times are a finding (the
 * script's `clock_tolerance`, Script.clockToleranceMs). A room's laptops are set by hand; five
 * minutes catches a wrong time zone or a forged timeline, not drift.
 */
export const CLOCK_TOLERANCE_MS = DEFAULT_CLOCK_TOLERANCE_S * 1000;

/** Run two commits in order. */
function both(first: Commit, second: Commit): Commit {
  return () => {
    first();
    second();
  };
}

/** TIME_OUT_OF_ORDER when an answer is dated before what it answers, beyond the tolerance. */
function answeredBefore(
  answer: SignedMessage<'ack' | 'attest'>,
  target: SignedMessage,
  toleranceMs: number,
  who: Omit<Finding, 'code' | 'message' | 'seq'>,
  add: (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void,
): void {
  if (answer.envelope.at + toleranceMs >= target.envelope.at) return;
  add(
    'TIME_OUT_OF_ORDER',
    `an answer signed at ${iso(answer.envelope.at)}, before the ${target.t} it answers (${iso(target.envelope.at)})`,
    who,
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
