/**
 * Devices' clocks at enrolment: the coordinator measures each enrolment's `at` against its own
 * clock less the scanning delay, refuses a device beyond the script's `clock_tolerance`, shows the
 * skew, and records it in the next statement or close; the audit checks those records.
 */
import { describe, expect, it } from 'vitest';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import type { FindingCode } from '../../../../src/core/audit/findings.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { Coordinator, type PersistRecord } from '../../../../src/core/session/coordinator.js';
import type { Bundle } from '../../../../src/core/session/files.js';
import { ParticipantSession } from '../../../../src/core/session/participant-session.js';
import { toHex, utf8 } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { envelopes, rechain, resealed, type EnvelopeMap } from '../../../support/rechain.js';

const scriptText = (tolerance?: number): Uint8Array =>
  utf8(`format: keywitness-script/1
id: clocks
title: Clocks
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 2, max: 3 }
${tolerance === undefined ? '' : `clock_tolerance: ${tolerance}\n`}steps:
  - id: one
    title: One
    acks: { roles: [witness], min: 2 }
  - id: two
    title: Two
    acks: { roles: [witness], min: 2 }
`);

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** A room whose coordinator's clock is `now()` and whose devices run `offsets` ms off it. */
async function room(offsets: readonly number[], tolerance?: number) {
  const bytes = scriptText(tolerance);
  const script = parseScript(bytes);
  let now = T0;
  const records: PersistRecord[] = [];
  const coordinatorSigner = await generateSigner();
  const options = {
    script,
    scriptBytes: bytes,
    signer: coordinatorSigner,
    name: 'Ada',
    clock: () => now,
    persist: (r: PersistRecord) => {
      records.push(r);
      return Promise.resolve();
    },
  };
  const coordinator = await Coordinator.open({ ...options, mode: 'rehearsal' });
  const signers: Signer[] = [];
  const devices: ParticipantSession[] = [];
  for (const [i, offset] of offsets.entries()) {
    const signer = await generateSigner();
    signers.push(signer);
    devices.push(
      await ParticipantSession.join(
        { signer, script, scriptBytes: bytes, name: `W${i + 1}`, role: 'witness', clock: () => now + offset },
        coordinator.genesis.wire,
      ),
    );
  }
  const tick = (ms: number): void => {
    now += ms;
  };
  return { script, bytes, coordinator, coordinatorSigner, signers, devices, records, options, tick };
}

type Room = Awaited<ReturnType<typeof room>>;

/** Play every step and the close with every device confirming and attesting. */
async function finish(r: Room, coordinator = r.coordinator): Promise<void> {
  for (const step of r.script.steps) {
    await coordinator.issueStatement(await coordinator.prepareStatement(step.id, {}, []));
    for (const d of r.devices) {
      for (const m of await coordinator.transmission()) await d.receive(m.wire);
      await coordinator.receive((await d.confirm()).wire);
    }
  }
  await coordinator.close();
  for (const d of r.devices) {
    for (const m of await coordinator.transmission()) await d.receive(m.wire);
    await coordinator.receive((await d.attest(true)).wire);
  }
}

async function codes(bundle: Bundle): Promise<FindingCode[]> {
  const report = await auditBundle(bundle, []);
  return [...new Set(report.findings.map((f) => f.code))].sort();
}

describe('clocks at enrolment', () => {
  it('measures each device less the scanning delay, shows it, records it in the first statement, and audits clean', async () => {
    const r = await room([-30_000, 42_000]);
    const [w1, w2] = r.devices as [ParticipantSession, ParticipantSession];
    const first = await r.coordinator.receive((await w1.enroll()).wire, { scanDelayMs: 2_000 });
    expect(first.skewMs).toBe(-28_000);
    const enrol = await w2.enroll();
    r.tick(1_500);
    // The enrolment was signed 1.5 s before it decoded: the delay the camera measured.
    expect((await r.coordinator.receive(enrol.wire, { scanDelayMs: 1_500 })).skewMs).toBe(42_000);
    expect(r.coordinator.clocks().map((c) => [c.participant.name, c.skewMs, c.recorded])).toEqual([
      ['W1', -28_000, false],
      ['W2', 42_000, false],
    ]);
    // Journaled before the enrolment itself, so a restart cannot lose what the room was shown.
    expect(r.records.map((x) => x.kind)).toEqual(['entry', 'clock', 'entry', 'clock', 'entry']);
    await finish(r);
    const [statement, second] = r.coordinator.state.steps.map((s) => s.statement?.message);
    expect(statement?.envelope.body.clocks?.map((c) => [toHex(c.who), c.skew_ms])).toEqual([
      [toHex(r.signers[0]!.fingerprint), -28_000],
      [toHex(r.signers[1]!.fingerprint), 42_000],
    ]);
    expect(second?.envelope.body.clocks).toBeUndefined();
    expect(r.coordinator.state.close?.envelope.body.clocks).toBeUndefined();
    expect(r.coordinator.clocks().every((c) => c.recorded)).toBe(true);
    expect(await codes(await r.coordinator.exportBundle())).toEqual([]);
  });

  it.each<[string, number, number | undefined, RegExp]>([
    [
      'six minutes behind, default tolerance',
      -6 * 60_000,
      undefined,
      /6 min 0 s behind the coordinator's; the script allows 300 s/,
    ],
    [
      'two minutes ahead, a 60 s tolerance',
      2 * 60_000,
      60,
      /2 min 0 s ahead of the coordinator's; the script allows 60 s/,
    ],
    ['61 s behind, a 60 s tolerance', -61_000, 60, /1 min 1 s behind the coordinator's; the script allows 60 s/],
  ])('a device %s is refused with CLOCK_SKEW, and nothing is stored', async (_name, offset, tolerance, message) => {
    const r = await room([offset], tolerance);
    r.tick(3_600_000); // enrolment an hour after the genesis, so only the clock is wrong
    const before = { entries: r.coordinator.state.entries.length, records: r.records.length };
    await expect(r.coordinator.receive((await r.devices[0]!.enroll()).wire)).rejects.toThrow(
      new RegExp(
        `^CLOCK_SKEW: W1 \\(witness\\)'s device clock is ${message.source}: set the device's clock, then enrol again$`,
      ),
    );
    expect({ entries: r.coordinator.state.entries.length, records: r.records.length }).toEqual(before);
    expect(r.coordinator.state.participants.size).toBe(0);
  });

  it('a device four minutes behind is within the default tolerance, and one within 60 s of a 60 s tolerance too', async () => {
    for (const [offset, tolerance] of [
      [-4 * 60_000, undefined],
      [59_000, 60],
    ] as const) {
      const r = await room([offset, 0], tolerance);
      for (const d of r.devices) await r.coordinator.receive((await d.enroll()).wire);
      await finish(r);
      expect(await codes(await r.coordinator.exportBundle())).toEqual([]);
    }
  });

  it('refuses a scanning delay that is not a whole number of ms within the tolerance', async () => {
    const r = await room([0]);
    const wire = (await r.devices[0]!.enroll()).wire;
    for (const scanDelayMs of [-1, 0.5, 301_000])
      await expect(r.coordinator.receive(wire, { scanDelayMs })).rejects.toThrow(/scanning delay/);
    expect(r.coordinator.state.participants.size).toBe(0);
  });

  it('restore keeps the measured clocks; without them the statement is refused until the enrolment is scanned again', async () => {
    const r = await room([-10_000, 20_000]);
    for (const d of r.devices) await r.coordinator.receive((await d.enroll()).wire);
    const restored = await Coordinator.restore(r.options, r.records);
    expect(restored.clocks().map((c) => c.skewMs)).toEqual([-10_000, 20_000]);

    const lost = await Coordinator.restore(
      r.options,
      r.records.filter((x) => x.kind !== 'clock'),
    );
    const prepared = await lost.prepareStatement('one', {}, []);
    await expect(lost.issueStatement(prepared)).rejects.toThrow(
      /CLOCK_NOT_RECORDED: this statement does not record the clock of W1 .*CLOCK_NOT_RECORDED: .* W2/,
    );
    r.tick(5_000);
    for (const d of r.devices) {
      const again = await lost.receive(d.enrolment!.wire);
      expect(again.status).toBe('duplicate');
    }
    // Measured now, 5 s after the devices signed: the record says what this scan found.
    expect(lost.clocks().map((c) => c.skewMs)).toEqual([-15_000, 15_000]);
    await finish(r, lost);
    expect(await codes(await lost.exportBundle())).toEqual([]);
  });
});

describe('clock records forged into a bundle', () => {
  async function played(): Promise<{ r: Room; transcript: readonly Uint8Array[]; signers: Map<string, Signer> }> {
    const r = await room([0, 1_000, -1_000]);
    for (const d of r.devices) await r.coordinator.receive((await d.enroll()).wire);
    await finish(r);
    const signers = new Map([
      [toHex(r.coordinatorSigner.fingerprint), r.coordinatorSigner],
      ...r.signers.map((s) => [toHex(s.fingerprint), s] as const),
    ]);
    return { r, transcript: (await r.coordinator.exportBundle()).transcript, signers };
  }

  type Clock = { who: Uint8Array; skew_ms: number };
  const clocksOf = (e: EnvelopeMap): Clock[] => e.body.clocks as Clock[];
  const firstStatement = (list: EnvelopeMap[]): EnvelopeMap => list.find((e) => e.t === 'statement')!;
  const close = (list: EnvelopeMap[]): EnvelopeMap => list.find((e) => e.t === 'close')!;

  it.each<[string, FindingCode[], (list: EnvelopeMap[]) => void]>([
    ['a clock record removed', ['CLOCK_NOT_RECORDED'], (l) => void clocksOf(firstStatement(l)).pop()],
    ['every clock record removed', ['CLOCK_NOT_RECORDED'], (l) => void delete firstStatement(l).body.clocks],
    [
      'a skew beyond the tolerance',
      ['CLOCK_SKEW'],
      (l) => {
        clocksOf(firstStatement(l))[1]!.skew_ms = -301_000;
      },
    ],
    [
      'a record for a key that never enrolled',
      ['CLOCK_RECORD_INVALID'],
      (l) => void clocksOf(firstStatement(l)).push({ who: sha256(utf8('nobody')), skew_ms: 0 }),
    ],
    [
      'the same device recorded twice',
      ['CLOCK_RECORD_INVALID'],
      (l) => void clocksOf(firstStatement(l)).push({ ...clocksOf(firstStatement(l))[0]! }),
    ],
    [
      'a device recorded again by the close',
      ['CLOCK_RECORD_INVALID'],
      (l) => {
        close(l).body.clocks = [{ ...clocksOf(firstStatement(l))[0]! }];
      },
    ],
    [
      'a record moved from the statement to the close',
      ['CLOCK_NOT_RECORDED', 'CLOCK_RECORD_INVALID'],
      (l) => {
        close(l).body.clocks = [clocksOf(firstStatement(l)).shift()!];
      },
    ],
  ])('%s → %j', async (_name, expected, edit) => {
    const { transcript, signers, r } = await played();
    const list = envelopes(transcript);
    const ids = new Map(transcript.map((w, i) => [toHex(sha256(w)), list[i]!] as const));
    edit(list);
    const forged = await rechain(list, signers, ids, { keepClocks: true });
    const seal = await resealed(forged, r.coordinatorSigner);
    expect(await codes({ ...r.coordinator.bundle(), transcript: forged, ...(seal ? { seal } : {}) })).toEqual(expected);
  });
});

describe('clock_tolerance in the script', () => {
  it.each([['0'], ['86401'], ['5m'], ['1.5'], ['-3']])('refuses clock_tolerance: %s', (value) => {
    const text = new TextDecoder().decode(scriptText()).replace('steps:', `clock_tolerance: ${value}\nsteps:`);
    expect(() => parseScript(utf8(text))).toThrow(/clock_tolerance/);
  });

  it('defaults to five minutes and reads whole seconds', () => {
    expect(parseScript(scriptText()).clockToleranceMs).toBe(300_000);
    expect(parseScript(scriptText(86400)).clockToleranceMs).toBe(86_400_000);
  });
});
