/**
 * The tamper suite over the deviation scenarios (retry, suspend, abort): each audits clean with
 * every receipt; dropping any single transcript entry, or swapping any two neighbouring entries,
 * is flagged; and a coordinator holding every key who drops a whole attempt and re-signs around it
 * is caught by the receipts. Evidence checks are not re-run here: the chain and the rule fold
 * catch these mutations, and leaving the checker out keeps hundreds of audits fast.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import { auditSession } from '../../../../src/core/audit/verdict.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import type { Signer } from '../../../../src/core/protocol/identity.js';
import type { SimulationResult } from '../../../../src/core/session/simulate.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import type { DemoScenario } from '../../../../src/cli/demo-plan.js';
import { playDemo } from '../../../support/demo.js';
import { envelopes, rechain, resealed } from '../../../support/rechain.js';

const SCENARIOS = ['retry', 'suspend', 'abort'] as const satisfies readonly DemoScenario[];
const demos = new Map<DemoScenario, SimulationResult>();

beforeAll(async () => {
  for (const s of SCENARIOS) demos.set(s, await playDemo(s));
}, 180_000);

const demo = (s: DemoScenario): SimulationResult => demos.get(s)!;

async function codes(
  s: DemoScenario,
  transcript: readonly Uint8Array[],
  withReceipts = false,
  seal = demo(s).bundle.seal,
): Promise<string[]> {
  const d = demo(s);
  const report = await auditBundle({ ...d.bundle, transcript, seal }, withReceipts ? d.receipts : []);
  return [...new Set(report.findings.map((f) => f.code))].sort();
}

describe.each(SCENARIOS)('scenario %s', (scenario) => {
  it('audits clean with every receipt and the evidence re-checked, and the verdict says how it ended', async () => {
    const d = demo(scenario);
    // No device refused anything the coordinator showed.
    expect(d.refusals).toEqual([]);
    const result = await auditSession(d.bundle, d.receipts, { checker: checkEvidence });
    expect(result.findings).toEqual([]);
    expect(result.verdict.outcome).toBe(scenario === 'abort' ? 'aborted' : 'complete');
    if (scenario === 'abort') expect(result.verdict.headline).toMatch(/^Consistent: 0 findings\. ABORTED at step 3\.2/);
    // The transcript ends with the close followed only by attestations.
    const types = envelopes(d.bundle.transcript).map((e) => e.t);
    const close = types.indexOf('close');
    expect(types.slice(close + 1).every((t) => t === 'attest')).toBe(true);
    expect(types.slice(close + 1)).toHaveLength(d.devices.length);
  });

  it('dropping any single entry is flagged', async () => {
    const t = demo(scenario).bundle.transcript;
    const clean: number[] = [];
    for (const i of t.keys()) {
      if (
        (
          await codes(
            scenario,
            t.filter((_, j) => j !== i),
          )
        ).length === 0
      )
        clean.push(i);
    }
    expect(clean).toEqual([]);
  }, 120_000);

  it('swapping any two neighbouring entries is flagged (two attestations by the seal)', async () => {
    const t = demo(scenario).bundle.transcript;
    const clean: number[] = [];
    for (const i of t.keys()) {
      if (i + 1 >= t.length) break;
      const swapped = [...t];
      [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
      if ((await codes(scenario, swapped)).length === 0) clean.push(i);
    }
    // Attestations answer the close and nothing answers them: their order is committed to by the
    // export's seal, outside the transcript. Every other swap breaks the chain.
    expect(clean).toEqual([]);
  }, 120_000);
});

describe('a dropped attempt', () => {
  it('re-signed around with every key, it is invisible in the bundle alone and caught by the receipts', async () => {
    const d = demo('retry');
    const signers = new Map<string, Signer>([
      [toHex(d.coordinatorSigner.fingerprint), d.coordinatorSigner],
      ...d.devices.map((x) => [toHex(x.signer.fingerprint), x.signer] as const),
    ]);
    const t = d.bundle.transcript;
    const list = envelopes(t);
    const ids = new Map(t.map((w, i) => [toHex(sha256(w)), list[i]!] as const));
    // The first attempt of step 2.2: its statement, the repeat exception, and every answer to them.
    const retried = list.findIndex((e) => e.t === 'statement' && (e.body as { retry?: unknown }).retry !== undefined);
    const exceptionId = toHex((list[retried]!.body as { retry: Uint8Array }).retry);
    const exception = list.findIndex((_, i) => toHex(sha256(t[i]!)) === exceptionId);
    const firstId = toHex((list[exception]!.body as { ref: Uint8Array }).ref);
    const first = list.findIndex((_, i) => toHex(sha256(t[i]!)) === firstId);
    const gone = new Set([firstId, exceptionId]);
    const kept = list.filter(
      (e, i) =>
        i !== first && i !== exception && !(e.t === 'ack' && gone.has(toHex((e.body as { ref: Uint8Array }).ref))),
    );
    delete (list[retried]!.body as { retry?: unknown }).retry;
    const forged = await rechain(kept, signers, ids);
    const seal = await resealed(forged, d.coordinatorSigner);
    expect(await codes('retry', forged, false, seal)).toEqual([]);
    expect(await codes('retry', forged, true, seal)).toEqual(['RECEIPT_ENTRY_MISSING', 'RECEIPT_LOG_MISMATCH']);
  });
});
