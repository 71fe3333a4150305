/**
 * The audit's verdict (README, "Audit findings" and "What a verdict says"): one statement of what
 * the audit established and what it did not, built here once; the CLI's text and JSON and the
 * auditor's screen only format it. "Consistent: 0 findings" is a statement about the bytes the
 * audit had: whose receipts it had and whose it lacked, which roles the script pins nobody to, and
 * whether the script hash and the coordinator key were compared with what the auditor expects.
 */
import { KeywitnessError } from '../errors.js';
import { fromWords } from '../protocol/words.js';
import { unpinnedRoles } from '../script/roles.js';
import type { RoleSpec } from '../script/types.js';
import type { Bundle, Receipt } from '../session/files.js';
import type { SessionState } from '../session/state.js';
import { equalBytes, fromHex, toHex } from '../util/bytes.js';
import { auditBundle, type AuditOptions, type AuditReport } from './audit.js';
import type { Finding } from './findings.js';
import type { ReceiptAccount } from './receipts.js';

/** What the auditor expects from the paper record (`keywitness audit --expect-script/--expect-coordinator`). */
export interface AuditExpectations {
  /** SHA-256 of the script file, 32 bytes. */
  readonly script?: Uint8Array;
  /** Fingerprint of the coordinator's key (SHA-256 of the raw public key), 32 bytes. */
  readonly coordinator?: Uint8Array;
}

/** How one expectation came out. */
export type ExpectationState = 'matches' | 'differs' | 'not given';

/**
 * How the session ended, as the transcript records it: closed after every step, aborted (closed
 * after an acknowledged abort), suspended (exported while suspended: true, but incomplete), or
 * open (never closed; a finding says so).
 */
export type SessionOutcome = 'complete' | 'aborted' | 'suspended' | 'open';

export interface Verdict {
  /** Zero findings. */
  readonly consistent: boolean;
  readonly outcome: SessionOutcome;
  readonly findings: number;
  /** "Consistent: 0 findings." or "NOT CONSISTENT: 3 findings." */
  readonly headline: string;
  /** The sentences after the headline: receipts, unpinned roles, the comparison with the paper record. */
  readonly notes: readonly string[];
  /** Headline and notes as one paragraph. */
  readonly text: string;
  /**
   * The notes name something the audit could not establish: a missing receipt, a receipt of a key
   * the transcript does not enrol, a role nobody is pinned to, an expectation not given or differing.
   */
  readonly gaps: boolean;
  /** What this audit establishes. */
  readonly proves: readonly string[];
  /** What it does not, and what a person still has to do. */
  readonly doesNotProve: readonly string[];
}

export interface AuditResult {
  readonly report: AuditReport;
  /** The expectations' findings first, then the report's. */
  readonly findings: readonly Finding[];
  readonly receipts: ReceiptAccount;
  /** Roles the script pins no participant to (undefined when the script does not parse). */
  readonly unpinnedRoles: readonly RoleSpec[] | undefined;
  readonly expected: { readonly script: ExpectationState; readonly coordinator: ExpectationState };
  readonly verdict: Verdict;
}

export interface SessionAuditOptions extends AuditOptions {
  readonly expect?: AuditExpectations;
}

/**
 * Audit a bundle and its receipts as `keywitness audit` and the auditor's screen do: the findings of
 * `auditBundle`, the auditor's expectations, the receipts accounted for, and the verdict.
 */
export async function auditSession(
  bundle: Bundle,
  receipts: readonly Receipt[],
  options: SessionAuditOptions = {},
): Promise<AuditResult> {
  const report = await auditBundle(bundle, receipts, options);
  const expect = options.expect ?? {};
  const { findings: own, expected } = checkExpectations(report, expect);
  const findings = [...own, ...report.findings];
  const receiptAccount = report.receipts;
  const unpinned = report.script ? unpinnedRoles(report.script) : undefined;
  const verdict = buildVerdict({
    findings,
    state: report.state,
    receipts: receiptAccount,
    unpinnedRoles: unpinned,
    expected,
    checksRerun: options.checker !== undefined,
  });
  return { report, findings, receipts: receiptAccount, unpinnedRoles: unpinned, expected, verdict };
}

/** Compare the script hash and the coordinator key with what the auditor expects. */
export function checkExpectations(
  report: Pick<AuditReport, 'scriptHash' | 'state'>,
  expect: AuditExpectations,
): { findings: Finding[]; expected: AuditResult['expected'] } {
  const findings: Finding[] = [];
  let script: ExpectationState = 'not given';
  if (expect.script) {
    script = equalBytes(report.scriptHash, expect.script) ? 'matches' : 'differs';
    if (script === 'differs')
      findings.push({
        code: 'SCRIPT_NOT_EXPECTED',
        message: `the script in the bundle hashes to ${toHex(report.scriptHash)}, the expected script to ${toHex(expect.script)}`,
      });
  }
  let coordinator: ExpectationState = 'not given';
  if (expect.coordinator) {
    const key = report.state?.genesis?.envelope.by;
    coordinator = key && equalBytes(key, expect.coordinator) ? 'matches' : 'differs';
    if (coordinator === 'differs')
      findings.push({
        code: 'COORDINATOR_NOT_EXPECTED',
        message: key
          ? `the session's coordinator key is ${toHex(key)}, the expected coordinator key ${toHex(expect.coordinator)}`
          : `the transcript has no genesis, so no coordinator key to compare with the expected ${toHex(expect.coordinator)}`,
        seq: 0,
      });
  }
  return { findings, expected: { script, coordinator } };
}

/**
 * A SHA-256 or key fingerprint as the paper record prints it: 64 hex digits (colons and spaces
 * allowed) or 32 PGP words. `what` names it in the error.
 */
export function parseExpectedDigest(text: string, what: string): Uint8Array {
  const trimmed = text.trim();
  let bytes: Uint8Array;
  try {
    bytes = /^[0-9a-f:\s]+$/i.test(trimmed) ? fromHex(trimmed) : fromWords(trimmed);
  } catch (e) {
    throw new KeywitnessError('ENCODING_INVALID', `is neither hex nor PGP words: ${(e as Error).message}`, {
      where: what,
      cause: e,
    });
  }
  if (bytes.length !== 32)
    throw new KeywitnessError('INPUT_INVALID', `is ${bytes.length} bytes; a SHA-256 is 32 (64 hex digits, 32 words)`, {
      where: what,
    });
  return bytes;
}

export interface VerdictInput {
  readonly findings: readonly Finding[];
  readonly state: SessionState | undefined;
  readonly receipts: ReceiptAccount;
  readonly unpinnedRoles: readonly RoleSpec[] | undefined;
  readonly expected: AuditResult['expected'];
  /** Whether the evidence checks were re-run from the bytes. */
  readonly checksRerun: boolean;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const list = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;

/** How the session ended, from the rule fold's final state. */
export function sessionOutcome(state: SessionState | undefined): SessionOutcome {
  if (!state) return 'open';
  if (state.close) return state.events.abort ? 'aborted' : 'complete';
  return state.events.suspended ? 'suspended' : 'open';
}

/** The sentence after the headline that says plainly how an aborted or suspended session ended. */
function outcomeSentence(outcome: SessionOutcome, state: SessionState | undefined): string | undefined {
  if (!state) return undefined;
  const reached = state.script.steps[state.current]?.id;
  if (outcome === 'aborted') {
    const abort = state.events.abort?.message.envelope.body;
    return `ABORTED ${abort?.step ? `at step ${abort.step}` : 'before the first step'}: "${abort?.reason ?? ''}".`;
  }
  if (outcome === 'suspended') {
    const suspend = state.events.suspended?.envelope.body;
    return `SUSPENDED ${reached ? `after step ${reached}` : 'before the first step'}: "${suspend?.reason ?? ''}"; the record is incomplete.`;
  }
  return undefined;
}

/** The verdict: headline, notes, what it proves and what it does not. */
export function buildVerdict(input: VerdictInput): Verdict {
  const n = input.findings.length;
  const consistent = n === 0;
  const outcome = sessionOutcome(input.state);
  const ended = outcomeSentence(outcome, input.state);
  const headline = `${consistent ? 'Consistent: 0 findings.' : `NOT CONSISTENT: ${plural(n, 'finding')}.`}${ended ? ` ${ended}` : ''}`;
  const { receipts } = input;
  const enrolledGiven = receipts.given.filter((o) => o.enrolled);
  const strangers = receipts.given.filter((o) => !o.enrolled);
  const missingNames = receipts.missing.map((p) => p.name);
  const notes: string[] = [];
  const proves: string[] = [];
  const doesNotProve: string[] = [];

  // Receipts.
  if (!input.state?.genesis) notes.push('No receipt can be accounted for: the transcript has no genesis.');
  else if (receipts.enrolled === 0) notes.push('No participant is enrolled, so no receipt is expected.');
  else if (receipts.missing.length === 0)
    notes.push(
      receipts.enrolled === 1
        ? 'Receipt from the one enrolled participant.'
        : `Receipts from all ${receipts.enrolled} enrolled participants.`,
    );
  else
    notes.push(
      `Receipts from ${enrolledGiven.length} of ${plural(receipts.enrolled, 'enrolled participant')} (missing: ${missingNames.join(', ')}).`,
    );
  if (strangers.length > 0)
    notes.push(
      `${strangers.length === 1 ? 'One receipt is' : `${strangers.length} receipts are`} from ${strangers.length === 1 ? 'a key' : 'keys'} the transcript does not enrol (${strangers.map((o) => o.name).join(', ')}).`,
    );

  // Pins.
  const unpinned = input.unpinnedRoles;
  if (unpinned === undefined) notes.push('Pinned roles unknown: the script does not parse.');
  else if (unpinned.length === 0) notes.push('Every role is pinned by the script.');
  else notes.push(`Unpinned roles: ${unpinned.map((r) => r.id).join(', ')}.`);

  // The paper record.
  const names = { script: 'script hash', coordinator: 'coordinator key' } as const;
  const by = (state: ExpectationState): string[] =>
    (['script', 'coordinator'] as const).filter((k) => input.expected[k] === state).map((k) => names[k]);
  const matched = by('matches');
  const differs = by('differs');
  const unchecked = by('not given');
  if (matched.length > 0)
    notes.push(
      `The ${list(matched)} ${matched.length === 1 ? 'equals the expected value' : 'equal the expected values'} given.`,
    );
  if (differs.length > 0)
    notes.push(
      `The ${list(differs)} ${differs.length === 1 ? 'differs from the expected value' : 'differ from the expected values'} given.`,
    );
  if (unchecked.length > 0) notes.push(`Compare the ${list(unchecked)} with the paper record.`);

  // What it proves.
  if (consistent) {
    proves.push(
      "The transcript is one signed chain from the genesis to the last attestation: nobody without the signers' keys has edited, reordered or removed an entry since it was signed.",
    );
    proves.push(
      input.checksRerun
        ? "The session follows its script: enrolments, step order, typed inputs, quorums and exceptions; every evidence check, re-run from the bundle's bytes, gives the result its statement claims."
        : 'The session follows its script: enrolments, step order, typed inputs, quorums and exceptions (the evidence checks were not re-run).',
    );
    if (outcome === 'aborted')
      proves.push(
        `The ceremony was aborted, and the abort was acknowledged by the quorum it needed before the close: the steps up to ${input.state?.script.steps[input.state.current]?.id ?? 'the first'} are what happened, and nothing after them.`,
      );
    if (outcome === 'suspended')
      proves.push(
        'The record is true as far as it goes: it ends at the suspend, the last message the coordinator signed, with every acknowledgement received until then.',
      );
    if (input.state?.close && receipts.enrolled > 0)
      proves.push(
        "Every enrolled participant signed a closing attestation that agrees with the record, and the transcript holds everything each one's device attests to having signed and answered.",
      );
    if (enrolledGiven.length > 0) {
      const one = enrolledGiven.length === 1;
      const whose =
        receipts.missing.length === 0 && !one
          ? `all ${receipts.enrolled} enrolled participants`
          : list(enrolledGiven.map((o) => o.name));
      proves.push(
        `Everything in the receipt${one ? '' : 's'} of ${whose}, which ${one ? 'holds' : 'hold'} what ${one ? 'that device' : 'those devices'} signed and answered, is in the transcript.`,
      );
    }
  } else {
    proves.push('What each finding says is wrong, and where: the findings come from the bytes of the files.');
    doesNotProve.push(
      'That the ceremony went as the record says: do not rely on any part of it until every finding is explained.',
    );
  }

  // What it does not prove.
  if (receipts.missing.length > 0)
    doesNotProve.push(
      `That every answer of ${list(missingNames)} is in the record: an answer the coordinator never recorded shows only on the device that signed it, in its receipt.`,
    );
  if (unpinned && unpinned.length > 0)
    doesNotProve.push(
      `Who holds the keys of the unpinned roles (${unpinned.map((r) => r.id).join(', ')}): anyone can produce a consistent session under fresh keys and the same names. Compare each participant's key words with the paper record.`,
    );
  if (unchecked.length > 0)
    doesNotProve.push(
      `That this is the ceremony of the paper record, until the ${list(unchecked)} ${unchecked.length === 1 ? 'is' : 'are'} compared with it.`,
    );
  if (outcome === 'suspended')
    doesNotProve.push(
      'That the ceremony was resumed or completed, or what happened after the suspend: that is in a later export of the session.',
    );
  if (outcome === 'aborted')
    doesNotProve.push('That anything the aborted ceremony produced may be used: the room abandoned it.');
  doesNotProve.push(
    'That the HSM did what its output says, or what happened in the room outside the record: the audit checks the imported evidence against the script, not the hardware.',
  );
  if (input.state?.genesis?.envelope.body.mode === 'rehearsal')
    doesNotProve.push('That anything produced is for production use: this session is a rehearsal.');

  const gaps =
    receipts.missing.length > 0 ||
    strangers.length > 0 ||
    unpinned === undefined ||
    unpinned.length > 0 ||
    matched.length < 2;
  const text = [headline, ...notes].join(' ');
  return { consistent, outcome, findings: n, headline, notes, text, gaps, proves, doesNotProve };
}
