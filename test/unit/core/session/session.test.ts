import { describe, expect, it } from 'vitest';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { signMessage } from '../../../../src/core/protocol/message.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import type { Script } from '../../../../src/core/script/types.js';
import { Coordinator, type PersistRecord, SessionRejectedError } from '../../../../src/core/session/coordinator.js';
import { decodeBundle, decodeReceipt, encodeBundle, encodeReceipt } from '../../../../src/core/session/files.js';
import { ParticipantSession } from '../../../../src/core/session/participant-session.js';
import { simulateCeremony } from '../../../../src/core/session/simulate.js';
import { utf8 } from '../../../../src/core/util/bytes.js';

const SCRIPT = utf8(`format: keywitness-script/1
id: session-test
title: Session rules test
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 2, max: 3 }
  - { id: custodian, title: Custodian, min: 1 }
expected:
  bag: "BB100"
steps:
  - id: bag
    title: Check the bag
    inputs: [{ id: serial, label: Bag serial, expect: $expected.bag }]
    acks: { roles: [witness], min: 2 }
  - id: keygen
    title: Generate the key
    irreversible: { confirm: root-key }
    acks: { roles: [witness, custodian], min: 3 }
  - id: seal
    title: Seal the backup
    inputs: [{ id: newbag, label: New bag, pattern: "BB[0-9]{3}" }]
    acks: { roles: [witness], min: 1 }
`);
const script = parseScript(SCRIPT);
const people = [
  { name: 'Wendy', role: 'witness' },
  { name: 'Walter', role: 'witness', alg: 'p256' as const },
  { name: 'Carol', role: 'custodian' },
];

async function openSession() {
  const coordinator = await Coordinator.open({
    script,
    scriptBytes: SCRIPT,
    signer: await generateSigner(),
    name: 'Ada',
    mode: 'rehearsal',
  });
  const signers = await Promise.all(people.map((p) => generateSigner(p.alg ?? 'ed25519')));
  const devices = await Promise.all(people.map((p, i) => join(coordinator, p.name, p.role, signers[i])));
  return { coordinator, devices, signers };
}

/** A participant device of `coordinator`'s session, joined with the genesis it shows. */
async function join(
  coordinator: Coordinator,
  name: string,
  role: string,
  signer?: Signer,
  s: Script = script,
  scriptBytes: Uint8Array = SCRIPT,
): Promise<ParticipantSession> {
  return ParticipantSession.join(
    { signer: signer ?? (await generateSigner()), script: s, scriptBytes, name, role },
    coordinator.genesis.wire,
  );
}

/** The device scans what the coordinator shows now and returns its review of it. */
async function scan(coordinator: Coordinator, device: ParticipantSession) {
  for (const m of await coordinator.transmission()) await device.receive(m.wire);
  const action = await device.next();
  if (action.kind !== 'review') throw new Error(`expected a review, got ${action.kind}`);
  return action.review;
}

/** The device scans the coordinator's screen and answers; the coordinator scans the answer. */
async function answer(coordinator: Coordinator, device: ParticipantSession, reason?: string) {
  await scan(coordinator, device);
  const ack = reason === undefined ? await device.confirm() : await device.object(reason);
  return coordinator.receive(ack.wire);
}

function rejectedWith(code: string) {
  return expect.objectContaining({ findings: expect.arrayContaining([expect.objectContaining({ code })]) });
}

describe('a simulated session', () => {
  it('with an objection resolved by an exception audits clean, through the file formats', async () => {
    const result = await simulateCeremony({
      script,
      scriptBytes: SCRIPT,
      coordinatorName: 'Ada',
      participants: people,
      steps: {
        bag: { inputs: { serial: 'BB100' } },
        keygen: {
          objection: {
            by: 'Carol',
            reason: 'the HSM display showed a different label',
            resolution: 'Label re-read from the HSM: root-key. The display was scrolled.',
          },
        },
        seal: { inputs: { newbag: 'BB101' } },
      },
    });
    const bundle = decodeBundle(encodeBundle(result.bundle));
    const receipts = result.receipts.map((r) => decodeReceipt(encodeReceipt(r)));
    const report = await auditBundle(bundle, receipts);
    expect(report.findings).toEqual([]);
    const keygen = report.state!.steps[1]!;
    expect(keygen.exceptions).toHaveLength(1);
    expect([...keygen.statement!.acks.values()].map((a) => a.envelope.body.decision).sort()).toEqual([
      'confirm',
      'confirm',
      'object',
    ]);
  });

  it('a typed input that differs from the expected value blocks the step until an exception is acknowledged', async () => {
    const result = await simulateCeremony({
      script,
      scriptBytes: SCRIPT,
      coordinatorName: 'Ada',
      participants: people,
      steps: { bag: { inputs: { serial: 'BB999' } }, seal: { inputs: { newbag: 'BB101' } } },
    });
    const report = await auditBundle(result.bundle, result.receipts);
    expect(report.findings).toEqual([]);
    const bag = report.state!.steps[0]!;
    expect(bag.statement!.message.envelope.body.checks).toEqual([
      { id: 'serial.value', ok: false, expected: 'BB100 ($expected.bag)', observed: 'BB999' },
    ]);
    expect(bag.exceptions).toHaveLength(1);
  });
});

describe('the coordinator refuses, and changes nothing', () => {
  it('a step before every role has its minimum', async () => {
    const { coordinator, devices } = await openSession();
    await coordinator.receive((await devices[0]!.enroll()).wire);
    const before = coordinator.state.head;
    const prepared = await coordinator.prepareStatement('bag', { serial: 'BB100' }, []);
    await expect(coordinator.issueStatement(prepared)).rejects.toEqual(rejectedWith('ENROLLMENT_INCOMPLETE'));
    expect(coordinator.state.head).toEqual(before);
  });

  it('an enrolment for the coordinator role, and one over the role maximum', async () => {
    const { coordinator } = await openSession();
    // A device refuses to join as the coordinator's role…
    await expect(join(coordinator, 'Eve', 'admin')).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringMatching(/role "admin" is not a participant role/),
    });
    // …so a forged enrolment for it is signed by hand, and the coordinator refuses it.
    const eve = await generateSigner();
    const forged = await signMessage(eve, {
      t: 'enroll',
      sid: coordinator.genesis.envelope.sid,
      at: Date.now(),
      body: { genesis: coordinator.genesis.id, name: 'Eve', role: 'admin', alg: eve.alg, key: eve.publicKey },
    });
    await expect(coordinator.receive(forged.wire)).rejects.toEqual(rejectedWith('ENROLLMENT_INVALID'));
    for (let i = 0; i < 3; i++) {
      const w = await join(coordinator, `W${i}`, 'witness');
      await coordinator.receive((await w.enroll()).wire);
    }
    const fourth = await join(coordinator, 'W4', 'witness');
    await expect(coordinator.receive((await fourth.enroll()).wire)).rejects.toEqual(rejectedWith('ENROLLMENT_INVALID'));
    expect(coordinator.state.participants.size).toBe(3);
  });

  it('acks from a role the step does not ask for, from a stranger, and re-scans', async () => {
    const { coordinator, devices, signers } = await openSession();
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    const statement = await coordinator.issueStatement(
      await coordinator.prepareStatement('bag', { serial: 'BB100' }, []),
    );
    const carol = devices[2]!;
    const review = await scan(coordinator, carol);
    expect(review.eligible).toBe(false);
    await expect(carol.confirm()).rejects.toThrow(/asks for witness, not custodian/);
    await expect(carol.object('not my step')).rejects.toThrow(/asks for witness, not custodian/);
    expect(carol.signed.map((m) => m.t)).toEqual(['enroll']);
    // A custodian device that signs anyway (here, by hand with its key) is refused by the coordinator.
    const forced = await signMessage(signers[2]!, {
      t: 'ack',
      sid: statement.envelope.sid,
      at: Date.now(),
      prev: statement.envelope.prev,
      body: { ref: statement.id, decision: 'confirm', recomputed: false, challenge: false },
    });
    await expect(coordinator.receive(forced.wire)).rejects.toEqual(rejectedWith('ACK_ROLE_NOT_REQUIRED'));
    // A device that joined and enrolled on its own, but whose enrolment the coordinator never scanned.
    // Its own device sees its enrolment missing from the record and refuses to answer; signed by
    // hand with its key, the answer is refused by the coordinator.
    const mallory = await generateSigner();
    const stranger = await join(coordinator, 'Mallory', 'witness', mallory);
    await stranger.enroll();
    for (const m of await coordinator.transmission()) await stranger.receive(m.wire);
    expect(await stranger.next()).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/^your enrolment was left out of the record .*: tell the room; do not sign$/),
    });
    await expect(stranger.confirm()).rejects.toThrow(/nothing is waiting for an answer/);
    const strangerAck = await signMessage(mallory, { ...forced.envelope, at: Date.now() });
    await expect(coordinator.receive(strangerAck.wire)).rejects.toEqual(rejectedWith('UNKNOWN_SIGNER'));
    await scan(coordinator, devices[0]!);
    const ack = await devices[0]!.confirm();
    expect((await coordinator.receive(ack.wire)).status).toBe('accepted');
    const entries = coordinator.state.entries.length;
    expect((await coordinator.receive(ack.wire)).status).toBe('duplicate');
    expect(coordinator.state.entries.length).toBe(entries);
  });

  it('an irreversible step without its typed confirmation, and a close before the last step', async () => {
    const { coordinator, devices } = await openSession();
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    await coordinator.issueStatement(await coordinator.prepareStatement('bag', { serial: 'BB100' }, []));
    for (const d of devices.slice(0, 2)) await answer(coordinator, d);
    await expect(
      coordinator.issueStatement(await coordinator.prepareStatement('keygen', {}, [], 'root-kye')),
    ).rejects.toEqual(rejectedWith('IRREVERSIBLE_NOT_CONFIRMED'));
    await expect(coordinator.issueStatement(await coordinator.prepareStatement('keygen', {}, []))).rejects.toEqual(
      rejectedWith('IRREVERSIBLE_NOT_CONFIRMED'),
    );
    await expect(coordinator.close()).rejects.toEqual(rejectedWith('CLOSE_PREMATURE'));
    await coordinator.issueStatement(await coordinator.prepareStatement('keygen', {}, [], 'root-key'));
  });

  it('the next step while the current one lacks its quorum or has an unresolved objection', async () => {
    const { coordinator, devices } = await openSession();
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    const statement = await coordinator.issueStatement(
      await coordinator.prepareStatement('bag', { serial: 'BB100' }, []),
    );
    await answer(coordinator, devices[0]!);
    const next = () =>
      coordinator.prepareStatement('keygen', {}, [], 'root-key').then((p) => coordinator.issueStatement(p));
    await expect(next()).rejects.toEqual(rejectedWith('QUORUM_NOT_MET'));
    await answer(coordinator, devices[1]!, 'bag seal torn');
    await expect(next()).rejects.toEqual(rejectedWith('OBJECTION_NOT_RESOLVED'));
    const exception = await coordinator.issueException(
      'Seal photographed; bag replaced under witness, new serial recorded in step seal.',
    );
    for (const d of devices.slice(0, 2)) {
      // The exception travels with its statement as context; the device answers the exception.
      const review = await scan(coordinator, d);
      expect(review.target.id).toEqual(exception.id);
      expect(review.statement.id).toEqual(statement.id);
      expect((await coordinator.receive((await d.confirm()).wire)).status).toBe('accepted');
    }
    expect(coordinator.currentCompletion()?.complete).toBe(true);
    await next();
  });
});

describe('the participant device refuses', () => {
  it('a genesis for a different script', async () => {
    const { coordinator } = await openSession();
    const otherBytes = utf8(new TextDecoder().decode(SCRIPT).replace('Session rules test', 'Another script'));
    const other = parseScript(otherBytes);
    await expect(join(coordinator, 'W', 'witness', undefined, other, otherBytes)).rejects.toThrow(
      /script hash .* differs from this device's script/,
    );
  });

  it('a statement not signed by the coordinator of its session', async () => {
    const { coordinator, devices } = await openSession();
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    const other = await openSession();
    for (const d of other.devices) await other.coordinator.receive((await d.enroll()).wire);
    const foreign = await other.coordinator.issueStatement(
      await other.coordinator.prepareStatement('bag', { serial: 'BB100' }, []),
    );
    const receipt = devices[0]!.receipt();
    await expect(devices[0]!.receive(foreign.wire)).rejects.toThrow(/belongs to another session/);
    expect(await devices[0]!.next()).toMatchObject({ kind: 'waiting', target: undefined });
    expect(devices[0]!.receipt()).toEqual(receipt);
    expect(coordinator.state.current).toBe(-1);
  });

  it('an objection without a reason', async () => {
    const { coordinator, devices } = await openSession();
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    await coordinator.issueStatement(await coordinator.prepareStatement('bag', { serial: 'BB100' }, []));
    await scan(coordinator, devices[0]!);
    await expect(devices[0]!.object('  ')).rejects.toThrow(/needs a reason/);
    expect(devices[0]!.signed.map((m) => m.t)).toEqual(['enroll']);
    expect((await devices[0]!.next()).kind).toBe('review');
  });
});

it('throws SessionRejectedError carrying findings', () => {
  expect(new SessionRejectedError([{ code: 'QUORUM_NOT_MET', message: 'x' }]).code).toBe('SESSION_REJECTED');
});

describe('earlier evidence travels with the statement that refers to it', () => {
  it('a witness who did not take part in the key generation step still recomputes spki_equals on its own device', async () => {
    const { readFile } = await import('node:fs/promises');
    const { checkEvidence } = await import('../../../../src/core/evidence/checks.js');
    const { installCryptoEngine } = await import('../../../../src/node/crypto-engine.js');
    installCryptoEngine();
    const dir = new URL('../../../../assets/ceremonies/root-ca-rehearsal/', import.meta.url);
    const keygen = new Uint8Array(await readFile(new URL('3.2/keygen.txt', dir)));
    const pub = new Uint8Array(await readFile(new URL('3.3/root_pub.pem', dir)));
    const text = utf8(`format: keywitness-script/1
id: reference-test
title: Evidence references across steps
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: custodian, title: Custodian, min: 1 }
  - { id: witness, title: Witness, min: 1 }
steps:
  - id: keygen
    title: Generate
    evidence: [{ id: keygen, kind: hsm-output, parser: pkcs11-tool, expect: { key_type: EC } }]
    acks: { roles: [custodian], min: 1, recompute: true }
  - id: export
    title: Export the public key
    evidence: [{ id: pub, kind: public-key, expect: { spki_equals: keygen } }]
    acks: { roles: [witness], min: 1, recompute: true }
`);
    const s = parseScript(text);
    const result = await simulateCeremony({
      script: s,
      scriptBytes: text,
      coordinatorName: 'Ada',
      checker: checkEvidence,
      participants: [
        { name: 'Carol', role: 'custodian' },
        { name: 'Wendy', role: 'witness' },
      ],
      steps: {
        keygen: { evidence: [{ id: 'keygen', name: 'keygen.txt', bytes: keygen }] },
        export: { evidence: [{ id: 'pub', name: 'pub.pem', bytes: pub }] },
      },
    });
    const report = await auditBundle(result.bundle, result.receipts, { checker: checkEvidence });
    expect(report.findings).toEqual([]);
    const exportStep = report.state!.steps[1]!;
    // Wendy confirmed (no exception was needed) after recomputing the comparison herself.
    expect(exportStep.exceptions).toEqual([]);
    const ack = [...exportStep.statement!.acks.values()][0]!;
    expect(ack.envelope.body).toMatchObject({ decision: 'confirm', recomputed: true });
    expect(exportStep.statement!.message.envelope.body.checks.find((c) => c.id === 'pub.spki_equals')?.ok).toBe(true);
  });
});

describe('persistence', () => {
  const FILE_SCRIPT = utf8(`format: keywitness-script/1
id: persist-test
title: Persistence
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 1 }
steps:
  - id: gen
    title: Generate
    irreversible: { confirm: go }
    evidence: [{ id: out, kind: file }]
    acks: { roles: [witness], min: 1 }
`);
  const fileScript = parseScript(FILE_SCRIPT);

  it('a refused statement persists nothing; evidence journaled before a crash is not exported; restore re-checks and continues', async () => {
    const records: PersistRecord[] = [];
    const persist = async (r: PersistRecord) => {
      records.push(r);
    };
    const signer = await generateSigner();
    const coordinator = await Coordinator.open({
      script: fileScript,
      scriptBytes: FILE_SCRIPT,
      signer,
      name: 'Ada',
      mode: 'rehearsal',
      persist,
    });
    const device = await ParticipantSession.join(
      { signer: await generateSigner(), script: fileScript, scriptBytes: FILE_SCRIPT, name: 'W', role: 'witness' },
      coordinator.genesis.wire,
    );
    await coordinator.receive((await device.enroll()).wire);
    const evidence = [{ id: 'out', name: 'out.txt', bytes: utf8('generated') }];
    const before = records.length;
    await expect(
      coordinator.issueStatement(await coordinator.prepareStatement('gen', {}, evidence, 'og')),
    ).rejects.toEqual(rejectedWith('IRREVERSIBLE_NOT_CONFIRMED'));
    expect(records.length).toBe(before);

    // A crash after the evidence was journaled but before its statement: restore, then carry on.
    const crashed: PersistRecord[] = [...records, { kind: 'evidence', data: utf8('half-issued evidence') }];
    const restored = await Coordinator.restore(
      { script: fileScript, scriptBytes: FILE_SCRIPT, signer, name: 'Ada' },
      crashed,
    );
    expect(restored.state.participants.size).toBe(1);
    const statement = await restored.issueStatement(await restored.prepareStatement('gen', {}, evidence, 'go'));
    expect((await scan(restored, device)).target.id).toEqual(statement.id);
    await restored.receive((await device.confirm()).wire);
    await restored.close();
    const bundle = await restored.exportBundle();
    expect(bundle.evidence.map((e) => new TextDecoder().decode(e.data))).toEqual(['generated']);
    const report = await auditBundle(bundle, []);
    expect(report.findings.map((f) => f.code)).toEqual(['ATTESTATION_MISSING']);
  });
});
