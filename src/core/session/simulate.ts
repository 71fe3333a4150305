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
import type { ChainedMessage } from './device-head.js';
import { ParticipantSession } from './participant-session.js';
import { equalBytes } from '../util/bytes.js';

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
  /**
   * Once this step's statement is issued, a participant arrives late: their device joins (scans the
   * genesis), enrols, and the coordinator records a roster join the room acknowledges. The newcomer
   * answers from the next statement on.
   */
  readonly lateJoin?: SimulatedParticipant & { readonly reason: string };
  /**
   * Before this step's statement, the named participant's device is replaced: their new device
   * enrols as its replacement, the coordinator records a roster replace the room acknowledges, and
   * the old device, shown it, says it was replaced and signs nothing more.
   */
  readonly replaceBefore?: { readonly name: string; readonly alg?: SignatureAlgorithm; readonly reason: string };
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

/** A device that refused to sign, and why (its next action said so). */
export interface SimulatedRefusal {
  readonly name: string;
  /** The step being answered, or `close` for the attestation. */
  readonly at: string;
  readonly reason: string;
}

export interface SimulationResult {
  readonly coordinator: Coordinator;
  /**
   * Devices that refused to sign, in order: a device that finds its own message left out of the
   * record, or a target that does not extend its head, signs nothing more. Empty in an honest room.
   */
  readonly refusals: readonly SimulatedRefusal[];
  /** The simulated coordinator's key (a simulation holds every key; tests re-sign with them). */
  readonly coordinatorSigner: Signer;
  /** The devices present at the close, which attested. */
  readonly devices: readonly SimulatedDevice[];
  /** Devices that were replaced during the ceremony (their receipts are among `receipts`). */
  readonly retired: readonly SimulatedDevice[];
  readonly bundle: Bundle;
  readonly receipts: readonly Receipt[];
}

/** Show the coordinator's current loop to some devices, as the camera would deliver it. */
async function show(coordinator: Coordinator, devices: readonly SimulatedDevice[]): Promise<void> {
  const loop = await coordinator.transmission();
  for (const device of devices) for (const m of loop) await device.session.receive(m.wire);
}

/** Each device whose role may answer confirms the abort or resume its device shows. */
async function acknowledge(
  coordinator: Coordinator,
  devices: readonly SimulatedDevice[],
  refusals: SimulatedRefusal[],
): Promise<void> {
  await show(coordinator, devices);
  for (const device of devices) {
    const action = await device.session.next();
    if (action.kind === 'refused') {
      refusals.push({ name: device.name, at: stepOf(action.target), reason: action.reason });
      continue;
    }
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
 * The room acknowledges the roster change the coordinator shows: every device shown it whose role
 * the step in progress asks for confirms; the others (and the participant concerned) go on.
 */
async function acknowledgeRoster(coordinator: Coordinator, devices: readonly SimulatedDevice[]): Promise<void> {
  const roster = coordinator.pendingRoster();
  if (!roster) throw new KeywitnessError('SESSION_REJECTED', 'no roster change is waiting for acknowledgements');
  await show(coordinator, devices);
  for (const device of devices) {
    const action = await device.session.next();
    if (action.kind === 'acknowledge' && equalBytes(action.event.target.id, roster.id))
      await coordinator.receive((await device.session.confirm()).wire);
  }
  if (coordinator.pendingRoster()) {
    throw new KeywitnessError(
      'SESSION_REJECTED',
      `the roster ${roster.envelope.body.change} did not get its acknowledgements`,
    );
  }
}

/**
 * A simulated witness answers what its device reviews: it objects when the plan says so or a
 * check failed, and otherwise confirms, first typing the challenge words from the independent
 * source (here the fingerprint itself: the simulation's witness reads correctly). A device that
 * refuses (its own message was left out of the record) answers nothing: the refusal is noted.
 */
async function answer(
  device: SimulatedDevice,
  objection: { readonly by: string; readonly reason: string } | undefined,
  refusals: SimulatedRefusal[],
): Promise<SignedMessage<'ack'> | undefined> {
  const action = await device.session.next();
  if (action.kind === 'refused') {
    refusals.push({ name: device.name, at: stepOf(action.target), reason: action.reason });
    return undefined;
  }
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

function stepOf(target: ChainedMessage): string {
  switch (target.t) {
    case 'statement':
    case 'exception':
      return target.envelope.body.step;
    case 'abort':
      return target.envelope.body.step ?? 'abort';
    case 'roster':
      return target.envelope.body.step ?? 'roster';
    case 'suspend':
    case 'resume':
    case 'close':
      return target.t;
  }
}

/** A device attests the close, or notes why it refuses to. */
async function attest(
  device: SimulatedDevice,
  refusals: SimulatedRefusal[],
): Promise<SignedMessage<'attest'> | undefined> {
  const action = await device.session.next();
  if (action.kind === 'refused') {
    refusals.push({ name: device.name, at: 'close', reason: action.reason });
    return undefined;
  }
  return device.session.attest(true);
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
  const refusals: SimulatedRefusal[] = [];
  const retired: SimulatedDevice[] = [];
  /** A device joins the session: it scans the genesis and enrols (as a replacement when `replaces`). */
  const newDevice = async (p: SimulatedParticipant, replaces?: Uint8Array): Promise<SimulatedDevice> => {
    const signer = await generateSigner(p.alg ?? 'ed25519');
    const journal: Uint8Array[] = [];
    const session = await ParticipantSession.join(
      { signer, script, scriptBytes: options.scriptBytes, name: p.name, role: p.role, ...deviceOptions(journal) },
      coordinator.genesis.wire,
    );
    await coordinator.receive((await session.enroll(replaces ? { replaces } : {})).wire);
    return { name: p.name, role: p.role, signer, session, journal };
  };
  for (const p of options.participants) devices.push(await newDevice(p));
  /** A participant arrives late: enrols, and joins once the room acknowledged the roster join. */
  const lateJoin = async (p: SimulatedParticipant & { readonly reason: string }): Promise<void> => {
    const device = await newDevice(p);
    await coordinator.roster('join', device.signer.fingerprint, p.reason);
    await acknowledgeRoster(coordinator, devices);
    // The newcomer then scans the current loop: what was issued before they joined is not theirs to answer.
    await show(coordinator, [device]);
    devices.push(device);
  };
  /** A participant's device is replaced by their new one; the old one, shown the change, stops. */
  const replace = async (plan: NonNullable<SimulatedStep['replaceBefore']>): Promise<void> => {
    const index = devices.findIndex((d) => d.name === plan.name);
    const old = devices[index];
    if (!old) throw new KeywitnessError('INPUT_INVALID', `no participant named ${plan.name} to replace`);
    const fresh = await newDevice(
      { name: old.name, role: old.role, ...(plan.alg ? { alg: plan.alg } : {}) },
      old.signer.fingerprint,
    );
    await coordinator.roster('replace', fresh.signer.fingerprint, plan.reason);
    // The old device scans the change while the coordinator shows it, as the new one does.
    await show(coordinator, [old, fresh]);
    await acknowledgeRoster(
      coordinator,
      devices.filter((d) => d !== old),
    );
    await show(coordinator, [fresh]);
    const action = await old.session.next();
    if (action.kind !== 'absent')
      throw new KeywitnessError('SESSION_REJECTED', `${old.name}'s replaced device does not say so (${action.kind})`);
    devices.splice(index, 1, fresh);
    retired.push(old);
  };

  for (const step of script.steps) {
    const plan = options.steps[step.id] ?? {};
    if (plan.replaceBefore) await replace(plan.replaceBefore);
    // Only the devices whose role answers the step scan it: earlier evidence its checks refer to
    // reaches them with the statement, whether or not they answered the earlier step.
    const answering = devices.filter((d) => step.acks.roles.includes(d.role));
    let joined = false;
    const attempt = async (objection: { readonly by: string; readonly reason: string } | undefined) => {
      const prepared = await coordinator.prepareStatement(
        step.id,
        plan.inputs ?? {},
        plan.evidence ?? [],
        step.irreversible?.confirm,
      );
      await coordinator.issueStatement(prepared);
      await show(coordinator, answering);
      if (plan.lateJoin && !joined) {
        // Late, during the step: the room acknowledges the newcomer before it answers the statement.
        joined = true;
        await lateJoin(plan.lateJoin);
      }
      for (const device of answering) {
        const ack = await answer(device, objection, refusals);
        const dropped = plan.objection?.dropped === true && ack?.envelope.body.decision === 'object';
        if (ack && !dropped) await coordinator.receive(ack.wire);
      }
    };
    const except = async (reason: string, decision: 'proceed' | 'repeat') => {
      await coordinator.issueException(reason, decision);
      await show(coordinator, answering);
      for (const device of answering) {
        const ack = await answer(device, undefined, refusals);
        if (ack) await coordinator.receive(ack.wire);
      }
    };
    if (plan.repeat) {
      await attempt({ by: plan.repeat.by, reason: plan.repeat.objection });
      await except(plan.repeat.reason, 'repeat');
    }
    await attempt(plan.repeat ? undefined : plan.objection);
    if (plan.abort) {
      await coordinator.abort(plan.abort.reason);
      await acknowledge(coordinator, devices, refusals);
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
      await acknowledge(coordinator, devices, refusals);
    }
  }

  await coordinator.close();
  await show(coordinator, devices);
  for (const device of devices) {
    const attestation = await attest(device, refusals);
    if (attestation) await coordinator.receive(attestation.wire);
  }
  return {
    coordinator,
    refusals,
    coordinatorSigner,
    devices,
    retired,
    bundle: await coordinator.exportBundle(),
    receipts: [...devices, ...retired].map((d) => d.session.receipt()),
  };
}
