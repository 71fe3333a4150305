/**
 * The audit as JSON (`keywitness audit --json`, README "Audit findings"): the verdict, every
 * finding, whose receipts the audit had and whose it lacked, and the roles the script pins nobody
 * to. Built from the same AuditResult the text report and the auditor's screen format.
 */
import { attendanceTimeline } from '../session/state-roster.js';
import { toHex } from '../util/bytes.js';
import type { Finding } from './findings.js';
import type { AuditResult } from './verdict.js';

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
