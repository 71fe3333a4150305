/**
 * Retrying a step: a repeat exception confirmed by the step's quorum, then a new attempt whose
 * statement names it. Every attempt stays in the record. Each refusal is shown live (the
 * coordinator refuses and stores nothing; the device refuses what it cannot check) and as the
 * finding the audit gives when the same message is forged into the bundle with the coordinator's key.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FindingCode } from '../../../../src/core/audit/findings.js';
import type { SignedMessage } from '../../../../src/core/protocol/message.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { answerAll, auditWith, forge, judge, openRoom, passStep, show, type Room } from './deviation-fixture.js';

beforeAll(() => installCryptoEngine());

/** Step `bag`: W1 objects to the first attempt, and the room confirms a repeat exception. */
async function repeatDecided(room: Room): Promise<SignedMessage<'exception'>> {
  await passStep(room, 'bag', [0]);
  const exception = await room.coordinator.issueException('The serial was read off the wrong bag: redo.', 'repeat');
  await show(room);
  await answerAll(room);
  return exception;
}

describe('retrying a step', () => {
  it('a confirmed repeat exception lets the step be redone; both attempts are in the record, which audits clean', async () => {
    const room = await openRoom();
    const exception = await repeatDecided(room);
    expect(room.coordinator.currentCompletion()).toMatchObject({ complete: false, repeat: true });
    expect(room.coordinator.state.dueStep?.id).toBe('bag');
    await passStep(room, 'bag');
    const step = room.coordinator.state.steps[0]!;
    expect(step.attempts).toHaveLength(2);
    expect(step.statement?.message.envelope.body.retry).toEqual(exception.id);
    expect(room.coordinator.currentCompletion()?.complete).toBe(true);
    for (const id of ['destroy', 'seal']) await passStep(room, id);
    await room.coordinator.close();
    await show(room);
    for (const d of room.devices) await room.coordinator.receive((await d.attest(true)).wire);
    expect(await auditWith(room)).toEqual([]);
  });

  it('the room may decide to redo a step that went well (nothing failed, nobody objected)', async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    await room.coordinator.issueException('The auditor asks for the bag check to be filmed: redo it.', 'repeat');
    await show(room);
    await answerAll(room);
    await passStep(room, 'bag');
    expect(room.coordinator.state.steps[0]?.attempts).toHaveLength(2);
  });

  it('a proceed exception on a step that went well is still refused: there is nothing to except', async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    await expect(room.coordinator.issueException('Just in case.')).rejects.toThrow(/EXCEPTION_INVALID/);
  });

  it('a device reviews the new attempt as the one to answer, after the repeat exception it confirmed', async () => {
    const room = await openRoom();
    const exception = await repeatDecided(room);
    await room.coordinator.issueStatement(await room.coordinator.prepareStatement('bag', { serial: 'BB100' }, []));
    await show(room);
    const action = await room.devices[0]!.next();
    expect(action.kind).toBe('review');
    if (action.kind === 'review') expect(action.review.target.envelope.body).toMatchObject({ retry: exception.id });
  });

  type Forgery = (room: Room) => Promise<SignedMessage>;
  const statementOf = (room: Room, n: number, step: string, extra: object = {}) =>
    forge(room, 'statement', {
      step,
      n,
      inputs: step === 'bag' ? { serial: 'BB100' } : {},
      evidence: [],
      checks: step === 'bag' ? [{ id: 'input.serial', ok: true, expected: 'BB100', observed: 'BB100' }] : [],
      ...extra,
    });
  const cases: [string, FindingCode[], (room: Room) => Promise<void>, Forgery][] = [
    [
      'a second statement for a step without a decided exception',
      ['STEP_OUT_OF_ORDER'],
      (room) => passStep(room, 'bag'),
      (room) => statementOf(room, 0, 'bag'),
    ],
    [
      'a retry naming an exception that decided to proceed',
      ['RETRY_INVALID'],
      async (room) => {
        await passStep(room, 'bag', [0]);
        await room.coordinator.issueException('Misread; carry on.');
        await show(room);
        await answerAll(room);
      },
      (room) => statementOf(room, 0, 'bag', { retry: room.coordinator.state.steps[0]!.exceptions[0]!.message.id }),
    ],
    [
      'a retry naming a repeat exception the quorum has not confirmed',
      ['RETRY_INVALID'],
      async (room) => {
        await passStep(room, 'bag', [0]);
        await room.coordinator.issueException('Redo.', 'repeat');
      },
      (room) => statementOf(room, 0, 'bag', { retry: room.coordinator.state.steps[0]!.exceptions[0]!.message.id }),
    ],
    [
      'a retry naming a message that is not an exception',
      ['RETRY_INVALID'],
      (room) => repeatDecided(room).then(() => undefined),
      (room) => statementOf(room, 0, 'bag', { retry: room.coordinator.genesis.id }),
    ],
    [
      'a first attempt that claims to be a retry',
      ['RETRY_INVALID'],
      (room) => passStep(room, 'bag'),
      (room) => statementOf(room, 1, 'destroy', { retry: room.coordinator.genesis.id }),
    ],
    [
      'the next step after the room decided to repeat this one',
      ['RETRY_MISSING'],
      (room) => repeatDecided(room).then(() => undefined),
      (room) => statementOf(room, 1, 'destroy'),
    ],
    [
      'a repeat exception on a step the script forbids repeating',
      ['REPEAT_FORBIDDEN'],
      async (room) => {
        await passStep(room, 'bag');
        await passStep(room, 'destroy', [0]);
      },
      (room) => {
        const step = room.coordinator.state.steps[1]!;
        return forge(room, 'exception', {
          step: 'destroy',
          ref: step.statement!.message.id,
          objections: [...step.statement!.acks.values()]
            .filter((a) => a.envelope.body.decision === 'object')
            .map((a) => a.id),
          reason: 'Destroy it again.',
          decision: 'repeat',
        });
      },
    ],
  ];

  it.each(cases)(
    '%s: refused live with %j, nothing stored, and found in a forged bundle',
    async (_name, codes, setup, make) => {
      const room = await openRoom();
      await setup(room);
      const forged = await make(room);
      const before = room.coordinator.bundle().transcript.length;
      expect(judge(room, forged)).toEqual(codes);
      expect(room.coordinator.bundle().transcript).toHaveLength(before);
      expect(await auditWith(room, [forged])).toEqual([...new Set([...codes, 'CLOSE_MISSING' as const])].sort());
    },
  );

  it('the coordinator refuses to issue a repeat exception on a step the script forbids repeating, and stores nothing', async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    await passStep(room, 'destroy', [0]);
    const before = room.records.length;
    await expect(room.coordinator.issueException('Destroy it again.', 'repeat')).rejects.toThrow(/REPEAT_FORBIDDEN/);
    expect(room.records).toHaveLength(before);
  });

  it('the coordinator will not prepare the next step once the room decided to repeat this one', async () => {
    const room = await openRoom();
    await repeatDecided(room);
    await expect(room.coordinator.prepareStatement('destroy', {}, [])).rejects.toThrow(/not the step due \(bag\)/);
  });
});

describe("a device's rules for a retry", () => {
  it('refuses a repeat exception on a step its script forbids repeating', async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    await passStep(room, 'destroy', [0]);
    const step = room.coordinator.state.steps[1]!;
    const forged = await forge(room, 'exception', {
      step: 'destroy',
      ref: step.statement!.message.id,
      objections: [],
      reason: 'Destroy it again.',
      decision: 'repeat',
    });
    await expect(room.devices[1]!.receive(forged.wire)).rejects.toThrow(/must not be repeated/);
  });

  it('refuses a second statement naming a repeat exception it has not seen', async () => {
    const room = await openRoom();
    await passStep(room, 'bag', [0]);
    const exception = await room.coordinator.issueException('Redo.', 'repeat');
    await show(room, room.devices.slice(0, 2));
    await answerAll(room, [], room.devices.slice(0, 2));
    const retry = await room.coordinator.issueStatement(
      await room.coordinator.prepareStatement('bag', { serial: 'BB100' }, []),
    );
    expect(retry.envelope.body.retry).toEqual(exception.id);
    await expect(room.devices[2]!.receive(retry.wire)).rejects.toThrow(/has not seen: scan it first/);
  });

  it('refuses a new attempt naming a repeat exception this device objected to', async () => {
    const room = await openRoom();
    await passStep(room, 'bag', [0]);
    const exception = await room.coordinator.issueException('Redo.', 'repeat');
    await show(room);
    await room.coordinator.receive((await room.devices[0]!.object('Do not redo; the serial was right.')).wire);
    const forged = await forge(room, 'statement', {
      step: 'bag',
      n: 0,
      inputs: { serial: 'BB100' },
      evidence: [],
      checks: [{ id: 'input.serial', ok: true, expected: 'BB100', observed: 'BB100' }],
      retry: exception.id,
    });
    await expect(room.devices[0]!.receive(forged.wire)).rejects.toThrow(/objected to: it cannot be complete/);
  });

  it('refuses a second statement for a step without a retry', async () => {
    const room = await openRoom();
    await passStep(room, 'bag');
    const forged = await forge(room, 'statement', {
      step: 'bag',
      n: 0,
      inputs: { serial: 'BB100' },
      evidence: [],
      checks: [{ id: 'input.serial', ok: true, expected: 'BB100', observed: 'BB100' }],
    });
    await expect(room.devices[0]!.receive(forged.wire)).rejects.toThrow(/no repeat was decided/);
  });
});
