/**
 * One short form for one key, everywhere (issue 12): the words a participant reads aloud at
 * enrolment are the words in their label (findings, acknowledgement lines), in the audit report,
 * in receipt findings, in a fingerprint's `short`, and in `keywitness words`. Over the demo
 * ceremony's real keys.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../src/cli/main.js';
import { formatAuditReport } from '../../../../src/core/audit/report-text.js';
import { auditSession } from '../../../../src/core/audit/verdict.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { fingerprintOf } from '../../../../src/core/evidence/fingerprints.js';
import { spokenWords, toWords } from '../../../../src/core/protocol/words.js';
import { scriptHashText } from '../../../../src/core/script/hash-text.js';
import type { SimulationResult } from '../../../../src/core/session/simulate.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { playDemo } from '../../../support/demo.js';

let demo: SimulationResult;
beforeAll(async () => {
  demo = await playDemo();
}, 120_000);

async function cliWords(hex: string): Promise<string> {
  let out = '';
  const code = await main(['words', hex], {
    stdout: (t) => void (out += t),
    stderr: () => undefined,
    stdoutBytes: () => undefined,
  });
  expect(code).toBe(0);
  return out;
}

describe('the short form of a key', () => {
  it('is its first four PGP words', () => {
    const fp = demo.devices[0]!.signer.fingerprint;
    expect(spokenWords(fp)).toBe(toWords(fp).slice(0, 4).join(' '));
  });

  it('is the same in labels, the audit report, fingerprints and `keywitness words`', async () => {
    const state = demo.coordinator.state;
    const result = await auditSession(demo.bundle, demo.receipts, { checker: checkEvidence });
    const report = formatAuditReport(result);
    for (const d of demo.devices) {
      const fp = d.signer.fingerprint;
      const spoken = spokenWords(fp);
      expect(state.participants.get(toHex(fp))?.label).toBe(`${d.name} (${d.role}, ${spoken})`);
      expect(report).toContain(`${d.name} — ${d.role} — ${spoken} — receipt given`);
      expect(fingerprintOf(fp, 'SHA-256').short).toBe(spoken);
      expect(await cliWords(toHex(fp))).toContain(`\nshort: ${spoken}\n`);
    }
    const coordinator = demo.coordinatorSigner.fingerprint;
    expect(report).toContain(`(${spokenWords(coordinator)})`);
    // Acknowledgement lines name the participant by the same label.
    const objector = demo.devices.find((d) => report.includes(`OBJECTED  ${d.name} (${d.role}, `));
    expect(objector).toBeDefined();
    expect(report).toContain(
      `OBJECTED  ${objector!.name} (${objector!.role}, ${spokenWords(objector!.signer.fingerprint)})`,
    );
  });

  it('is the same for a script hash', () => {
    const hash = sha256(demo.bundle.script);
    expect(scriptHashText(hash).short).toBe(spokenWords(hash));
  });

  it('names the receipt in receipt findings', async () => {
    const first = demo.receipts[0]!;
    const result = await auditSession(demo.bundle, [first, first], { checker: checkEvidence });
    const dup = result.findings.find((f) => f.code === 'RECEIPT_DUPLICATE');
    expect(dup?.message ?? '').toContain(spokenWords(first.participant));
  });
});
