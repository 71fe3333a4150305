/**
 * A small room for the deviation tests (retry, abort, suspend/resume): a three-step script whose
 * middle step may not be repeated, a coordinator and three witness devices on one shared clock
 * the test can move, and helpers that sign forged coordinator messages with the coordinator's own
 * key, as a dishonest coordinator could.
 */
import { auditBundle } from '../../../../src/core/audit/audit.js';
import type { FindingCode } from '../../../../src/core/audit/findings.js';
import type { BodyOf, ChainedType } from '../../../../src/core/protocol/bodies.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { signMessage, type Draft, type SignedMessage } from '../../../../src/core/protocol/message.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { Coordinator, type PersistRecord } from '../../../../src/core/session/coordinator.js';
import { ParticipantSession } from '../../../../src/core/session/participant-session.js';
import { utf8 } from '../../../../src/core/util/bytes.js';

export const SCRIPT = utf8(`format: keywitness-script/1
id: deviations
title: Deviations
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
  - id: destroy
    title: Destroy the old backup
    repeatable: false
    acks: { roles: [witness], min: 2 }
  - id: seal
    title: Seal the bag
    acks: { roles: [witness], min: 2 }
`);
export const script = parseScript(SCRIPT);

export interface Room {
  coordinator: Coordinator;
  readonly coordinatorSigner: Signer;
  readonly devices: ParticipantSession[];
  readonly records: PersistRecord[];
  /** Move the shared clock on. */
  advance(ms: number): void;
  readonly clock: () => number;
  /** The coordinator process exits and starts again from its journal. */
  restart(): Promise<void>;
}

export async function openRoom(): Promise<Room> {
  let now = Date.UTC(2026, 11, 1, 9, 0, 0);
  const clock = (): number => now;
  const coordinatorSigner = await generateSigner();
  const records: PersistRecord[] = [];
  const options = {
    script,
    scriptBytes: SCRIPT,
    signer: coordinatorSigner,
    name: 'Ada',
    clock,
    persist: (r: PersistRecord) => {
      records.push(r);
      return Promise.resolve();
    },
  };
  const coordinator = await Coordinator.open({ ...options, mode: 'rehearsal' });
  const devices: ParticipantSession[] = [];
  for (const i of [1, 2, 3]) {
    const device = await ParticipantSession.join(
      { signer: await generateSigner(), script, scriptBytes: SCRIPT, name: `W${i}`, role: 'witness', clock },
      coordinator.genesis.wire,
    );
    await coordinator.receive((await device.enroll()).wire);
    devices.push(device);
  }
  const room: Room = {
    coordinator,
    coordinatorSigner,
    devices,
    records,
    clock,
    advance: (ms) => void (now += ms),
    restart: async () => {
      room.coordinator = await Coordinator.restore(options, [...records]);
    },
  };
  return room;
}

export async function show(room: Room, devices = room.devices): Promise<void> {
  const loop = await room.coordinator.transmission();
  for (const d of devices) for (const m of loop) await d.receive(m.wire);
}

/** Each device confirms (or objects to) what it shows now, and the coordinator scans the answer. */
export async function answerAll(room: Room, objectBy: readonly number[] = [], devices = room.devices): Promise<void> {
  for (const [i, d] of devices.entries()) {
    const ack = objectBy.includes(i) ? await d.object('not what the room saw') : await d.confirm();
    await room.coordinator.receive(ack.wire);
  }
}

/** Issue a step's statement (no evidence; the bag step gets its serial), show it and have every device confirm. */
export async function passStep(room: Room, id: string, objectBy: readonly number[] = []): Promise<void> {
  const inputs: Record<string, string> = id === 'bag' ? { serial: 'BB100' } : {};
  await room.coordinator.issueStatement(await room.coordinator.prepareStatement(id, inputs, []));
  await show(room);
  await answerAll(room, objectBy);
}

/** Sign a coordinator message with the coordinator's key on the current head, without applying it. */
export function forge<T extends ChainedType>(room: Room, t: T, body: BodyOf[T]): Promise<SignedMessage<T>> {
  const draft = {
    t,
    sid: room.coordinator.genesis.envelope.sid,
    at: room.clock(),
    prev: room.coordinator.state.head,
    appended: room.coordinator.state.appendedSince(),
    body,
  } as unknown as Draft<T>;
  return signMessage(room.coordinatorSigner, draft);
}

/** What the coordinator's strict rules say of a message, without applying it. */
export function judge(room: Room, message: SignedMessage): FindingCode[] {
  return [...new Set(room.coordinator.state.evaluate(message, true).findings.map((f) => f.code))].sort();
}

/** Finding codes of the coordinator's bundle with extra entries appended (forged into the file). */
export async function auditWith(room: Room, extra: readonly SignedMessage[] = []): Promise<FindingCode[]> {
  const bundle = await room.coordinator.exportBundle();
  const report = await auditBundle({ ...bundle, transcript: [...bundle.transcript, ...extra.map((m) => m.wire)] });
  return [...new Set(report.findings.map((f) => f.code))].sort();
}
