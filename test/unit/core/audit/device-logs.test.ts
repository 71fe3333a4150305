/**
 * What the record proves from the bundle alone: each closing attestation commits to its device's
 * log, so a coordinator that leaves an answer out, or shows one witness a different statement, is
 * found without any receipt; and times that cannot be true are findings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resealed } from '../../../support/rechain.js';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { decodeMessage, signMessage } from '../../../../src/core/protocol/message.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { Coordinator } from '../../../../src/core/session/coordinator.js';
import { deviceLog, loggedIds } from '../../../../src/core/session/device-log.js';
import type { Receipt } from '../../../../src/core/session/files.js';
import { ParticipantSession } from '../../../../src/core/session/participant-session.js';
import type { SimulationResult } from '../../../../src/core/session/simulate.js';
import { CLOCK_TOLERANCE_MS } from '../../../../src/core/session/state.js';
import { toHex, utf8 } from '../../../../src/core/util/bytes.js';
import { playDemo } from '../../../support/demo.js';

async function codes(result: SimulationResult, receipts: readonly Receipt[] = []): Promise<string[]> {
  const report = await auditBundle(result.bundle, receipts, { checker: checkEvidence });
  return [...new Set(report.findings.map((f) => f.code))].sort();
}

let honest: SimulationResult;
let dishonest: SimulationResult;
beforeAll(async () => {
  [honest, dishonest] = await Promise.all([playDemo('objection'), playDemo('dropped-objection')]);
});

describe('attested device logs', () => {
  it('every attestation of an honest session commits to the log the transcript reproduces', async () => {
    const messages = honest.bundle.transcript.map((w) => decodeMessage(w));
    const genesis = messages[0];
    if (!genesis) throw new Error('empty transcript');
    for (const device of honest.devices) {
      const attest = device.session.attestation;
      expect(attest).toBeDefined();
      const ids = loggedIds(device.signer.fingerprint, messages);
      // The enrolment, then a (target, answer) pair per answer.
      expect(ids.length % 2).toBe(1);
      expect(toHex(attest?.envelope.body.log ?? new Uint8Array())).toBe(toHex(deviceLog(genesis.id, ids)));
    }
    expect(await codes(honest, honest.receipts)).toEqual([]);
  });

  it("a dropped objection: the victim's device refuses to go on, and the bundle shows it with no receipts, some, and all", async () => {
    const victim = dishonest.devices.find((d) => d.name === 'Chris Tanaka');
    if (!victim) throw new Error('no victim');
    // The victim's device did object and holds the objection it signed.
    expect(victim.session.signed.some((m) => m.t === 'ack' && m.envelope.body.decision === 'object')).toBe(true);
    // At every later step it is asked, and at the close, it finds the objection left out of the record.
    expect(dishonest.refusals.map((r) => [r.name, r.at])).toEqual(
      ['4.1', '5.1', '5.2', '5.3', '6.2', 'close'].map((at) => ['Chris Tanaka', at]),
    );
    for (const r of dishonest.refusals) {
      expect(r.reason).toBe(
        "your objection to step 3.2 was left out of the record (the coordinator's statement for step 3.3 goes on without it): tell the room; do not sign",
      );
    }
    expect(victim.session.attestation).toBeUndefined();
    expect(honest.refusals).toEqual([]);
    const others = dishonest.receipts.filter((r) => toHex(r.participant) !== toHex(victim.signer.fingerprint));
    expect(await codes(dishonest)).toEqual(['ATTESTATION_MISSING']);
    expect(await codes(dishonest, others)).toEqual(['ATTESTATION_MISSING']);
    expect(await codes(dishonest, dishonest.receipts)).toEqual(['ATTESTATION_MISSING', 'RECEIPT_ENTRY_MISSING']);
    const report = await auditBundle(dishonest.bundle, [], { checker: checkEvidence });
    expect(report.findings[0]?.participant).toMatch(/^Chris Tanaka \(custodian/);
  });

  it('had the victim attested anyway (a device that does not track the head), its log gives the drop away', async () => {
    const victim = dishonest.devices.find((d) => d.name === 'Chris Tanaka')!;
    const genesis = decodeMessage(dishonest.bundle.transcript[0]!);
    const close = dishonest.coordinator.state.close!;
    // The log the device keeps: its enrolment, then each answered message and its answer.
    const ids = victim.session.signed.flatMap((m) => (m.t === 'ack' ? [m.envelope.body.ref, m.id] : [m.id]));
    const attest = await signMessage(victim.signer, {
      t: 'attest',
      sid: genesis.envelope.sid,
      at: close.envelope.at + 1,
      prev: close.envelope.prev,
      body: { ref: close.id, agree: true, log: deviceLog(genesis.id, ids) },
    });
    const transcript = [...dishonest.bundle.transcript, attest.wire];
    const bundle = { ...dishonest.bundle, transcript, seal: await resealed(transcript, dishonest.coordinatorSigner) };
    const report = await auditBundle(bundle, [], { checker: checkEvidence });
    expect([...new Set(report.findings.map((f) => f.code))]).toEqual(['LOG_MISMATCH']);
  });
});

const SLOTS = readFileSync(join(import.meta.dirname, '../evidence/samples/softhsm2-util-show-slots.txt'));
const SCRIPT = utf8(`format: keywitness-script/1
id: device-logs
title: Device logs
roles:
  - { id: admin, title: Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 2, max: 3 }
steps:
  - id: slots
    title: List the token slots
    evidence:
      - { id: slots, kind: hsm-output, parser: softhsm2-util, expect: { success: true } }
    acks: { roles: [witness], min: 2, recompute: true }
`);
const small = parseScript(SCRIPT);

async function room(clock?: () => number) {
  const coordinatorSigner = await generateSigner();
  const coordinator = await Coordinator.open({
    script: small,
    scriptBytes: SCRIPT,
    signer: coordinatorSigner,
    name: 'Ada',
    mode: 'rehearsal',
    checker: checkEvidence,
  });
  const signers: Signer[] = await Promise.all([0, 1, 2].map(() => generateSigner()));
  const devices = await Promise.all(
    signers.map((signer, i) =>
      ParticipantSession.join(
        {
          signer,
          script: small,
          scriptBytes: SCRIPT,
          name: `W${i + 1}`,
          role: 'witness',
          checker: checkEvidence,
          ...(clock ? { clock } : {}),
        },
        coordinator.genesis.wire,
      ),
    ),
  );
  return { coordinator, coordinatorSigner, devices, signers };
}

describe('equivocation', () => {
  it('a witness shown another statement, whose answer the coordinator leaves out, is found from the bundle', async () => {
    const { coordinator, coordinatorSigner, devices } = await room();
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    const [w1, w2, w3] = devices as [ParticipantSession, ParticipantSession, ParticipantSession];
    // W3 alone is shown a statement with other evidence, signed by the coordinator but never recorded.
    const other = new TextEncoder().encode(new TextDecoder().decode(SLOTS).replace('Slot 0', 'Slot 7'));
    const prepared = await coordinator.prepareStatement('slots', {}, [
      { id: 'slots', name: 'slots.txt', bytes: other },
    ]);
    const shadow = await signMessage(coordinatorSigner, {
      t: 'statement',
      sid: coordinator.genesis.envelope.sid,
      at: Date.now(),
      prev: coordinator.state.head,
      appended: coordinator.state.appendedSince(),
      body: {
        step: 'slots',
        n: 0,
        inputs: {},
        evidence: prepared.evidence.map(({ id, kind, sha256, size, name }) => ({ id, kind, sha256, size, name })),
        checks: prepared.checks.map(({ id, ok, expected, observed }) => ({ id, ok, expected, observed })),
      },
    });
    const blob = await signMessage(coordinatorSigner, {
      t: 'blob',
      sid: coordinator.genesis.envelope.sid,
      at: Date.now(),
      body: { name: 'slots.txt', kind: 'hsm-output', data: other },
    });
    await w3.receive(shadow.wire);
    await w3.receive(blob.wire);
    await w3.confirm();
    // Everyone else sees the real statement; it completes with W1 and W2.
    await coordinator.issueStatement(
      await coordinator.prepareStatement('slots', {}, [{ id: 'slots', name: 'slots.txt', bytes: SLOTS }]),
    );
    for (const d of [w1, w2]) {
      for (const m of await coordinator.transmission()) await d.receive(m.wire);
      await coordinator.receive((await d.confirm()).wire);
    }
    await coordinator.close();
    for (const d of devices) for (const m of await coordinator.transmission()) await d.receive(m.wire);
    // W3's device folds the real statement at the point where it holds the shadow: two records.
    expect(await w3.next()).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/^the coordinator showed two different messages at the same point of the record/),
    });
    await expect(w3.attest(true)).rejects.toThrow(/there is no close to attest/);
    for (const d of [w1, w2]) await coordinator.receive((await d.attest(true)).wire);
    const report = await auditBundle(await coordinator.exportBundle(), [], { checker: checkEvidence });
    expect(report.findings.map((f) => [f.code, f.participant?.split(' ')[0]])).toEqual([['ATTESTATION_MISSING', 'W3']]);
  });
});

describe('time', () => {
  it('an answer dated hours before the statement it answers is refused live and found in a bundle', async () => {
    const { coordinator, devices, signers } = await room();
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    const statement = await coordinator.issueStatement(
      await coordinator.prepareStatement('slots', {}, [{ id: 'slots', name: 'slots.txt', bytes: SLOTS }]),
    );
    const backdated = await signMessage(signers[0] as Signer, {
      t: 'ack',
      sid: coordinator.genesis.envelope.sid,
      at: statement.envelope.at - 3 * 60 * 60 * 1000,
      prev: statement.envelope.prev,
      body: { ref: statement.id, decision: 'confirm', recomputed: true, challenge: false },
    });
    const before = coordinator.state.entries.length;
    await expect(coordinator.receive(backdated.wire)).rejects.toThrow(
      /TIME_OUT_OF_ORDER: an answer signed at .* before the statement it answers/,
    );
    expect(coordinator.state.entries).toHaveLength(before);
    // The audit applies the same fold to a bundle holding it.
    // (It is also dated before the genesis and before the signer's own enrolment.)
    expect(coordinator.state.evaluate(backdated, true).findings).toContainEqual(
      expect.objectContaining({
        code: 'TIME_OUT_OF_ORDER',
        message: expect.stringMatching(/before the statement it answers/),
      }),
    );
  });

  it('a device whose clock is four minutes behind, within the tolerance, takes part as usual', async () => {
    const behind = CLOCK_TOLERANCE_MS - 60 * 1000;
    const { coordinator, devices } = await room(() => Date.now() - behind);
    for (const d of devices) await coordinator.receive((await d.enroll()).wire);
    await coordinator.issueStatement(
      await coordinator.prepareStatement('slots', {}, [{ id: 'slots', name: 'slots.txt', bytes: SLOTS }]),
    );
    for (const d of devices.slice(0, 2)) {
      for (const m of await coordinator.transmission()) await d.receive(m.wire);
      await expect(coordinator.receive((await d.confirm()).wire)).resolves.toMatchObject({ status: 'accepted' });
    }
    expect(coordinator.currentCompletion()?.complete).toBe(true);
  });

  it("a device whose clock is hours behind is refused at enrolment, before the session's genesis", async () => {
    const { coordinator, devices } = await room(() => Date.now() - 3 * 60 * 60 * 1000);
    const enrol = await (devices[0] as ParticipantSession).enroll();
    await expect(coordinator.receive(enrol.wire)).rejects.toThrow(
      /CLOCK_SKEW: W1 \(witness\)'s device clock is 180 min 0 s behind the coordinator's.*; TIME_OUT_OF_ORDER: signed at .* before the session's genesis/,
    );
  });

  it('a device whose clock runs hours ahead is refused live, and its times are a finding at the close', async () => {
    const { coordinator, devices } = await room(() => Date.now() + 3 * 60 * 60 * 1000);
    const enrol = await (devices[0] as ParticipantSession).enroll();
    await expect(coordinator.receive(enrol.wire)).rejects.toThrow(
      /CLOCK_SKEW: W1 \(witness\)'s device clock is 180 min 0 s ahead of the coordinator's; the script allows 300 s: set the device's clock/,
    );
    // Forged into the record anyway, the close that follows is dated hours before it.
    for (const d of devices) {
      const m = d.enrolment ?? (await d.enroll());
      const { findings, commit } = coordinator.state.evaluate(m, true);
      expect(findings).toEqual([]);
      commit();
    }
    await expect(coordinator.close()).rejects.toThrow(
      /TIME_OUT_OF_ORDER: 3 entries before the close are dated after it \(the first, a enroll/,
    );
  });
});
