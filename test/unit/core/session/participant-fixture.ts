/**
 * Helpers for the participant session tests: the demo ceremony (the SoftHSM2 root-CA rehearsal with
 * its real evidence), a room that plays it step by step while recording every loop the coordinator
 * shows (so a test can hand a device exactly the frames it wants), journals whose writes can be made
 * to fail, and a comparable summary of a session's state.
 */
import { readFile } from 'node:fs/promises';
import { DEMO_PARTICIPANTS, DEMO_SCRIPT, loadDemoSteps } from '../../../../src/cli/demo-plan.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { signMessage, type Draft, type SignedMessage } from '../../../../src/core/protocol/message.js';
import type { MessageType } from '../../../../src/core/protocol/bodies.js';
import { toWords } from '../../../../src/core/protocol/words.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import type { Script } from '../../../../src/core/script/types.js';
import type { RandomIndex } from '../../../../src/core/session/challenge.js';
import { Coordinator } from '../../../../src/core/session/coordinator.js';
import { encodeReceipt } from '../../../../src/core/session/files.js';
import { CONTEXT_BLOB_KIND } from '../../../../src/core/session/message-pool.js';
import { decodeParticipantRecord, type ParticipantRecord } from '../../../../src/core/session/participant-journal.js';
import {
  ParticipantSession,
  type NextAction,
  type ParticipantSessionOptions,
} from '../../../../src/core/session/participant-session.js';
import type { SimulatedParticipant, SimulatedStep } from '../../../../src/core/session/simulate.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';

export interface Demo {
  readonly script: Script;
  readonly scriptBytes: Uint8Array;
  readonly steps: Readonly<Record<string, SimulatedStep>>;
}

let demo: Promise<Demo> | undefined;

/** The demo script and the plan `keywitness demo` plays (inputs, evidence, Chris's objection at 3.2). */
export function loadDemo(): Promise<Demo> {
  demo ??= (async () => {
    installCryptoEngine();
    const scriptBytes = new Uint8Array(await readFile(DEMO_SCRIPT));
    const script = parseScript(scriptBytes);
    return { script, scriptBytes, steps: await loadDemoSteps(script) };
  })();
  return demo;
}

/** The whole demo as `keywitness demo` plays it, every device recomputing with checkEvidence. */
export { playDemo } from '../../../support/demo.js';

/** A journal hook that keeps the encoded records and can be told to fail one write. */
export class Journal {
  readonly records: Uint8Array[] = [];
  calls = 0;
  private failing: { readonly at: number; readonly mode: FailMode } | undefined;

  /** Make the next write fail: throw from the hook itself, or return a rejected promise. */
  failNext(mode: FailMode): void {
    this.failing = { at: this.calls + 1, mode };
  }

  readonly persist = (bytes: Uint8Array): Promise<void> => {
    this.calls += 1;
    if (this.failing?.at === this.calls) {
      const error = new Error('disk full (simulated)');
      if (this.failing.mode === 'throw') throw error;
      return Promise.reject(error);
    }
    this.records.push(bytes);
    return Promise.resolve();
  };

  types(): ParticipantRecord['t'][] {
    return this.records.map((r, i) => decodeParticipantRecord(r, i).t);
  }
}

export type FailMode = 'throw' | 'reject';

/** A deterministic RandomIndex: the listed values (each below n), then 0, 1, 2… modulo n. */
export function scripted(values: readonly number[] = []): RandomIndex {
  let i = 0;
  return (n) => {
    const v = i < values.length ? (values[i] ?? 0) : i;
    i += 1;
    return v % n;
  };
}

/** Restore a device from records, with a fresh deterministic random and the given extras. */
export function restore(
  signer: Signer,
  records: readonly Uint8Array[],
  extra: Partial<ParticipantSessionOptions> = {},
): Promise<ParticipantSession> {
  return ParticipantSession.restore({ signer, checker: checkEvidence, random: scripted(), ...extra }, records);
}

export const decode = (records: readonly Uint8Array[]): ParticipantRecord[] =>
  records.map((r, i) => decodeParticipantRecord(r, i));

/** What a NextAction says, as plain data a test can compare. */
export function summarize(action: NextAction): Record<string, unknown> {
  switch (action.kind) {
    case 'enrol':
      return { kind: action.kind };
    case 'waiting':
      return { kind: action.kind, waitingFor: action.waitingFor, target: action.target && toHex(action.target.id) };
    case 'refused':
      return { kind: action.kind, target: toHex(action.target.id), reason: action.reason };
    case 'attest':
      return { kind: action.kind, target: toHex(action.close.id) };
    case 'acknowledge':
      return { kind: action.kind, target: toHex(action.event.target.id), eligible: action.event.eligible };
    case 'suspended':
      return { kind: action.kind, target: toHex(action.suspend.id) };
    case 'absent':
      return { kind: action.kind, target: toHex(action.roster.id), reason: action.reason };
    case 'closed':
      return { kind: action.kind, attestation: toHex(action.attestation.wire) };
    case 'review': {
      const { review } = action;
      return {
        kind: action.kind,
        target: toHex(review.target.id),
        step: review.step.id,
        eligible: review.eligible,
        refusals: review.refusals,
        recomputed: review.recomputed.map((c) => `${c.id}:${c.ok}`),
        referenced: review.referenced.map((r) => `${r.item.spec.id}@${r.step}`),
        recomputedAll: review.recomputedAll,
        challenge: review.challenge && {
          fingerprint: toHex(review.challenge.fingerprint.bytes),
          positions: review.challenge.positions,
          attempts: review.challenge.attempts,
          triesLeft: review.challenge.triesLeft,
          passed: review.challenge.passed,
        },
      };
    }
  }
}

/** A session's observable state: its receipt bytes, what it signed, and what it does next. */
export async function snapshot(session: ParticipantSession): Promise<{
  receipt: string;
  signed: string[];
  next: Record<string, unknown>;
}> {
  return {
    receipt: toHex(encodeReceipt(session.receipt())),
    signed: session.signed.map((m) => toHex(m.wire)),
    next: summarize(await session.next()),
  };
}

/** The review a session offers now, failing loudly when it offers something else. */
export async function reviewOf(session: ParticipantSession) {
  const action = await session.next();
  if (action.kind !== 'review') throw new Error(`expected a review, got ${JSON.stringify(summarize(action))}`);
  return action.review;
}

/** The words at a challenge's positions, read correctly from the fingerprint. */
export async function rightWords(session: ParticipantSession): Promise<[string, string]> {
  const challenge = (await reviewOf(session)).challenge;
  if (!challenge?.positions) throw new Error('no challenge drawn');
  const words = toWords(challenge.fingerprint.bytes);
  const [a, b] = challenge.positions;
  return [words[a] ?? '', words[b] ?? ''];
}

/** The envelope of a message as a draft, to re-sign it (edited) with any key. */
export function draftOf<T extends MessageType>(message: SignedMessage<T>): Draft<T> {
  const { t, sid, at, prev, appended, body } = message.envelope;
  const chain = { ...(prev === undefined ? {} : { prev }), ...(appended === undefined ? {} : { appended }) };
  return { t, sid, at, ...chain, body } as unknown as Draft<T>;
}

export const isContext = (m: SignedMessage): boolean => m.t === 'blob' && m.envelope.body.kind === CONTEXT_BLOB_KIND;

export interface RoomParticipant extends SimulatedParticipant {
  /** Enrols, then scans nothing unless a test hands it frames. */
  readonly idle?: boolean;
  /** False for a device without an evidence checker (it recomputes only the typed inputs). */
  readonly recompute?: boolean;
}

export interface RoomDevice {
  readonly name: string;
  readonly role: string;
  readonly idle: boolean;
  readonly signer: Signer;
  readonly session: ParticipantSession;
  readonly journal: Journal;
}

/** A loop the coordinator showed: for a step's statement or exception, or the close. */
export interface ShownLoop {
  readonly step: string | undefined;
  readonly kind: 'statement' | 'exception' | 'close';
  readonly messages: readonly SignedMessage[];
}

/**
 * The demo played step by step, as simulateCeremony plays it, with devices that may stay idle and
 * every loop recorded. Only the devices whose role answers a step (and are not idle) scan its loop.
 */
export class Room {
  readonly shown: ShownLoop[] = [];
  private constructor(
    readonly demo: Demo,
    readonly coordinator: Coordinator,
    readonly coordinatorSigner: Signer,
    readonly devices: readonly RoomDevice[],
  ) {}

  static async open(participants: readonly RoomParticipant[] = DEMO_PARTICIPANTS): Promise<Room> {
    const demo = await loadDemo();
    const coordinatorSigner = await generateSigner('ed25519');
    const coordinator = await Coordinator.open({
      script: demo.script,
      scriptBytes: demo.scriptBytes,
      signer: coordinatorSigner,
      name: 'Ada Lovelace',
      mode: 'rehearsal',
      checker: checkEvidence,
    });
    const devices: RoomDevice[] = [];
    for (const p of participants) {
      const signer = await generateSigner(p.alg ?? 'ed25519');
      const journal = new Journal();
      const session = await ParticipantSession.join(
        {
          signer,
          script: demo.script,
          scriptBytes: demo.scriptBytes,
          name: p.name,
          role: p.role,
          ...(p.recompute === false ? {} : { checker: checkEvidence }),
          persist: journal.persist,
        },
        coordinator.genesis.wire,
      );
      await coordinator.receive((await session.enroll()).wire);
      devices.push({ name: p.name, role: p.role, idle: p.idle === true, signer, session, journal });
    }
    return new Room(demo, coordinator, coordinatorSigner, devices);
  }

  device(name: string): RoomDevice {
    const d = this.devices.find((x) => x.name === name);
    if (!d) throw new Error(`no device ${name}`);
    return d;
  }

  /** The devices that scan a step's loops. */
  answering(stepId: string): RoomDevice[] {
    const step = this.demo.script.steps.find((s) => s.id === stepId);
    return this.devices.filter((d) => !d.idle && step?.acks.roles.includes(d.role));
  }

  /** Issue the statement of a step and return the loop the coordinator shows for it. */
  async issue(stepId: string): Promise<readonly SignedMessage[]> {
    const step = this.demo.script.steps.find((s) => s.id === stepId);
    const plan = this.demo.steps[stepId] ?? {};
    const prepared = await this.coordinator.prepareStatement(
      stepId,
      plan.inputs ?? {},
      plan.evidence ?? [],
      step?.irreversible?.confirm,
    );
    await this.coordinator.issueStatement(prepared);
    return this.record(stepId, 'statement');
  }

  /** Let the answering devices scan the step's loop and answer, with an exception if needed. */
  async complete(stepId: string, loop: readonly SignedMessage[]): Promise<void> {
    const plan = this.demo.steps[stepId] ?? {};
    const answering = this.answering(stepId);
    for (const d of answering) for (const m of loop) await d.session.receive(m.wire);
    for (const d of answering) await this.coordinator.receive((await this.answer(d, plan.objection)).wire);
    if (!this.coordinator.currentCompletion()?.complete) {
      await this.coordinator.issueException(plan.objection?.resolution ?? 'Deviation recorded.');
      const exception = await this.record(stepId, 'exception');
      for (const d of answering) for (const m of exception) await d.session.receive(m.wire);
      for (const d of answering) await this.coordinator.receive((await this.answer(d, undefined)).wire);
    }
    if (!this.coordinator.currentCompletion()?.complete) throw new Error(`step ${stepId} did not complete`);
  }

  /** Run every step not yet issued, up to (not including) `stepId`; every remaining step when undefined. */
  async runUntil(stepId?: string): Promise<void> {
    for (
      let step = this.coordinator.state.nextStep;
      step && step.id !== stepId;
      step = this.coordinator.state.nextStep
    ) {
      await this.complete(step.id, await this.issue(step.id));
    }
  }

  /** Close, show the close to every device that is not idle, and collect their attestations. */
  async close(): Promise<readonly SignedMessage[]> {
    await this.coordinator.close();
    const loop = await this.record(undefined, 'close');
    for (const d of this.devices.filter((x) => !x.idle)) {
      for (const m of loop) await d.session.receive(m.wire);
      await this.coordinator.receive((await d.session.attest(true)).wire);
    }
    return loop;
  }

  /** The loops shown for a step. */
  loops(stepId: string, kind: ShownLoop['kind']): (readonly SignedMessage[])[] {
    return this.shown.filter((l) => l.step === stepId && l.kind === kind).map((l) => l.messages);
  }

  private async record(step: string | undefined, kind: ShownLoop['kind']): Promise<readonly SignedMessage[]> {
    const messages = await this.coordinator.transmission();
    this.shown.push({ step, kind, messages });
    return messages;
  }

  /** The simulated witness of simulate.ts: objects when planned or a check failed, else types the words and confirms. */
  private async answer(d: RoomDevice, objection: SimulatedStep['objection']): Promise<SignedMessage<'ack'>> {
    const review = await reviewOf(d.session);
    const failed = review.recomputed.some((c) => !c.ok) || review.statement.envelope.body.checks.some((c) => !c.ok);
    if (review.target.t === 'statement' && (objection?.by === d.name || failed)) {
      return d.session.object(objection?.by === d.name ? objection.reason : 'a check failed');
    }
    if (review.challenge?.positions) await d.session.answerChallenge(await rightWords(d.session));
    return d.session.confirm();
  }
}

/** Re-sign a message's envelope, edited, with any key. */
export async function resign<T extends MessageType>(
  signer: Signer,
  message: SignedMessage<T>,
  edit: (draft: Draft<T>) => Draft<T> = (d) => d,
): Promise<SignedMessage<T>> {
  return signMessage(signer, edit(draftOf(message)));
}
