/**
 * Abort, suspend and resume over real signed messages: the coordinator refuses what may not follow
 * each (and stores nothing), the devices acknowledge what they should and refuse what they cannot
 * check, the coordinator's journal restores across a break "the next day", and the audit of each
 * outcome says plainly how the session ended. Forged messages signed with the coordinator's key
 * are the specific finding when put into a bundle.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FindingCode } from '../../../../src/core/audit/findings.js';
import { auditSession } from '../../../../src/core/audit/verdict.js';
import { generateSigner } from '../../../../src/core/protocol/identity.js';
import { signMessage, type SignedMessage } from '../../../../src/core/protocol/message.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { answerAll, auditWith, forge, judge, openRoom, passStep, show, type Room } from './deviation-fixture.js';

beforeAll(() => installCryptoEngine());

const DAY = 24 * 60 * 60 * 1000;

async function attestAll(room: Room): Promise<void> {
  await show(room);
  for (const d of room.devices) await room.coordinator.receive((await d.attest(true)).wire);
}

async function acknowledge(room: Room, devices = room.devices): Promise<void> {
  await show(room, devices);
  for (const d of devices) {
    const action = await d.next();
    expect(action.kind).toBe('acknowledge');
    await room.coordinator.receive((await d.confirm()).wire);
  }
}

describe('abort', () => {
  it('aborted mid-step, acknowledged by the quorum, closed as aborted: zero findings, verdict ABORTED', async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    await room.coordinator.issueStatement(await room.coordinator.prepareStatement('destroy', {}, []));
    const abort = await room.coordinator.abort('The shredder jammed; the ceremony is abandoned.');
    expect(abort.envelope.body.step).toBe('destroy');
    // Closing before the abort has its quorum is refused, and nothing is stored.
    const before = room.records.length;
    await expect(room.coordinator.close()).rejects.toThrow(/ABORT_INVALID: closed before the abort had its quorum/);
    expect(room.records).toHaveLength(before);
    await acknowledge(room, room.devices.slice(0, 2));
    const close = await room.coordinator.close();
    expect(close.envelope.body).toEqual({ steps: 2, abort: abort.id });
    await attestAll(room);
    const result = await auditSession(
      await room.coordinator.exportBundle(),
      room.devices.map((d) => d.receipt()),
    );
    expect(result.findings).toEqual([]);
    expect(result.verdict.outcome).toBe('aborted');
    expect(result.verdict.headline).toBe(
      'Consistent: 0 findings. ABORTED at step destroy: "The shredder jammed; the ceremony is abandoned.".',
    );
  });

  it('before the first statement, the first step\u2019s quorum acknowledges it and the close reaches 0 steps', async () => {
    const room = await openRoom();
    const abort = await room.coordinator.abort('The laptop does not boot.');
    expect(abort.envelope.body.step).toBeUndefined();
    await acknowledge(room);
    const close = (await room.coordinator.close()).envelope.body;
    // No statement came before it, so the close records the devices' clocks measured at enrolment.
    expect(close).toEqual({ steps: 0, abort: abort.id, clocks: expect.any(Array) });
    expect(close.clocks).toHaveLength(room.coordinator.state.participants.size);
    await attestAll(room);
    expect(await auditWith(room)).toEqual([]);
  });

  it('an answer signed before the abort and scanned after it is refused: ENTRY_AFTER_ABORT', async () => {
    const room = await openRoom();
    await room.coordinator.issueStatement(await room.coordinator.prepareStatement('bag', { serial: 'BB100' }, []));
    await show(room);
    const late = await room.devices[0]!.confirm();
    await room.coordinator.abort('Fire alarm; the ceremony will be held again.');
    await expect(room.coordinator.receive(late.wire)).rejects.toThrow(/ENTRY_AFTER_ABORT/);
  });

  const after: [string, FindingCode[], (room: Room, abort: SignedMessage<'abort'>) => Promise<SignedMessage>][] = [
    [
      'a statement',
      ['ENTRY_AFTER_ABORT'],
      (room) =>
        forge(room, 'statement', {
          step: 'destroy',
          n: 1,
          inputs: {},
          evidence: [],
          checks: [],
        }),
    ],
    ['a suspend', ['ENTRY_AFTER_ABORT'], (room) => forge(room, 'suspend', { reason: 'Lunch.' })],
    ['a second abort', ['ENTRY_AFTER_ABORT'], (room) => forge(room, 'abort', { reason: 'Again.', step: 'bag' })],
    ['a close that does not name the abort', ['ABORT_INVALID'], (room) => forge(room, 'close', { steps: 1 })],
    [
      'a close that claims every step',
      ['ABORT_INVALID'],
      (room, abort) => forge(room, 'close', { steps: 3, abort: abort.id }),
    ],
  ];
  it.each(after)('after an abort, %s is refused live (%j) and found in a forged bundle', async (_n, codes, make) => {
    const room = await openRoom();
    await passStep(room, 'bag');
    const abort = await room.coordinator.abort('The HSM reports a fault.');
    await acknowledge(room, room.devices.slice(0, 2));
    const forged = await make(room, abort);
    const before = room.coordinator.bundle().transcript.length;
    expect(judge(room, forged)).toEqual(codes);
    expect(room.coordinator.bundle().transcript).toHaveLength(before);
    // A forged close is applied by the lenient audit, which then misses the attestations.
    // (and the bundle, exported before the close was forged into it, carries no seal).
    const closing = forged.t === 'close' ? ['ATTESTATION_MISSING', 'SEAL_MISSING'] : ['CLOSE_MISSING'];
    expect(await auditWith(room, [forged])).toEqual([...new Set([...codes, ...closing])].sort());
  });

  it('an abort naming another step than the one in progress is ABORT_INVALID', async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    expect(judge(room, await forge(room, 'abort', { reason: 'x', step: 'seal' }))).toEqual(['ABORT_INVALID']);
  });

  it("a device refuses a close that does not name the abort it was shown, and won't attest", async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    await room.coordinator.abort('The HSM reports a fault.');
    await acknowledge(room, room.devices.slice(0, 2));
    const forged = await forge(room, 'close', { steps: 3 });
    await expect(room.devices[0]!.receive(forged.wire)).rejects.toThrow(/does not name the abort/);
    // A device that had not seen the abort yet takes the close, and refuses it once the abort folds in.
    const w3 = room.devices[2]!;
    await w3.receive(forged.wire);
    await show(room, [w3]);
    const action = await w3.next();
    expect(action.kind).toBe('refused');
    if (action.kind === 'refused') expect(action.reason).toMatch(/does not name its abort|comes after its abort/);
    await expect(w3.attest(true)).rejects.toThrow();
  });
});

describe('suspend and resume', () => {
  it('suspended, restored from the journal a day later, resumed, acknowledged by everyone present, completed', async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    const suspend = await room.coordinator.suspend('The building closes for the night; bag sealed in the safe.');
    await show(room);
    const action = await room.devices[0]!.next();
    expect(action).toMatchObject({ kind: 'suspended', suspend: { id: suspend.id } });
    await expect(room.devices[0]!.confirm()).rejects.toThrow(/the session is suspended/);
    // Exported while suspended: a true but incomplete record.
    const mid = await auditSession(await room.coordinator.exportBundle(), []);
    expect(mid.findings).toEqual([]);
    expect(mid.verdict.outcome).toBe('suspended');
    expect(mid.verdict.headline).toMatch(
      /^Consistent: 0 findings\. SUSPENDED after step bag: .*the record is incomplete\.$/,
    );
    // The coordinator's process exits; the next day it is restored from its journal and resumes.
    room.advance(DAY);
    await room.restart();
    expect(room.coordinator.state.events.suspended?.id).toEqual(suspend.id);
    const resume = await room.coordinator.resume('Seals checked intact by both witnesses.');
    expect(resume.envelope.at - suspend.envelope.at).toBeGreaterThanOrEqual(DAY);
    // Nothing goes on until every participant present has acknowledged the resume.
    await acknowledge(room, room.devices.slice(0, 2));
    await expect(
      room.coordinator.issueStatement(await room.coordinator.prepareStatement('destroy', {}, [])),
    ).rejects.toThrow(/RESUME_INVALID: a statement before the resume was acknowledged: .*not yet: W3/);
    await acknowledge(room, room.devices.slice(2));
    for (const id of ['destroy', 'seal']) await passStep(room, id);
    await room.coordinator.close();
    await attestAll(room);
    const result = await auditSession(
      await room.coordinator.exportBundle(),
      room.devices.map((d) => d.receipt()),
    );
    expect(result.findings).toEqual([]);
    expect(result.verdict.outcome).toBe('complete');
  });

  it('an answer signed before the suspend and scanned after it is refused: ENTRY_WHILE_SUSPENDED', async () => {
    const room = await openRoom();
    await room.coordinator.issueStatement(await room.coordinator.prepareStatement('bag', { serial: 'BB100' }, []));
    await show(room);
    const late = await room.devices[0]!.confirm();
    await room.coordinator.suspend('Fire alarm.');
    await expect(room.coordinator.receive(late.wire)).rejects.toThrow(
      /ENTRY_WHILE_SUSPENDED: a ack while the session is suspended \("Fire alarm\."\)/,
    );
  });

  it('a resume signed by another key than the genesis\u2019s is refused by the fold and by the devices', async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    const suspend = await room.coordinator.suspend('Break.');
    await show(room);
    const other = await generateSigner();
    const forged = await signMessage(other, {
      t: 'resume',
      sid: room.coordinator.genesis.envelope.sid,
      at: room.clock(),
      prev: room.coordinator.state.head,
      appended: room.coordinator.state.appendedSince(),
      body: { ref: suspend.id },
    });
    const { findings } = room.coordinator.state.evaluate(forged, true);
    expect(findings.map((f) => f.code)).toEqual(['RESUME_INVALID']);
    expect(findings[0]?.message).toMatch(/must be signed by the key that opened the session/);
    await expect(room.devices[0]!.receive(forged.wire)).rejects.toThrow(
      /this resume is not signed by the key that opened the session/,
    );
    await expect(room.coordinator.receive(forged.wire)).rejects.toThrow(/cannot be received from a participant/);
  });

  const whileSuspended: [string, FindingCode[], (room: Room, s: SignedMessage<'suspend'>) => Promise<SignedMessage>][] =
    [
      [
        'a statement',
        ['ENTRY_WHILE_SUSPENDED'],
        (room) => forge(room, 'statement', { step: 'destroy', n: 1, inputs: {}, evidence: [], checks: [] }),
      ],
      ['an abort', ['ENTRY_WHILE_SUSPENDED'], (room) => forge(room, 'abort', { reason: 'x', step: 'bag' })],
      ['a close', ['ENTRY_WHILE_SUSPENDED'], (room) => forge(room, 'close', { steps: 3 })],
      [
        'a resume naming another suspend',
        ['RESUME_INVALID'],
        (room) => forge(room, 'resume', { ref: room.coordinator.genesis.id }),
      ],
    ];
  it.each(whileSuspended)(
    'while suspended, %s is refused live (%j) and found in a forged bundle',
    async (_n, codes, make) => {
      const room = await openRoom();
      await passStep(room, 'bag');
      const suspend = await room.coordinator.suspend('Break.');
      const forged = await make(room, suspend);
      expect(judge(room, forged)).toEqual(codes);
      // The forged bundle ends suspended or with a bad entry: no CLOSE_MISSING for a suspended session.
      expect(await auditWith(room, [forged])).toEqual(codes);
    },
  );

  it('a resume while not suspended is RESUME_INVALID; the coordinator refuses to issue one', async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    await expect(room.coordinator.resume()).rejects.toThrow(/not suspended/);
    expect(judge(room, await forge(room, 'resume', { ref: room.coordinator.genesis.id }))).toEqual(['RESUME_INVALID']);
  });

  it('answers to earlier targets are accepted again once the resume is acknowledged', async () => {
    const room = await openRoom();
    await room.coordinator.issueStatement(await room.coordinator.prepareStatement('bag', { serial: 'BB100' }, []));
    await room.coordinator.suspend('Break.');
    await room.coordinator.resume();
    await acknowledge(room);
    // The step's statement is shown again; the devices answer it now.
    await show(room);
    await answerAll(room);
    expect(room.coordinator.currentCompletion()?.complete).toBe(true);
  });
});
