import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor } from '../../../../src/core/protocol/cbor.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { signMessage, type SignedMessage } from '../../../../src/core/protocol/message.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { Coordinator } from '../../../../src/core/session/coordinator.js';
import { ParticipantSession } from '../../../../src/core/session/participant-session.js';
import { coordinatorScanVerifier, participantScanVerifier } from '../../../../src/core/session/scan-verifiers.js';
import { utf8 } from '../../../../src/core/util/bytes.js';

const SCRIPT = utf8(`format: keywitness-script/1
id: scan
title: Scan
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 1 }
steps:
  - { id: one, title: One, acks: { roles: [witness], min: 1 } }
`);
const script = parseScript(SCRIPT);

let coordinator: Coordinator;
let coordinatorSigner: Signer;
let device: ParticipantSession;
let enrol: SignedMessage<'enroll'>;
let statement: SignedMessage<'statement'>;
let ack: SignedMessage<'ack'>;
let stranger: Signer;

/** The same message with one signature bit flipped. */
function flipped(m: SignedMessage): Uint8Array {
  const [envelope, signature] = decodeCbor(m.wire) as [Uint8Array, Uint8Array];
  const bad = signature.slice();
  bad[5] = (bad[5] ?? 0) ^ 1;
  return encodeCbor([envelope, bad]);
}

beforeAll(async () => {
  coordinatorSigner = await generateSigner();
  stranger = await generateSigner();
  coordinator = await Coordinator.open({
    script,
    scriptBytes: SCRIPT,
    signer: coordinatorSigner,
    name: 'Ada',
    mode: 'rehearsal',
  });
  device = await ParticipantSession.join(
    { signer: await generateSigner(), script, scriptBytes: SCRIPT, name: 'W', role: 'witness' },
    coordinator.genesis.wire,
  );
  enrol = await device.enroll();
  await coordinator.receive(enrol.wire);
  statement = await coordinator.issueStatement(await coordinator.prepareStatement('one', {}, []));
  await device.receive(statement.wire);
  ack = await device.confirm();
});

describe("the coordinator's scanner", () => {
  it.each<[string, () => Promise<Uint8Array> | Uint8Array, true | RegExp]>([
    ['an enrolment, signed by the key it carries', () => enrol.wire, true],
    ['an answer from an enrolled participant', () => ack.wire, true],
    ['an answer with a flipped signature bit', () => flipped(ack), /signature on this ack does not verify/],
    ['a statement', () => statement.wire, /a statement is not something a participant sends/],
    [
      'an answer from a key that never enrolled',
      async () =>
        (
          await signMessage(stranger, {
            t: 'ack',
            sid: coordinator.genesis.envelope.sid,
            at: Date.now(),
            prev: statement.envelope.prev,
            body: { ref: statement.id, decision: 'confirm', recomputed: false, challenge: false },
          })
        ).wire,
      /signed by a device that has not enrolled/,
    ],
  ])('%s', async (_what, wire, expected) => {
    const verdict = await coordinatorScanVerifier(coordinator.state)(await wire());
    if (expected === true) expect(verdict).toBe(true);
    else expect(verdict).toMatch(expected);
  });
});

describe("a participant's scanner", () => {
  it.each<[string, boolean, () => Promise<Uint8Array> | Uint8Array, true | RegExp]>([
    ['before joining: the genesis', false, () => coordinator.genesis.wire, true],
    [
      'before joining: a statement',
      false,
      () => statement.wire,
      /waiting for the session genesis, this is a statement/,
    ],
    [
      'before joining: a genesis with a flipped bit',
      false,
      () => flipped(coordinator.genesis),
      /genesis signature does not verify/,
    ],
    ["joined: the coordinator's statement", true, () => statement.wire, true],
    [
      'joined: a statement with a flipped bit',
      true,
      () => flipped(statement),
      /signature on this statement does not verify/,
    ],
    ["joined: another participant's answer", true, () => ack.wire, /not from this session's coordinator/],
    [
      'joined: a statement signed by a stranger',
      true,
      async () =>
        (
          await signMessage(stranger, {
            t: 'statement',
            sid: coordinator.genesis.envelope.sid,
            at: Date.now(),
            prev: statement.envelope.prev,
            appended: statement.envelope.appended,
            body: statement.envelope.body,
          })
        ).wire,
      /not from this session's coordinator/,
    ],
  ])('%s', async (_what, joined, wire, expected) => {
    const verdict = await participantScanVerifier(joined ? device : undefined)(await wire());
    if (expected === true) expect(verdict).toBe(true);
    else expect(verdict).toMatch(expected);
  });
});
