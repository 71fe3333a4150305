/** The audit report as plain text, for the terminal and for printing. */
import { scriptHashText } from '../script/hash-text.js';
import type { AckSpec } from '../script/types.js';
import { spokenWords, toWords } from '../protocol/words.js';
import type { SignedMessage } from '../protocol/message.js';
import { fromHex, toHex } from '../util/bytes.js';
import { formatTime } from '../util/time-format.js';
import { stepCompletion, type StepProgress } from '../session/completion.js';
import type { AckTarget } from '../session/room.js';
import { attendanceTimeline } from '../session/state-roster.js';
import type { Finding } from './findings.js';
import type { AuditResult } from './verdict.js';

/** Where a finding is: step, participant, entry. */
export function findingPlace(f: Finding): string {
  return [
    f.step !== undefined ? `step ${f.step}` : '',
    f.participant ?? '',
    f.seq !== undefined ? `entry ${f.seq}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * An answer's two flags as the participant's device signed them, e.g. "recomputed: yes, challenge:
 * NO (the step asks for it)". A flag the step asks for and the answer lacks is in capitals.
 */
export function answerFlags(ack: SignedMessage<'ack'>, asks: AckSpec): string {
  const flag = (name: string, given: boolean, asked: boolean): string =>
    `${name}: ${given ? 'yes' : asked ? 'NO (the step asks for it)' : 'no'}`;
  const { body } = ack.envelope;
  return `${flag('recomputed', body.recomputed, asks.recompute)}, ${flag('challenge', body.challenge, asks.challenge)}`;
}

/** Render an audit: the verdict and findings first, then the session and a per-step timeline. */
export function formatAuditReport(result: AuditResult, file: { readonly bundleSha256?: Uint8Array } = {}): string {
  const { report, verdict } = result;
  const lines: string[] = [verdict.headline, ...verdict.notes];
  if (result.findings.length > 0) {
    lines.push('', `Findings (${result.findings.length}):`);
    for (const f of result.findings) {
      const where = findingPlace(f);
      lines.push(`  ${f.code}${where ? ` [${where}]` : ''}: ${f.message}`);
    }
  }
  lines.push('', 'What this proves:', ...verdict.proves.map((p) => `  - ${p}`));
  lines.push('What it does not prove:', ...verdict.doesNotProve.map((p) => `  - ${p}`));
  lines.push('');
  if (file.bundleSha256) lines.push(`Bundle:   SHA-256 ${toHex(file.bundleSha256)}`);
  const hash = scriptHashText(report.scriptHash);
  lines.push(`Script:   ${report.script ? `${report.script.id} — ${report.script.title}` : '(does not parse)'}`);
  lines.push(`  SHA-256 ${hash.hex}`);
  lines.push(`  ${hash.words.join(' ')}`);
  if (result.unpinnedRoles)
    lines.push(
      result.unpinnedRoles.length === 0
        ? '  every role is pinned'
        : `  unpinned roles: ${result.unpinnedRoles.map((r) => `${r.id} (${r.title})`).join(', ')}`,
    );
  const state = report.state;
  if (!state?.genesis) return lines.join('\n') + '\n';
  const g = state.genesis.envelope;
  lines.push(`Session:  ${toHex(g.sid)} (${g.body.mode.toUpperCase()}) opened ${formatTime(g.at)}`);
  lines.push(`  coordinator ${g.body.name} (${spokenWords(g.by)})`);
  lines.push(`  key fingerprint ${toHex(g.by)}`);
  lines.push(`  ${toWords(g.by).join(' ')}`);
  const given = new Set(result.receipts.given.map((o) => toHex(o.fingerprint)));
  lines.push(`Participants (${state.participants.size}):`);
  for (const [fp, p] of state.participants) {
    const absent = state.attendance.absence(fp, undefined);
    lines.push(
      `  ${p.name} — ${p.role} — ${spokenWords(p.identity.fingerprint)} — ${given.has(fp) ? 'receipt given' : 'NO RECEIPT'}${absent ? ` — not present at the end: ${absent}` : ''}`,
    );
  }
  for (const o of result.receipts.given.filter((x) => !x.enrolled))
    lines.push(`  (not enrolled) ${o.name} — ${o.role} — ${spokenWords(o.fingerprint)} — receipt given`);
  const attendance = attendanceTimeline(state);
  const nameOf = (fp: string): string => state.participants.get(fp)?.name ?? `key ${fp.slice(0, 16)}…`;
  if (attendance.changes.length > 0) {
    lines.push('Attendance changes:');
    for (const c of attendance.changes)
      lines.push(
        `  ${formatTime(c.at)} ${c.change} ${nameOf(c.participant)}${c.replaces ? ` (new device; replaces ${spokenWords(fromHex(c.replaces))})` : ''}: "${c.reason}"${c.complete ? '' : ' — NOT ACKNOWLEDGED'}`,
      );
  }
  lines.push('Steps:');
  for (const [index, step] of state.steps.entries()) {
    const out = stepLines(step, state);
    // Who was present when the step's (last attempt's) statement was issued, under its heading.
    const present = attendance.steps[index];
    if (present) out.splice(1, 0, `    present: ${present.map(nameOf).join(', ') || 'nobody'}`);
    lines.push(...out);
  }
  lines.push(...eventLines(state));
  if (state.close) {
    lines.push(
      `Closed${state.events.abort ? ' as ABORTED' : ''} ${formatTime(state.close.envelope.at)}; attestations ${state.attestations.size} of ${state.participants.size}.`,
    );
  }
  return lines.join('\n') + '\n';
}

type State = NonNullable<AuditResult['report']['state']>;

function ackLines(target: AckTarget, state: State, asks: AckSpec | undefined): string[] {
  return [...target.acks.values()].map((ack) => {
    const who = state.participants.get(toHex(ack.envelope.by))?.label ?? '?';
    const b = ack.envelope.body;
    const flags = asks ? ` (${answerFlags(ack, asks)})` : '';
    return `    ${b.decision === 'confirm' ? 'confirmed' : 'OBJECTED '} ${who} at ${formatTime(ack.envelope.at)}${flags}${b.reason ? `: "${b.reason}"` : ''}`;
  });
}

/** A step: how it ended, then every attempt in order with its evidence, checks, exceptions and answers. */
function stepLines(step: StepProgress, state: State): string[] {
  const lines: string[] = [];
  const statement = step.statement?.message;
  if (!statement) return [`  ${step.spec.id} ${step.spec.title}: no statement`];
  const done = stepCompletion(step, state.participants);
  const attempts = step.attempts.length;
  lines.push(
    `  ${step.spec.id} ${step.spec.title}: ${done.complete ? 'complete' : 'INCOMPLETE'}${done.blocked ? ' (by exception)' : ''}${attempts > 1 ? ` after ${attempts} attempts` : ''} — ${formatTime(statement.envelope.at)}`,
  );
  for (const [k, attempt] of step.attempts.entries()) {
    const s = attempt.statement.message;
    if (attempts > 1) lines.push(`   attempt ${k + 1} of ${attempts} — ${formatTime(s.envelope.at)}`);
    for (const e of s.envelope.body.evidence)
      lines.push(`    evidence ${e.id}: ${e.name}, ${e.size} bytes, SHA-256 ${toHex(e.sha256)}`);
    for (const c of s.envelope.body.checks)
      lines.push(`    ${c.ok ? 'pass' : 'FAIL'} ${c.id}: expected ${c.expected}; observed ${c.observed}`);
    lines.push(...ackLines(attempt.statement, state, step.spec.acks));
    for (const x of attempt.exceptions) {
      const { decision, reason } = x.message.envelope.body;
      lines.push(`    exception (${decision === 'repeat' ? 'REPEAT the step' : 'proceed'}): ${reason}`);
      lines.push(...ackLines(x, state, step.spec.acks));
    }
  }
  return lines;
}

/** Suspensions, resumes and the abort, in order, with their acknowledgements. */
function eventLines(state: State): string[] {
  const lines: string[] = [];
  for (const { suspend, resume } of state.events.suspensions) {
    lines.push(`Suspended ${formatTime(suspend.envelope.at)}: ${suspend.envelope.body.reason}`);
    if (resume) {
      lines.push(
        `Resumed ${formatTime(resume.message.envelope.at)}${resume.message.envelope.body.reason ? `: ${resume.message.envelope.body.reason}` : ''}`,
      );
      lines.push(...ackLines(resume, state, undefined));
    }
  }
  const abort = state.events.abort;
  if (abort) {
    const { step, reason } = abort.message.envelope.body;
    lines.push(
      `ABORTED ${step ? `at step ${step}` : 'before the first step'} ${formatTime(abort.message.envelope.at)}: ${reason}`,
    );
    lines.push(...ackLines(abort, state, undefined));
  }
  return lines;
}
