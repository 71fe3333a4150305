/**
 * Scenario `late-join` played end to end over the simulated devices: a witness enrols after the
 * first step and joins by a roster change the room acknowledges on their devices; a custodian's
 * device is replaced before the key generation, and the old device says so and signs nothing more.
 * The tamper part (evidence checks not re-run: the chain and the rules catch these) drops any
 * single entry or swaps any two neighbours, and forges the replaced key's answers back in.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { ParticipantSession } from '../../../../src/core/session/participant-session.js';
import type { SimulationResult } from '../../../../src/core/session/simulate.js';
import type { Signer } from '../../../../src/core/protocol/identity.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { envelopes, rechain, resealed } from '../../../support/rechain.js';
import { playDemo } from '../../../support/demo.js';

let demo: SimulationResult;
beforeAll(async () => {
  demo = await playDemo('late-join');
}, 120_000);

describe('scenario late-join', () => {
  it('audits with zero findings with every receipt, the replaced device among them', async () => {
    const report = await auditBundle(demo.bundle, demo.receipts, { checker: checkEvidence });
    expect(report.findings).toEqual([]);
    expect(demo.receipts.length).toBe(demo.devices.length + demo.retired.length);
    expect(demo.retired.map((d) => d.name)).toEqual(['Chris Tanaka']);
  });

  it('the replaced device says it was replaced and signs nothing more', async () => {
    const old = demo.retired[0]!;
    const action = await old.session.next();
    expect(action.kind).toBe('absent');
    if (action.kind === 'absent') expect(action.reason).toMatch(/this device was replaced by a new device of yours/);
    await expect(old.session.attest(true)).rejects.toThrow(/no close to attest/);
  });

  it('the newcomer answers only what was issued after their join, and attests', async () => {
    const wen = demo.devices.find((d) => d.name === 'Wen Li')!;
    const acks = wen.session.signed.filter((m) => m.t === 'ack');
    const transcript = demo.coordinator.state;
    const join = transcript.attendance.changes.find(
      (c) => c.message.t === 'roster' && c.message.envelope.body.change === 'join',
    )!;
    const joinSeq = transcript.seqOf(join.message.id)!;
    for (const a of acks) {
      const ref = a.t === 'ack' ? a.envelope.body.ref : new Uint8Array();
      expect(transcript.seqOf(ref)!).toBeGreaterThan(joinSeq);
    }
    expect(acks.length).toBeGreaterThan(0);
    expect(transcript.attestations.has(toHex(wen.signer.fingerprint))).toBe(true);
  });

  it('the newcomer, the replacement and the replaced device each restore from their journals', async () => {
    for (const d of [
      ...demo.devices.filter((x) => x.name === 'Wen Li' || x.name === 'Chris Tanaka'),
      ...demo.retired,
    ]) {
      const restored = await ParticipantSession.restore({ signer: d.signer, checker: checkEvidence }, d.journal);
      expect((await restored.next()).kind).toBe((await d.session.next()).kind);
      expect(restored.enrolment?.envelope.body.replaces).toEqual(d.session.enrolment?.envelope.body.replaces);
    }
  });

  it('the transcript ends with the close followed only by attestations', () => {
    const types = demo.coordinator.state.entries.map((e) => e.message?.t);
    const close = types.indexOf('close');
    expect(types.slice(close + 1).every((t) => t === 'attest')).toBe(true);
    expect(types.filter((t) => t === 'roster')).toHaveLength(2);
  });
});

/** Findings of the demo bundle with another transcript: under the demo's seal, or a re-sealed one. */
async function codes(transcript: readonly Uint8Array[], withReceipts = false, reseal = false): Promise<string[]> {
  const seal = reseal ? await resealed(transcript, demo.coordinatorSigner) : demo.bundle.seal;
  const report = await auditBundle({ ...demo.bundle, transcript, seal }, withReceipts ? demo.receipts : []);
  return [...new Set(report.findings.map((f) => f.code))].sort();
}

describe('scenario late-join, tampered', () => {
  it('dropping any single entry is flagged', async () => {
    const t = demo.bundle.transcript;
    const clean: number[] = [];
    for (const i of t.keys()) if ((await codes(t.filter((_, j) => j !== i))).length === 0) clean.push(i);
    expect(clean).toEqual([]);
  }, 120_000);

  it('swapping any two neighbouring entries is flagged (two attestations by the seal)', async () => {
    const t = demo.bundle.transcript;
    const clean: number[] = [];
    for (const i of t.keys()) {
      if (i + 1 >= t.length) break;
      const swapped = [...t];
      [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
      if ((await codes(swapped)).length === 0) clean.push(i);
    }
    expect(clean).toEqual([]);
  }, 120_000);

  const signers = (): Map<string, Signer> =>
    new Map([
      [toHex(demo.coordinatorSigner.fingerprint), demo.coordinatorSigner],
      ...[...demo.devices, ...demo.retired].map((d) => [toHex(d.signer.fingerprint), d.signer] as const),
    ]);

  it('the replaced key answering a later statement, forged in with every key, is ACK_FROM_ABSENT', async () => {
    const t = demo.bundle.transcript;
    const list = envelopes(t);
    const ids = new Map(t.map((w, i) => [toHex(sha256(w)), list[i]!] as const));
    const old = demo.retired[0]!;
    const fresh = demo.devices.find((d) => d.name === old.name)!;
    // The new device's confirmation of the key generation, re-signed as though the old key gave it.
    const i = list.findIndex((e) => e.t === 'ack' && toHex(e.by) === toHex(fresh.signer.fingerprint));
    list.splice(i + 1, 0, { ...structuredClone(list[i]!), by: old.signer.fingerprint });
    expect(await codes(await rechain(list, signers(), ids), false, true)).toContain('ACK_FROM_ABSENT');
  });

  it('a coordinator that drops the replace and its acknowledgements and re-signs around them is still found', async () => {
    const t = demo.bundle.transcript;
    const list = envelopes(t);
    const ids = new Map(t.map((w, i) => [toHex(sha256(w)), list[i]!] as const));
    const replace = list.find((e) => e.t === 'roster' && (e.body as { change: string }).change === 'replace')!;
    const refOf = (e: (typeof list)[number]) =>
      e.body.ref instanceof Uint8Array ? ids.get(toHex(e.body.ref)) : undefined;
    const edited = list.filter((e) => e !== replace && !(e.t === 'ack' && refOf(e) === replace));
    const found = await codes(await rechain(edited, signers(), ids), true, true);
    // The new device never joined, so its answers and attestation are refused; the receipts of
    // those who acknowledged the replace hold answers the transcript lacks.
    expect(found).toEqual(expect.arrayContaining(['ACK_FROM_ABSENT', 'RECEIPT_ENTRY_MISSING', 'ROSTER_INCOMPLETE']));
  });
});
