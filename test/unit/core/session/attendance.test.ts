/**
 * Attendance in the session rules, over real signed messages: a participant enrols after the
 * first step and joins by a roster change the room acknowledges; one leaves; a device is replaced
 * by the same person's new one. Acknowledgements count only from who is present, and only for
 * what was issued while they were; the ceremony goes on only once each change is acknowledged.
 */
import { describe, expect, it } from 'vitest';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import { auditJson } from '../../../../src/core/audit/report-json.js';
import { formatAuditReport } from '../../../../src/core/audit/report-text.js';
import { auditSession } from '../../../../src/core/audit/verdict.js';
import type { FindingCode } from '../../../../src/core/audit/findings.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { signMessage, type SignedMessage } from '../../../../src/core/protocol/message.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { Coordinator, SessionRejectedError } from '../../../../src/core/session/coordinator.js';
import { deviceLog, loggedIds } from '../../../../src/core/session/device-log.js';
import type { Bundle } from '../../../../src/core/session/files.js';
import { presentParticipants } from '../../../../src/core/session/room.js';
import { toHex, utf8 } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { envelopes, rechain, resealed, type EnvelopeMap } from '../../../support/rechain.js';

const BYTES = utf8(`format: keywitness-script/1
id: attendance
title: Attendance
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 2, max: 3 }
  - { id: custodian, title: Custodian, min: 1, max: 1 }
steps:
  - id: one
    title: One
    acks: { roles: [witness], min: 2 }
  - id: two
    title: Two
    acks: { roles: [witness, custodian], min: 2 }
  - id: three
    title: Three
    acks: { roles: [witness], min: 2 }
`);
const script = parseScript(BYTES);

interface Person {
  readonly name: string;
  readonly role: string;
  readonly signer: Signer;
  enrolment?: SignedMessage<'enroll'>;
}

async function room() {
  const coordinatorSigner = await generateSigner();
  const coordinator = await Coordinator.open({
    script,
    scriptBytes: BYTES,
    signer: coordinatorSigner,
    name: 'Ada',
    mode: 'rehearsal',
  });
  const person = async (name: string, role: string): Promise<Person> => ({
    name,
    role,
    signer: await generateSigner(),
  });
  const people = {
    w1: await person('W1', 'witness'),
    w2: await person('W2', 'witness'),
    w3: await person('W3', 'witness'),
    c1: await person('C1', 'custodian'),
    c1new: await person('C1', 'custodian'),
  };
  const enrol = async (p: Person, replaces?: Person, body: { name?: string; role?: string } = {}) => {
    p.enrolment = await signMessage(p.signer, {
      t: 'enroll',
      sid: coordinator.genesis.envelope.sid,
      at: Date.now(),
      body: {
        genesis: coordinator.genesis.id,
        name: body.name ?? p.name,
        role: body.role ?? p.role,
        alg: p.signer.alg,
        key: p.signer.publicKey,
        ...(replaces ? { replaces: replaces.signer.fingerprint } : {}),
      },
    });
    return coordinator.receive(p.enrolment.wire);
  };
  const ackOf = (p: Person, target: SignedMessage, decision: 'confirm' | 'object' = 'confirm') =>
    signMessage(p.signer, {
      t: 'ack',
      sid: coordinator.genesis.envelope.sid,
      at: Date.now(),
      prev: target.envelope.prev ?? new Uint8Array(32),
      body: {
        ref: target.id,
        decision,
        ...(decision === 'object' ? { reason: 'no' } : {}),
        recomputed: false,
        challenge: false,
      },
    });
  const ack = async (p: Person, target: SignedMessage) => coordinator.receive((await ackOf(p, target)).wire);
  const statement = async (id: string) => coordinator.issueStatement(await coordinator.prepareStatement(id, {}, []));
  const attest = async (p: Person) => {
    const close = coordinator.state.close!;
    const messages = coordinator.state.entries.map((e) => e.message!);
    const log = deviceLog(coordinator.genesis.id, loggedIds(p.signer.fingerprint, messages));
    const m = await signMessage(p.signer, {
      t: 'attest',
      sid: coordinator.genesis.envelope.sid,
      at: Date.now(),
      prev: close.envelope.prev,
      body: { ref: close.id, agree: true, log },
    });
    return coordinator.receive(m.wire);
  };
  const signers = new Map<string, Signer>([
    [toHex(coordinatorSigner.fingerprint), coordinatorSigner],
    ...Object.values(people).map((p) => [toHex(p.signer.fingerprint), p.signer] as const),
  ]);
  return { coordinator, coordinatorSigner, people, enrol, ackOf, ack, statement, attest, signers };
}

type Room = Awaited<ReturnType<typeof room>>;

/** Reject with these codes, and change nothing stored. */
async function refused(r: Room, op: () => Promise<unknown>, codes: readonly FindingCode[], text?: RegExp) {
  const before = r.coordinator.state.entries.length;
  const error = await op().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionRejectedError);
  expect([...new Set((error as SessionRejectedError).findings.map((f) => f.code))]).toEqual(codes);
  if (text) expect((error as Error).message).toMatch(text);
  expect(r.coordinator.state.entries.length).toBe(before);
}

async function codes(bundle: Bundle): Promise<FindingCode[]> {
  const report = await auditBundle(bundle, []);
  return [...new Set(report.findings.map((f) => f.code))].sort();
}

/** Sort fingerprints in enrolment order, as the report lists them. */
const order = (r: Room) => {
  const keys = [...r.coordinator.state.participants.keys()];
  return (a: string, b: string) => keys.indexOf(a) - keys.indexOf(b);
};

const present = (r: Room): string[] => [...presentParticipants(r.coordinator.state).values()].map((p) => p.name).sort();

/**
 * The whole story: W3 enrols late and joins during step one; W2 leaves during step two; C1's
 * device is replaced before step three. Returns the room, closed and attested.
 */
async function story(): Promise<Room> {
  const r = await room();
  const { w1, w2, w3, c1, c1new } = r.people;
  for (const p of [w1, w2, c1]) await r.enrol(p);
  const one = await r.statement('one');
  await r.enrol(w3);
  expect(present(r)).toEqual(['C1', 'W1', 'W2']);
  const join = await r.coordinator.roster('join', w3.signer.fingerprint, 'W3 arrived after the start');
  expect(r.coordinator.shownMessage().id).toEqual(join.id);
  for (const p of [w1, w2]) await r.ack(p, join);
  expect(r.coordinator.shownMessage().id).toEqual(one.id);
  for (const p of [w1, w2]) await r.ack(p, one);
  const two = await r.statement('two');
  const leave = await r.coordinator.roster('leave', w2.signer.fingerprint, 'W2 was called away');
  for (const p of [w1, w3]) await r.ack(p, leave);
  for (const p of [w1, w3]) await r.ack(p, two);
  await r.enrol(c1new, c1);
  const replace = await r.coordinator.roster('replace', c1new.signer.fingerprint, "C1's laptop failed");
  for (const p of [w1, w3]) await r.ack(p, replace);
  const three = await r.statement('three');
  for (const p of [w1, w3]) await r.ack(p, three);
  await r.coordinator.close();
  for (const p of [w1, w3, c1new]) await r.attest(p);
  return r;
}

describe('attendance', () => {
  it('a late join, a leave and a replacement, each acknowledged by the room, audit clean', async () => {
    const r = await story();
    expect(present(r)).toEqual(['C1', 'W1', 'W3']);
    const roster = r.coordinator.state.entries.filter((e) => e.message?.t === 'roster').map((e) => e.message!);
    expect(roster.map((m) => (m.t === 'roster' ? m.envelope.body.change : ''))).toEqual(['join', 'leave', 'replace']);
    // The late enrolment's clock is recorded by its roster join, the replacement's by its replace.
    expect(roster.map((m) => (m.t === 'roster' ? m.envelope.body.clocks?.length : 0))).toEqual([1, undefined, 1]);
    expect(await codes(await r.coordinator.exportBundle())).toEqual([]);
  });

  it('the audit report shows who was present at each step and every roster change', async () => {
    const r = await story();
    const result = await auditSession(await r.coordinator.exportBundle(), []);
    const text = formatAuditReport(result);
    expect(text).toMatch(
      /Attendance changes:\n .* join W3: "W3 arrived after the start"\n .* leave W2: "W2 was called away"\n .* replace C1 \(new device; replaces .*\): "C1's laptop failed"\n/,
    );
    expect([...text.matchAll(/ {4}present: (.*)/g)].map((m) => m[1])).toEqual([
      'W1, W2, C1',
      'W1, W2, C1, W3',
      'W1, W3, C1',
    ]);
    expect(text).toMatch(/W2 — witness — .* — not present at the end: they left the session \("W2 was called away"\)/);
    const json = auditJson(result, new Uint8Array(32));
    const { w1, w2, w3, c1, c1new } = r.people;
    const fp = (p: Person) => toHex(p.signer.fingerprint);
    expect(json.attendance?.steps).toEqual([
      { step: 'one', present: [fp(w1), fp(w2), fp(c1)] },
      { step: 'two', present: [fp(w1), fp(w2), fp(c1), fp(w3)] },
      { step: 'three', present: [fp(w1), fp(c1new), fp(w3)].sort(order(r)) },
    ]);
    expect(json.attendance?.changes.map((c) => [c.change, c.participant, c.replaces, c.complete])).toEqual([
      ['join', fp(w3), null, true],
      ['leave', fp(w2), null, true],
      ['replace', fp(c1new), fp(c1), true],
    ]);
  });

  it('a late enrolment waits for its roster join: the next statement is refused, and its answers do not count', async () => {
    const r = await room();
    const { w1, w2, w3, c1 } = r.people;
    for (const p of [w1, w2, c1]) await r.enrol(p);
    const one = await r.statement('one');
    await r.enrol(w3);
    await refused(r, () => r.ack(w3, one), ['ACK_FROM_ABSENT'], /W3 .* have not joined yet/);
    for (const p of [w1, w2]) await r.ack(p, one);
    const prepared = await r.coordinator.prepareStatement('two', {}, []);
    await refused(
      r,
      () => r.coordinator.issueStatement(prepared),
      ['ROSTER_INCOMPLETE'],
      /W3 \(witness, .*\) enrolled after the steps started, and no roster change for them is recorded/,
    );
    await refused(r, () => r.coordinator.close(), ['ROSTER_INCOMPLETE', 'CLOSE_PREMATURE']);
    const join = await r.coordinator.roster('join', w3.signer.fingerprint, 'late');
    // The subject does not count towards their own join, and answers only what follows it.
    await refused(r, () => r.ack(w3, join), ['ACK_FROM_ABSENT'], /joined after the message they answer/);
    await refused(r, () => r.ack(w3, one), ['ACK_FROM_ABSENT'], /joined after/);
    await r.ack(w1, join);
    await refused(r, () => r.coordinator.issueStatement(prepared), ['ROSTER_INCOMPLETE'], /1 of 2 confirmations/);
    await r.ack(w2, join);
    const two = await r.coordinator.issueStatement(prepared);
    await expect(r.ack(w3, two)).resolves.toMatchObject({ status: 'accepted' });
  });

  it('a participant who left is refused, does not count, and is not expected to attest', async () => {
    const r = await room();
    const { w1, w2, w3, c1 } = r.people;
    for (const p of [w1, w2, w3, c1]) await r.enrol(p);
    const one = await r.statement('one');
    const leave = await r.coordinator.roster('leave', w3.signer.fingerprint, 'unwell');
    await refused(r, () => r.ack(w3, one), ['ACK_FROM_ABSENT'], /left the session \("unwell"\)/);
    await refused(r, () => r.ack(w3, leave), ['ACK_FROM_ABSENT']);
    await refused(
      r,
      () => r.coordinator.roster('leave', w3.signer.fingerprint, 'again'),
      ['ROSTER_INVALID'],
      /while the previous one .* is not yet acknowledged/,
    );
    for (const p of [w1, w2]) await r.ack(p, leave);
    await refused(
      r,
      () => r.coordinator.roster('leave', w3.signer.fingerprint, 'again'),
      ['ROSTER_INVALID'],
      /cannot leave/,
    );
    // Someone who left cannot be replaced either: the new device would take over no one present.
    const w3new: Person = { name: 'W3', role: 'witness', signer: await generateSigner() };
    await refused(r, () => r.enrol(w3new, w3), ['ENROLLMENT_INVALID'], /who is not present: they left/);
    for (const p of [w1, w2]) await r.ack(p, one);
    for (const id of ['two', 'three']) {
      const s = await r.statement(id);
      for (const p of [w1, w2]) await r.ack(p, s);
    }
    await r.coordinator.close();
    await refused(r, () => r.attest(w3), ['ACK_FROM_ABSENT']);
    for (const p of [w1, w2, c1]) await r.attest(p);
    expect(await codes(await r.coordinator.exportBundle())).toEqual([]);
  });

  it('a replaced device signs nothing more; the replacement answers from its replace on', async () => {
    const r = await room();
    const { w1, w2, c1, c1new } = r.people;
    for (const p of [w1, w2, c1]) await r.enrol(p);
    const one = await r.statement('one');
    for (const p of [w1, w2]) await r.ack(p, one);
    const two = await r.statement('two');
    await r.enrol(c1new, c1);
    // The same key may not enrol twice to replace one identity, and nor may a second new device.
    const other: Person = { name: 'C1', role: 'custodian', signer: await generateSigner() };
    await refused(r, () => r.enrol(other, c1), ['ENROLLMENT_INVALID'], /already enrolled to replace C1/);
    await refused(
      r,
      () => r.coordinator.roster('join', c1new.signer.fingerprint, 'wrong'),
      ['ROSTER_INVALID'],
      /replacement device: the roster change is a replace, not a join/,
    );
    const replace = await r.coordinator.roster('replace', c1new.signer.fingerprint, 'laptop died');
    await refused(r, () => r.ack(c1, two), ['ACK_FROM_ABSENT'], /their device was replaced by C1 .*"laptop died"/);
    await refused(r, () => r.ack(c1new, replace), ['ACK_FROM_ABSENT']);
    for (const p of [w1, w2]) await r.ack(p, replace);
    expect(r.coordinator.state.attendance.replacedBy(toHex(c1.signer.fingerprint))).toBe(
      toHex(c1new.signer.fingerprint),
    );
    // Answers to a statement issued before the replace do not count for the new device.
    await refused(r, () => r.ack(c1new, two), ['ACK_FROM_ABSENT'], /joined after/);
  });

  it.each<[string, (r: Room) => Promise<unknown>, RegExp]>([
    [
      'an unknown identity',
      async (r) => r.enrol(r.people.c1new, { name: 'C1', role: 'custodian', signer: await generateSigner() }),
      /claims to replace key .*, which is not enrolled in this session/,
    ],
    ['another name', (r) => r.enrol(r.people.c1new, r.people.c1, { name: 'C2' }), /keeps its identity's name and role/],
    [
      'another role',
      (r) => r.enrol(r.people.c1new, r.people.c1, { role: 'witness' }),
      /is "C1" \(custodian\), the enrolment says "C1" \(witness\)/,
    ],
  ])('a replacement enrolment naming %s is refused with ENROLLMENT_INVALID', async (_name, op, text) => {
    const r = await room();
    for (const p of [r.people.w1, r.people.w2, r.people.c1]) await r.enrol(p);
    await r.statement('one');
    await refused(r, () => op(r), ['ENROLLMENT_INVALID'], text);
  });
});

describe('attendance forged into a bundle', () => {
  const change = (e: EnvelopeMap, c: string) => e.t === 'roster' && (e.body as { change: string }).change === c;
  /** The list without an entry and the acknowledgements of it. */
  const without = (l: EnvelopeMap[], target: EnvelopeMap, refOf: (e: EnvelopeMap) => EnvelopeMap | undefined) =>
    l.filter((e) => e !== target && !(e.t === 'ack' && refOf(e) === target));
  it.each<
    [string, FindingCode[], (list: EnvelopeMap[], refOf: (e: EnvelopeMap) => EnvelopeMap | undefined) => EnvelopeMap[]]
  >([
    [
      'the roster join removed, with its acknowledgements',
      ['ACK_FROM_ABSENT', 'ROSTER_INCOMPLETE'],
      (l, refOf) =>
        without(
          l,
          l.find((e) => change(e, 'join'))!,
          refOf,
        ),
    ],
    [
      'the roster replace removed, with its acknowledgements',
      ['ACK_FROM_ABSENT', 'ROSTER_INCOMPLETE'],
      (l, refOf) =>
        without(
          l,
          l.find((e) => change(e, 'replace'))!,
          refOf,
        ),
    ],
    [
      'an acknowledgement of the join removed',
      ['ROSTER_INCOMPLETE'],
      (l, refOf) => {
        const join = l.find((e) => change(e, 'join'))!;
        const ack = l.find((e) => e.t === 'ack' && refOf(e) === join)!;
        return l.filter((e) => e !== ack);
      },
    ],
    [
      'the leave made a leave of someone else',
      ['ROSTER_INVALID'],
      (l) => {
        const leave = l.find((e) => change(e, 'leave'))!;
        leave.body.participant = l.find((e) => e.t === 'enroll')!.by;
        return l;
      },
    ],
    [
      'a roster change naming another step than the one in progress',
      ['ROSTER_INVALID'],
      (l) => {
        l.find((e) => change(e, 'leave'))!.body.step = 'one';
        return l;
      },
    ],
    [
      'a replace recorded as a join',
      ['ROSTER_INVALID'],
      (l) => {
        const replace = l.find((e) => change(e, 'replace'))!;
        replace.body.change = 'join';
        delete replace.body.replaces;
        return l;
      },
    ],
  ])('%s → %j', async (_name, expected, edit) => {
    const r = await story();
    const transcript = r.coordinator.bundle().transcript;
    const list = envelopes(transcript);
    const ids = new Map(transcript.map((w, i) => [toHex(sha256(w)), list[i]!] as const));
    const refOf = (e: EnvelopeMap) => (e.body.ref instanceof Uint8Array ? ids.get(toHex(e.body.ref)) : undefined);
    const forged = await rechain(edit(list, refOf), r.signers, ids);
    const seal = await resealed(forged, r.coordinatorSigner);
    const found = await codes({ ...r.coordinator.bundle(), transcript: forged, ...(seal ? { seal } : {}) });
    for (const code of expected) expect(found).toContain(code);
  });
});
