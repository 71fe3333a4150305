/**
 * Devices never sign blind (issue #16, "Devices sign blind"): a device fed coordinator messages
 * forged with the coordinator's own key refuses, or waits saying for what, and signs nothing. Each
 * forgery is built at the point of the record it claims, with `appended` and `prev` computed as a
 * coordinator would, so that only the rule under test is broken. The refusals survive a restore.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { CoordinatorChainedType } from '../../../../src/core/protocol/bodies.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { signMessage, type Draft, type SignedMessage } from '../../../../src/core/protocol/message.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { Coordinator } from '../../../../src/core/session/coordinator.js';
import { CONTEXT_BLOB_KIND } from '../../../../src/core/session/message-pool.js';
import { ParticipantSession, type NextAction } from '../../../../src/core/session/participant-session.js';
import { entryHash } from '../../../../src/core/session/transcript.js';
import { toHex, utf8 } from '../../../../src/core/util/bytes.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';

const SCRIPT = utf8(`format: keywitness-script/1
id: head
title: Head
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 2 }
steps:
  - { id: one, title: One, acks: { roles: [witness], min: 1 } }
  - { id: two, title: Two, acks: { roles: [witness], min: 1 } }
  - { id: three, title: Three, acks: { roles: [witness], min: 1 } }
`);
const script = parseScript(SCRIPT);

interface Device {
  readonly session: ParticipantSession;
  readonly signer: Signer;
  readonly journal: Uint8Array[];
}

let coordinatorSigner: Signer;
let coordinator: Coordinator;
let w1: Device;
let w2: Device;

async function device(name: string): Promise<Device> {
  const signer = await generateSigner();
  const journal: Uint8Array[] = [];
  const persist = (record: Uint8Array) => {
    journal.push(record);
    return Promise.resolve();
  };
  const session = await ParticipantSession.join(
    { signer, script, scriptBytes: SCRIPT, name, role: 'witness', persist },
    coordinator.genesis.wire,
  );
  return { session, signer, journal };
}

/** Show the coordinator's current loop to a device. */
async function show(d: Device): Promise<void> {
  for (const m of await coordinator.transmission()) await d.session.receive(m.wire);
}

/**
 * A coordinator message signed with the coordinator's key at the point after its latest entry,
 * listing `appended` (the true list unless given) and with the `prev` that list folds to.
 */
async function forge<T extends CoordinatorChainedType>(
  t: T,
  body: Draft<T>['body'],
  appended: readonly Uint8Array[] = coordinator.state.appendedSince(),
  prev?: Uint8Array,
): Promise<SignedMessage<T>> {
  const entries = coordinator.state.entries;
  const since = coordinator.state.appendedSince().length;
  const last = entries[entries.length - 1 - since]!;
  let head = last.hash;
  let seq = last.seq + 1;
  for (const id of appended) head = entryHash(seq++, head, id);
  const draft = { t, sid: coordinator.genesis.envelope.sid, at: Date.now(), prev: prev ?? head, appended, body };
  return signMessage(coordinatorSigner, draft as unknown as Draft<T>);
}

const statementBody = (n: number) => ({ step: script.steps[n]!.id, n, inputs: {}, evidence: [], checks: [] });

async function contextBlob(message: SignedMessage): Promise<SignedMessage<'blob'>> {
  return signMessage(coordinatorSigner, {
    t: 'blob',
    sid: coordinator.genesis.envelope.sid,
    at: Date.now(),
    body: { name: 'context', kind: CONTEXT_BLOB_KIND, data: message.wire },
  });
}

/** The device's next action, expected to sign nothing: refused or waiting, with the reason. */
async function blocked(d: Device, kind: 'refused' | 'waiting', reason: RegExp): Promise<NextAction> {
  const action = await d.session.next();
  const said =
    action.kind === 'refused' ? action.reason : action.kind === 'waiting' ? action.waitingFor.join('; ') : '';
  expect({ kind: action.kind, said }).toMatchObject({ kind, said: expect.stringMatching(reason) });
  const signed = d.session.signed.length;
  await expect(d.session.confirm()).rejects.toThrow(/nothing is waiting for an answer/);
  await expect(d.session.object('no')).rejects.toThrow(/nothing is waiting for an answer/);
  await expect(d.session.attest(true)).rejects.toThrow(/there is no close to attest/);
  expect(d.session.signed).toHaveLength(signed);
  // A restore of the device's journal replays to the same decision.
  const restored = await ParticipantSession.restore({ signer: d.signer }, d.journal);
  expect(await restored.next()).toEqual(action);
  return action;
}

beforeEach(async () => {
  installCryptoEngine();
  coordinatorSigner = await generateSigner();
  coordinator = await Coordinator.open({
    script,
    scriptBytes: SCRIPT,
    signer: coordinatorSigner,
    name: 'Ada',
    mode: 'rehearsal',
  });
  w1 = await device('W1');
  w2 = await device('W2');
  for (const d of [w1, w2]) await coordinator.receive((await d.session.enroll()).wire);
  // Step one: W1 objects, W2 confirms; the coordinator holds both.
  await coordinator.issueStatement(await coordinator.prepareStatement('one', {}, []));
  for (const d of [w1, w2]) await show(d);
  await coordinator.receive((await w1.session.object('the bag seal was torn')).wire);
  await coordinator.receive((await w2.session.confirm()).wire);
});

describe('a device never signs blind', () => {
  it('the honest record: the exception lists both answers and both devices review it', async () => {
    await coordinator.issueException('The seal was replaced in view of all.');
    for (const d of [w1, w2]) {
      await show(d);
      expect((await d.session.next()).kind).toBe('review');
    }
  });

  it('a statement with a random prev: the device waits for the earlier messages and signs nothing', async () => {
    const forged = await forge('statement', statementBody(1), undefined, new Uint8Array(32).fill(7));
    await w2.session.receive(forged.wire);
    await blocked(w2, 'waiting', /^the coordinator's earlier messages: this statement for step two does not follow/);
  });

  it("a statement whose appended leaves out the device's own objection: refused, naming it", async () => {
    const confirmation = w2.session.signed.at(-1)!;
    const forged = await forge('statement', statementBody(1), [confirmation.id]);
    await w1.session.receive(forged.wire);
    await blocked(
      w1,
      'refused',
      /^your objection to step one was left out of the record \(the coordinator's statement for step two goes on without it\): tell the room; do not sign$/,
    );
    // W2's own answer is in the list: its device reviews (only W1's log and receipt can show the drop).
    await w2.session.receive(forged.wire);
    expect((await w2.session.next()).kind).toBe('review');
  });

  it("an exception before the device's confirmation was recorded is answered; a later step without it is refused", async () => {
    const objection = w1.session.signed.at(-1)!;
    const confirmation = w2.session.signed.at(-1)!;
    const statement = coordinator.state.steps[0]!.statement!.message;
    // The coordinator had not scanned W2's confirmation when it recorded the exception: not yet proof.
    const exception = await forge(
      'exception',
      { step: 'one', ref: statement.id, objections: [objection.id], reason: 'Replaced.', decision: 'proceed' },
      [objection.id],
    );
    await w2.session.receive(exception.wire);
    expect((await w2.session.next()).kind).toBe('review');
    // Its next message, of a later step, must list the confirmation; one that does not is refused.
    const ack = await w2.session.confirm();
    const after = coordinator.state.entries.find((e) => toHex(e.id) === toHex(statement.id))!;
    const folded = [objection.id, exception.id, ack.id].reduce(
      (point, id) => ({ head: entryHash(point.seq, point.head, id), seq: point.seq + 1 }),
      { head: after.hash, seq: after.seq + 1 },
    );
    const later = await signMessage(coordinatorSigner, {
      t: 'statement',
      sid: coordinator.genesis.envelope.sid,
      at: Date.now(),
      prev: folded.head,
      appended: [ack.id],
      body: statementBody(1),
    });
    expect(toHex(confirmation.id)).not.toBe(toHex(ack.id));
    await w2.session.receive(later.wire);
    await blocked(
      w2,
      'refused',
      /^your confirmation of step one was left out of the record \(the coordinator's statement for step two goes on without it\)/,
    );
  });

  it('two statements of one step: refused when shown, and as a fork of the record when one travels as context', async () => {
    const first = await forge('statement', statementBody(1));
    const other = await forge('statement', {
      ...statementBody(1),
      checks: [{ id: 'note', ok: true, expected: 'x', observed: 'y' }],
    });
    await w2.session.receive(first.wire);
    await expect(w2.session.receive(other.wire)).rejects.toThrow(/a second, different statement for step two/);
    expect((await w2.session.next()).kind).toBe('review');
    await w2.session.receive((await contextBlob(other)).wire);
    await blocked(
      w2,
      'refused',
      /^the coordinator showed two different messages at the same point of the record \(its statement for step two, and its statement for step two this device already holds\)/,
    );
  });

  it('skipping a step ahead is refused by the fold; going back is refused at the door', async () => {
    const skip = await forge('statement', statementBody(2));
    await w2.session.receive(skip.wire);
    await blocked(
      w2,
      'refused',
      /^the coordinator's record skips from step one to a statement for step three; step two was due/,
    );
    const back = await forge('statement', statementBody(1));
    await expect(w2.session.receive(back.wire)).rejects.toThrow(/the coordinator went back/);
  });

  it('a close before the last step, or counting other steps than the device followed, is refused', async () => {
    const early = await forge('close', { steps: 3 });
    await w2.session.receive(early.wire);
    await blocked(
      w2,
      'refused',
      /^the close says the ceremony had 3 steps; this device followed 1 of its script's 3: do not attest$/,
    );
    const counted = await forge('close', { steps: 2 });
    await expect(w1.session.receive(counted.wire)).rejects.toThrow(/the close says the ceremony had 2 steps/);
  });

  it('a close with another head: the device waits and does not attest', async () => {
    const close = await forge('close', { steps: 3 }, undefined, new Uint8Array(32).fill(1));
    await w2.session.receive(close.wire);
    await blocked(w2, 'waiting', /^the coordinator's earlier messages: this close does not follow the record/);
  });
});
