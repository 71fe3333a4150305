/**
 * Two sessions of the same script side by side, typically a rehearsal and its production run:
 * where production did something its rehearsal did not. Each step is compared for what must be
 * the same (the checks that passed, the evidence kinds and parser formats, key types and curves,
 * certificate profiles: extensions, validity length, subject and issuer; the roles that answered;
 * exceptions) and what must differ (keys, serials, digests, times, typed values, the session).
 * The first are differences to explain; the second are listed as expected, never as findings.
 */
import { describeEvidence } from '../evidence/describe.js';
import type { Script, StepSpec } from '../script/types.js';
import type { StepProgress } from '../session/completion.js';
import type { SessionState } from '../session/state.js';
import { toHex } from '../util/bytes.js';
import type { AuditReport } from './audit.js';

/** What differs at one step (or, with step undefined, in the session as a whole). */
export interface StepDifferences {
  readonly step: string | undefined;
  /** Differences that need explaining. */
  readonly unexpected: readonly string[];
  /** Differences every real run has (keys, serials, digests, times, typed values). */
  readonly expected: readonly string[];
}

export interface Comparison {
  readonly steps: readonly StepDifferences[];
  readonly unexpected: number;
}

type Facts = Map<string, string>;

/** Flatten a JSON-safe value into path → text, so that two descriptions compare field by field. */
function flatten(value: unknown, path: string, out: Facts): void {
  if (value === null || typeof value !== 'object') {
    out.set(path, JSON.stringify(value) ?? 'undefined');
    return;
  }
  if (Array.isArray(value)) {
    out.set(`${path}.length`, String(value.length));
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
    return;
  }
  for (const [k, v] of Object.entries(value)) if (v !== undefined) flatten(v, path ? `${path}.${k}` : k, out);
}

/**
 * Fields of an evidence description that every run changes: fingerprints, serials, validity
 * dates, key identifiers, DS digests and key tags, object ids, file sizes.
 */
const EXPECTED_FIELD =
  /(^|\.)(fileSha256|sha256|sha1|spkiSha256|serial|serialBits|notBefore|notAfter|subjectKeyIdentifier|authorityKeyIdentifier|keyId|keyTag|digest|record|ds|id|size|exponent|selfSignature|signature|chain|warnings|errors|facts|text)(\.|\[|$)/;

/**
 * Attributes of an HSM tool's objects that name one token or one key rather than its kind: the
 * slot a fresh token is given (and the slot description that spells it), the token's serial
 * number, the public point, the tools' handles and URIs. A production token and its rehearsal
 * SoftHSM2 token differ in every one of them.
 */
const EXPECTED_HSM_ATTRIBUTE =
  /(^|\.)objects\[\d+\]\.attributes\.(slot|description|serial_number|EC_POINT|uri|handle|key-reference)$/;

async function evidenceFacts(spec: StepSpec['evidence'][number], bytes: Uint8Array): Promise<Facts> {
  const facts: Facts = new Map();
  try {
    flatten(await describeEvidence(spec.kind, bytes, spec.parser), '', facts);
  } catch (e) {
    facts.set('unreadable', e instanceof Error ? e.message : String(e));
  }
  return facts;
}

function rolesAnswering(progress: StepProgress | undefined, state: SessionState): string[] {
  const roles = new Set<string>();
  for (const target of [progress?.statement, ...(progress?.exceptions ?? [])]) {
    for (const key of target?.acks.keys() ?? []) {
      const role = state.participants.get(key)?.role;
      if (role) roles.add(role);
    }
  }
  return [...roles].sort();
}

function describeChange(what: string, a: string | undefined, b: string | undefined): string {
  return `${what}: ${a ?? '(absent)'} in A, ${b ?? '(absent)'} in B`;
}

async function compareStep(
  spec: StepSpec,
  a: { report: AuditReport; state: SessionState },
  b: { report: AuditReport; state: SessionState },
): Promise<StepDifferences> {
  const unexpected: string[] = [];
  const expected: string[] = [];
  const pa = a.state.steps[spec.index];
  const pb = b.state.steps[spec.index];
  const sa = pa?.statement?.message.envelope.body;
  const sb = pb?.statement?.message.envelope.body;
  if (!sa || !sb) {
    if (sa || sb) unexpected.push(`the step has a statement in ${sa ? 'A' : 'B'} only`);
    return { step: spec.id, unexpected, expected };
  }
  const ea = pa.exceptions.length;
  const eb = pb.exceptions.length;
  if (ea !== eb) unexpected.push(describeChange('exceptions', String(ea), String(eb)));

  const checksA = new Map(sa.checks.map((c) => [c.id, c.ok]));
  const checksB = new Map(sb.checks.map((c) => [c.id, c.ok]));
  for (const id of new Set([...checksA.keys(), ...checksB.keys()])) {
    const [x, y] = [checksA.get(id), checksB.get(id)];
    if (x === y) continue;
    const word = (v: boolean | undefined): string | undefined =>
      v === undefined ? undefined : v ? 'passed' : 'FAILED';
    unexpected.push(describeChange(`check ${id}`, word(x), word(y)));
  }
  for (const id of new Set([...Object.keys(sa.inputs), ...Object.keys(sb.inputs)])) {
    if (sa.inputs[id] !== sb.inputs[id]) expected.push(describeChange(`input ${id}`, sa.inputs[id], sb.inputs[id]));
  }

  const rolesA = rolesAnswering(pa, a.state).join(', ');
  const rolesB = rolesAnswering(pb, b.state).join(', ');
  if (rolesA !== rolesB) unexpected.push(describeChange('roles that answered', rolesA || 'none', rolesB || 'none'));

  for (const e of spec.evidence) {
    const ra = sa.evidence.find((r) => r.id === e.id);
    const rb = sb.evidence.find((r) => r.id === e.id);
    if (!ra || !rb) {
      if (ra || rb) unexpected.push(`evidence ${e.id} is recorded in ${ra ? 'A' : 'B'} only`);
      continue;
    }
    if (ra.kind !== rb.kind) unexpected.push(describeChange(`evidence ${e.id} kind`, ra.kind, rb.kind));
    if (toHex(ra.sha256) !== toHex(rb.sha256)) expected.push(`evidence ${e.id}: other bytes (SHA-256 differs)`);
    const bytesA = a.report.evidence.get(toHex(ra.sha256));
    const bytesB = b.report.evidence.get(toHex(rb.sha256));
    if (!bytesA || !bytesB) continue;
    const [fa, fb] = await Promise.all([evidenceFacts(e, bytesA), evidenceFacts(e, bytesB)]);
    for (const path of new Set([...fa.keys(), ...fb.keys()])) {
      const [x, y] = [fa.get(path), fb.get(path)];
      if (x === y) continue;
      const line = describeChange(`evidence ${e.id} ${path}`, x, y);
      if (EXPECTED_FIELD.test(path) || EXPECTED_HSM_ATTRIBUTE.test(path)) expected.push(line);
      else unexpected.push(line);
    }
  }
  return { step: spec.id, unexpected, expected };
}

/**
 * Compare two audited sessions step by step. Both must have been audited (`auditBundle`); a
 * session with findings is itself an unexpected difference, since its record cannot be relied on.
 */
export async function compareSessions(a: AuditReport, b: AuditReport): Promise<Comparison> {
  const session: string[] = [];
  const sessionExpected: string[] = [];
  const sa = a.state;
  const sb = b.state;
  for (const [name, r] of [
    ['A', a],
    ['B', b],
  ] as const) {
    if (r.findings.length > 0) session.push(`session ${name} has ${r.findings.length} audit finding(s)`);
  }
  if (toHex(a.scriptHash) !== toHex(b.scriptHash)) session.push('the two sessions ran different scripts');
  const steps: StepDifferences[] = [];
  const script: Script | undefined = a.script ?? b.script;
  if (sa?.genesis && sb?.genesis && script) {
    const ga = sa.genesis.envelope;
    const gb = sb.genesis.envelope;
    if (ga.body.mode !== gb.body.mode) sessionExpected.push(describeChange('mode', ga.body.mode, gb.body.mode));
    sessionExpected.push('session id, coordinator key, participants\u2019 keys and all times differ');
    const pa = [...sa.participants.values()].map((p) => p.role);
    const pb = [...sb.participants.values()].map((p) => p.role);
    const count = (roles: string[]): string =>
      [...new Set(roles)]
        .sort()
        .map((r) => `${roles.filter((x) => x === r).length} ${r}`)
        .join(', ');
    if (count(pa) !== count(pb)) sessionExpected.push(describeChange('participants', count(pa), count(pb)));
    for (const spec of script.steps)
      steps.push(await compareStep(spec, { report: a, state: sa }, { report: b, state: sb }));
  } else {
    session.push('a session without a genesis cannot be compared step by step');
  }
  const all = [{ step: undefined, unexpected: session, expected: sessionExpected }, ...steps];
  return { steps: all, unexpected: all.reduce((n, s) => n + s.unexpected.length, 0) };
}
