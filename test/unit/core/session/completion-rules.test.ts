/**
 * Step completion where ceremonies go wrong: an objection to an exception cannot be buried by a
 * second exception, confirmations count only when they carry what the step asks for, there is no
 * exception for a step that nothing blocks, and a device will not confirm an exception that leaves
 * out its own objection. Each rule is shown live (coordinator and devices) and in the audit of a
 * bundle forged with the coordinator's own key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resealed } from '../../../support/rechain.js';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { signMessage, type SignedMessage } from '../../../../src/core/protocol/message.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { Coordinator } from '../../../../src/core/session/coordinator.js';
import { ParticipantSession } from '../../../../src/core/session/participant-session.js';
import { toWords } from '../../../../src/core/protocol/words.js';
import { utf8 } from '../../../../src/core/util/bytes.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';

const SLOTS = readFileSync(join(import.meta.dirname, '../evidence/samples/softhsm2-util-show-slots.txt'));
const SCRIPT = utf8(`format: keywitness-script/1
id: completion-rules
title: Completion rules
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 2, max: 3 }
expected:
  bag: "BB100"
steps:
  - id: bag
    title: Check the bag
    inputs: [{ id: serial, label: Bag serial, expect: $expected.bag }]
    acks: { roles: [witness], min: 2 }
  - id: slots
    title: List the token slots
    evidence:
      - { id: slots, kind: hsm-output, parser: softhsm2-util, expect: { success: true } }
    acks: { roles: [witness], min: 2, recompute: true, challenge: true }
`);
const script = parseScript(SCRIPT);

interface Room {
  coordinator: Coordinator;
  coordinatorSigner: Signer;
  devices: ParticipantSession[];
  signers: Signer[];
}

async function openRoom(): Promise<Room> {
  const coordinatorSigner = await generateSigner();
  const coordinator = await Coordinator.open({
    script,
    scriptBytes: SCRIPT,
    signer: coordinatorSigner,
    name: 'Ada',
    mode: 'rehearsal',
    checker: checkEvidence,
  });
  const signers = await Promise.all([0, 1, 2].map(() => generateSigner()));
  const devices: ParticipantSession[] = [];
  for (const [i, signer] of signers.entries()) {
    const device = await ParticipantSession.join(
      { signer, script, scriptBytes: SCRIPT, name: `W${i + 1}`, role: 'witness', checker: checkEvidence },
      coordinator.genesis.wire,
    );
    await coordinator.receive((await device.enroll()).wire);
    devices.push(device);
  }
  return { coordinator, coordinatorSigner, devices, signers };
}

async function show(room: Room, devices = room.devices): Promise<void> {
  const loop = await room.coordinator.transmission();
  for (const d of devices) for (const m of loop) await d.receive(m.wire);
}

async function review(device: ParticipantSession) {
  const action = await device.next();
  if (action.kind !== 'review') throw new Error(`expected a review, got ${action.kind}`);
  return action.review;
}

/** The witness types the right words, then confirms; the coordinator scans the answer. */
async function confirm(room: Room, device: ParticipantSession): Promise<void> {
  const { challenge } = await review(device);
  if (challenge?.positions) {
    const words = toWords(challenge.fingerprint.bytes);
    await device.answerChallenge([words[challenge.positions[0]] ?? '', words[challenge.positions[1]] ?? '']);
  }
  await room.coordinator.receive((await device.confirm()).wire);
}

async function object(room: Room, device: ParticipantSession, reason: string): Promise<void> {
  await room.coordinator.receive((await device.object(reason)).wire);
}

/** Step `bag` done, and the `slots` statement issued and shown to every device. */
async function atSlots(room: Room): Promise<void> {
  const { coordinator } = room;
  await coordinator.issueStatement(await coordinator.prepareStatement('bag', { serial: 'BB100' }, []));
  await show(room);
  for (const d of room.devices.slice(0, 2)) await confirm(room, d);
  await coordinator.issueStatement(
    await coordinator.prepareStatement('slots', {}, [{ id: 'slots', name: 'slots.txt', bytes: SLOTS }]),
  );
  await show(room);
}

/** Audit the room's exported bundle, or a forged transcript in its place (re-sealed as its forger would). */
async function audit(room: Room, transcript?: readonly Uint8Array[]) {
  const exported = await room.coordinator.exportBundle();
  const bundle = transcript
    ? { ...exported, transcript, seal: await resealed(transcript, room.coordinatorSigner) }
    : exported;
  const report = await auditBundle(bundle, [], { checker: checkEvidence });
  return [...new Set(report.findings.map((f) => f.code))].sort();
}

beforeAll(() => installCryptoEngine());

describe('an objection to an exception', () => {
  it('is listed by the next exception, which the quorum must confirm for the step to complete', async () => {
    const room = await openRoom();
    const [w1, w2, w3] = room.devices as [ParticipantSession, ParticipantSession, ParticipantSession];
    await atSlots(room);
    await object(room, w1, 'the slot list shows two tokens');
    await confirm(room, w2);
    const first = await room.coordinator.issueException('A second token was initialised in rehearsal; expected.');
    await show(room);
    await object(room, w3, 'nobody said which token the key goes on');
    expect(room.coordinator.currentCompletion()).toMatchObject({ complete: false, exceptionNeeded: true });
    const second = await room.coordinator.issueException('The key goes on token KW-ROOT-2026, read out in the room.');
    expect(second.envelope.body.objections).toHaveLength(2);
    expect(first.envelope.body.objections).toHaveLength(1);
    await show(room);
    await confirm(room, w1);
    await confirm(room, w3);
    expect(room.coordinator.currentCompletion()).toMatchObject({ complete: true, exceptionNeeded: false });
    await room.coordinator.close();
    expect(await audit(room)).toEqual(['ATTESTATION_MISSING']);
  });

  it('cannot be buried by a second exception that lists only the first objection', async () => {
    const room = await openRoom();
    const [w1, w2, w3] = room.devices as [ParticipantSession, ParticipantSession, ParticipantSession];
    await atSlots(room);
    await object(room, w1, 'two tokens');
    await confirm(room, w2);
    const first = await room.coordinator.issueException('Expected in rehearsal.');
    await show(room);
    await object(room, w3, 'which token?');
    const step = room.coordinator.state.steps[1];
    const statement = step?.statement?.message;
    if (!statement) throw new Error('no statement');
    // A forged second exception, signed with the coordinator's own key, leaving out W3's objection.
    const forged = await signMessage(room.coordinatorSigner, {
      t: 'exception',
      sid: room.coordinator.genesis.envelope.sid,
      at: Date.now(),
      prev: room.coordinator.state.head,
      appended: room.coordinator.state.appendedSince(),
      body: {
        step: 'slots',
        ref: statement.id,
        objections: first.envelope.body.objections,
        reason: 'Expected.',
        decision: 'proceed',
      },
    });
    const before = room.coordinator.state.entries.length;
    await expect(room.coordinator.receive(forged.wire)).rejects.toThrow(/cannot be received from a participant/);
    const { findings } = room.coordinator.state.evaluate(forged, true);
    expect(findings.map((f) => f.code)).toEqual(['EXCEPTION_INVALID']);
    expect(findings[0]?.message).toMatch(/omits the objection of W3/);
    expect(room.coordinator.state.entries).toHaveLength(before);
    // In a bundle, the same forgery is found.
    const transcript = [...room.coordinator.bundle().transcript, forged.wire];
    expect(await audit(room, transcript)).toEqual(['CLOSE_MISSING', 'EXCEPTION_INVALID']);
  });

  it('is not confirmed by the device that objected when an exception leaves its objection out', async () => {
    const room = await openRoom();
    const [w1, w2] = room.devices as [ParticipantSession, ParticipantSession];
    await atSlots(room);
    await object(room, w1, 'two tokens');
    const objection = w1.signed.at(-1) as SignedMessage<'ack'>;
    const statement = room.coordinator.state.steps[1]?.statement?.message;
    if (!statement) throw new Error('no statement');
    // The coordinator signs an exception that lists nothing and shows it (never recorded).
    const exception = await signMessage(room.coordinatorSigner, {
      t: 'exception',
      sid: room.coordinator.genesis.envelope.sid,
      at: Date.now(),
      prev: room.coordinator.state.head,
      appended: room.coordinator.state.appendedSince(),
      body: { step: 'slots', ref: statement.id, objections: [], reason: 'Nothing to see.', decision: 'proceed' },
    });
    for (const d of [w1, w2]) await d.receive(exception.wire);
    const seen = await review(w1);
    expect(seen.target.id).toEqual(exception.id);
    expect(seen.refusals).toContain('the exception leaves out an objection this device made: object to it');
    await expect(w1.confirm()).rejects.toThrow(/leaves out an objection this device made/);
    // W2 made no objection; its device has no such refusal.
    expect((await review(w2)).refusals).not.toContain(
      'the exception leaves out an objection this device made: object to it',
    );
    expect(objection.envelope.body.decision).toBe('object');
  });
});

describe('confirmations that count', () => {
  it.each<[string, { recomputed: boolean; challenge: boolean }]>([
    ['without recomputation', { recomputed: false, challenge: true }],
    ['without the challenge', { recomputed: true, challenge: false }],
    ['without either', { recomputed: false, challenge: false }],
  ])('a confirmation %s does not count toward a recompute-and-challenge step', async (_what, flags) => {
    const room = await openRoom();
    const [w1] = room.devices as [ParticipantSession];
    await atSlots(room);
    await confirm(room, w1);
    // W2's answer, signed with its own key but without what the step asks (no device of ours signs it).
    const target = room.coordinator.currentTarget();
    if (!target) throw new Error('no target');
    const bare = await signMessage(room.signers[1] as Signer, {
      t: 'ack',
      sid: room.coordinator.genesis.envelope.sid,
      at: Date.now(),
      prev: target.envelope.prev,
      body: { ref: target.id, decision: 'confirm', ...flags },
    });
    await room.coordinator.receive(bare.wire);
    const completion = room.coordinator.currentCompletion();
    expect(completion).toMatchObject({ complete: false, confirmations: 1, needed: 2 });
    // A coordinator that closes anyway leaves a bundle the audit refuses to call complete.
    const close = await signMessage(room.coordinatorSigner, {
      t: 'close',
      sid: room.coordinator.genesis.envelope.sid,
      at: Date.now(),
      prev: room.coordinator.state.head,
      appended: room.coordinator.state.appendedSince(),
      body: { steps: 2 },
    });
    const { findings } = room.coordinator.state.evaluate(close, true);
    expect(findings.map((f) => f.code)).toEqual(['QUORUM_NOT_MET']);
    expect(findings[0]?.message).toMatch(/1 of 2 required confirmations.*1 more confirmation\(s\) do not count/);
  });
});

describe('an exception for a step nothing blocks', () => {
  it('is refused by the coordinator and found in a forged bundle', async () => {
    const room = await openRoom();
    await atSlots(room);
    await expect(room.coordinator.issueException('Just in case.')).rejects.toThrow(
      /EXCEPTION_INVALID: step slots has no failed check and no objection/,
    );
    expect(room.coordinator.state.steps[1]?.exceptions).toHaveLength(0);
  });
});
