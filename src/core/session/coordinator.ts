/**
 * The coordinator's side of a session (DESIGN §2 steps 2–6): opens the session with a signed
 * genesis, accepts enrolments and acknowledgements, issues statements, exceptions and the close,
 * and exports the bundle. Every message passes the same rules the auditor applies (SessionState),
 * strictly: a message with any finding is refused and nothing changes. Each accepted entry is
 * handed to the `persist` hook (the journal, which fsyncs) before the state changes.
 */
import type { CheckResult, EvidenceChecker, EvidenceItem } from '../checks.js';
import { KeywitnessError } from '../errors.js';
import type { Finding } from '../audit/findings.js';
import type { CheckRecord, EvidenceRef, MessageType, SessionMode } from '../protocol/bodies.js';
import type { Signer } from '../protocol/identity.js';
import { decodeMessage, signMessage, type Draft, type SignedMessage } from '../protocol/message.js';
import { EVIDENCE_REFERENCE_KEYS } from '../script/references.js';
import type { Script, StepSpec } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';
import { ackTargets, stepCompletion, type Completion } from './completion.js';
import type { Bundle } from './files.js';
import { checkInputs } from './input-checks.js';
import { publicKeyFor } from './keys.js';
import { SessionState } from './state.js';
import { verifyMessage } from '../protocol/message.js';

/** Something the coordinator must persist before it reports success. */
export type PersistRecord =
  { readonly kind: 'entry'; readonly wire: Uint8Array } | { readonly kind: 'evidence'; readonly data: Uint8Array };

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
    const c = new Coordinator(options);
    const role = options.script.roles.find((r) => r.coordinator)!;
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
      const message = decodeMessage(record.wire);
      await c.apply(message, await c.signatureValid(message), false);
      if (equalBytes(message.envelope.by, options.signer.fingerprint))
        c.lastAt = Math.max(c.lastAt, message.envelope.at);
      if (message.envelope.t === 'statement') c.rememberEvidence(message as SignedMessage<'statement'>);
    }
    return c;
  }

  get genesis(): SignedMessage<'genesis'> {
    return this.state.genesis!;
  }

  /**
   * Accept a participant's message (enroll, ack or attest) scanned from their device. A re-scan of
   * a message already in the transcript is idempotent.
   * @throws KeywitnessError MESSAGE_INVALID/CBOR_INVALID for undecodable bytes; SessionRejectedError with findings.
   */
  async receive(
    wire: Uint8Array,
  ): Promise<{ readonly status: 'accepted' | 'duplicate'; readonly message: SignedMessage }> {
    const message = decodeMessage(wire);
    const known = this.state.message(message.id);
    if (known) return { status: 'duplicate', message: known };
    const t = message.envelope.t;
    if (t !== 'enroll' && t !== 'ack' && t !== 'attest') {
      throw new KeywitnessError('SESSION_REJECTED', `a ${t} cannot be received from a participant`);
    }
    await this.apply(message, await this.signatureValid(message));
    return { status: 'accepted', message };
  }

  /** Run the step's checks on the recorded inputs and evidence, without signing anything. */
  async prepareStatement(
    stepId: string,
    inputs: Readonly<Record<string, string>>,
    evidence: readonly EvidenceInput[],
    confirm?: string,
  ): Promise<PreparedStatement> {
    const step = this.state.nextStep;
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
      for (const e of evidence) checks.push(...(await this.options.checker(all.get(e.id)!, all)));
    }
    return { step, inputs, evidence: items, checks, confirm };
  }

  /**
   * Sign a prepared statement. It is judged by the session rules first; only an acceptable
   * statement has its evidence persisted, then itself, and then the state changes.
   */
  async issueStatement(prepared: PreparedStatement): Promise<SignedMessage<'statement'>> {
    const message = await signMessage(this.options.signer, {
      t: 'statement',
      sid: this.genesis.envelope.sid,
      at: this.now(),
      prev: this.state.head,
      body: {
        step: prepared.step.id,
        n: prepared.step.index,
        inputs: prepared.inputs,
        evidence: prepared.evidence.map(({ id, kind, sha256: h, size, name }) => ({ id, kind, sha256: h, size, name })),
        checks: prepared.checks.map(({ id, ok, expected, observed }): CheckRecord => ({ id, ok, expected, observed })),
        ...(prepared.confirm !== undefined ? { confirm: prepared.confirm } : {}),
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
    const step = this.options.script.steps[statement.envelope.body.n]!;
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
   * What travels with a statement to witnesses who recompute its checks: signed blobs of its own
   * evidence and of earlier evidence its checks refer to (`spki_equals: keygen`…), plus the earlier
   * statements that vouch for those earlier digests, so a witness whose role did not take part in
   * the earlier step can still recompute the comparison on its own device.
   */
  async evidenceBlobs(statement: SignedMessage<'statement'>): Promise<SignedMessage<'blob' | 'statement'>[]> {
    const step = this.options.script.steps[statement.envelope.body.n]!;
    const own = statement.envelope.body.evidence.map((ref) => ({
      ref,
      statement: undefined as SignedMessage<'statement'> | undefined,
    }));
    const earlier = referencedEvidence(step)
      .filter((id) => !own.some((o) => o.ref.id === id))
      .map((id) => {
        const source = this.state.steps.find((p) =>
          p.statement?.message.envelope.body.evidence.some((r) => r.id === id),
        )?.statement?.message;
        const ref = source?.envelope.body.evidence.find((r) => r.id === id);
        if (!source || !ref)
          throw new KeywitnessError(
            'SESSION_REJECTED',
            `evidence "${id}" referred to by step ${step.id} was not recorded by an earlier step`,
          );
        return { ref, statement: source };
      });
    const blobs = await Promise.all(
      [...own, ...earlier].map(({ ref }) => {
        const data = this.evidenceByHash.get(toHex(ref.sha256));
        if (!data) throw new KeywitnessError('SESSION_REJECTED', `evidence "${ref.id}" is not held by this session`);
        return signMessage(this.options.signer, {
          t: 'blob',
          sid: this.genesis.envelope.sid,
          at: this.now(),
          body: { name: ref.name, kind: ref.kind, data },
        });
      }),
    );
    const vouching = [...new Map(earlier.map((e) => [toHex(e.statement!.id), e.statement!])).values()];
    return [...blobs, ...vouching];
  }

  /** Record an exception for the current step, naming every objection received so far. */
  async issueException(reason: string): Promise<SignedMessage<'exception'>> {
    const step = this.state.steps[this.state.current];
    if (!step?.statement) throw new KeywitnessError('SESSION_REJECTED', 'no step is in progress');
    const objections = [...step.statement.acks.values()]
      .filter((a) => a.envelope.body.decision === 'object')
      .map((a) => a.id);
    return this.signAndApply({
      t: 'exception',
      sid: this.genesis.envelope.sid,
      at: this.now(),
      prev: this.state.head,
      body: { step: step.spec.id, ref: step.statement.message.id, objections, reason },
    });
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

  /** Close the session once every step is complete. */
  async close(): Promise<SignedMessage<'close'>> {
    return this.signAndApply({
      t: 'close',
      sid: this.genesis.envelope.sid,
      at: this.now(),
      prev: this.state.head,
      body: { steps: this.options.script.steps.length },
    });
  }

  /** The session bundle: script bytes, evidence referenced by statements, transcript wire bytes. */
  bundle(): Bundle {
    // Only evidence a statement in the transcript refers to: bytes journaled for a statement that
    // was then never issued (a crash in between) are not part of the session.
    const referenced = new Map<string, Uint8Array>();
    for (const step of this.state.steps) {
      for (const ref of step.statement?.message.envelope.body.evidence ?? []) {
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

/** Ids of earlier evidence a step's expectations refer to. */
function referencedEvidence(step: StepSpec): string[] {
  const ids = new Set<string>();
  for (const e of step.evidence) {
    for (const key of EVIDENCE_REFERENCE_KEYS) {
      const target = e.expect[key];
      if (typeof target === 'string') ids.add(target);
    }
  }
  return [...ids];
}
