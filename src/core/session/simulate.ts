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
import type { Script } from '../script/types.js';
import { Coordinator, type EvidenceInput } from './coordinator.js';
import type { Bundle, Receipt } from './files.js';
import { ParticipantDevice } from './participant.js';

export interface SimulatedParticipant {
  readonly name: string;
  readonly role: string;
  readonly alg?: SignatureAlgorithm;
}

/** What happens at each step: the coordinator's inputs and evidence, and any scripted objection. */
export interface SimulatedStep {
  readonly inputs?: Readonly<Record<string, string>>;
  readonly evidence?: readonly EvidenceInput[];
  /** A participant (by name) objects to the statement; an exception then resolves it. */
  readonly objection?: { readonly by: string; readonly reason: string; readonly resolution: string };
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

export interface SimulationResult {
  readonly coordinator: Coordinator;
  /** The simulated coordinator's key (a simulation holds every key; tests re-sign with them). */
  readonly coordinatorSigner: Signer;
  readonly devices: readonly ParticipantDevice[];
  readonly bundle: Bundle;
  readonly receipts: readonly Receipt[];
}

/** Play a whole ceremony from genesis to the last attestation. */
export async function simulateCeremony(options: SimulationOptions): Promise<SimulationResult> {
  const { script, clock } = options;
  const coordinatorSigner = await generateSigner('ed25519');
  const coordinator = await Coordinator.open({
    script,
    scriptBytes: options.scriptBytes,
    signer: coordinatorSigner,
    name: options.coordinatorName,
    mode: options.mode ?? 'rehearsal',
    ...(options.checker ? { checker: options.checker } : {}),
    ...(clock ? { clock } : {}),
  });
  const devices: ParticipantDevice[] = [];
  for (const p of options.participants) {
    const device = new ParticipantDevice({
      signer: await generateSigner(p.alg ?? 'ed25519'),
      name: p.name,
      role: p.role,
      script,
      ...(options.checker ? { checker: options.checker } : {}),
      ...(clock ? { clock } : {}),
    });
    await device.acceptGenesis(coordinator.genesis.wire);
    await coordinator.receive((await device.enroll()).wire);
    devices.push(device);
  }

  for (const step of script.steps) {
    const plan = options.steps[step.id] ?? {};
    const prepared = await coordinator.prepareStatement(
      step.id,
      plan.inputs ?? {},
      plan.evidence ?? [],
      step.irreversible?.confirm,
    );
    const statement = await coordinator.issueStatement(prepared);
    const blobs = (await coordinator.evidenceBlobs(statement)).map((b) => b.wire);
    const answering = devices.filter((d) => step.acks.roles.includes(d.role));
    for (const device of answering) {
      const review = await device.review(statement.wire, blobs);
      const objects = plan.objection?.by === device.name;
      const failed = review.recomputed.some((c) => !c.ok) || statement.envelope.body.checks.some((c) => !c.ok);
      const ack =
        objects || failed
          ? await device.acknowledge(review, 'object', { reason: objects ? plan.objection!.reason : 'a check failed' })
          : await device.acknowledge(review, 'confirm', { challengePassed: step.acks.challenge });
      await coordinator.receive(ack.wire);
    }
    if (!coordinator.currentCompletion()?.complete) {
      const resolution = plan.objection?.resolution ?? 'Deviation recorded and accepted by the witnesses.';
      const exception = await coordinator.issueException(resolution);
      await answerException(exception, statement, blobs, answering, coordinator);
    }
    const completion = coordinator.currentCompletion();
    if (!completion?.complete) {
      throw new KeywitnessError(
        'SESSION_REJECTED',
        `simulated step ${step.id} did not complete: ${completion?.problems.map((p) => p.message).join('; ')}`,
      );
    }
    options.onStep?.(step.id);
  }

  const close = await coordinator.close();
  for (const device of devices) await coordinator.receive((await device.attest(close.wire, true)).wire);
  return {
    coordinator,
    coordinatorSigner,
    devices,
    bundle: coordinator.bundle(),
    receipts: devices.map((d) => d.receipt()),
  };
}

async function answerException(
  exception: SignedMessage<'exception'>,
  statement: SignedMessage<'statement'>,
  blobs: readonly Uint8Array[],
  devices: readonly ParticipantDevice[],
  coordinator: Coordinator,
): Promise<void> {
  for (const device of devices) {
    const review = await device.review(exception.wire, [statement.wire, ...blobs]);
    const ack = await device.acknowledge(review, 'confirm', { challengePassed: review.step.acks.challenge });
    await coordinator.receive(ack.wire);
  }
}
