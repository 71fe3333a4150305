/**
 * The audit (docs/architecture.md, "Formats: audit findings"): re-verifies a session bundle and participants' receipts from
 * the bytes alone and returns findings with stable codes. It runs the same rule fold as the
 * coordinator, leniently, then checks what only an auditor can: evidence bytes against their signed
 * digests, check results recomputed from those bytes, closing attestations, and receipts against
 * the transcript.
 */
import type { CheckResult, EvidenceChecker, EvidenceItem } from '../checks.js';
import { attestedLogFindings } from './device-logs.js';
import { prepareVerifyKeys, type PublicIdentity } from '../protocol/identity.js';
import {
  decodeMessage,
  isMessageOf,
  selfCertifiedIdentity,
  verifyMessage,
  type SignedMessage,
} from '../protocol/message.js';
import { parseScript } from '../script/parse.js';
import type { Script } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';
import type { Bundle, Receipt } from '../session/files.js';
import { presentParticipants } from '../session/room.js';
import { SessionState } from '../session/state.js';
import { auditReceipts, type ReceiptAccount } from './receipts.js';
import { sealFindings } from './seal.js';
import type { Finding } from './findings.js';

export interface AuditOptions {
  /** Re-evaluates evidence expectations; without it only input checks are recomputed. */
  readonly checker?: EvidenceChecker;
}

export interface AuditReport {
  readonly findings: readonly Finding[];
  /** The parsed script, when it parses. */
  readonly script: Script | undefined;
  readonly scriptHash: Uint8Array;
  /** The rule fold's final state, for timelines and displays (undefined when the script is invalid). */
  readonly state: SessionState | undefined;
  /** Evidence bytes that match their signed digests, by SHA-256 hex. */
  readonly evidence: ReadonlyMap<string, Uint8Array>;
  /** Check results recomputed by the auditor, by statement id hex. */
  readonly recomputed: ReadonlyMap<string, readonly CheckResult[]>;
  /** Whose receipts the audit had, and which enrolled participants gave none. */
  readonly receipts: ReceiptAccount;
}

/** The receipt account of a bundle that could not be audited as far as its participants. */
const NO_RECEIPTS: ReceiptAccount = { given: [], missing: [], enrolled: 0 };

/** Audit a bundle and any receipts. Never throws for bad content: every problem is a finding. */
export async function auditBundle(
  bundle: Bundle,
  receipts: readonly Receipt[] = [],
  options: AuditOptions = {},
): Promise<AuditReport> {
  const findings: Finding[] = [];
  const scriptHash = sha256(bundle.script);
  // Signature checks run in WebCrypto's worker threads. The keys come first: genesis and enroll
  // open the transcript and carry them. Once they are imported, each later message's check starts
  // as soon as it is decoded, so decoding, parsing the script and the rule fold all overlap with
  // the checks instead of adding to them.
  const decoded: (SignedMessage | Finding)[] = [];
  const verdicts: (Promise<boolean> | undefined)[] = [];
  const keys = new Map<string, PublicIdentity>();
  const verify = (m: SignedMessage | Finding): Promise<boolean> | undefined => {
    if (!('envelope' in m)) return undefined;
    const key = keys.get(toHex(m.envelope.by));
    return key ? verifyMessage(m, key) : undefined;
  };
  let opening = true;
  for (const [seq, wire] of bundle.transcript.entries()) {
    const m = decodeEntry(wire, seq);
    decoded.push(m);
    verdicts.push(undefined);
    if (!('envelope' in m)) continue;
    registerSelfCertifiedKey(m, keys);
    if (opening && (m.envelope.t === 'genesis' || m.envelope.t === 'enroll')) continue;
    if (opening) {
      opening = false;
      await prepareVerifyKeys(keys.values());
      for (const [i, earlier] of decoded.entries()) if (i < seq) verdicts[i] = verify(earlier);
    }
    verdicts[seq] = verify(m);
  }
  // Keys that arrived late (an enrolment after the opening, or a transcript of enrolments only),
  // and the messages that could not be checked before them.
  await prepareVerifyKeys(keys.values());
  for (const [i, m] of decoded.entries()) if (verdicts[i] === undefined) verdicts[i] = verify(m);

  let script: Script;
  try {
    script = parseScript(bundle.script);
  } catch (e) {
    await Promise.allSettled(verdicts.filter((v) => v !== undefined));
    findings.push({
      code: 'SCRIPT_INVALID',
      message: `the script in the bundle does not parse: ${(e as Error).message}`,
    });
    return {
      findings,
      script: undefined,
      scriptHash,
      state: undefined,
      evidence: new Map(),
      recomputed: new Map(),
      receipts: NO_RECEIPTS,
    };
  }

  const state = new SessionState(script);
  for (const [seq, m] of decoded.entries()) {
    if (!('envelope' in m)) {
      findings.push(m);
      const wire = bundle.transcript[seq];
      if (wire) state.appendRaw(wire, sha256(wire));
      continue;
    }
    const { findings: f, commit } = state.evaluate(m, await verdicts[seq]);
    findings.push(...f);
    commit();
  }
  if (!state.genesis && decoded.length === 0)
    findings.push({ code: 'GENESIS_MISSING', message: 'the transcript is empty' });
  findings.push(...closingFindings(state));
  findings.push(...attestedLogFindings(state));
  findings.push(...(await sealFindings(bundle.seal, state)));

  if (!state.genesis) {
    return { findings, script, scriptHash, state, evidence: new Map(), recomputed: new Map(), receipts: NO_RECEIPTS };
  }
  const evidence = checkEvidenceBytes(bundle, state, findings);
  const recomputed = await recomputeChecks(state, evidence, options.checker, findings);
  const receiptAudit = await auditReceipts(receipts, state);
  findings.push(...receiptAudit.findings);
  return { findings, script, scriptHash, state, evidence, recomputed, receipts: receiptAudit.account };
}

function decodeEntry(wire: Uint8Array, seq: number): SignedMessage | Finding {
  try {
    return decodeMessage(wire);
  } catch (e) {
    return { code: 'MESSAGE_MALFORMED', message: `entry ${seq} is not a valid message: ${(e as Error).message}`, seq };
  }
}

/** Record the key a genesis or enroll carries when its fingerprint matches (self-certifying). */
function registerSelfCertifiedKey(m: SignedMessage, keys: Map<string, PublicIdentity>): void {
  if (!isMessageOf(m, 'genesis', 'enroll')) return;
  const fp = toHex(m.envelope.by);
  if (keys.has(fp)) return;
  const identity = selfCertifiedIdentity(m);
  if (equalBytes(identity.fingerprint, m.envelope.by)) keys.set(fp, identity);
}

function closingFindings(state: SessionState): Finding[] {
  const findings: Finding[] = [];
  if (!state.genesis) return findings;
  // A session exported while suspended is a true record that ends at the suspend: nothing was due after it.
  if (!state.close && state.events.suspended) return findings;
  if (!state.close) {
    findings.push({
      code: 'CLOSE_MISSING',
      message: `the session was never closed (last step with a statement: ${state.script.steps[state.current]?.id ?? 'none'})`,
    });
    return findings;
  }
  // Those present at the close attest to it: not one who left, a replaced device, or an enrolment that never joined.
  for (const [fp, p] of presentParticipants(state)) {
    const attest = state.attestations.get(fp);
    if (!attest)
      findings.push({
        code: 'ATTESTATION_MISSING',
        message: `${p.label} gave no closing attestation`,
        participant: p.label,
      });
    else if (!attest.envelope.body.agree) {
      findings.push({
        code: 'ATTESTATION_DISAGREES',
        message: `${p.label} does not agree with the record: "${attest.envelope.body.reason ?? 'no reason given'}"`,
        participant: p.label,
      });
    }
  }
  return findings;
}

/** Match the bundle's evidence bytes with the digests statements signed. */
function checkEvidenceBytes(bundle: Bundle, state: SessionState, findings: Finding[]): Map<string, Uint8Array> {
  const byClaimed = new Map<string, Uint8Array>();
  for (const [i, e] of bundle.evidence.entries()) {
    if (!equalBytes(sha256(e.data), e.sha256)) {
      findings.push({
        code: 'EVIDENCE_HASH_MISMATCH',
        message: `evidence[${i}] does not hash to the ${toHex(e.sha256).slice(0, 16)}… it is filed under: its bytes were changed`,
      });
      continue;
    }
    byClaimed.set(toHex(e.sha256), e.data);
  }
  const referenced = new Set<string>();
  for (const step of state.steps) {
    // Every attempt's evidence: a failed attempt stays in the record with what it imported.
    for (const ref of step.attempts.flatMap((a) => a.statement.message.envelope.body.evidence)) {
      const key = toHex(ref.sha256);
      referenced.add(key);
      if (byClaimed.has(key)) continue;
      const changed = bundle.evidence.some((e) => toHex(e.sha256) === key);
      if (!changed)
        findings.push({
          code: 'EVIDENCE_MISSING',
          message: `evidence "${ref.id}" (${ref.name}) is not in the bundle`,
          step: step.spec.id,
        });
    }
  }
  for (const key of byClaimed.keys()) {
    if (!referenced.has(key))
      findings.push({
        code: 'EVIDENCE_UNREFERENCED',
        message: `the bundle holds evidence ${key.slice(0, 16)}… that no statement refers to`,
      });
  }
  return byClaimed;
}

/** Re-run every evidence check from the verified bytes and compare with each statement's claims. */
async function recomputeChecks(
  state: SessionState,
  evidence: ReadonlyMap<string, Uint8Array>,
  checker: EvidenceChecker | undefined,
  findings: Finding[],
): Promise<Map<string, CheckResult[]>> {
  const results = new Map<string, CheckResult[]>();
  if (!checker) return results;
  const all = new Map<string, EvidenceItem>();
  // In transcript order, so that a later attempt's evidence replaces an earlier one's for the
  // checks of later steps that refer to it, as it did for the coordinator and the devices.
  for (const { step, statement } of state.steps.flatMap((p) =>
    p.attempts.map((a) => ({ step: p, statement: a.statement.message })),
  )) {
    const items: EvidenceItem[] = [];
    for (const ref of statement.envelope.body.evidence) {
      const bytes = evidence.get(toHex(ref.sha256));
      const spec = step.spec.evidence.find((e) => e.id === ref.id);
      if (bytes && spec) items.push({ spec, bytes });
    }
    if (items.length !== statement.envelope.body.evidence.length) continue;
    for (const item of items) all.set(item.spec.id, item);
    const own: CheckResult[] = [];
    for (const item of items) own.push(...(await checker(item, all)));
    results.set(toHex(statement.id), own);
    const evidenceIds = new Set(items.map((i) => i.spec.id));
    const claimed = statement.envelope.body.checks.filter((c) => evidenceIds.has(c.id.slice(0, c.id.indexOf('.'))));
    const ownById = new Map(own.map((c) => [c.id, c]));
    for (const c of claimed) {
      const mine = ownById.get(c.id);
      if (!mine)
        findings.push({
          code: 'CHECK_RESULT_MISMATCH',
          message: `the statement claims a check ${c.id} that the script does not declare`,
          step: step.spec.id,
        });
      else if (mine.ok !== c.ok) {
        findings.push({
          code: 'CHECK_RESULT_MISMATCH',
          message: `check ${c.id}: the statement claims ${c.ok ? 'pass' : 'fail'}, re-running it gives ${mine.ok ? 'pass' : 'fail'} (expected ${mine.expected}, observed ${mine.observed})`,
          step: step.spec.id,
        });
      }
    }
    const claimedIds = new Set(claimed.map((c) => c.id));
    for (const c of own) {
      if (!claimedIds.has(c.id))
        findings.push({
          code: 'CHECK_RESULT_MISMATCH',
          message: `the statement omits check ${c.id} (re-running it gives ${c.ok ? 'pass' : 'fail'})`,
          step: step.spec.id,
        });
    }
  }
  return results;
}
