/**
 * A complete simulated ceremony: one coordinator and simulated participant devices, every message
 * crossing between them as wire bytes exactly as it would over QR. Used by `keywitness demo`, the
 * tamper suite and the audit benchmark; nothing here is trusted by the audit, which re-verifies the
 * resulting bundle from its bytes.
 */
import type { EvidenceChecker } from '../checks.js';
import { KeywitnessError } from '../errors.js';
import type { SessionMode } from '../protocol/bodies.js';
import { generateSigner, type SignatureAlgorithm, type Signer } from '../protocol/identity.js';
import type { SignedMessage } from '../protocol/message.js';
import { toWords } from '../protocol/words.js';
import type { Script } from '../script/types.js';
import { Coordinator, type CoordinatorOptions, type EvidenceInput, type PersistRecord } from './coordinator.js';
import type { Bundle, Receipt } from './files.js';
import { ParticipantSession } from './participant-session.js';

export interface SimulatedParticipant {
  readonly name: string;
  readonly role: string;
  readonly alg?: SignatureAlgorithm;
}

/** What happens at each step: the coordinator's inputs and evidence, and any scripted objection. */
export interface SimulatedStep {
  readonly inputs?: Readonly<Record<string, string>>;
  readonly evidence?: readonly EvidenceInput[];
  /**
   * A participant (by name) objects to the statement; an exception then resolves it. With
   * `dropped`, the coordinator plays dishonest: it never records the objection, and the step
   * completes on the others' confirmations as though nobody had objected.
   */
  readonly objection?: {
    readonly by: string;
    readonly reason: string;
    readonly resolution: string;
    readonly dropped?: boolean;
  };
  /**
   * A participant objects to the first attempt and the room decides to repeat the step: a repeat
   * exception is confirmed, and a new attempt of the step (same inputs and evidence) passes.
   */
  readonly repeat?: { readonly by: string; readonly objection: string; readonly reason: string };
  /** After this step's statement is answered, the coordinator aborts the ceremony and closes it as aborted. */
  readonly abort?: { readonly reason: string };
  /**
   * After this step completes, the coordinator suspends the session; every process exits and is
   * restored from its journal "the next day" (the shared clock moves on by `laterMs`), and the
   * coordinator resumes, acknowledged by everyone present.
   */
  readonly suspendAfter?: { readonly reason: string; readonly resume: string; readonly laterMs: number };
}

export interface SimulationOptions {
  readonly script: Script;
  readonly scriptBytes: Uint8Array;
  readonly coordinatorName: string;
  readonly participants: readonly SimulatedParticipant[];
  /** By step id; steps not listed have no inputs or evidence. */
  readonly steps: Readonly<Record<string, SimulatedStep>>;
  readonly mode?: SessionMode;
  readonly checker?: EvidenceChecker;
  /** Clock shared by all simulated devices (a ceremony room has one wall clock). */
  readonly clock?: () => number;
  /** Called after each step with the coordinator, e.g. to report progress. */
  readonly onStep?: (stepId: string) => void;
}

/** A simulated participant: the person, the device's key, its session and its journal. */
export interface SimulatedDevice {
  readonly name: string;
  readonly role: string;
  /** The device's key (a simulation holds every key; tests re-sign with them). */
  readonly signer: Signer;
  /** The device's session; replaced by its restored twin when the simulation restarts the devices. */
  session: ParticipantSession;
  /** Every record the device journaled, in order, as encoded bytes. */
  readonly journal: Uint8Array[];
}

export interface SimulationResult {
  readonly coordinator: Coordinator;
  /** The simulated coordinator's key (a simulation holds every key; tests re-sign with them). */
  readonly coordinatorSigner: Signer;
  readonly devices: readonly SimulatedDevice[];
  readonly bundle: Bundle;
  readonly receipts: readonly Receipt[];
}

/** Show the coordinator's current loop to some devices, as the camera would deliver it. */
async function show(coordinator: Coordinator, devices: readonly SimulatedDevice[]): Promise<void> {
  const loop = await coordinator.transmission();
  for (const device of devices) for (const m of loop) await device.session.receive(m.wire);
}

/** Each device whose role may answer confirms the abort or resume its device shows. */
async function acknowledge(coordinator: Coordinator, devices: readonly SimulatedDevice[]): Promise<void> {
  await show(coordinator, devices);
  for (const device of devices) {
    const action = await device.session.next();
    if (action.kind !== 'acknowledge') {
      throw new KeywitnessError(
        'SESSION_REJECTED',
        `${device.name}'s device shows no event to acknowledge (${action.kind})`,
      );
    }
    if (action.event.eligible) await coordinator.receive((await device.session.confirm()).wire);
  }
}

/**
 * A simulated witness answers what its device reviews: it objects when the plan says so or a
 * check failed, and otherwise confirms, first typing the challenge words from the independent
 * source (here the fingerprint itself: the simulation's witness reads correctly).
 */
async function answer(
  device: SimulatedDevice,
  objection: { readonly by: string; readonly reason: string } | undefined,
): Promise<SignedMessage<'ack'>> {
  const action = await device.session.next();
  if (action.kind !== 'review') {
    const detail = action.kind === 'waiting' ? `: waiting for ${action.waitingFor.join(', ')}` : '';
    throw new KeywitnessError(
      'SESSION_REJECTED',
      `${device.name}'s device has nothing to review (${action.kind})${detail}`,
    );
  }
  const { review } = action;
  const failed = review.recomputed.some((c) => !c.ok) || review.statement.envelope.body.checks.some((c) => !c.ok);
  if (review.target.t === 'statement' && (objection?.by === device.name || failed)) {
    return device.session.object(objection?.by === device.name ? objection.reason : 'a check failed');
  }
  const challenge = review.challenge;
  if (challenge?.positions) {
    const words = toWords(challenge.fingerprint.bytes);
    const [a, b] = challenge.positions;
    await device.session.answerChallenge([words[a] ?? '', words[b] ?? '']);
  }
  return device.session.confirm();
}

/** Play a whole ceremony from genesis to the last attestation. */
export async function simulateCeremony(options: SimulationOptions): Promise<SimulationResult> {
  const { script } = options;
  // A ceremony suspended overnight starts the day before, so that nothing is dated in the future.
  let offset = -Object.values(options.steps).reduce((ms, p) => ms + (p.suspendAfter?.laterMs ?? 0), 0);
  const wall = options.clock ?? Date.now;
  const clock = (): number => wall() + offset;
  const coordinatorSigner = await generateSigner('ed25519');
  const records: PersistRecord[] = [];
  const coordinatorOptions: CoordinatorOptions = {
    script,
    scriptBytes: options.scriptBytes,
    signer: coordinatorSigner,
    name: options.coordinatorName,
    persist: (record) => {
      records.push(record);
      return Promise.resolve();
    },
    ...(options.checker ? { checker: options.checker } : {}),
    clock,
  };
  let coordinator = await Coordinator.open({ ...coordinatorOptions, mode: options.mode ?? 'rehearsal' });
  const deviceOptions = (journal: Uint8Array[]) => ({
    persist: (bytes: Uint8Array) => {
      journal.push(bytes);
      return Promise.resolve();
    },
    ...(options.checker ? { checker: options.checker } : {}),
    clock,
  });
  const devices: SimulatedDevice[] = [];
  for (const p of options.participants) {
    const signer = await generateSigner(p.alg ?? 'ed25519');
    const journal: Uint8Array[] = [];
    const session = await ParticipantSession.join(
      { signer, script, scriptBytes: options.scriptBytes, name: p.name, role: p.role, ...deviceOptions(journal) },
      coordinator.genesis.wire,
    );
    await coordinator.receive((await session.enroll()).wire);
    devices.push({ name: p.name, role: p.role, signer, session, journal });
  }

  for (const step of script.steps) {
    const plan = options.steps[step.id] ?? {};
    // Only the devices whose role answers the step scan it: earlier evidence its checks refer to
    // reaches them with the statement, whether or not they answered the earlier step.
    const answering = devices.filter((d) => step.acks.roles.includes(d.role));
    const attempt = async (objection: { readonly by: string; readonly reason: string } | undefined) => {
      const prepared = await coordinator.prepareStatement(
        step.id,
        plan.inputs ?? {},
        plan.evidence ?? [],
        step.irreversible?.confirm,
      );
      await coordinator.issueStatement(prepared);
      await show(coordinator, answering);
      for (const device of answering) {
        const ack = await answer(device, objection);
        const dropped = plan.objection?.dropped === true && ack.envelope.body.decision === 'object';
        if (!dropped) await coordinator.receive(ack.wire);
      }
    };
    const except = async (reason: string, decision: 'proceed' | 'repeat') => {
      await coordinator.issueException(reason, decision);
      await show(coordinator, answering);
      for (const device of answering) await coordinator.receive((await answer(device, undefined)).wire);
    };
    if (plan.repeat) {
      await attempt({ by: plan.repeat.by, reason: plan.repeat.objection });
      await except(plan.repeat.reason, 'repeat');
    }
    await attempt(plan.repeat ? undefined : plan.objection);
    if (plan.abort) {
      await coordinator.abort(plan.abort.reason);
      await acknowledge(coordinator, devices);
      break;
    }
    if (!coordinator.currentCompletion()?.complete) {
      await except(plan.objection?.resolution ?? 'Deviation recorded and accepted by the witnesses.', 'proceed');
    }
    const completion = coordinator.currentCompletion();
    if (!completion?.complete) {
      throw new KeywitnessError(
        'SESSION_REJECTED',
        `simulated step ${step.id} did not complete: ${completion?.problems.map((p) => p.message).join('; ')}`,
      );
    }
    options.onStep?.(step.id);
    if (plan.suspendAfter) {
      await coordinator.suspend(plan.suspendAfter.reason);
      await show(coordinator, devices);
      // Every process exits; the next day each is restored from its journal alone.
      offset += plan.suspendAfter.laterMs;
      coordinator = await Coordinator.restore(coordinatorOptions, records);
      for (const d of devices)
        d.session = await ParticipantSession.restore({ signer: d.signer, ...deviceOptions(d.journal) }, d.journal);
      await coordinator.resume(plan.suspendAfter.resume);
      await acknowledge(coordinator, devices);
    }
  }

  await coordinator.close();
  await show(coordinator, devices);
  for (const device of devices) await coordinator.receive((await device.session.attest(true)).wire);
  return {
    coordinator,
    coordinatorSigner,
    devices,
    bundle: coordinator.bundle(),
    receipts: devices.map((d) => d.session.receipt()),
  };
}
