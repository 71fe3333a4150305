/**
 * Receipts accounted for (README, "Audit findings"), over real signed messages of the demo
 * ceremony: whose receipts the audit had and whose it lacked, a receipt of another session or of
 * another opening of this one, the same receipt given twice, a receipt that does not verify, and
 * entries a receipt holds that the transcript lacks, whoever left them out or made them up.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import type { FindingCode } from '../../../../src/core/audit/findings.js';
import { auditReceipts, type ReceiptAudit } from '../../../../src/core/audit/receipts.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { decodeMessage, isMessageOf, signMessage } from '../../../../src/core/protocol/message.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import type { Script } from '../../../../src/core/script/types.js';
import { Coordinator } from '../../../../src/core/session/coordinator.js';
import type { Bundle, Receipt } from '../../../../src/core/session/files.js';
import { ParticipantSession } from '../../../../src/core/session/participant-session.js';
import { simulateCeremony, type SimulationResult } from '../../../../src/core/session/simulate.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { DEMO_PARTICIPANTS, DEMO_SCRIPT, loadDemoSteps } from '../../../../src/cli/demo-plan.js';
import { envelopes, rechain } from '../../../support/rechain.js';

let script: Script;
let scriptBytes: Uint8Array;
let demo: SimulationResult;
let other: SimulationResult;

async function playDemo(): Promise<SimulationResult> {
  return simulateCeremony({
    script,
    scriptBytes,
    coordinatorName: 'Ada Lovelace',
    participants: DEMO_PARTICIPANTS,
    steps: await loadDemoSteps(script),
    checker: checkEvidence,
  });
}

beforeAll(async () => {
  installCryptoEngine();
  scriptBytes = new Uint8Array(await readFile(DEMO_SCRIPT));
  script = parseScript(scriptBytes);
  demo = await playDemo();
  other = await playDemo();
}, 120_000);

const ALL = DEMO_PARTICIPANTS.map((p) => p.name);
const device = (name: string) => {
  const d = demo.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no device ${name}`);
  return d;
};
const receiptOf = (name: string): Receipt => device(name).session.receipt();

async function audit(receipts: readonly Receipt[], bundle: Bundle = demo.bundle): Promise<ReceiptAudit> {
  const report = await auditBundle(bundle, [], { checker: checkEvidence });
  if (!report.state) throw new Error('the demo bundle has no state');
  return auditReceipts(receipts, report.state);
}
const codesOf = (r: ReceiptAudit): FindingCode[] => [...new Set(r.findings.map((f) => f.code))].sort();

/** Cathy's device, joined to a second opening of the demo's session id under another coordinator key. */
async function receiptOfAnotherGenesis(): Promise<Receipt> {
  const fork = await Coordinator.open({
    script,
    scriptBytes,
    signer: await generateSigner('ed25519'),
    name: 'Ada Lovelace',
    mode: 'rehearsal',
    sessionId: demo.coordinator.genesis.envelope.sid,
  });
  const cathy = device('Cathy Novak');
  const session = await ParticipantSession.join(
    { signer: cathy.signer, script, scriptBytes, name: cathy.name, role: cathy.role },
    fork.genesis.wire,
  );
  await session.enroll();
  return session.receipt();
}

/** Cathy's receipt with one more objection her key signed, to a statement, that the coordinator never had. */
async function receiptWithFabricatedObjection(): Promise<Receipt> {
  const r = receiptOf('Cathy Novak');
  const statement = r.messages
    .map((w) => decodeMessage(w))
    .find((m) => isMessageOf(m, 'statement') && m.envelope.body.step === '4.1');
  if (!statement || !isMessageOf(statement, 'statement') || !statement.envelope.prev) throw new Error('no 4.1');
  const ack = await signMessage(device('Cathy Novak').signer, {
    t: 'ack',
    sid: statement.envelope.sid,
    at: statement.envelope.at + 1,
    prev: statement.envelope.prev,
    body: { ref: statement.id, decision: 'object', reason: 'I never said this', recomputed: false, challenge: false },
  });
  return { ...r, messages: [...r.messages, ack.wire] };
}

/** The transcript rebuilt without Chris Tanaka's objection and the exception it led to. */
async function droppedObjection(): Promise<Bundle> {
  const T = demo.bundle.transcript;
  const list = envelopes(T);
  const ids = new Map(T.map((w, i) => [toHex(sha256(w)), list[i]!] as const));
  const x = list.findIndex((e) => e.t === 'exception');
  const xId = toHex(sha256(T[x]!));
  const kept = list.filter(
    (e, i) =>
      i !== x &&
      !(e.t === 'ack' && toHex((e.body as { ref: Uint8Array }).ref) === xId) &&
      !(e.t === 'ack' && (e.body as { decision: string }).decision === 'object'),
  );
  const signers = new Map<string, Signer>([
    [toHex(demo.coordinatorSigner.fingerprint), demo.coordinatorSigner],
    ...demo.devices.map((d) => [toHex(d.signer.fingerprint), d.signer] as const),
  ]);
  return { ...demo.bundle, transcript: await rechain(kept, signers, ids) };
}

interface Case {
  readonly receipts: () => Promise<readonly Receipt[]> | readonly Receipt[];
  readonly bundle?: () => Promise<Bundle>;
  readonly codes: readonly FindingCode[];
  readonly given: readonly string[];
  readonly missing: readonly string[];
  /** Words every finding of that code says. */
  readonly says?: readonly [FindingCode, string];
}

const cases: [string, Case][] = [
  ['every receipt', { receipts: () => demo.receipts, codes: [], given: ALL, missing: [] }],
  ['no receipt', { receipts: () => [], codes: [], given: [], missing: ALL }],
  [
    "every receipt but Cathy Novak's",
    {
      receipts: () => demo.receipts.filter((_, i) => demo.devices[i]?.name !== 'Cathy Novak'),
      codes: [],
      given: ALL.filter((n) => n !== 'Cathy Novak'),
      missing: ['Cathy Novak'],
    },
  ],
  [
    "Cathy Novak's receipt given twice",
    {
      receipts: () => [receiptOf('Cathy Novak'), receiptOf('Cathy Novak')],
      codes: ['RECEIPT_DUPLICATE'],
      given: ['Cathy Novak'],
      missing: ALL.filter((n) => n !== 'Cathy Novak'),
      says: ['RECEIPT_DUPLICATE', 'the same receipt given twice'],
    },
  ],
  [
    "Cathy Novak's receipt and a shorter copy of it",
    {
      receipts: () => {
        const r = receiptOf('Cathy Novak');
        return [r, { ...r, messages: r.messages.slice(0, 4) }];
      },
      // The shorter copy no longer gives the log Cathy's attestation commits to.
      codes: ['RECEIPT_DUPLICATE', 'RECEIPT_LOG_MISMATCH'],
      given: ['Cathy Novak'],
      missing: ALL.filter((n) => n !== 'Cathy Novak'),
    },
  ],
  [
    'a receipt of another session',
    {
      receipts: () => [other.receipts[0]!],
      codes: ['RECEIPT_SESSION_MISMATCH'],
      given: [],
      missing: ALL,
    },
  ],
  [
    'a receipt of another genesis under the same session id (not RECEIPT_INVALID)',
    {
      receipts: async () => [await receiptOfAnotherGenesis()],
      codes: ['RECEIPT_GENESIS_MISMATCH'],
      given: [],
      missing: ALL,
      says: ['RECEIPT_GENESIS_MISMATCH', 'another opening of session'],
    },
  ],
  [
    'a receipt with a message altered',
    {
      receipts: () => {
        const r = receiptOf('Wanda Okafor');
        const messages = r.messages.map((m, i) =>
          i === 1 ? Uint8Array.from(m, (b, j) => (j === m.length - 3 ? b ^ 4 : b)) : m,
        );
        return [{ ...r, messages }];
      },
      codes: ['RECEIPT_INVALID'],
      given: [],
      missing: ALL,
    },
  ],
  [
    'a receipt with an objection its owner signed that the coordinator never had',
    {
      receipts: async () => [await receiptWithFabricatedObjection()],
      codes: ['RECEIPT_ENTRY_MISSING', 'RECEIPT_LOG_MISMATCH'],
      given: ['Cathy Novak'],
      missing: ALL.filter((n) => n !== 'Cathy Novak'),
      says: [
        'RECEIPT_ENTRY_MISSING',
        'absent from the session transcript (dropped, never delivered to the coordinator, or fabricated)',
      ],
    },
  ],
  [
    'a dropped objection, re-signed around, without receipts',
    { bundle: droppedObjection, receipts: () => [], codes: [], given: [], missing: ALL },
  ],
  [
    "a dropped objection, re-signed around, with the objector's receipt",
    {
      bundle: droppedObjection,
      receipts: () => [receiptOf('Chris Tanaka')],
      codes: ['RECEIPT_ENTRY_MISSING', 'RECEIPT_LOG_MISMATCH'],
      given: ['Chris Tanaka'],
      missing: ALL.filter((n) => n !== 'Chris Tanaka'),
      says: ['RECEIPT_ENTRY_MISSING', 'absent from the session transcript'],
    },
  ],
];

describe('receipts accounted for', () => {
  it.each(cases)('%s', async (_name, c) => {
    const r = await audit(await c.receipts(), c.bundle ? await c.bundle() : demo.bundle);
    expect(codesOf(r)).toEqual([...c.codes].sort());
    expect(r.account.given.map((o) => o.name)).toEqual(c.given);
    expect(r.account.missing.map((p) => p.name)).toEqual(c.missing);
    expect(r.account.enrolled).toBe(ALL.length);
    const [code, says] = c.says ?? [];
    for (const f of r.findings) if (f.code === code) expect(f.message).toContain(says);
  });

  it("a dropped objection is reported on the objector's own signed objection, never blaming anyone", async () => {
    const r = await audit([receiptOf('Chris Tanaka')], await droppedObjection());
    const objection = r.findings.find((f) => f.message.includes('objection ("I read the key label'));
    expect(objection).toMatchObject({ code: 'RECEIPT_ENTRY_MISSING', step: '3.2' });
    expect(objection?.message).toContain('signed by this participant that is absent from the session transcript');
    expect(objection?.participant).toMatch(/^Chris Tanaka \(custodian, /);
    for (const f of r.findings) expect(f.message).not.toMatch(/coordinator dropped/);
    // The statements the coordinator re-signed are absent too, and said to be the coordinator's.
    expect(r.findings.some((f) => f.message.includes('statement for step 4.1 signed by the coordinator'))).toBe(true);
  });

  it('auditBundle reports the same receipt findings as auditReceipts', async () => {
    const receipts = [receiptOf('Cathy Novak'), receiptOf('Cathy Novak'), await receiptOfAnotherGenesis()];
    const report = await auditBundle(demo.bundle, receipts, { checker: checkEvidence });
    expect(report.findings).toEqual((await audit(receipts)).findings);
  });
});
