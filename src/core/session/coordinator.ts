/**
 * The coordinator's side of a session: opens the session with a signed
 * genesis, accepts enrolments and acknowledgements, issues statements, exceptions and the close,
 * and exports the bundle. Every message passes the same rules the auditor applies (SessionState),
 * strictly: a message with any finding is refused and nothing changes. Each accepted entry is
 * handed to the `persist` hook (the journal, which fsyncs) before the state changes.
 */
import type { CheckResult, EvidenceChecker, EvidenceItem } from '../checks.js';
import { KeywitnessError } from '../errors.js';
import type { Finding } from '../audit/findings.js';
import {
  MAX_BLOB_DATA_BYTES,
  type CheckRecord,
  type ClockRecord,
  type EvidenceRef,
  type ExceptionDecision,
  type MessageType,
  type RosterChange,
  type SessionMode,
} from '../protocol/bodies.js';
import type { Signer } from '../protocol/identity.js';
import { decodeMessage, signMessage, verifyMessage, type Draft, type SignedMessage } from '../protocol/message.js';
import { productionRefusal } from '../script/roles.js';
import type { Script, StepSpec } from '../script/types.js';
import { equalBytes, fromHex, toHex } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';
import { must } from '../util/must.js';
import { ackTargets, objectionsBefore, stepCompletion, type Completion } from './completion.js';
import type { Bundle } from './files.js';
import { checkInputs } from './input-checks.js';
import { publicKeyFor } from './keys.js';
import { distinct, missedMessages } from './coordinator-loop.js';
import { expectedSeal } from './seal.js';
import { isChained, type ChainedMessage } from './device-head.js';
import { CONTEXT_BLOB_KIND, referencedEvidence } from './message-pool.js';
import { eventCompletion } from './room.js';
import { type Participant, SessionState } from './state.js';
import { describeSkew, skewExceeds } from './state-clocks.js';

/** Something the coordinator must persist before it reports success. */
export type PersistRecord =
  | { readonly kind: 'entry'; readonly wire: Uint8Array }
  | { readonly kind: 'evidence'; readonly data: Uint8Array }
  /**
   * A device's clock measured when its enrolment was scanned, journaled before the enrolment, so
   * that a restart before the next statement still records what the room was shown.
   */
  | { readonly kind: 'clock'; readonly who: Uint8Array; readonly skew_ms: number };

/** A device's clock as measured at enrolment, for the coordinator's screen. */
export interface MeasuredClock {
  readonly participant: Participant;
  /** Enrolment time less (coordinator time less scanning delay), ms; positive: the device is ahead. */
  readonly skewMs: number;
  /** Whether a signed coordinator message has recorded it yet. */
  readonly recorded: boolean;
}

export interface CoordinatorOptions {
  readonly script: Script;
  readonly scriptBytes: Uint8Array;
  readonly signer: Signer;
  readonly name: string;
  readonly checker?: EvidenceChecker;
  /** Durable storage: resolves only once the record is safe (fsynced). */
  readonly persist?: (record: PersistRecord) => Promise<void>;
  readonly clock?: () => number;
}

/** A refused message, with the findings that explain why. */
export class SessionRejectedError extends KeywitnessError {
  readonly findings: readonly Finding[];
  constructor(findings: readonly Finding[]) {
    super('SESSION_REJECTED', findings.map((f) => `${f.code}: ${f.message}`).join('; '));
    this.findings = findings;
  }
}

/** Evidence imported for a statement. */
export interface EvidenceInput {
  readonly id: string;
  /** File name or source, for display. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A statement ready to sign, with its check results for the coordinator to review. */
export interface PreparedStatement {
  readonly step: StepSpec;
  readonly inputs: Readonly<Record<string, string>>;
  readonly evidence: readonly (EvidenceRef & { readonly bytes: Uint8Array })[];
  readonly checks: readonly CheckResult[];
  readonly confirm: string | undefined;
}

export class Coordinator {
  readonly state: SessionState;
  private readonly options: CoordinatorOptions;
  /** Evidence bytes by SHA-256 hex, and by evidence id for cross-evidence checks. */
  private readonly evidenceByHash = new Map<string, Uint8Array>();
  private readonly evidenceById = new Map<string, EvidenceItem>();
  private lastAt = 0;
  /** Skews measured at enrolment scans, by participant fingerprint hex (journaled as `clock` records). */
  private readonly measured = new Map<string, number>();
  /** The loop shown for the current message (see transmission). */
  private shownLoop: { readonly key: string; readonly messages: readonly SignedMessage[] } | undefined;

  private constructor(options: CoordinatorOptions) {
    this.options = options;
    this.state = new SessionState(options.script);
    if (!equalBytes(sha256(options.scriptBytes), options.script.hash)) {
      throw new KeywitnessError('INPUT_INVALID', 'the script bytes do not match the parsed script');
    }
  }

  /** Open a new session: sign and record the genesis. */
  static async open(
    options: CoordinatorOptions & {
      readonly mode: SessionMode;
      readonly app?: string;
      readonly sessionId?: Uint8Array;
    },
  ): Promise<Coordinator> {
    // A production session only from a script that pins every role (README, "Audit findings").
    const refusal = options.mode === 'production' ? productionRefusal(options.script) : undefined;
    if (refusal !== undefined) throw new KeywitnessError('INPUT_INVALID', refusal);
    const c = new Coordinator(options);
    const role = options.script.roles.find((r) => r.coordinator);
    if (!role) throw new KeywitnessError('INPUT_INVALID', `script ${options.script.id} has no coordinator role`);
    const sid = options.sessionId ?? globalThis.crypto.getRandomValues(new Uint8Array(16));
    await c.signAndApply({
      t: 'genesis',
      sid,
      at: c.now(),
      body: {
        script: options.script.hash,
        script_id: options.script.id,
        mode: options.mode,
        name: options.name,
        role: role.id,
        alg: options.signer.alg,
        key: options.signer.publicKey,
        app: options.app ?? '',
      },
    });
    return c;
  }

  /** Rebuild a session from its persisted records (after a restart), re-checking every entry. */
  static async restore(options: CoordinatorOptions, records: readonly PersistRecord[]): Promise<Coordinator> {
    const c = new Coordinator(options);
    for (const record of records) {
      if (record.kind === 'evidence') {
        c.evidenceByHash.set(toHex(sha256(record.data)), record.data);
        continue;
      }
      if (record.kind === 'clock') {
        c.measured.set(toHex(record.who), record.skew_ms);
        continue;
      }
      const message = decodeMessage(record.wire);
      await c.apply(message, await c.signatureValid(message), false);
      if (equalBytes(message.envelope.by, options.signer.fingerprint))
        c.lastAt = Math.max(c.lastAt, message.envelope.at);
      if (message.t === 'statement') c.rememberEvidence(message);
    }
    return c;
  }

  get genesis(): SignedMessage<'genesis'> {
    return must(this.state.genesis, 'the genesis of an opened session');
  }

  /**
   * Accept a participant's message (enroll, ack or attest) scanned from their device. A re-scan of
   * a message already in the transcript is idempotent (a re-scanned enrolment whose clock was never
   * measured, after a restart, is measured now).
   *
   * For an enrolment, the device's clock is compared with the coordinator's: skew = the
   * enrolment's `at` − (the coordinator's clock − `scanDelayMs`), where `scanDelayMs` is what the
   * caller measured from the first QR frame to the decoded message (the app passes it; a
   * simulation, 0). A skew beyond the script's `clock_tolerance` is refused (CLOCK_SKEW: set the
   * device's clock and enrol again); otherwise it is journaled, shown (`clocks()`) and recorded in
   * the next statement, roster change or close.
   * @throws KeywitnessError MESSAGE_INVALID/CBOR_INVALID for undecodable bytes; SessionRejectedError with findings.
   */
  async receive(
    wire: Uint8Array,
    options: { readonly scanDelayMs?: number } = {},
  ): Promise<{
    readonly status: 'accepted' | 'duplicate';
    readonly message: SignedMessage;
    /** For an enrolment: the device's clock as measured (now or when it was first scanned). */
    readonly skewMs?: number;
  }> {
    const message = decodeMessage(wire);
    const t = message.envelope.t;
    const now = (this.options.clock ?? Date.now)();
    const delay = options.scanDelayMs ?? 0;
    if (!Number.isSafeInteger(delay) || delay < 0 || delay > this.options.script.clockToleranceMs)
      throw new KeywitnessError(
        'INPUT_INVALID',
        `a scanning delay of ${String(delay)} ms is not a whole number of ms between 0 and the clock tolerance`,
      );
    const skew = message.envelope.at - (now - delay);
    const known = this.state.message(message.id);
    if (known) {
      const hex = toHex(message.envelope.by);
      if (t === 'enroll' && !this.measured.has(hex) && this.state.clocks.unrecorded().includes(hex))
        await this.measure(message, skew);
      const measured = t === 'enroll' ? this.measuredSkew(hex) : undefined;
      return { status: 'duplicate', message: known, ...(measured !== undefined ? { skewMs: measured } : {}) };
    }
    if (t !== 'enroll' && t !== 'ack' && t !== 'attest') {
      throw new KeywitnessError('SESSION_REJECTED', `a ${t} cannot be received from a participant`);
    }
    const tolerance = this.options.script.clockToleranceMs;
    const ahead = message.envelope.at - now;
    if (t !== 'enroll' && ahead > tolerance) {
      // Caught now, not at the close: an entry dated after the close would make it refuse.
      throw new SessionRejectedError([
        {
          code: 'TIME_OUT_OF_ORDER',
          message: `this ${t} is dated ${Math.round(ahead / 60000)} minute(s) ahead of the coordinator's clock: set the device's clock`,
        },
      ]);
    }
    const { findings, commit } = this.state.evaluate(message, await this.signatureValid(message));
    if (t === 'enroll' && skewExceeds(skew, tolerance)) {
      // First, because it says what to do; whatever else is wrong with the enrolment follows.
      const { name, role } = (message as SignedMessage<'enroll'>).envelope.body;
      throw new SessionRejectedError([
        {
          code: 'CLOCK_SKEW',
          message: `${name} (${role})'s device clock is ${describeSkew(skew)} the coordinator's; the script allows ${tolerance / 1000} s: set the device's clock, then enrol again`,
          participant: name,
        },
        ...findings,
      ]);
    }
    if (findings.length > 0) throw new SessionRejectedError(findings);
    if (t === 'enroll') await this.measure(message, skew);
    await this.options.persist?.({ kind: 'entry', wire: message.wire });
    commit();
    return { status: 'accepted', message, ...(t === 'enroll' ? { skewMs: skew } : {}) };
  }

  private async measure(message: SignedMessage, skewMs: number): Promise<void> {
    await this.options.persist?.({ kind: 'clock', who: message.envelope.by, skew_ms: skewMs });
    this.measured.set(toHex(message.envelope.by), skewMs);
  }

  private measuredSkew(hex: string): number | undefined {
    return this.measured.get(hex) ?? this.state.clocks.recorded.get(hex);
  }

  /** Every enrolled device's clock as measured at enrolment, in enrolment order, for the room to see. */
  clocks(): readonly MeasuredClock[] {
    const out: MeasuredClock[] = [];
    for (const [hex, participant] of this.state.participants) {
      const recorded = this.state.clocks.recorded.get(hex);
      const skewMs = recorded ?? this.measured.get(hex);
      if (skewMs !== undefined) out.push({ participant, skewMs, recorded: recorded !== undefined });
    }
    return out;
  }

  /**
   * The `clocks` field for the next statement, roster change or close: every enrolment accepted
   * since the last one, with the skew measured when it was scanned.
   */
  private clockRecords(): { readonly clocks?: readonly ClockRecord[] } {
    // An enrolment restored from a journal without its measurement is left out, and the fold
    // refuses the message (CLOCK_NOT_RECORDED) until the enrolment is scanned again (receive).
    const records = this.state.clocks.unrecorded().flatMap((hex): ClockRecord[] => {
      const skew = this.measured.get(hex);
      return skew === undefined ? [] : [{ who: fromHex(hex), skew_ms: skew }];
    });
    return records.length > 0 ? { clocks: records } : {};
  }

  /** Run the step's checks on the recorded inputs and evidence, without signing anything. */
  async prepareStatement(
    stepId: string,
    inputs: Readonly<Record<string, string>>,
    evidence: readonly EvidenceInput[],
    confirm?: string,
  ): Promise<PreparedStatement> {
    const step = this.state.dueStep;
    if (!step || step.id !== stepId)
      throw new KeywitnessError(
        'SESSION_REJECTED',
        `step ${stepId} is not the step due (${step?.id ?? 'none: every step has a statement'})`,
      );
    const all = new Map(this.evidenceById);
    const items: (EvidenceRef & { bytes: Uint8Array })[] = [];
    for (const e of evidence) {
      const spec = step.evidence.find((s) => s.id === e.id);
      if (!spec)
        throw new KeywitnessError('SESSION_REJECTED', `evidence "${e.id}" is not declared for step ${step.id}`);
      all.set(e.id, { spec, bytes: e.bytes });
      items.push({
        id: e.id,
        kind: spec.kind,
        sha256: sha256(e.bytes),
        size: e.bytes.length,
        name: e.name,
        bytes: e.bytes,
      });
    }
    const checks: CheckResult[] = checkInputs(step, inputs);
    if (this.options.checker) {
      for (const e of evidence)
        checks.push(...(await this.options.checker(must(all.get(e.id), `evidence ${e.id}`), all)));
    }
    return { step, inputs, evidence: items, checks, confirm };
  }

  /**
   * Sign a prepared statement. It is judged by the session rules first; only an acceptable
   * statement has its evidence persisted, then itself, and then the state changes.
   */
  async issueStatement(prepared: PreparedStatement): Promise<SignedMessage<'statement'>> {
    // A new attempt of the step in progress names the repeat exception that decided it.
    const progress = this.state.steps[prepared.step.index];
    const retry = prepared.step.index === this.state.current ? progress?.exceptions.at(-1)?.message.id : undefined;
    const message = await signMessage(this.options.signer, {
      t: 'statement',
      sid: this.genesis.envelope.sid,
      ...this.chained(),
      body: {
        step: prepared.step.id,
        n: prepared.step.index,
        inputs: prepared.inputs,
        evidence: prepared.evidence.map(({ id, kind, sha256: h, size, name }) => ({ id, kind, sha256: h, size, name })),
        checks: prepared.checks.map(({ id, ok, expected, observed }): CheckRecord => ({ id, ok, expected, observed })),
        ...(prepared.confirm !== undefined ? { confirm: prepared.confirm } : {}),
        ...this.clockRecords(),
        ...(retry !== undefined ? { retry } : {}),
      },
    });
    const { findings, commit } = this.state.evaluate(message, true);
    if (findings.length > 0) throw new SessionRejectedError(findings);
    for (const e of prepared.evidence) {
      if (!this.evidenceByHash.has(toHex(e.sha256))) await this.options.persist?.({ kind: 'evidence', data: e.bytes });
    }
    await this.options.persist?.({ kind: 'entry', wire: message.wire });
    commit();
    for (const e of prepared.evidence) this.evidenceByHash.set(toHex(e.sha256), e.bytes);
    this.rememberEvidence(message);
    return message;
  }

  private rememberEvidence(statement: SignedMessage<'statement'>): void {
    const step = must(this.options.script.steps[statement.envelope.body.n], 'the step of an accepted statement');
    for (const ref of statement.envelope.body.evidence) {
      const bytes = this.evidenceByHash.get(toHex(ref.sha256));
      const spec = step.evidence.find((s) => s.id === ref.id);
      if (!bytes || !spec)
        throw new KeywitnessError(
          'JOURNAL_CORRUPT',
          `evidence "${ref.id}" of step ${step.id} is missing from the session's records`,
        );
      this.evidenceById.set(ref.id, { spec, bytes });
    }
  }

  /**
   * What the coordinator shows now, as one QR loop: the message the room answers (the genesis while
   * enrolling, the current statement or exception, the close) and what travels with it. Every
   * coordinator chained message that a device answering it may have missed since its last answer
   * travels as context (coordinator-loop.ts), so each device folds its own head from the genesis
   * (device-head.ts); so does the statement an exception concerns. On a step that asks witnesses
   * to recompute, signed blobs carry the step's evidence and the earlier evidence its checks refer
   * to (`spki_equals: keygen`…), and the earlier statements vouching for those digests travel as
   * context, so a witness whose role took no part in the earlier step still recomputes the
   * comparison itself. Context travels inside `context` blobs, so a device never mistakes it for
   * what is answered now. The loop is kept while the same message is shown, so its frames do not
   * change under the camera.
   */
  async transmission(): Promise<readonly SignedMessage[]> {
    const shown = this.shownMessage();
    const key = toHex(shown.id);
    if (this.shownLoop?.key === key) return this.shownLoop.messages;
    const context: ChainedMessage[] = isChained(shown) ? missedMessages(this.state, shown) : [];
    const evidence: SignedMessage[] = [];
    if (shown.t === 'statement' || shown.t === 'exception') {
      const statement = shown.t === 'statement' ? shown : this.state.message(shown.envelope.body.ref);
      if (!statement || statement.t !== 'statement') {
        throw new KeywitnessError('SESSION_REJECTED', 'the statement this exception concerns is not in the session');
      }
      if (shown.t === 'exception') context.push(statement);
      const step = this.options.script.steps[statement.envelope.body.n];
      if (step?.acks.recompute) {
        const { blobs, vouching } = await this.evidenceFor(step, statement);
        evidence.push(...blobs);
        context.push(...vouching);
      }
    }
    const messages: SignedMessage[] = [shown];
    for (const m of distinct(context)) messages.push(await this.contextBlob(m));
    messages.push(...evidence);
    this.shownLoop = { key, messages };
    return messages;
  }

  /** Blobs of a statement's own and referenced evidence, and the statements vouching for the latter. */
  private async evidenceFor(
    step: StepSpec,
    statement: SignedMessage<'statement'>,
  ): Promise<{ readonly blobs: SignedMessage[]; readonly vouching: SignedMessage<'statement'>[] }> {
    const own = statement.envelope.body.evidence;
    const earlier = referencedEvidence(step)
      .filter((id) => !own.some((r) => r.id === id))
      .map((id) => {
        const source = this.state.steps.find((p) =>
          p.statement?.message.envelope.body.evidence.some((r) => r.id === id),
        )?.statement?.message;
        const ref = source?.envelope.body.evidence.find((r) => r.id === id);
        if (!source || !ref) {
          throw new KeywitnessError(
            'SESSION_REJECTED',
            `evidence "${id}" referred to by step ${step.id} was not recorded by an earlier step`,
          );
        }
        return { ref, source };
      });
    const blobs: SignedMessage[] = [];
    for (const ref of [...own, ...earlier.map((e) => e.ref)]) {
      const data = this.evidenceByHash.get(toHex(ref.sha256));
      if (!data) throw new KeywitnessError('SESSION_REJECTED', `evidence "${ref.id}" is not held by this session`);
      blobs.push(await this.signBlob(ref.name, ref.kind, data));
    }
    return { blobs, vouching: distinct(earlier.map((e) => e.source)) };
  }

  private async contextBlob(message: ChainedMessage): Promise<SignedMessage<'blob'>> {
    const name =
      message.t === 'statement' || message.t === 'exception'
        ? `${message.t} for step ${message.envelope.body.step}`
        : message.t;
    if (message.wire.length > MAX_BLOB_DATA_BYTES) {
      throw new KeywitnessError(
        'SESSION_REJECTED',
        `the ${name} (${message.wire.length} bytes) is too large to travel as context (at most ${MAX_BLOB_DATA_BYTES})`,
      );
    }
    return this.signBlob(name, CONTEXT_BLOB_KIND, message.wire);
  }

  private signBlob(name: string, kind: string, data: Uint8Array): Promise<SignedMessage<'blob'>> {
    return signMessage(this.options.signer, {
      t: 'blob',
      sid: this.genesis.envelope.sid,
      at: this.now(),
      body: { name, kind, data },
    });
  }

  /**
   * What the coordinator's screen shows for the room: the close, the abort, the open suspend, a
   * resume not yet acknowledged by everyone present, the step's current target, or the genesis.
   */
  shownMessage(): SignedMessage {
    const { events } = this.state;
    return (
      this.state.close ??
      events.abort?.message ??
      events.suspended ??
      events.pendingResume(this.state.participants)?.message ??
      this.pendingRoster() ??
      this.currentTarget() ??
      this.genesis
    );
  }

  /**
   * Record an exception for the current step, naming every objection to it received so far.
   * `repeat` decides to redo the step (a new attempt follows); `proceed` accepts it as it is.
   */
  async issueException(reason: string, decision: ExceptionDecision = 'proceed'): Promise<SignedMessage<'exception'>> {
    const step = this.state.steps[this.state.current];
    if (!step?.statement) throw new KeywitnessError('SESSION_REJECTED', 'no step is in progress');
    // Every objection so far: to the statement and to each earlier exception of the step.
    const objections = objectionsBefore(step).map((a) => a.id);
    return this.signAndApply({
      t: 'exception',
      sid: this.genesis.envelope.sid,
      ...this.chained(),
      body: { step: step.spec.id, ref: step.statement.message.id, objections, reason, decision },
    });
  }

  /** Abort the ceremony; the quorum of the step in progress (the first step's before any) acknowledges it. */
  async abort(reason: string): Promise<SignedMessage<'abort'>> {
    const step = this.state.script.steps[this.state.current];
    return this.signAndApply({
      t: 'abort',
      sid: this.genesis.envelope.sid,
      ...this.chained(),
      body: { reason, ...(step ? { step: step.id } : {}) },
    });
  }

  /** Suspend the ceremony: nothing waits for acknowledgements, and only the resume may follow. */
  async suspend(reason: string): Promise<SignedMessage<'suspend'>> {
    return this.signAndApply({
      t: 'suspend',
      sid: this.genesis.envelope.sid,
      ...this.chained(),
      body: { reason },
    });
  }

  /** Resume the suspended ceremony; every participant present acknowledges it before it goes on. */
  async resume(reason?: string): Promise<SignedMessage<'resume'>> {
    const suspended = this.state.events.suspended;
    if (!suspended)
      throw new KeywitnessError('SESSION_REJECTED', 'the session is not suspended: there is nothing to resume');
    return this.signAndApply({
      t: 'resume',
      sid: this.genesis.envelope.sid,
      ...this.chained(),
      body: { ref: suspended.id, ...(reason !== undefined ? { reason } : {}) },
    });
  }

  /**
   * Record a change of who is present: `join` for a participant who enrolled after the first step,
   * `leave` for one who goes, `replace` for a replacement device (its enrolment names the identity
   * it replaces). `participant` is the subject's fingerprint. The quorum of the step in progress
   * acknowledges it (not counting the subject) before the ceremony goes on.
   */
  async roster(change: RosterChange, participant: Uint8Array, reason: string): Promise<SignedMessage<'roster'>> {
    const enrolled = this.state.participants.get(toHex(participant));
    if (!enrolled)
      throw new KeywitnessError(
        'SESSION_REJECTED',
        `key ${toHex(participant).slice(0, 16)}… is not enrolled in this session`,
      );
    const replaces = change === 'replace' ? enrolled.enroll.envelope.body.replaces : undefined;
    const step = this.state.script.steps[this.state.current];
    return this.signAndApply({
      t: 'roster',
      sid: this.genesis.envelope.sid,
      ...this.chained(),
      body: {
        change,
        participant,
        ...(change === 'leave' ? {} : { enroll: enrolled.enroll.id }),
        ...(replaces !== undefined ? { replaces } : {}),
        reason,
        ...(step ? { step: step.id } : {}),
        ...this.clockRecords(),
      },
    });
  }

  /** The latest roster change while the room has not acknowledged it. */
  pendingRoster(): SignedMessage<'roster'> | undefined {
    const last = this.state.attendance.changes.at(-1);
    if (!last || last.message.t !== 'roster') return undefined;
    return eventCompletion(last, this.state.participants).complete ? undefined : last.message;
  }

  /** Completion of the step in progress (undefined while enrolling). */
  currentCompletion(): Completion | undefined {
    const step = this.state.steps[this.state.current];
    return step ? stepCompletion(step, this.state.participants) : undefined;
  }

  /** The statement or exception participants should answer now. */
  currentTarget(): SignedMessage<'statement' | 'exception'> | undefined {
    const step = this.state.steps[this.state.current];
    return step ? ackTargets(step).at(-1)?.message : undefined;
  }

  /**
   * Close the session once every step is complete, or, after an abort, once the abort has its
   * quorum (the close then names the abort and the steps reached).
   */
  async close(): Promise<SignedMessage<'close'>> {
    const abort = this.state.events.abort?.message;
    return this.signAndApply({
      t: 'close',
      sid: this.genesis.envelope.sid,
      ...this.chained(),
      body: abort
        ? { steps: this.state.current + 1, abort: abort.id, ...this.clockRecords() }
        : { steps: this.options.script.steps.length, ...this.clockRecords() },
    });
  }

  /**
   * The bundle to export: the bundle and, once the session is closed, a fresh coordinator seal over
   * the close, the attestations so far and the head (session/seal.ts). Signed anew at every
   * export, so a later export seals the attestations that arrived since; it is never journaled.
   */
  async exportBundle(): Promise<Bundle> {
    const bundle = this.bundle();
    const body = expectedSeal(this.state);
    if (!body) return bundle;
    const seal = await signMessage(this.options.signer, {
      t: 'seal',
      sid: this.genesis.envelope.sid,
      at: this.now(),
      body,
    });
    return { ...bundle, seal: seal.wire };
  }

  /** The session's content: script bytes, evidence referenced by statements, transcript wire bytes (no seal). */
  bundle(): Bundle {
    // Only evidence a statement in the transcript refers to: bytes journaled for a statement that
    // was then never issued (a crash in between) are not part of the session.
    const referenced = new Map<string, Uint8Array>();
    for (const step of this.state.steps) {
      for (const ref of step.attempts.flatMap((a) => a.statement.message.envelope.body.evidence)) {
        const key = toHex(ref.sha256);
        const data = this.evidenceByHash.get(key);
        if (data) referenced.set(key, data);
      }
    }
    return {
      script: this.options.scriptBytes,
      evidence: [...referenced.values()].map((data) => ({ sha256: sha256(data), data })),
      transcript: this.state.entries.map((e) => e.wire),
    };
  }

  /**
   * The chain fields of every coordinator chained message, in one place: the time, the head it
   * extends, and the entries appended since the coordinator's previous message, which each device
   * folds into its own copy of the head (device-head.ts).
   */
  private chained(): { readonly at: number; readonly prev: Uint8Array; readonly appended: readonly Uint8Array[] } {
    return { at: this.now(), prev: this.state.head, appended: this.state.appendedSince() };
  }

  private now(): number {
    // Never sign a time earlier than our previous message: a clock stepping back must not make the
    // coordinator's own record look tampered with.
    this.lastAt = Math.max(this.lastAt, (this.options.clock ?? Date.now)());
    return this.lastAt;
  }

  private async signatureValid(message: SignedMessage): Promise<boolean | undefined> {
    const key = publicKeyFor(message, this.state);
    return key ? verifyMessage(message, key) : undefined;
  }

  private async signAndApply<T extends MessageType>(draft: Draft<T>): Promise<SignedMessage<T>> {
    const message = await signMessage(this.options.signer, draft);
    await this.apply(message, true);
    return message;
  }

  private async apply(message: SignedMessage, signatureValid: boolean | undefined, persist = true): Promise<void> {
    const { findings, commit } = this.state.evaluate(message, signatureValid);
    if (findings.length > 0) throw new SessionRejectedError(findings);
    if (persist) await this.options.persist?.({ kind: 'entry', wire: message.wire });
    commit();
  }
}
