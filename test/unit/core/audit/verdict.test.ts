/**
 * The verdict never overclaims (README, "What a verdict says"): over the demo ceremony's real
 * signed bundle and receipts, it names whose receipts the audit had, the roles nobody is pinned to,
 * and whether the script hash and coordinator key were compared; the auditor's expectations are
 * findings when they differ; the text report shows each answer's recomputed and challenge flags.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { auditJson } from '../../../../src/core/audit/report-json.js';
import { formatAuditReport } from '../../../../src/core/audit/report-text.js';
import {
  auditSession,
  buildVerdict,
  parseExpectedDigest,
  type AuditExpectations,
  type AuditResult,
} from '../../../../src/core/audit/verdict.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { toWords } from '../../../../src/core/protocol/words.js';
import type { Receipt } from '../../../../src/core/session/files.js';
import type { SimulationResult } from '../../../../src/core/session/simulate.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { playDemo } from '../../../support/demo.js';

let demo: SimulationResult;

beforeAll(async () => {
  demo = await playDemo();
}, 120_000);

const without = (...names: string[]): readonly Receipt[] =>
  demo.receipts.filter((_, i) => !names.includes(demo.devices[i]?.name ?? ''));
const scriptHash = () => sha256(demo.bundle.script);
const coordinatorKey = () => demo.coordinatorSigner.fingerprint;
const wrong = () => new Uint8Array(32).fill(7);
const run = (receipts: readonly Receipt[], expect: AuditExpectations = {}): Promise<AuditResult> =>
  auditSession(demo.bundle, receipts, { checker: checkEvidence, expect });

const UNPINNED = 'Unpinned roles: admin, witness, custodian, auditor.';
const cases: [string, () => Promise<AuditResult>, string][] = [
  [
    'every receipt, nothing expected',
    () => run(demo.receipts),
    `Consistent: 0 findings. Receipts from all 6 enrolled participants. ${UNPINNED} Compare the script hash and coordinator key with the paper record.`,
  ],
  [
    "every receipt but Cathy Novak's",
    () => run(without('Cathy Novak')),
    `Consistent: 0 findings. Receipts from 5 of 6 enrolled participants (missing: Cathy Novak). ${UNPINNED} Compare the script hash and coordinator key with the paper record.`,
  ],
  [
    'no receipt',
    () => run([]),
    `Consistent: 0 findings. Receipts from 0 of 6 enrolled participants (missing: Wanda Okafor, Walter Lindqvist, Carol Mbeki, Chris Tanaka, Cathy Novak, Arjun Rao). ${UNPINNED} Compare the script hash and coordinator key with the paper record.`,
  ],
  [
    'the script hash and coordinator key as expected',
    () => run(demo.receipts, { script: scriptHash(), coordinator: coordinatorKey() }),
    `Consistent: 0 findings. Receipts from all 6 enrolled participants. ${UNPINNED} The script hash and coordinator key equal the expected values given.`,
  ],
  [
    'the script hash as expected, the coordinator key not given',
    () => run(demo.receipts, { script: scriptHash() }),
    `Consistent: 0 findings. Receipts from all 6 enrolled participants. ${UNPINNED} The script hash equals the expected value given. Compare the coordinator key with the paper record.`,
  ],
  [
    'another script expected',
    () => run(demo.receipts, { script: wrong() }),
    `NOT CONSISTENT: 1 finding. Receipts from all 6 enrolled participants. ${UNPINNED} The script hash differs from the expected value given. Compare the coordinator key with the paper record.`,
  ],
  [
    'another coordinator expected, and a receipt given twice',
    () => run([...demo.receipts, demo.receipts[0]!], { script: scriptHash(), coordinator: wrong() }),
    `NOT CONSISTENT: 2 findings. Receipts from all 6 enrolled participants. ${UNPINNED} The script hash equals the expected value given. The coordinator key differs from the expected value given.`,
  ],
];

describe('the verdict', () => {
  it.each(cases)('%s', async (_name, make, text) => {
    const result = await make();
    expect(result.verdict.text).toBe(text);
    expect(result.verdict.consistent).toBe(result.findings.length === 0);
  });

  it('an expectation that differs is a finding of its own code, listed first', async () => {
    const script = await run(demo.receipts, { script: wrong() });
    expect(script.findings.map((f) => f.code)).toEqual(['SCRIPT_NOT_EXPECTED']);
    expect(script.findings[0]?.message).toContain(toHex(scriptHash()));
    expect(script.expected).toEqual({ script: 'differs', coordinator: 'not given' });
    const both = await run([demo.receipts[0]!, demo.receipts[0]!], { script: wrong(), coordinator: wrong() });
    expect(both.findings.map((f) => f.code)).toEqual([
      'SCRIPT_NOT_EXPECTED',
      'COORDINATOR_NOT_EXPECTED',
      'RECEIPT_DUPLICATE',
    ]);
  });

  it('says what it does not prove: the missing receipts, the unpinned roles, the paper record, the hardware', async () => {
    const { verdict } = await run(without('Cathy Novak'));
    expect(verdict.proves.join('\n')).toMatch(/one signed chain/);
    expect(verdict.proves.join('\n')).toMatch(
      /receipts of Wanda Okafor, Walter Lindqvist, Carol Mbeki, Chris Tanaka and Arjun Rao/,
    );
    const not = verdict.doesNotProve.join('\n');
    expect(not).toContain('That every answer of Cathy Novak is in the record');
    expect(not).toContain('Who holds the keys of the unpinned roles (admin, witness, custodian, auditor)');
    expect(not).toContain('until the script hash and coordinator key are compared with it');
    expect(not).toContain('not the hardware');
    expect(not).toContain('this session is a rehearsal');
  });

  it('with findings it proves nothing about the ceremony', async () => {
    const { verdict } = await run(demo.receipts, { script: wrong() });
    expect(verdict.proves).toEqual([
      'What each finding says is wrong, and where: the findings come from the bytes of the files.',
    ]);
    expect(verdict.doesNotProve[0]).toMatch(/^That the ceremony went as the record says/);
  });

  it('a script that pins every role says so', async () => {
    const result = await run(demo.receipts, { script: scriptHash(), coordinator: coordinatorKey() });
    const verdict = buildVerdict({
      findings: [],
      state: result.report.state,
      receipts: result.receipts,
      unpinnedRoles: [],
      expected: result.expected,
      checksRerun: true,
    });
    expect(verdict.text).toBe(
      'Consistent: 0 findings. Receipts from all 6 enrolled participants. Every role is pinned by the script. The script hash and coordinator key equal the expected values given.',
    );
    expect(verdict.doesNotProve.join('\n')).not.toMatch(/unpinned|paper record|every answer of/);
    expect(verdict.gaps).toBe(false);
    expect(result.verdict.gaps).toBe(true);
  });

  it('a bundle without a genesis accounts for no receipt', async () => {
    const result = await auditSession({ ...demo.bundle, transcript: [] }, demo.receipts, { checker: checkEvidence });
    expect(result.verdict.text).toMatch(
      /^NOT CONSISTENT: 1 finding\. No receipt can be accounted for: the transcript has no genesis\./,
    );
    expect(result.receipts).toEqual({ given: [], missing: [], enrolled: 0 });
  });

  it.each([
    ['hex', () => toHex(scriptHash())],
    ['colon hex', () => toHex(scriptHash()).replace(/(..)(?!$)/g, '$1:')],
    ['PGP words', () => toWords(scriptHash()).join(' ')],
  ])('expected values are read as %s', (_name, text) => {
    expect(toHex(parseExpectedDigest(text(), '--expect-script'))).toBe(toHex(scriptHash()));
  });

  it.each([
    ['abcd', /INPUT_INVALID|is 2 bytes/],
    ['zz', /neither hex nor PGP words/],
    ['', /neither hex nor PGP words/],
  ])('refuses %j as an expected value', (text, message) => {
    expect(() => parseExpectedDigest(text, '--expect-script')).toThrow(message);
  });
});

describe('the reports built from it', () => {
  it('the text report leads with the verdict, lists receipts per participant and both flags per answer', async () => {
    const text = formatAuditReport(await run(without('Cathy Novak')), { bundleSha256: new Uint8Array(32) });
    expect(text).toMatch(
      /^Consistent: 0 findings\.\nReceipts from 5 of 6 enrolled participants \(missing: Cathy Novak\)\.\nUnpinned roles: /,
    );
    expect(text).toContain('What this proves:\n  - ');
    expect(text).toContain('What it does not prove:\n  - ');
    expect(text).toMatch(/Cathy Novak — custodian — .* — NO RECEIPT\n/);
    expect(text).toMatch(/Carol Mbeki — custodian — .* — receipt given\n/);
    expect(text).toContain(`key fingerprint ${toHex(coordinatorKey())}`);
    // Step 4.2 asks custodians to recompute and to pass the word challenge.
    // Times read as on every screen: date, time and zone, in UTC.
    const at = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC`;
    expect(text).toMatch(
      new RegExp(String.raw`confirmed Cathy Novak \(custodian, [^)]*\) at ${at} \(recomputed: yes, challenge: yes\)`),
    );
    expect(text).toMatch(
      new RegExp(String.raw`confirmed \S+ \S+ \(witness, [^)]*\) at ${at} \(recomputed: (yes|no), challenge: no\)`),
    );
    expect(text).toMatch(new RegExp(String.raw`\(REHEARSAL\) opened ${at}\n`));
  });

  it('the text report capitalises a flag the step asks for and the answer lacks', async () => {
    const { answerFlags } = await import('../../../../src/core/audit/report-text.js');
    const result = await run(demo.receipts);
    const step = result.report.state?.steps.find((s) => s.spec.acks.challenge);
    const ack = step?.statement ? [...step.statement.acks.values()][0] : undefined;
    expect(step && ack).toBeTruthy();
    if (!step || !ack) return;
    const lacking = { ...ack, envelope: { ...ack.envelope, body: { ...ack.envelope.body, challenge: false } } };
    expect(answerFlags(lacking, step.spec.acks)).toMatch(/challenge: NO \(the step asks for it\)/);
  });

  it('the JSON carries the format, the bundle hash, the verdict, findings, receipts and unpinned roles', async () => {
    const result = await run(without('Cathy Novak'), { script: scriptHash() });
    const json = JSON.parse(JSON.stringify(auditJson(result, sha256(new Uint8Array([1, 2, 3]))))) as Record<
      string,
      unknown
    >;
    expect(Object.keys(json)).toEqual([
      'format',
      'bundle_sha256',
      'script_sha256',
      'coordinator',
      'verdict',
      'findings',
      'receipts',
      'receipts_missing',
      'unpinned_roles',
      'expected',
      'steps',
      'events',
      'attendance',
    ]);
    expect(json).toMatchObject({
      format: 'keywitness-audit/1',
      bundle_sha256: toHex(sha256(new Uint8Array([1, 2, 3]))),
      script_sha256: toHex(scriptHash()),
      coordinator: toHex(coordinatorKey()),
      verdict: { consistent: true, outcome: 'complete', findings: 0, text: result.verdict.text },
      findings: [],
      receipts_missing: [{ name: 'Cathy Novak', role: 'custodian' }],
      unpinned_roles: [
        { id: 'admin', title: 'Ceremony Administrator' },
        { id: 'witness', title: 'Internal Witness' },
        { id: 'custodian', title: 'Key Custodian (Crypto Officer)' },
        { id: 'auditor', title: 'External Auditor (observer)' },
      ],
      expected: { script: 'matches', coordinator: 'not given' },
    });
    expect((json.receipts as { name: string }[]).map((r) => r.name)).toEqual([
      'Wanda Okafor',
      'Walter Lindqvist',
      'Carol Mbeki',
      'Chris Tanaka',
      'Arjun Rao',
    ]);
  });
});
