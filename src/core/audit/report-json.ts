/**
 * The audit as JSON (`keywitness audit --json`, README "Audit findings"): the verdict, every
 * finding, whose receipts the audit had and whose it lacked, and the roles the script pins nobody
 * to. Built from the same AuditResult the text report and the auditor's screen format.
 */
import { attendanceTimeline } from '../session/state-roster.js';
import type { SignedMessage } from '../protocol/message.js';
import { stepCompletion } from '../session/completion.js';
import { toHex } from '../util/bytes.js';
import type { Finding } from './findings.js';
import type { AuditResult, SessionOutcome } from './verdict.js';

export const AUDIT_JSON_FORMAT = 'keywitness-audit/1';

export interface AuditJsonParticipant {
  readonly name: string;
  readonly role: string;
  /** Key fingerprint, hex. */
  readonly fingerprint: string;
}

export interface AuditJson {
  readonly format: typeof AUDIT_JSON_FORMAT;
  /** SHA-256 of the bundle file's bytes, hex. */
  readonly bundle_sha256: string;
  /** SHA-256 of the script in the bundle, hex. */
  readonly script_sha256: string;
  /** The coordinator's key fingerprint from the genesis, hex (null without a genesis). */
  readonly coordinator: string | null;
  readonly verdict: {
    readonly consistent: boolean;
    /** How the session ended: "complete", "aborted", "suspended" or "open". */
    readonly outcome: SessionOutcome;
    readonly findings: number;
    readonly text: string;
    readonly proves: readonly string[];
    readonly does_not_prove: readonly string[];
  };
  readonly findings: readonly Finding[];
  /** Participants whose receipt was given and accepted, each once. */
  readonly receipts: readonly (AuditJsonParticipant & { readonly enrolled: boolean })[];
  /** Enrolled participants without an accepted receipt. */
  readonly receipts_missing: readonly AuditJsonParticipant[];
  /** Roles the script pins no participant to (null when the script does not parse). */
  readonly unpinned_roles: readonly { readonly id: string; readonly title: string }[] | null;
  /** How the auditor's expectations came out: "matches", "differs" or "not given". */
  readonly expected: AuditResult['expected'];
  /**
   * Who was present at each step's statement (fingerprints hex; null for a step with no
   * statement), and every roster change in order (null without a genesis).
   */
  readonly attendance: {
    readonly steps: readonly { readonly step: string; readonly present: readonly string[] | null }[];
    readonly changes: readonly {
      readonly change: 'join' | 'leave' | 'replace';
      readonly participant: string;
      readonly replaces: string | null;
      readonly reason: string;
      readonly at: number;
      readonly complete: boolean;
    }[];
  } | null;
  /** Every step with a statement: each attempt in order, with what each exception decided. */
  readonly steps: readonly AuditJsonStep[];
  /** Suspensions, resumes and the abort, in transcript order. */
  readonly events: readonly AuditJsonEvent[];
}

export interface AuditJsonStep {
  readonly id: string;
  readonly complete: boolean;
  readonly attempts: readonly {
    /** The attempt's statement id, hex. */
    readonly statement: string;
    readonly at: string;
    readonly exceptions: readonly {
      readonly id: string;
      readonly decision: 'proceed' | 'repeat';
      readonly reason: string;
    }[];
  }[];
}

export interface AuditJsonEvent {
  readonly type: 'suspend' | 'resume' | 'abort';
  readonly id: string;
  readonly at: string;
  readonly reason: string;
  /** Acknowledgements it received (suspends need none). */
  readonly confirmations: number;
}

/** The JSON document for an audit of the bundle whose file bytes hash to `bundleSha256`. */
export function auditJson(result: AuditResult, bundleSha256: Uint8Array): AuditJson {
  const { verdict } = result;
  const by = result.report.state?.genesis?.envelope.by;
  return {
    format: AUDIT_JSON_FORMAT,
    bundle_sha256: toHex(bundleSha256),
    script_sha256: toHex(result.report.scriptHash),
    coordinator: by ? toHex(by) : null,
    verdict: {
      consistent: verdict.consistent,
      outcome: verdict.outcome,
      findings: verdict.findings,
      text: verdict.text,
      proves: verdict.proves,
      does_not_prove: verdict.doesNotProve,
    },
    findings: result.findings,
    receipts: result.receipts.given.map((o) => ({
      name: o.name,
      role: o.role,
      fingerprint: toHex(o.fingerprint),
      enrolled: o.enrolled,
    })),
    receipts_missing: result.receipts.missing.map((p) => ({
      name: p.name,
      role: p.role,
      fingerprint: toHex(p.identity.fingerprint),
    })),
    unpinned_roles: result.unpinnedRoles?.map((r) => ({ id: r.id, title: r.title })) ?? null,
    expected: result.expected,
    steps: stepsJson(result),
    events: eventsJson(result),
    attendance: attendanceJson(result),
  };
}

function attendanceJson(result: AuditResult): AuditJson['attendance'] {
  const state = result.report.state;
  if (!state?.genesis) return null;
  const timeline = attendanceTimeline(state);
  return {
    steps: state.steps.map((s, i) => ({ step: s.spec.id, present: timeline.steps[i] ?? null })),
    changes: timeline.changes.map((c) => ({
      change: c.change,
      participant: c.participant,
      replaces: c.replaces ?? null,
      reason: c.reason,
      at: c.at,
      complete: c.complete,
    })),
  };
}

function stepsJson(result: AuditResult): AuditJsonStep[] {
  const state = result.report.state;
  if (!state) return [];
  return state.steps
    .filter((p) => p.attempts.length > 0)
    .map((p) => ({
      id: p.spec.id,
      complete: stepCompletion(p, state.participants).complete,
      attempts: p.attempts.map((a) => ({
        statement: toHex(a.statement.message.id),
        at: new Date(a.statement.message.envelope.at).toISOString(),
        exceptions: a.exceptions.map((x) => ({
          id: toHex(x.message.id),
          decision: x.message.envelope.body.decision,
          reason: x.message.envelope.body.reason,
        })),
      })),
    }));
}

function eventsJson(result: AuditResult): AuditJsonEvent[] {
  const state = result.report.state;
  if (!state) return [];
  const confirmed = (acks: ReadonlyMap<string, SignedMessage<'ack'>>): number =>
    [...acks.values()].filter((a) => a.envelope.body.decision === 'confirm').length;
  const at = (m: SignedMessage): string => new Date(m.envelope.at).toISOString();
  const out: AuditJsonEvent[] = [];
  for (const { suspend, resume } of state.events.suspensions) {
    out.push({
      type: 'suspend',
      id: toHex(suspend.id),
      at: at(suspend),
      reason: suspend.envelope.body.reason,
      confirmations: 0,
    });
    if (resume)
      out.push({
        type: 'resume',
        id: toHex(resume.message.id),
        at: at(resume.message),
        reason: resume.message.envelope.body.reason ?? '',
        confirmations: confirmed(resume.acks),
      });
  }
  const abort = state.events.abort;
  if (abort)
    out.push({
      type: 'abort',
      id: toHex(abort.message.id),
      at: at(abort.message),
      reason: abort.message.envelope.body.reason,
      confirmations: confirmed(abort.acks),
    });
  return out;
}
