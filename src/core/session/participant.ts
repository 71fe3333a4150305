/**
 * A participant's device (DESIGN §1 trust rule 1, §2 steps 3–6): it trusts only its own copy of
 * the script and the bytes it scanned. It checks the genesis against its script, verifies every
 * statement's signature, recomputes the checks it can, signs acknowledgements, and keeps a receipt
 * of everything it signed or answered so an auditor can catch a coordinator that drops an entry.
 */
import type { CheckResult, EvidenceChecker, EvidenceItem } from '../checks.js';
import { KeywitnessError } from '../errors.js';
import type { Decision } from '../protocol/bodies.js';
import { fingerprintOf, type PublicIdentity, type SignatureAlgorithm, type Signer } from '../protocol/identity.js';
import { decodeMessage, expectType, signMessage, verifyMessage, type SignedMessage } from '../protocol/message.js';
import type { Script, StepSpec } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';
import type { Receipt } from './files.js';
import { checkInputs } from './input-checks.js';

/** What the device found when it reviewed a statement or exception. */
export interface Review {
  readonly target: SignedMessage<'statement' | 'exception'>;
  readonly statement: SignedMessage<'statement'>;
  readonly step: StepSpec;
  /** Checks this device recomputed itself (inputs always; evidence when it has the bytes). */
  readonly recomputed: readonly CheckResult[];
  /** Checks where the statement's claim differs from this device's own result. */
  readonly disagreements: readonly {
    readonly id: string;
    readonly claimed: boolean | undefined;
    readonly own: boolean;
  }[];
  /** Evidence bytes the device verified against the statement's digests. */
  readonly evidence: readonly EvidenceItem[];
  /** True when the device recomputed every evidence item of the step. */
  readonly recomputedAll: boolean;
}

function reject(message: string): never {
  throw new KeywitnessError('SESSION_REJECTED', message);
}

export class ParticipantDevice {
  readonly signer: Signer;
  readonly name: string;
  readonly role: string;
  readonly script: Script;
  private readonly checker: EvidenceChecker | undefined;
  private readonly clock: () => number;
  private genesisMessage: SignedMessage<'genesis'> | undefined;
  private coordinator: PublicIdentity | undefined;
  private readonly log: SignedMessage[] = [];
  private readonly logged = new Set<string>();
  private readonly evidenceById = new Map<string, EvidenceItem>();
  private readonly answered = new Set<string>();
  private lastAt = 0;

  constructor(options: {
    signer: Signer;
    name: string;
    role: string;
    script: Script;
    checker?: EvidenceChecker;
    clock?: () => number;
  }) {
    const role = options.script.roles.find((r) => r.id === options.role);
    if (!role || role.coordinator)
      throw new KeywitnessError(
        'INPUT_INVALID',
        `role "${options.role}" is not a participant role of script ${options.script.id}`,
      );
    this.signer = options.signer;
    this.name = options.name;
    this.role = options.role;
    this.script = options.script;
    this.checker = options.checker;
    this.clock = options.clock ?? Date.now;
  }

  get genesis(): SignedMessage<'genesis'> | undefined {
    return this.genesisMessage;
  }

  /**
   * Check a scanned genesis against this device's own script: the coordinator's signature with the
   * key it carries, and the script hash over this device's copy of the script bytes.
   */
  async acceptGenesis(wire: Uint8Array): Promise<SignedMessage<'genesis'>> {
    const genesis = expectType(decodeMessage(wire), 'genesis');
    const body = genesis.envelope.body;
    const identity: PublicIdentity = {
      alg: body.alg as SignatureAlgorithm,
      publicKey: body.key,
      fingerprint: fingerprintOf(body.key),
    };
    if (!(await verifyMessage(genesis, identity)))
      reject('the genesis signature does not verify with the key it carries');
    if (!equalBytes(body.script, this.script.hash)) {
      reject(
        `the session's script hash ${toHex(body.script)} differs from this device's script ${toHex(this.script.hash)}: do not proceed`,
      );
    }
    if (this.genesisMessage && !equalBytes(this.genesisMessage.id, genesis.id))
      reject('this device already joined another session');
    this.genesisMessage = genesis;
    this.coordinator = identity;
    this.record(genesis);
    return genesis;
  }

  /** Sign this device's enrolment (name, role, key; proof of possession by self-signature). */
  async enroll(): Promise<SignedMessage<'enroll'>> {
    const genesis = this.requireGenesis();
    const message = await signMessage(this.signer, {
      t: 'enroll',
      sid: genesis.envelope.sid,
      at: this.now(),
      body: { genesis: genesis.id, name: this.name, role: this.role, alg: this.signer.alg, key: this.signer.publicKey },
    });
    this.record(message);
    return message;
  }

  /**
   * Review a statement (with the blob messages carrying its evidence) or an exception (with the
   * statement it concerns). Everything is verified under the coordinator's key from the genesis.
   */
  async review(wire: Uint8Array, related: readonly Uint8Array[] = []): Promise<Review> {
    const target = await this.verifiedFromCoordinator(wire);
    if (target.envelope.t === 'exception') {
      const exception = target as SignedMessage<'exception'>;
      const statementWire = related.find((w) => equalBytes(sha256(w), exception.envelope.body.ref));
      if (!statementWire) reject('the statement this exception concerns was not provided');
      const inner = await this.review(
        statementWire,
        related.filter((w) => w !== statementWire),
      );
      return { ...inner, target: exception };
    }
    if (target.envelope.t !== 'statement') reject(`expected a statement or exception, got a ${target.envelope.t}`);
    const statement = target as SignedMessage<'statement'>;
    const { body } = statement.envelope;
    const step = this.script.steps[body.n];
    if (!step || step.id !== body.step)
      reject(`statement for step "${body.step}", which this device's script does not have at position ${body.n}`);
    // Related messages: blobs, and earlier statements vouching for the digests of earlier evidence
    // that this step's checks refer to. Everything must be signed by the coordinator.
    const messages = await Promise.all(related.map((w) => this.verifiedFromCoordinator(w)));
    const earlier = messages.filter(
      (m): m is SignedMessage<'statement'> =>
        m.envelope.t === 'statement' && (m as SignedMessage<'statement'>).envelope.body.n < body.n,
    );
    const evidence: EvidenceItem[] = [];
    const referenced: EvidenceItem[] = [];
    for (const m of messages) {
      if (m.envelope.t === 'statement' && earlier.includes(m as SignedMessage<'statement'>)) continue;
      const blob = expectType(m, 'blob');
      const digest = sha256(blob.envelope.body.data);
      const ref = body.evidence.find((r) => equalBytes(r.sha256, digest));
      if (ref) {
        evidence.push({ spec: step.evidence.find((e) => e.id === ref.id)!, bytes: blob.envelope.body.data });
        continue;
      }
      const source = earlier.find((s) => s.envelope.body.evidence.some((r) => equalBytes(r.sha256, digest)));
      const sourceStep = source ? this.script.steps[source.envelope.body.n] : undefined;
      const sourceRef = source?.envelope.body.evidence.find((r) => equalBytes(r.sha256, digest));
      const spec = sourceStep?.evidence.find((e) => e.id === sourceRef?.id);
      if (!spec)
        reject(
          `evidence "${blob.envelope.body.name}" matches no digest in the statement or in an earlier statement provided with it`,
        );
      referenced.push({ spec, bytes: blob.envelope.body.data });
    }
    const recomputed: CheckResult[] = checkInputs(step, body.inputs);
    const all = new Map(this.evidenceById);
    for (const item of [...referenced, ...evidence]) all.set(item.spec.id, item);
    if (this.checker) for (const item of evidence) recomputed.push(...(await this.checker(item, all)));
    const claimed = new Map(body.checks.map((c) => [c.id, c.ok]));
    const disagreements = recomputed
      .filter((c) => claimed.get(c.id) !== c.ok)
      .map((c) => ({ id: c.id, claimed: claimed.get(c.id), own: c.ok }));
    const recomputedAll =
      this.checker !== undefined && body.evidence.every((r) => evidence.some((e) => e.spec.id === r.id));
    return { target: statement, statement, step, recomputed, disagreements, evidence, recomputedAll };
  }

  /**
   * Sign an answer to a reviewed statement or exception. Refuses to confirm what this device could
   * not verify: a disagreement with the statement's claims, evidence the step says must be
   * recomputed but was not, or a missed word challenge.
   */
  async acknowledge(
    review: Review,
    decision: Decision,
    options: { reason?: string; challengePassed?: boolean } = {},
  ): Promise<SignedMessage<'ack'>> {
    const genesis = this.requireGenesis();
    const { step } = review;
    if (!step.acks.roles.includes(this.role))
      reject(`step ${step.id} asks for ${step.acks.roles.join(', ')}, not ${this.role}`);
    if (decision === 'object' && !options.reason?.trim()) reject('an objection needs a reason');
    // Confirming an exception accepts a recorded deviation, which is exactly where own checks may
    // disagree; the witness sees them on screen and decides. A statement is confirmed only if verified.
    if (decision === 'confirm' && review.target.envelope.t === 'statement') {
      if (review.disagreements.length > 0)
        reject(
          `this device's own checks disagree with the statement (${review.disagreements.map((d) => d.id).join(', ')}): object instead`,
        );
      if (step.acks.recompute && !review.recomputedAll)
        reject('this step requires recomputing the evidence on this device, which has not happened');
    }
    if (decision === 'confirm' && step.acks.challenge && options.challengePassed !== true) {
      reject('this step requires the word challenge against the independent source');
    }
    const key = toHex(review.target.id);
    if (this.answered.has(key)) reject('this device already answered this statement');
    const message = await signMessage(this.signer, {
      t: 'ack',
      sid: genesis.envelope.sid,
      at: this.now(),
      prev: review.target.envelope.prev!,
      body: {
        ref: review.target.id,
        decision,
        recomputed: review.recomputedAll,
        challenge: options.challengePassed === true,
        ...(options.reason?.trim() ? { reason: options.reason.trim() } : {}),
      },
    });
    this.answered.add(key);
    this.record(review.target);
    this.record(review.statement);
    for (const item of review.evidence) this.evidenceById.set(item.spec.id, item);
    this.record(message);
    return message;
  }

  /** Sign the closing attestation for a scanned close. */
  async attest(closeWire: Uint8Array, agree: boolean, reason?: string): Promise<SignedMessage<'attest'>> {
    const genesis = this.requireGenesis();
    const close = expectType(await this.verifiedFromCoordinator(closeWire), 'close');
    if (!agree && !reason?.trim()) reject('"do not agree" needs a reason');
    const message = await signMessage(this.signer, {
      t: 'attest',
      sid: genesis.envelope.sid,
      at: this.now(),
      prev: close.envelope.prev!,
      body: { ref: close.id, agree, ...(reason?.trim() ? { reason: reason.trim() } : {}) },
    });
    this.record(close);
    this.record(message);
    return message;
  }

  /** The receipt: every message this device signed, and every coordinator message it answered. */
  receipt(): Receipt {
    return { participant: this.signer.fingerprint, messages: this.log.map((m) => m.wire) };
  }

  private async verifiedFromCoordinator(wire: Uint8Array): Promise<SignedMessage> {
    const genesis = this.requireGenesis();
    const message = decodeMessage(wire);
    if (!equalBytes(message.envelope.sid, genesis.envelope.sid))
      reject(`this ${message.envelope.t} belongs to another session`);
    if (!(await verifyMessage(message, this.coordinator!)))
      reject(`this ${message.envelope.t} is not signed by the coordinator of this session`);
    return message;
  }

  private requireGenesis(): SignedMessage<'genesis'> {
    if (!this.genesisMessage) reject('scan the session genesis first');
    return this.genesisMessage;
  }

  private record(message: SignedMessage): void {
    const key = toHex(message.id);
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.log.push(message);
  }

  private now(): number {
    this.lastAt = Math.max(this.lastAt, this.clock());
    return this.lastAt;
  }
}
