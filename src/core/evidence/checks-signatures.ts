/**
 * The expectations that verify rather than compare (docs/architecture.md, "Evidence and checks"):
 * `signatures: valid` checks every signature the evidence carries exactly as `keywitness verify`
 * does, with the certificates of the file and of the evidence `signed_by` names as the possible
 * issuers; `lints: clean` holds the certificates to the profile lints of
 * `cert-lint.ts` (no error-level lint), and applies by default to a CA certificate unless the script
 * says `lints: skip`. The YubiHSM 2 attestation expectations are in `checks-attestation.ts`.
 */
import type { CheckResult } from '../checks.js';
import { formatTime } from '../util/time-format.js';
import { claimsCa, lintCertificate, type Lint } from './cert-lint.js';
import type { CheckContext } from './checks-context.js';
import type { ParsedEvidence } from './parse.js';
import { certificateNameBytes } from './signed-object.js';
import {
  allValid,
  verifyEvidenceSignatures,
  type EvidenceVerification,
  type SignatureCheck,
  type TrustedCertificate,
} from './verify-signatures.js';

/** How many signatures or lints an observed text names before it says how many more there are. */
const SHOWN = 8;

function some<T>(items: readonly T[], show: (t: T) => string): string {
  const head = items.slice(0, SHOWN).map(show).join('; ');
  return items.length > SHOWN ? `${head}; and ${items.length - SHOWN} more` : head;
}

/**
 * The certificates of the evidence the expect map names with `signed_by`, each named by where it
 * is. Only evidence the script names counts: a witness's device is sent exactly the evidence a
 * step's checks refer to, so an issuer found anywhere else would give the coordinator and the
 * witness different results.
 */
export function namedIssuers(ctx: CheckContext, expect: Readonly<Record<string, unknown>>): TrustedCertificate[] {
  const id = expect.signed_by;
  if (typeof id !== 'string') return [];
  const p = ctx.resolve(id);
  if (typeof p === 'string' || p.kind !== 'certificate') return [];
  const many = p.certificates.length > 1;
  return p.certificates.map((cert, i) => {
    const source = many ? `evidence ${id}, certificate ${i + 1}` : `evidence ${id}`;
    return { cert, names: certificateNameBytes(cert.der, source), source };
  });
}

/** `verify`'s words for where issuers come from, as a script says it. */
function inScriptTerms(detail: string): string {
  return detail
    .replace(/pass its certificate with --issuer/g, 'name the evidence that holds its certificate with signed_by')
    .replace(/given with --issuer/g, 'in the evidence signed_by names');
}

/** The latest start of the validity windows the verification saw, if any. */
function latestStart(v: EvidenceVerification): Date | undefined {
  const starts = v.checks.flatMap((c) => (c.window?.from ? [c.window.from.getTime()] : []));
  return starts.length ? new Date(Math.max(...starts)) : undefined;
}

/**
 * `signatures: valid` (or `{valid_at: DATE}`). Validity windows (RRSIG inception and expiration
 * above all, which decide whether a DNSSEC signature counts) are judged at the date given, or else
 * at the latest start among them: every signature must hold at one moment, and the result does not
 * depend on the day a witness or an auditor re-runs the check.
 */
export async function checkSignatures(
  ctx: CheckContext,
  value: unknown,
  expect: Readonly<Record<string, unknown>>,
): Promise<CheckResult[]> {
  const trust = { certificates: namedIssuers(ctx, expect), dnssec: { ds: [], keys: [] } };
  const pinned =
    typeof value === 'object' && value !== null ? String((value as { valid_at: unknown }).valid_at) : undefined;
  let v: EvidenceVerification;
  let when = '';
  if (pinned !== undefined) {
    v = await verifyEvidenceSignatures(ctx.bytes, ctx.where, trust, { at: new Date(Date.parse(pinned)) });
    when = ` at ${pinned}`;
  } else {
    // A first pass finds the windows (RRSIG times are read in serial arithmetic near today).
    const first = await verifyEvidenceSignatures(ctx.bytes, ctx.where, trust, { at: new Date() });
    const at = latestStart(first);
    v = at === undefined ? first : await verifyEvidenceSignatures(ctx.bytes, ctx.where, trust, { at });
    if (at !== undefined) when = ` at ${formatTime(at)}, the latest start of their validity windows`;
  }
  const ok = allValid([v]);
  const failing = v.checks.filter((c) => c.status !== 'valid');
  const observed =
    v.checks.length === 0
      ? 'the evidence carries no signature'
      : ok
        ? `${v.checks.length} valid: ${some(v.checks, (c: SignatureCheck) => `${c.object} by ${c.signer}`)}`
        : `${failing.length} of ${v.checks.length} not valid: ${some(failing, (c) => `${c.object}: ${c.status}: ${inScriptTerms(c.detail)}`)}`;
  return [ctx.result('signatures', ok, `every signature valid${when}`, observed)];
}

/** Whether `lints: clean` applies without being declared: to a CA certificate. */
export function lintsApplyByDefault(p: ParsedEvidence): boolean {
  return p.kind === 'certificate' && claimsCa(p.certificates[0]);
}

/** Every lint of every certificate in the file, each with the certificate it is about. */
function lintsOf(p: Extract<ParsedEvidence, { kind: 'certificate' }>, where: string): { at: string; lint: Lint }[] {
  const many = p.certificates.length > 1;
  return p.certificates.flatMap((cert, i) => {
    const at = many ? `certificate ${i + 1} "${cert.subject}"` : `"${cert.subject}"`;
    const names = certificateNameBytes(cert.der, many ? `${where} certificate ${i + 1}` : where);
    return lintCertificate(cert, { names }).map((lint) => ({ at, lint }));
  });
}

/**
 * `lints: clean` (no error-level lint on any certificate of the file) or `lints: skip` (the script
 * turns the default off: the result passes and still names the errors it did not hold against the
 * certificate, so the room sees them). `byDefault`: the script did not declare it.
 */
export function checkLints(
  ctx: CheckContext,
  p: Extract<ParsedEvidence, { kind: 'certificate' }>,
  value: unknown,
  byDefault: boolean,
): CheckResult[] {
  const found = lintsOf(p, ctx.where);
  const errors = found.filter((f) => f.lint.severity === 'error');
  const others = found.filter((f) => f.lint.severity !== 'error');
  const show = (f: { at: string; lint: Lint }): string => `${f.at} ${f.lint.code}: ${f.lint.message}`;
  const rest = others.length
    ? `; ${others.length} warning(s)/notice(s): ${others.map((f) => f.lint.code).join(', ')}`
    : '';
  if (value === 'skip')
    return [
      ctx.result(
        'lints',
        true,
        'certificate lints not held against it (the script says lints: skip)',
        errors.length ? `not held against it: ${some(errors, show)}${rest}` : `no error-level lint${rest}`,
      ),
    ];
  const expected = byDefault
    ? 'no error-level certificate lint (on by default for a CA certificate; lints: skip turns it off)'
    : 'no error-level certificate lint';
  return [
    ctx.result(
      'lints',
      errors.length === 0,
      expected,
      errors.length ? `${errors.length} error(s): ${some(errors, show)}${rest}` : `no error-level lint${rest}`,
    ),
  ];
}
