/**
 * The participant device session against the demo ceremony (the SoftHSM2 root-CA rehearsal, with
 * its real evidence): every message is really signed, every check really recomputed by the device
 * with checkEvidence, and devices are put at a precise point of the ceremony by restoring a prefix
 * of a simulated device's journal, so each test starts where it needs to.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTICIPANTS } from '../../../../src/cli/demo-plan.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { generateSigner } from '../../../../src/core/protocol/identity.js';
import { decodeMessage, expectType, signMessage, type SignedMessage } from '../../../../src/core/protocol/message.js';
import { toWords } from '../../../../src/core/protocol/words.js';
import { encodeReceipt } from '../../../../src/core/session/files.js';
import {
  decodeParticipantRecord,
  encodeParticipantRecord,
  type ParticipantRecord,
} from '../../../../src/core/session/participant-journal.js';
import {
  ParticipantSession,
  type ParticipantSessionOptions,
} from '../../../../src/core/session/participant-session.js';
import type { SimulatedDevice, SimulationResult } from '../../../../src/core/session/simulate.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import {
  decode,
  isContext,
  Journal,
  loadDemo,
  playDemo,
  resign,
  restore,
  reviewOf,
  rightWords,
  Room,
  scripted,
  snapshot,
  summarize,
  type FailMode,
} from './participant-fixture.js';

const WANDA = 'Wanda Okafor';
const WALTER = 'Walter Lindqvist';
const CAROL = 'Carol Mbeki';
const CHRIS = 'Chris Tanaka';
const ARJUN = 'Arjun Rao';

let demo: SimulationResult;
let other: SimulationResult;

beforeAll(async () => {
  demo = await playDemo();
  other = await playDemo();
}, 120_000);

function device(name: string): SimulatedDevice {
  const d = demo.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no demo device ${name}`);
  return d;
}

/** The coordinator message a `received` or device message a `signed` record carries. */
function messageOf(record: ParticipantRecord | undefined): SignedMessage {
  if (record?.t !== 'received' && record?.t !== 'signed') throw new Error(`record ${record?.t} carries no message`);
  return decodeMessage(record.wire);
}

const stepOf = (m: SignedMessage): string | undefined =>
  m.t === 'statement' || m.t === 'exception' ? m.envelope.body.step : undefined;

/** Index of the first record of a device's journal that matches. */
function indexOf(name: string, match: (r: ParticipantRecord, m: SignedMessage | undefined) => boolean): number {
  const i = decode(device(name).journal).findIndex((r) =>
    match(r, r.t === 'received' || r.t === 'signed' ? decodeMessage(r.wire) : undefined),
  );
  if (i < 0) throw new Error(`no such record in ${name}'s journal`);
  return i;
}

const receivedAt = (name: string, t: 'statement' | 'exception' | 'close', step?: string) =>
  indexOf(name, (r, m) => r.t === 'received' && m?.t === t && (step === undefined || stepOf(m) === step));

/** A wire a demo device received, by type and step. */
const receivedWire = (name: string, t: 'statement' | 'exception' | 'close', step?: string): SignedMessage =>
  messageOf(decode(device(name).journal)[receivedAt(name, t, step)]);

/** A demo device restored to just before record `k` of its journal (the first k records). */
async function at(name: string, k: number, extra: Partial<ParticipantSessionOptions> = {}) {
  const d = device(name);
  const journal = new Journal();
  const session = await restore(d.signer, d.journal.slice(0, k), { persist: journal.persist, ...extra });
  const reopen = (more: Partial<ParticipantSessionOptions> = {}) =>
    restore(d.signer, [...d.journal.slice(0, k), ...journal.records], more);
  return { session, journal, reopen, device: d };
}

describe('cross-step recomputation', () => {
  it('a custodian who never scanned step 3.2 recomputes spki_equals against keygen itself at 4.1, and confirms', async () => {
    const room = await Room.open([
      ...DEMO_PARTICIPANTS,
      { name: 'Dana Idle', role: 'custodian', idle: true },
      { name: 'Dmitri Idle', role: 'custodian', idle: true },
      { name: 'Dora Idle', role: 'custodian', idle: true },
    ]);
    await room.runUntil('4.1');
    const loop = await room.issue('4.1');
    const statement = loop[0]!;
    expect(statement.t === 'statement' && statement.envelope.body.step).toBe('4.1');
    // The idle custodians never answered: the loop carries, as context, every coordinator message
    // since the genesis (3.2's statement, vouching for keygen, among them), in transcript order.
    const context = loop.filter(isContext);
    const carried = context.map((m) => decodeMessage(expectType(m, 'blob').envelope.body.data));
    const earlier = room.coordinator.state.entries
      .map((e) => e.message!)
      .filter((m) => (m.t === 'statement' || m.t === 'exception') && toHex(m.id) !== toHex(statement.id));
    expect(carried.map((m) => toHex(m.id))).toEqual(earlier.map((m) => toHex(m.id)));

    const dana = room.device('Dana Idle');
    // Dana's device scanned nothing since its enrolment: not 3.2's statement, not its evidence.
    expect(dana.journal.types()).toEqual(['join', 'signed']);
    for (const m of loop) await dana.session.receive(m.wire);
    const review = await reviewOf(dana.session);
    expect(review.target.id).toEqual(statement.id);
    expect(review.step.id).toBe('4.1');
    expect(review.recomputed.find((c) => c.id === 'root.spki_equals')).toMatchObject({ ok: true });
    expect(review.referenced.map((r) => ({ id: r.item.spec.id, step: r.step }))).toEqual([
      { id: 'keygen', step: '3.2' },
    ]);
    expect(review.recomputedAll).toBe(true);
    expect(review.disagreements).toEqual([]);
    expect(review.eligible).toBe(true);
    await dana.session.answerChallenge(await rightWords(dana.session));
    expect((await reviewOf(dana.session)).refusals).toEqual([]);
    const ack = await dana.session.confirm();
    expect(ack.envelope.body).toMatchObject({
      ref: statement.id,
      decision: 'confirm',
      recomputed: true,
      challenge: true,
    });
    expect((await room.coordinator.receive(ack.wire)).status).toBe('accepted');
    // The vouching statement was context, never what the room answers: nothing more to answer.
    expect(summarize(await dana.session.next())).toMatchObject({ kind: 'waiting', target: toHex(statement.id) });

    // Without the context blobs the device holds keygen's bytes but not the record before 4.1's
    // statement, nor a statement vouching for them: it waits for the earlier messages.
    const dmitri = room.device('Dmitri Idle');
    for (const m of loop.filter((x) => !isContext(x))) await dmitri.session.receive(m.wire);
    const waiting = await dmitri.session.next();
    expect(summarize(waiting)).toMatchObject({
      kind: 'waiting',
      target: toHex(statement.id),
      waitingFor: [
        expect.stringMatching(
          /^the coordinator's earlier messages: this statement for step 4\.1 does not follow the record this device holds \(the genesis only,/,
        ),
      ],
    });
    await expect(dmitri.session.confirm()).rejects.toThrow(/nothing is waiting for an answer/);
    for (const m of context) await dmitri.session.receive(m.wire);
    const late = await reviewOf(dmitri.session);
    expect(late.target.id).toEqual(statement.id);
    expect(late.referenced.map((r) => r.step)).toEqual(['3.2']);

    // The context blobs alone offer nothing to answer: the statements they carry are not the room's target.
    const dora = room.device('Dora Idle');
    for (const m of context)
      expect(['statement', 'exception']).toContain((await dora.session.receive(m.wire)).message.t);
    expect(summarize(await dora.session.next())).toEqual({
      kind: 'waiting',
      target: undefined,
      waitingFor: ['the first statement'],
    });
    await expect(dora.session.confirm()).rejects.toThrow(/nothing is waiting for an answer/);

    await room.complete('4.1', loop);
    expect(room.coordinator.currentCompletion()?.complete).toBe(true);
  });
});

describe('restore at every record boundary', () => {
  it.each([WANDA, CHRIS, ARJUN])(
    "%s's journal: each prefix restores to one state, the one its last record describes",
    async (name) => {
      const d = device(name);
      const records = decode(d.journal);
      for (let k = 1; k <= d.journal.length; k++) {
        const prefix = d.journal.slice(0, k);
        const first = await snapshot(await restore(d.signer, prefix));
        const second = await snapshot(await restore(d.signer, prefix));
        expect(second, `prefix of ${k} records`).toEqual(first);
        const signed = records.slice(0, k).filter((r) => r.t === 'signed');
        expect(first.signed, `prefix of ${k} records`).toEqual(signed.map((r) => toHex(r.wire)));

        const last = records[k - 1]!;
        const next = first.next;
        switch (last.t) {
          case 'join':
            expect(next).toEqual({ kind: 'enrol' });
            break;
          case 'challenge':
            expect(next).toMatchObject({
              kind: 'review',
              target: toHex(last.target),
              challenge: { positions: last.positions, attempts: 0, triesLeft: 3, passed: false },
            });
            break;
          case 'attempt':
            // The simulated witnesses read the words correctly, first time.
            expect(next).toMatchObject({
              kind: 'review',
              target: toHex(last.target),
              challenge: { attempts: 1, triesLeft: 2, passed: true },
              refusals: [],
            });
            break;
          case 'signed': {
            const m = messageOf(last);
            if (m.t === 'enroll')
              expect(next).toEqual({ kind: 'waiting', target: undefined, waitingFor: ['the first statement'] });
            else if (m.t === 'ack') expect(next).toMatchObject({ kind: 'waiting', target: toHex(m.envelope.body.ref) });
            else expect(next).toEqual({ kind: 'closed', attestation: toHex(m.wire) });
            break;
          }
          case 'received': {
            // The close's loop carries, after the close, the coordinator messages this device may
            // have missed: it attests once they are folded into its head.
            const close = records.slice(0, k).find((r) => r.t === 'received' && messageOf(r).t === 'close');
            if (next.kind === 'attest') expect(next).toEqual({ kind: 'attest', target: toHex(messageOf(close).id) });
            else expect(['review', 'waiting']).toContain(next.kind);
            break;
          }
        }
      }
    },
  );

  it.each(DEMO_PARTICIPANTS.map((p) => p.name))(
    "%s's whole journal restores to the live device: receipt, signed messages, next action",
    async (name) => {
      const d = device(name);
      const restored = await restore(d.signer, d.journal);
      expect(await snapshot(restored)).toEqual(await snapshot(d.session));
      expect((await restored.next()).kind).toBe('closed');
      expect(encodeReceipt(restored.receipt())).toEqual(encodeReceipt(demo.receipts[demo.devices.indexOf(d)]!));
    },
  );

  /** Wanda's journal, edited; `record` is the index the refusal must name. */
  type Damage = (
    records: Uint8Array[],
    decoded: ParticipantRecord[],
  ) => Promise<{ records: Uint8Array[]; record: number }>;
  const encode = (r: ParticipantRecord) => encodeParticipantRecord(r);
  const first = (decoded: ParticipantRecord[], t: ParticipantRecord['t']) => decoded.findIndex((r) => r.t === t);
  const firstAnswerAfterChallenge = (decoded: ParticipantRecord[]) => first(decoded, 'attempt') + 1;
  const replace = (records: Uint8Array[], i: number, bytes: Uint8Array) => records.map((r, j) => (j === i ? bytes : r));
  const swap = (records: Uint8Array[], i: number) => {
    const out = [...records];
    [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
    return out;
  };
  const challengeWith =
    (positions: number[]): Damage =>
    async (records, decoded) => {
      const i = first(decoded, 'challenge');
      const c = decoded[i];
      if (c?.t !== 'challenge') throw new Error('no challenge record');
      return { records: replace(records, i, encode({ ...c, positions })), record: i };
    };
  const resignedAnswer =
    (edit: (m: SignedMessage<'ack'>) => Promise<SignedMessage>): Damage =>
    async (records, decoded) => {
      const i = firstAnswerAfterChallenge(decoded);
      const ack = messageOf(decoded[i]);
      if (ack.t !== 'ack') throw new Error('not an ack');
      return { records: replace(records, i, encode({ t: 'signed', wire: (await edit(ack)).wire })), record: i };
    };

  const damages: [string, Damage][] = [
    [
      'the last record truncated by one byte (a torn tail)',
      async (r) => ({
        records: replace(r, r.length - 1, r.at(-1)!.subarray(0, -1)),
        record: r.length - 1,
      }),
    ],
    [
      'garbage appended as an extra record',
      async (r) => ({
        records: [...r, Uint8Array.of(0xde, 0xad, 0xbe, 0xef)],
        record: r.length,
      }),
    ],
    ['an empty record appended', async (r) => ({ records: [...r, new Uint8Array(0)], record: r.length })],
    ['a record with a trailing byte', async (r) => ({ records: replace(r, 5, Uint8Array.of(...r[5]!, 0)), record: 5 })],
    [
      'a record of an unknown type',
      async (r) => ({
        records: [...r.slice(0, 3), encodeParticipantRecordLoose({ t: 'note', wire: r[2]! }), ...r.slice(3)],
        record: 3,
      }),
    ],
    ['the join and the enrolment swapped', async (r) => ({ records: swap(r, 0), record: 0 })],
    ['a statement and its answer swapped', async (r) => ({ records: swap(r, 4), record: 4 })],
    [
      'a challenge and its attempt swapped',
      async (r, d) => ({ records: swap(r, first(d, 'challenge')), record: first(d, 'challenge') }),
    ],
    // The statement of 1.2 replays; the answer to 1.1 does not, once 1.2 is what the room answers.
    ['an answer and the next statement swapped', async (r) => ({ records: swap(r, 3), record: 4 })],
    ['a second join', async (r) => ({ records: [...r.slice(0, 2), r[0]!, ...r.slice(2)], record: 2 })],
    [
      'a received message recorded twice',
      async (r) => ({ records: [...r.slice(0, 3), r[2]!, ...r.slice(3)], record: 3 }),
    ],
    [
      'a challenge drawn twice',
      async (r, d) => {
        const i = first(d, 'challenge');
        return { records: [...r.slice(0, i + 1), r[i]!, ...r.slice(i + 1)], record: i + 1 };
      },
    ],
    [
      'a confirmation without the attempt that passed the challenge',
      async (r, d) => {
        const i = first(d, 'attempt');
        return { records: [...r.slice(0, i), ...r.slice(i + 1)], record: i };
      },
    ],
    [
      'an attempt for another message',
      async (r, d) => {
        const i = first(d, 'attempt');
        const a = d[i];
        if (a?.t !== 'attempt') throw new Error('no attempt');
        return { records: replace(r, i, encode({ ...a, target: new Uint8Array(32) })), record: i };
      },
    ],
    [
      'a signed record whose signature bit flipped',
      async (r, d) => {
        const i = firstAnswerAfterChallenge(d);
        const bytes = r[i]!.slice();
        bytes[bytes.length - 5]! ^= 0x10;
        return { records: replace(r, i, bytes), record: i };
      },
    ],
    ['a signed answer re-signed by another key', resignedAnswer(async (ack) => resign(await generateSigner(), ack))],
    [
      'a signed answer edited and re-signed by the device itself',
      resignedAnswer((ack) =>
        resign(device(WANDA).signer, ack, (draft) => ({ ...draft, body: { ...draft.body, recomputed: false } })),
      ),
    ],
    [
      // The device never signs a time earlier than its previous message (ParticipantLedger.now).
      "a signed answer re-signed by the device itself, dated before the device's previous message",
      async (r, d) => {
        const i = firstAnswerAfterChallenge(d);
        const previous = d.slice(0, i).findLast((x) => x.t === 'signed');
        const ack = expectType(messageOf(d[i]), 'ack');
        const at = messageOf(previous).envelope.at - 1;
        const backdated = await resign(device(WANDA).signer, ack, (draft) => ({ ...draft, at }));
        return { records: replace(r, i, encode({ t: 'signed', wire: backdated.wire })), record: i };
      },
    ],
    [
      'a received statement whose signature bit flipped',
      async (r) => {
        const bytes = r[2]!.slice();
        bytes[bytes.length - 5]! ^= 0x10;
        return { records: replace(r, 2, bytes), record: 2 };
      },
    ],
    ['a challenge with the same position twice', challengeWith([3, 3])],
    ['a challenge with positions in descending order', challengeWith([22, 21])],
    ['a challenge past the end of the fingerprint', challengeWith([0, 32])],
    ['a challenge with one position', challengeWith([7])],
  ];

  it.each(damages)('%s is refused with JOURNAL_CORRUPT naming the record', async (_, damage) => {
    const d = device(WANDA);
    const { records, record } = await damage([...d.journal], decode(d.journal));
    await expect(restore(d.signer, records)).rejects.toMatchObject({
      code: 'JOURNAL_CORRUPT',
      where: `participant journal record ${record}`,
    });
  });

  it('an empty journal is refused with JOURNAL_CORRUPT', async () => {
    await expect(restore(device(WANDA).signer, [])).rejects.toMatchObject({ code: 'JOURNAL_CORRUPT' });
  });
});

/** A CBOR map with any fields, encoded as the journal would (for records the codec must refuse). */
function encodeParticipantRecordLoose(map: Record<string, string | Uint8Array>): Uint8Array {
  return encodeParticipantRecord(map as unknown as ParticipantRecord);
}

describe('journal before state', () => {
  interface Case {
    readonly device: string;
    /** The record the verb writes: the device is restored to just before it. */
    readonly record: () => number;
    readonly writes: ParticipantRecord['t'];
    /** The verb draws a challenge from next(): its "before" cannot be observed without drawing. */
    readonly draws?: boolean;
    readonly run: (s: ParticipantSession, k: number) => Promise<unknown>;
  }
  const cases: Record<string, Case> = {
    receive: {
      device: WANDA,
      record: () => receivedAt(WANDA, 'statement', '1.1'),
      writes: 'received',
      run: (s, k) => s.receive(messageOf(decode(device(WANDA).journal)[k]).wire),
    },
    enroll: { device: WANDA, record: () => 1, writes: 'signed', run: (s) => s.enroll() },
    'challenge draw': {
      device: WANDA,
      record: () => indexOf(WANDA, (r) => r.t === 'challenge'),
      writes: 'challenge',
      draws: true,
      run: (s) => s.next(),
    },
    answerChallenge: {
      device: WANDA,
      record: () => indexOf(WANDA, (r) => r.t === 'attempt'),
      writes: 'attempt',
      run: async (s) => s.answerChallenge(await rightWords(s)),
    },
    confirm: { device: WANDA, record: () => 3, writes: 'signed', run: (s) => s.confirm() },
    'confirm after the challenge': {
      device: WANDA,
      record: () => indexOf(WANDA, (r) => r.t === 'attempt') + 1,
      writes: 'signed',
      run: (s) => s.confirm(),
    },
    object: {
      device: CHRIS,
      record: () => indexOf(CHRIS, (_, m) => m?.t === 'ack' && m.envelope.body.decision === 'object'),
      writes: 'signed',
      run: (s) => s.object('I read the key label as root-ca-p348'),
    },
    attest: {
      device: WANDA,
      record: () => device(WANDA).journal.length - 1,
      writes: 'signed',
      run: (s) => s.attest(true),
    },
    'attest, not agreeing': {
      device: ARJUN,
      record: () => device(ARJUN).journal.length - 1,
      writes: 'signed',
      run: (s) => s.attest(false, 'I did not see step 3.2'),
    },
  };
  const table = Object.keys(cases).flatMap((verb) =>
    (['throw', 'reject'] as FailMode[]).map((mode) => [verb, mode] as const),
  );

  it.each(table)('%s: when the journal write fails (%s), the verb fails and nothing changes', async (verb, mode) => {
    const c = cases[verb]!;
    const k = c.record();
    const { session, journal, reopen } = await at(c.device, k);
    const before = c.draws ? undefined : await snapshot(session);
    const receipt = toHex(encodeReceipt(session.receipt()));
    const signed = session.signed.map((m) => toHex(m.wire));
    expect(journal.calls).toBe(0);

    journal.failNext(mode);
    await expect(c.run(session, k)).rejects.toThrow('disk full (simulated)');
    expect(journal.records).toEqual([]);
    expect(toHex(encodeReceipt(session.receipt()))).toBe(receipt);
    expect(session.signed.map((m) => toHex(m.wire))).toEqual(signed);
    if (before) expect(await snapshot(session)).toEqual(before);

    // Once the disk takes the write, the verb works, journals exactly its record, and the journal replays.
    await c.run(session, k);
    expect(journal.types()).toEqual([c.writes]);
    expect(await snapshot(await reopen())).toEqual(await snapshot(session));
  });

  it.each(['throw', 'reject'] as FailMode[])('join: when the journal write fails (%s), joining fails', async (mode) => {
    const { script, scriptBytes } = await loadDemo();
    const journal = new Journal();
    journal.failNext(mode);
    const joining = ParticipantSession.join(
      { signer: await generateSigner(), script, scriptBytes, name: 'Nia', role: 'witness', persist: journal.persist },
      device(WANDA).session.genesis.wire,
    );
    await expect(joining).rejects.toThrow('disk full (simulated)');
    expect(journal.records).toEqual([]);
  });
});

describe('bad input', () => {
  /** Wanda's device reviewing step 1.1, with what it does next and its receipt. */
  async function reviewing11() {
    const s = await at(WANDA, receivedAt(WANDA, 'statement', '1.1') + 1);
    const before = await snapshot(s.session);
    expect(before.next).toMatchObject({ kind: 'review', step: '1.1' });
    return { ...s, before };
  }

  const peerSigned = (name: string, t: 'ack' | 'enroll' | 'attest') => {
    const m = device(name).session.signed.find((x) => x.t === t);
    if (!m) throw new Error(`${name} signed no ${t}`);
    return m;
  };
  const statement12 = () => expectType(receivedWire(WANDA, 'statement', '1.2'), 'statement');
  const coordinator = () => demo.coordinatorSigner;
  const flipLast = (wire: Uint8Array) => {
    const out = wire.slice();
    out[out.length - 5]! ^= 0x10;
    return out;
  };
  const contextBlob = (data: Uint8Array) =>
    signMessage(coordinator(), {
      t: 'blob',
      sid: demo.coordinator.genesis.envelope.sid,
      at: Date.now(),
      body: { name: 'statement', kind: 'context', data },
    });

  const cases: [string, () => Promise<Uint8Array>, string, RegExp][] = [
    [
      'a statement of another session',
      async () => messageOf(decode(other.devices[0]!.journal)[2]).wire,
      'SESSION_REJECTED',
      /statement belongs to another session/,
    ],
    [
      "a statement signed by a participant's key",
      async () => (await resign(device(WALTER).signer, statement12())).wire,
      'SESSION_REJECTED',
      /this statement is not signed by the coordinator of this session/,
    ],
    [
      "a statement signed by a stranger's key",
      async () => (await resign(await generateSigner(), statement12())).wire,
      'SESSION_REJECTED',
      /this statement is not signed by the coordinator of this session/,
    ],
    [
      'a statement whose signature bit flipped',
      async () => flipLast(statement12().wire),
      'SESSION_REJECTED',
      /not signed by the coordinator/,
    ],
    [
      "another participant's ack",
      async () => peerSigned(WALTER, 'ack').wire,
      'SESSION_REJECTED',
      /this ack is not signed by the coordinator .*another participant's screen/,
    ],
    [
      "another participant's enrolment",
      async () => peerSigned(WALTER, 'enroll').wire,
      'SESSION_REJECTED',
      /this enroll is not signed by the coordinator/,
    ],
    [
      "another participant's attestation",
      async () => peerSigned(WALTER, 'attest').wire,
      'SESSION_REJECTED',
      /this attest is not signed by the coordinator/,
    ],
    [
      "this device's own ack",
      async () => peerSigned(WANDA, 'ack').wire,
      'SESSION_REJECTED',
      /this ack is not signed by the coordinator/,
    ],
    [
      "an ack signed with the coordinator's key",
      async () => (await resign(coordinator(), peerSigned(WALTER, 'ack'))).wire,
      'SESSION_REJECTED',
      /ack is a participant's message: point the camera at the coordinator's screen/,
    ],
    ['a second genesis', async () => demo.coordinator.genesis.wire, 'SESSION_REJECTED', /already joined this session/],
    [
      'a statement for a step the script does not have',
      async () =>
        (await resign(coordinator(), statement12(), (d) => ({ ...d, body: { ...d.body, step: '9.9' } }))).wire,
      'SESSION_REJECTED',
      /for step "9\.9", which this device's script does not have at position 2/,
    ],
    [
      'a statement at a position the script does not have',
      async () => (await resign(coordinator(), statement12(), (d) => ({ ...d, body: { ...d.body, n: 99 } }))).wire,
      'SESSION_REJECTED',
      /does not have at position 100/,
    ],
    [
      'a statement recording evidence its step does not declare',
      async () =>
        (
          await resign(coordinator(), statement12(), (d) => ({
            ...d,
            body: {
              ...d.body,
              evidence: [{ id: 'extra', kind: 'file', sha256: new Uint8Array(32), size: 1, name: 'x' }],
            },
          }))
        ).wire,
      'SESSION_REJECTED',
      /records evidence "extra", which step 1\.2 does not declare/,
    ],
    [
      'a statement recording evidence of another kind',
      async () => {
        const s = expectType(receivedWire(WANDA, 'statement', '2.2'), 'statement');
        return (
          await resign(coordinator(), s, (d) => ({
            ...d,
            body: { ...d.body, evidence: d.body.evidence.map((e) => ({ ...e, kind: 'file' })) },
          }))
        ).wire;
      },
      'SESSION_REJECTED',
      /records evidence "token_init" as file; this device's script declares hsm-output/,
    ],
    [
      'an exception for a step the script does not have',
      async () => {
        const e = expectType(receivedWire(WANDA, 'exception', '3.2'), 'exception');
        return (await resign(coordinator(), e, (d) => ({ ...d, body: { ...d.body, step: '9.9' } }))).wire;
      },
      'SESSION_REJECTED',
      /exception names step "9\.9", which this device's script does not have/,
    ],
    [
      'a context blob carrying a genesis',
      async () => (await contextBlob(demo.coordinator.genesis.wire)).wire,
      'SESSION_REJECTED',
      /context blob carries a genesis; only the coordinator's chained messages travel as context/,
    ],
    [
      'a context blob carrying a statement of another session',
      async () => (await contextBlob(messageOf(decode(other.devices[0]!.journal)[2]).wire)).wire,
      'SESSION_REJECTED',
      /the context statement belongs to another session/,
    ],
    [
      'a context blob carrying a statement for a step the script does not have',
      async () =>
        (
          await contextBlob(
            (await resign(coordinator(), statement12(), (d) => ({ ...d, body: { ...d.body, step: '9.9' } }))).wire,
          )
        ).wire,
      'SESSION_REJECTED',
      /for step "9\.9"/,
    ],
    ['a truncated wire', async () => statement12().wire.subarray(0, -1), 'CBOR_INVALID', /./],
    [
      'a wire with a trailing byte',
      async () => Uint8Array.of(...statement12().wire, 0),
      'CBOR_INVALID',
      /trailing byte/,
    ],
    [
      'a wire that is not a message',
      async () => Uint8Array.of(0x82, 0x01, 0x02),
      'MESSAGE_INVALID',
      /must be a byte string/,
    ],
  ];

  it.each(cases)('%s is refused, saying why; nothing changes and nothing is journaled', async (_, make, code, why) => {
    const { session, journal, before } = await reviewing11();
    await expect(session.receive(await make())).rejects.toMatchObject({ code, message: expect.stringMatching(why) });
    expect(journal.records).toEqual([]);
    expect(await snapshot(session)).toEqual(before);
  });

  const duplicates: [string, () => Promise<Uint8Array>][] = [
    ['the statement under review, scanned again', async () => receivedWire(WANDA, 'statement', '1.1').wire],
    [
      'that statement as a context blob',
      async () => (await contextBlob(receivedWire(WANDA, 'statement', '1.1').wire)).wire,
    ],
  ];

  it.each(duplicates)('%s is a duplicate: nothing changes and nothing is journaled', async (_, make) => {
    const { session, journal, before } = await reviewing11();
    const result = await session.receive(await make());
    expect(result.status).toBe('duplicate');
    expect(journal.records).toEqual([]);
    expect(await snapshot(session)).toEqual(before);
  });

  it('evidence bytes already held, in a newly signed blob, are a duplicate', async () => {
    const k = receivedAt(WANDA, 'statement', '2.2') + 2;
    const { session, journal } = await at(WANDA, k);
    const blob = messageOf(decode(device(WANDA).journal)[k - 1]) as SignedMessage<'blob'>;
    expect(blob.t).toBe('blob');
    const before = await snapshot(session);
    const again = await resign(demo.coordinatorSigner, blob, (d) => ({ ...d, at: d.at + 1000 }));
    expect((await session.receive(again.wire)).status).toBe('duplicate');
    expect(journal.records).toEqual([]);
    expect(await snapshot(session)).toEqual(before);
  });

  /** A demo room played up to 3.3, with an idle witness who scanned nothing but the genesis. */
  let xenaRoom: Promise<Room> | undefined;
  const roomWithXena = () =>
    (xenaRoom ??= (async () => {
      const room = await Room.open([...DEMO_PARTICIPANTS, { name: 'Xena Idle', role: 'witness', idle: true }]);
      await room.runUntil('3.3');
      return room;
    })());

  it('an exception whose statement was never received waits for it, then its context makes it reviewable', async () => {
    const room = await roomWithXena();
    const [exception, ...rest] = room.loops('3.2', 'exception')[0]!;
    expect(exception?.t).toBe('exception');
    const context = rest.filter(isContext);
    const evidence = rest.filter((m) => !isContext(m));
    // Xena never answered: every statement since the genesis travels as context, 3.2's last.
    expect([context.length, evidence.length]).toEqual([8, 1]);
    const carried = decodeMessage(expectType(context.at(-1)!, 'blob').envelope.body.data);
    expect(carried.t === 'statement' && carried.envelope.body.step).toBe('3.2');
    const xena = room.device('Xena Idle');
    const { session, journal } = await restoredXena(room);

    await session.receive(exception!.wire);
    expect(summarize(await session.next())).toMatchObject({
      kind: 'waiting',
      target: toHex(exception!.id),
      waitingFor: [expect.stringMatching(/^the coordinator's earlier messages: this exception for step 3\.2 /)],
    });
    await expect(session.confirm()).rejects.toThrow(/nothing is waiting for an answer/);
    for (const m of context) await session.receive(m.wire);
    expect(summarize(await session.next())).toEqual({
      kind: 'waiting',
      target: toHex(exception!.id),
      waitingFor: ['evidence "keygen" (keygen.txt)'],
    });
    await session.receive(evidence[0]!.wire);
    const review = await reviewOf(session);
    expect(review.target.id).toEqual(exception!.id);
    expect(review.statement.envelope.body.step).toBe('3.2');
    expect(review.recomputedAll).toBe(true);
    await session.answerChallenge(await rightWords(session));
    const ack = await session.confirm();
    expect(ack.envelope.body).toMatchObject({
      ref: exception!.id,
      decision: 'confirm',
      recomputed: true,
      challenge: true,
    });
    expect((await room.coordinator.receive(ack.wire)).status).toBe('accepted');
    expect(journal.types()).toEqual([
      ...Array<string>(context.length + 2).fill('received'),
      'challenge',
      'attempt',
      'signed',
    ]);
    const restored = await restore(xena.signer, [...xena.journal.records, ...journal.records]);
    expect(await snapshot(restored)).toEqual(await snapshot(session));
  });

  /** A copy of Xena's device as it was after enrolling, journaling to a fresh journal. */
  async function restoredXena(room: Room) {
    const xena = room.device('Xena Idle');
    expect(xena.journal.types()).toEqual(['join', 'signed']);
    const journal = new Journal();
    return { session: await restore(xena.signer, xena.journal.records, { persist: journal.persist }), journal };
  }

  it.each([
    ['context, evidence, exception', ['context', 'evidence', 'exception']],
    ['evidence, exception, context reversed', ['evidence', 'exception', 'reversed']],
    ['evidence, context reversed, exception', ['evidence', 'reversed', 'exception']],
  ])('the exception loop scanned in any order (%s) ends in the same review', async (_, order) => {
    const room = await roomWithXena();
    const loop = room.loops('3.2', 'exception')[0]!;
    const context = loop.filter(isContext);
    const groups: Record<string, readonly SignedMessage[]> = {
      exception: [loop[0]!],
      context,
      reversed: [...context].reverse(),
      evidence: loop.slice(1).filter((m) => !isContext(m)),
    };
    const { session } = await restoredXena(room);
    for (const group of order) for (const m of groups[group]!) await session.receive(m.wire);
    const review = await reviewOf(session);
    expect(review.target.id).toEqual(loop[0]!.id);
    expect(review.recomputedAll).toBe(true);
  });
});

describe('the word challenge', () => {
  /** Wanda's device with 3.2's statement and evidence, the challenge not drawn yet. */
  const before32 = () => indexOf(WANDA, (r) => r.t === 'challenge');

  it('positions are as the injected random drew them: distinct, ascending, journaled before they count', async () => {
    const { session, journal } = await at(WANDA, before32(), { random: scripted([5, 5, 2]) });
    const review = await reviewOf(session);
    expect(review.challenge).toMatchObject({ positions: [2, 5], attempts: 0, triesLeft: 3, passed: false });
    expect(decode(journal.records)).toEqual([{ t: 'challenge', target: review.target.id, positions: [2, 5] }]);
    // Asking again draws nothing new.
    expect((await reviewOf(session)).challenge?.positions).toEqual([2, 5]);
    expect(journal.records).toHaveLength(1);
  });

  it('a wrong answer uses a try; after three confirm is refused, objecting still works; a restore keeps the count', async () => {
    const { session, journal, reopen } = await at(WANDA, before32(), { random: scripted([5, 5, 2]) });
    const [a, b] = await rightWords(session);
    // An empty answer is no try at all.
    await expect(session.answerChallenge(['', b])).rejects.toThrow(/type a word \(or two hex digits\) at each/);
    expect(journal.types()).toEqual(['challenge']);

    expect(await session.answerChallenge(['wrong', 'words'])).toMatchObject({
      attempts: 1,
      triesLeft: 2,
      passed: false,
    });
    expect(await session.answerChallenge([b, a])).toMatchObject({ attempts: 2, triesLeft: 1, passed: false });
    expect(journal.types()).toEqual(['challenge', 'attempt', 'attempt']);
    expect((await reviewOf(await reopen())).challenge).toMatchObject({
      positions: [2, 5],
      attempts: 2,
      triesLeft: 1,
      passed: false,
    });

    expect(await session.answerChallenge([a, 'wrong'])).toMatchObject({ attempts: 3, triesLeft: 0, passed: false });
    await expect(session.answerChallenge([a, b])).rejects.toThrow(/tried 3 times: object instead/);
    await expect(session.confirm()).rejects.toThrow(/did not match in 3 tries: object/);
    expect((await reviewOf(session)).refusals).toEqual([
      'the words did not match in 3 tries: object, saying what the independent source shows',
    ]);
    const objection = await session.object('the ceremony laptop shows other words at positions 3 and 6');
    expect(objection.envelope.body).toMatchObject({ decision: 'object', challenge: false, recomputed: true });
    expect(journal.types()).toEqual(['challenge', 'attempt', 'attempt', 'attempt', 'signed']);
    expect(await snapshot(await reopen())).toEqual(await snapshot(session));
  });

  const hex = (bytes: Uint8Array, p: number) => bytes[p]!.toString(16).padStart(2, '0');
  const answers: [string, (words: string[], bytes: Uint8Array, p: readonly [number, number]) => [string, string]][] = [
    ['the PGP words in upper case', (w, _, [a, b]) => [w[a]!.toUpperCase(), w[b]!.toUpperCase()]],
    [
      'the PGP words in lower case, with spaces around',
      (w, _, [a, b]) => [` ${w[a]!.toLowerCase()} `, `${w[b]!.toLowerCase()}\t`],
    ],
    ['the two hex digits', (_, f, [a, b]) => [hex(f, a), hex(f, b)]],
    ['the two hex digits in upper case', (_, f, [a, b]) => [hex(f, a).toUpperCase(), hex(f, b).toUpperCase()]],
    ['a word and two hex digits', (w, f, [a, b]) => [w[a]!, hex(f, b)]],
  ];

  it.each(answers)('%s pass; the ack says so; a second answer is refused', async (_, typed) => {
    const { session, journal, reopen } = await at(WANDA, before32(), { random: scripted([5, 5, 2]) });
    const challenge = (await reviewOf(session)).challenge!;
    const bytes = challenge.fingerprint.bytes;
    const view = await session.answerChallenge(typed(toWords(bytes), bytes, challenge.positions!));
    expect(view).toMatchObject({ attempts: 1, triesLeft: 2, passed: true });
    await expect(session.answerChallenge(['x', 'y'])).rejects.toThrow(/already passed/);
    expect((await reviewOf(session)).refusals).toEqual([]);
    const ack = await session.confirm();
    expect(ack.envelope.body).toMatchObject({ decision: 'confirm', challenge: true, recomputed: true });
    expect(journal.types()).toEqual(['challenge', 'attempt', 'signed']);
    expect(await snapshot(await reopen())).toEqual(await snapshot(session));
  });

  it('a right answer after a wrong one passes on the second try', async () => {
    const { session } = await at(WANDA, before32());
    const [a, b] = await rightWords(session);
    await session.answerChallenge([b, a]);
    expect(await session.answerChallenge([a, b])).toMatchObject({ attempts: 2, triesLeft: 1, passed: true });
  });
});

describe('refusals', () => {
  const RECOMPUTE = 'this step asks for the evidence to be recomputed on this device, which has not happened';
  const CHALLENGE = 'type the two words from the independent source first (the word challenge)';

  it('on a step with recompute and challenge, confirm is refused until both hold', async () => {
    // Nico's device has no evidence checker: it recomputes the typed inputs, not the evidence.
    const room = await Room.open([
      ...DEMO_PARTICIPANTS,
      { name: 'Nico Idle', role: 'custodian', idle: true, recompute: false },
    ]);
    await room.runUntil('3.2');
    const loop = await room.issue('3.2');
    const nico = room.device('Nico Idle');
    for (const m of loop) await nico.session.receive(m.wire);
    const review = await reviewOf(nico.session);
    expect(review.step.id).toBe('3.2');
    expect(review.recomputedAll).toBe(false);
    expect(review.refusals).toEqual([RECOMPUTE, CHALLENGE]);
    await expect(nico.session.confirm()).rejects.toThrow(
      /cannot confirm: this step asks for the evidence to be recomputed.*word challenge/,
    );
    await nico.session.answerChallenge(await rightWords(nico.session));
    expect((await reviewOf(nico.session)).refusals).toEqual([RECOMPUTE]);
    await expect(nico.session.confirm()).rejects.toThrow(
      /cannot confirm: this step asks for the evidence to be recomputed/,
    );
    // Nico never answered: the loop carries every coordinator message since the genesis.
    expect(nico.journal.types()).toEqual([
      'join',
      'signed',
      ...Array<string>(loop.length).fill('received'),
      'challenge',
      'attempt',
    ]);

    // The same journal on a device that recomputes: both hold, and it confirms.
    const recomputing = await restore(nico.signer, nico.journal.records, { checker: checkEvidence });
    expect((await reviewOf(recomputing)).refusals).toEqual([]);
    const ack = await recomputing.confirm();
    expect(ack.envelope.body).toMatchObject({ decision: 'confirm', recomputed: true, challenge: true });
    expect((await room.coordinator.receive(ack.wire)).status).toBe('accepted');

    // With the checker but without the evidence bytes, the device waits for them.
    const { session: early } = await at(WANDA, receivedAt(WANDA, 'statement', '3.2') + 1);
    expect(summarize(await early.next())).toMatchObject({
      kind: 'waiting',
      waitingFor: ['evidence "keygen" (keygen.txt)'],
    });
    await expect(early.confirm()).rejects.toThrow(/nothing is waiting for an answer/);
  });

  it.each([
    ['a custodian on witness-only step 1.1', CAROL, '1.1', /step 1\.1 asks for witness, not custodian/],
    [
      'the auditor on step 3.2, which has a word challenge',
      ARJUN,
      '3.2',
      /step 3\.2 asks for witness, custodian, not auditor/,
    ],
  ])('%s gets a review it may not answer', async (_, name, step, why) => {
    const { session, journal } = await at(name, 2);
    // What Wanda's device received up to the step's loop: the record from the genesis on.
    const k = receivedAt(WANDA, 'statement', step);
    const wanda = decode(device(WANDA).journal);
    for (let i = 0; i < k; i++) if (wanda[i]?.t === 'received') await session.receive(messageOf(wanda[i]).wire);
    for (let i = k; wanda[i]?.t === 'received'; i++) await session.receive(messageOf(wanda[i]).wire);
    const received = journal.records.length;
    const review = await reviewOf(session);
    expect(review.step.id).toBe(step);
    expect(review.eligible).toBe(false);
    expect(review.refusals[0]).toMatch(why);
    expect(review.challenge?.positions).toBeUndefined();
    await expect(session.confirm()).rejects.toThrow(why);
    await expect(session.object('not my step')).rejects.toThrow(why);
    // No challenge was drawn and nothing was signed.
    expect(journal.records).toHaveLength(received);
    expect(journal.types().every((t) => t === 'received')).toBe(true);
  });

  it('a statement whose claimed checks differ from what the device recomputes cannot be confirmed, only objected to', async () => {
    const k = receivedAt(WANDA, 'statement', '2.2');
    const { session } = await at(WANDA, k);
    const real = messageOf(decode(device(WANDA).journal)[k]) as SignedMessage<'statement'>;
    const blob = messageOf(decode(device(WANDA).journal)[k + 1]);
    const lying = await resign(demo.coordinatorSigner, real, (d) => ({
      ...d,
      body: { ...d.body, checks: d.body.checks.map((c, i) => (i === 1 ? { ...c, ok: !c.ok } : c)) },
    }));
    await session.receive(lying.wire);
    await session.receive(blob.wire);
    const review = await reviewOf(session);
    const flipped = real.envelope.body.checks[1]!;
    expect(review.disagreements).toEqual([{ id: flipped.id, claimed: !flipped.ok, own: flipped.ok }]);
    await expect(session.confirm()).rejects.toThrow(/own checks disagree with the statement/);
    expect((await session.object('the statement misreports a check')).envelope.body.decision).toBe('object');
  });

  it.each([
    ['confirm', 'confirm'],
    ['confirm', 'object'],
    ['object', 'confirm'],
    ['object', 'object'],
  ] as const)('answering twice (%s, then %s) is refused', async (first, second) => {
    const { session, journal } = await at(WANDA, 3);
    const answer = (d: 'confirm' | 'object') => (d === 'confirm' ? session.confirm() : session.object('a reason'));
    const ack = await answer(first);
    const after = await snapshot(session);
    expect(after.next).toEqual({
      kind: 'waiting',
      target: toHex(ack.envelope.body.ref),
      waitingFor: ['the next statement, or an exception for this step'],
    });
    await expect(answer(second)).rejects.toThrow(/nothing is waiting for an answer/);
    expect(journal.types()).toEqual(['signed']);
    expect(await snapshot(session)).toEqual(after);
  });

  it('two answers at once: the verbs run one at a time, so only the first is signed', async () => {
    const { session, journal } = await at(WANDA, 3);
    const [a, b] = await Promise.allSettled([session.confirm(), session.object('a reason')]);
    expect(a.status).toBe('fulfilled');
    expect(b).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/nothing is waiting/) } });
    expect(journal.types()).toEqual(['signed']);
  });

  it('an exception naming one step but concerning the statement of another is refused, and cannot be answered', async () => {
    const { session, journal } = await at(WANDA, 3);
    const exception = expectType(receivedWire(WANDA, 'exception', '3.2'), 'exception');
    const statement11 = receivedWire(WANDA, 'statement', '1.1');
    // Forged where it extends the device's head: right after 1.1's statement.
    const after11 = demo.coordinator.state.entries.find((e) => toHex(e.id) === toHex(statement11.id))!.hash;
    const forged = await resign(demo.coordinatorSigner, exception, (d) => ({
      ...d,
      prev: after11,
      appended: [],
      body: { ...d.body, ref: statement11.id },
    }));
    await session.receive(forged.wire);
    expect(summarize(await session.next())).toEqual({
      kind: 'refused',
      target: toHex(forged.id),
      reason: 'the exception names step 3.2 but concerns the statement for step 1.1',
    });
    await expect(session.confirm()).rejects.toThrow(/nothing is waiting for an answer/);
    await expect(session.object('forged')).rejects.toThrow(/nothing is waiting for an answer/);
    expect(journal.types()).toEqual(['received']);
  });
});

it('records decode back to what the session journaled', () => {
  // A sanity check on the fixture: every demo record decodes, and starts with the join.
  for (const d of demo.devices) {
    expect(decodeParticipantRecord(d.journal[0]!, 0).t).toBe('join');
    expect(decode(d.journal)).toHaveLength(d.journal.length);
  }
});
