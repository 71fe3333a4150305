/**
 * A participant device lets the coordinator move only forward: it refuses a statement for an
 * earlier step than one it was shown, a second statement for a step, an exception for an earlier
 * step, and a close that counts the script's steps differently. Each refusal keeps nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { signMessage, type SignedMessage } from '../../../../src/core/protocol/message.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { Coordinator } from '../../../../src/core/session/coordinator.js';
import { ParticipantSession } from '../../../../src/core/session/participant-session.js';
import { utf8 } from '../../../../src/core/util/bytes.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';

const SCRIPT = utf8(`format: keywitness-script/1
id: order
title: Order
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 1 }
steps:
  - { id: one, title: One, inputs: [{ id: v, label: Value, pattern: "[a-z]+" }], acks: { roles: [witness], min: 1 } }
  - { id: two, title: Two, inputs: [{ id: v, label: Value, pattern: "[a-z]+" }], acks: { roles: [witness], min: 1 } }
  - { id: three, title: Three, acks: { roles: [witness], min: 1 } }
`);
const script = parseScript(SCRIPT);

let signer: Signer;
let coordinator: Coordinator;
let device: ParticipantSession;
let records: number;

/** A statement for step `n` as the coordinator would sign it, whether or not it records it. */
function statement(n: number, value = 'abc'): Promise<SignedMessage<'statement'>> {
  const step = script.steps[n];
  if (!step) throw new Error(`no step ${n}`);
  return signMessage(signer, {
    t: 'statement',
    sid: coordinator.genesis.envelope.sid,
    at: Date.now(),
    prev: coordinator.state.head,
    appended: coordinator.state.appendedSince(),
    body: {
      step: step.id,
      n,
      inputs: step.inputs.length > 0 ? { v: value } : {},
      evidence: [],
      checks: step.inputs.map((i) => ({ id: `${i.id}.pattern`, ok: true, expected: 'x', observed: value })),
    },
  });
}

beforeAll(async () => {
  installCryptoEngine();
  signer = await generateSigner();
  coordinator = await Coordinator.open({ script, scriptBytes: SCRIPT, signer, name: 'Ada', mode: 'rehearsal' });
  records = 0;
  device = await ParticipantSession.join(
    {
      signer: await generateSigner(),
      script,
      scriptBytes: SCRIPT,
      name: 'W',
      role: 'witness',
      persist: () => {
        records++;
        return Promise.resolve();
      },
    },
    coordinator.genesis.wire,
  );
  await coordinator.receive((await device.enroll()).wire);
  // Step one is issued and answered for real; step two is issued and shown, not yet answered.
  await coordinator.issueStatement(await coordinator.prepareStatement('one', { v: 'abc' }, []));
  for (const m of await coordinator.transmission()) await device.receive(m.wire);
  await coordinator.receive((await device.confirm()).wire);
  await coordinator.issueStatement(await coordinator.prepareStatement('two', { v: 'abc' }, []));
  for (const m of await coordinator.transmission()) await device.receive(m.wire);
});

describe('the coordinator moves only forward', () => {
  it.each<[string, () => Promise<SignedMessage>, RegExp]>([
    [
      'a statement for an earlier step',
      () => statement(0),
      /statement for step one after step two was shown: the coordinator went back/,
    ],
    ['a second statement for the same step', () => statement(1, 'xyz'), /a second, different statement for step two/],
    [
      'an exception for an earlier step',
      async () =>
        signMessage(signer, {
          t: 'exception',
          sid: coordinator.genesis.envelope.sid,
          at: Date.now(),
          prev: coordinator.state.head,
          appended: coordinator.state.appendedSince(),
          body: { step: 'one', ref: (await statement(0)).id, objections: [], reason: 'Why not.', decision: 'proceed' },
        }),
      /an exception for step one after step two was shown/,
    ],
    [
      'a close that counts another number of steps',
      () =>
        signMessage(signer, {
          t: 'close',
          sid: coordinator.genesis.envelope.sid,
          at: Date.now(),
          prev: coordinator.state.head,
          appended: coordinator.state.appendedSince(),
          body: { steps: 2 },
        }),
      /the close says the ceremony had 2 steps; this device's script has 3/,
    ],
  ])('refuses %s and keeps nothing', async (_what, make, message) => {
    const before = { records, next: await device.next(), receipt: device.receipt() };
    await expect(device.receive((await make()).wire)).rejects.toThrow(message);
    expect(records).toBe(before.records);
    expect(await device.next()).toEqual(before.next);
    expect(device.receipt()).toEqual(before.receipt);
  });

  it('accepts the statement for the next step', async () => {
    const again = await device.receive((await statement(2)).wire);
    expect(again.status).toBe('accepted');
    const action = await device.next();
    expect(action.kind === 'review' && action.review.step.id).toBe('three');
  });
});
