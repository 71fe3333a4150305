import { describe, expect, it } from 'vitest';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import { generateSigner } from '../../../../src/core/protocol/identity.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { Coordinator, SessionRejectedError } from '../../../../src/core/session/coordinator.js';
import { decodeBundle, decodeReceipt, encodeBundle, encodeReceipt } from '../../../../src/core/session/files.js';
import { ParticipantDevice } from '../../../../src/core/session/participant.js';
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
  const devices = await Promise.all(
    people.map(
      async (p) =>
        new ParticipantDevice({ signer: await generateSigner(p.alg ?? 'ed25519'), name: p.name, role: p.role, script }),
    ),
  );
  for (const d of devices) await d.acceptGenesis(coordinator.genesis.wire);
  return { coordinator, devices };
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
    const admin = new ParticipantDevice({ signer: await generateSigner(), name: 'Eve', role: 'witness', script });
    await admin.acceptGenesis(coordinator.genesis.wire);
    (admin as unknown as { role: string }).role = 'admin';
    await expect(coordinator.receive((await admin.enroll()).wire)).rejects.toEqual(rejectedWith('ENROLLMENT_INVALID'));
    for (let i = 0; i < 3; i++) {
      const w = new ParticipantDevice({ signer: await generateSigner(), name: `W${i}`, role: 'witness', script });
      await w.acceptGenesis(coordinator.genesis.wire);
      await coordinator.receive((await w.enroll()).wire);
    }
    const fourth = new ParticipantDevice({ signer: await generateSigner(), name: 'W4', role: 'witness', script });
    await fourth.acceptGenesis(coordinator.genesis.wire);
    await expect(coordinator.receive((await fourth.enroll()).wire)).rejects.toEqual(rejectedWith('ENROLLMENT_INVALID'));
    expect(coordinator.state.participants.size).toBe(3);
  });

  it('acks from a role the step does not ask for, from a stranger, and re-scans', async () => {
    const { coordinator, devices } = await openSession();
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    const statement = await coordinator.issueStatement(
      await coordinator.prepareStatement('bag', { serial: 'BB100' }, []),
    );
    const carol = devices[2]!;
    const review = await carol.review(statement.wire);
    await expect(carol.acknowledge(review, 'confirm')).rejects.toThrow(/asks for witness, not custodian/);
    // A custodian device that signs anyway is refused by the coordinator.
    (carol as unknown as { role: string }).role = 'witness';
    const forced = await carol.acknowledge(review, 'confirm');
    await expect(coordinator.receive(forced.wire)).rejects.toEqual(rejectedWith('ACK_ROLE_NOT_REQUIRED'));
    const stranger = new ParticipantDevice({
      signer: await generateSigner(),
      name: 'Mallory',
      role: 'witness',
      script,
    });
    await stranger.acceptGenesis(coordinator.genesis.wire);
    const strangerAck = await stranger.acknowledge(await stranger.review(statement.wire), 'confirm');
    await expect(coordinator.receive(strangerAck.wire)).rejects.toEqual(rejectedWith('UNKNOWN_SIGNER'));
    const ack = await devices[0]!.acknowledge(await devices[0]!.review(statement.wire), 'confirm');
    expect((await coordinator.receive(ack.wire)).status).toBe('accepted');
    const entries = coordinator.state.entries.length;
    expect((await coordinator.receive(ack.wire)).status).toBe('duplicate');
    expect(coordinator.state.entries.length).toBe(entries);
  });

  it('an irreversible step without its typed confirmation, and a close before the last step', async () => {
    const { coordinator, devices } = await openSession();
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    const statement = await coordinator.issueStatement(
      await coordinator.prepareStatement('bag', { serial: 'BB100' }, []),
    );
    for (const d of devices.slice(0, 2))
      await coordinator.receive((await d.acknowledge(await d.review(statement.wire), 'confirm')).wire);
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
    await coordinator.receive(
      (await devices[0]!.acknowledge(await devices[0]!.review(statement.wire), 'confirm')).wire,
    );
    const next = () =>
      coordinator.prepareStatement('keygen', {}, [], 'root-key').then((p) => coordinator.issueStatement(p));
    await expect(next()).rejects.toEqual(rejectedWith('QUORUM_NOT_MET'));
    await coordinator.receive(
      (await devices[1]!.acknowledge(await devices[1]!.review(statement.wire), 'object', { reason: 'bag seal torn' }))
        .wire,
    );
    await expect(next()).rejects.toEqual(rejectedWith('OBJECTION_NOT_RESOLVED'));
    const exception = await coordinator.issueException(
      'Seal photographed; bag replaced under witness, new serial recorded in step seal.',
    );
    for (const d of devices.slice(0, 2)) {
      await coordinator.receive(
        (await d.acknowledge(await d.review(exception.wire, [statement.wire]), 'confirm')).wire,
      );
    }
    expect(coordinator.currentCompletion()?.complete).toBe(true);
    await next();
  });
});

describe('the participant device refuses', () => {
  it('a genesis for a different script', async () => {
    const { coordinator } = await openSession();
    const other = parseScript(utf8(new TextDecoder().decode(SCRIPT).replace('Session rules test', 'Another script')));
    const device = new ParticipantDevice({ signer: await generateSigner(), name: 'W', role: 'witness', script: other });
    await expect(device.acceptGenesis(coordinator.genesis.wire)).rejects.toThrow(
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
    await expect(devices[0]!.review(foreign.wire)).rejects.toThrow(/belongs to another session/);
    expect(coordinator.state.current).toBe(-1);
  });

  it('an objection without a reason', async () => {
    const { coordinator, devices } = await openSession();
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    const statement = await coordinator.issueStatement(
      await coordinator.prepareStatement('bag', { serial: 'BB100' }, []),
    );
    await expect(
      devices[0]!.acknowledge(await devices[0]!.review(statement.wire), 'object', { reason: '  ' }),
    ).rejects.toThrow(/needs a reason/);
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
    const keygen = new Uint8Array(await readFile(new URL('3.2-keypairgen.txt', dir)));
    const pub = new Uint8Array(await readFile(new URL('root-ca-p384.pub.pem', dir)));
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
    const records: { kind: string; bytes: Uint8Array }[] = [];
    const persist = async (r: { kind: 'entry'; wire: Uint8Array } | { kind: 'evidence'; data: Uint8Array }) => {
      records.push({ kind: r.kind, bytes: r.kind === 'entry' ? r.wire : r.data });
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
    const device = new ParticipantDevice({
      signer: await generateSigner(),
      name: 'W',
      role: 'witness',
      script: fileScript,
    });
    await device.acceptGenesis(coordinator.genesis.wire);
    await coordinator.receive((await device.enroll()).wire);
    const evidence = [{ id: 'out', name: 'out.txt', bytes: utf8('generated') }];
    const before = records.length;
    await expect(
      coordinator.issueStatement(await coordinator.prepareStatement('gen', {}, evidence, 'og')),
    ).rejects.toEqual(rejectedWith('IRREVERSIBLE_NOT_CONFIRMED'));
    expect(records.length).toBe(before);

    // A crash after the evidence was journaled but before its statement: restore, then carry on.
    const crashed = [...records, { kind: 'evidence', bytes: utf8('half-issued evidence') }];
    const restored = await Coordinator.restore(
      { script: fileScript, scriptBytes: FILE_SCRIPT, signer, name: 'Ada' },
      crashed.map((r) =>
        r.kind === 'entry' ? { kind: 'entry' as const, wire: r.bytes } : { kind: 'evidence' as const, data: r.bytes },
      ),
    );
    expect(restored.state.participants.size).toBe(1);
    const statement = await restored.issueStatement(await restored.prepareStatement('gen', {}, evidence, 'go'));
    await restored.receive((await device.acknowledge(await device.review(statement.wire), 'confirm')).wire);
    await restored.close();
    const bundle = restored.bundle();
    expect(bundle.evidence.map((e) => new TextDecoder().decode(e.data))).toEqual(['generated']);
    const report = await auditBundle(bundle, []);
    expect(report.findings.map((f) => f.code)).toEqual(['ATTESTATION_MISSING']);
  });
});
