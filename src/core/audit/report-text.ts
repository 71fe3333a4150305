/** The audit report as plain text, for the terminal and for printing. */
import { scriptHashText } from '../script/hash-text.js';
import { identifyingWords } from '../protocol/words.js';
import { toHex } from '../util/bytes.js';
import { stepCompletion } from '../session/completion.js';
import type { AuditReport } from './audit.js';

/** Render an audit report: verdict and findings first, then the session and a per-step timeline. */
export function formatAuditReport(report: AuditReport): string {
  const lines: string[] = [];
  const n = report.findings.length;
  lines.push(n === 0 ? 'VERIFIED: zero findings.' : `NOT VERIFIED: ${n} finding${n === 1 ? '' : 's'}.`);
  for (const f of report.findings) {
    const where = [
      f.step !== undefined ? `step ${f.step}` : '',
      f.participant ?? '',
      f.seq !== undefined ? `entry ${f.seq}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${f.code}${where ? ` [${where}]` : ''}: ${f.message}`);
  }
  lines.push('');
  const hash = scriptHashText(report.scriptHash);
  lines.push(`Script:   ${report.script ? `${report.script.id} — ${report.script.title}` : '(does not parse)'}`);
  lines.push(`  SHA-256 ${hash.hex}`);
  lines.push(`  ${hash.words.join(' ')}`);
  const state = report.state;
  if (!state?.genesis) return lines.join('\n') + '\n';
  const g = state.genesis.envelope;
  lines.push(`Session:  ${toHex(g.sid)} (${g.body.mode.toUpperCase()}) opened ${new Date(g.at).toISOString()}`);
  lines.push(`  coordinator ${g.body.name} (${identifyingWords(g.by).join(' ')})`);
  lines.push(`Participants (${state.participants.size}):`);
  for (const p of state.participants.values())
    lines.push(`  ${p.name} — ${p.role} — ${identifyingWords(p.identity.fingerprint).join(' ')}`);
  lines.push('Steps:');
  for (const step of state.steps) {
    const statement = step.statement?.message;
    if (!statement) {
      lines.push(`  ${step.spec.id} ${step.spec.title}: no statement`);
      continue;
    }
    const done = stepCompletion(step, state.participants);
    lines.push(
      `  ${step.spec.id} ${step.spec.title}: ${done.complete ? 'complete' : 'INCOMPLETE'}${done.blocked ? ' (by exception)' : ''} — ${new Date(statement.envelope.at).toISOString()}`,
    );
    for (const e of statement.envelope.body.evidence)
      lines.push(`    evidence ${e.id}: ${e.name}, ${e.size} bytes, SHA-256 ${toHex(e.sha256)}`);
    for (const c of statement.envelope.body.checks)
      lines.push(`    ${c.ok ? 'pass' : 'FAIL'} ${c.id}: expected ${c.expected}; observed ${c.observed}`);
    for (const target of [step.statement, ...step.exceptions]) {
      if (target.message.envelope.t === 'exception')
        lines.push(`    exception: ${(target.message.envelope.body as { reason: string }).reason}`);
      for (const ack of target.acks.values()) {
        const who = state.participants.get(toHex(ack.envelope.by))?.label ?? '?';
        const b = ack.envelope.body;
        lines.push(
          `    ${b.decision === 'confirm' ? 'confirmed' : 'OBJECTED '} ${who} at ${new Date(ack.envelope.at).toISOString()}${b.reason ? `: "${b.reason}"` : ''}`,
        );
      }
    }
  }
  if (state.close) {
    lines.push(
      `Closed ${new Date(state.close.envelope.at).toISOString()}; attestations ${state.attestations.size} of ${state.participants.size}.`,
    );
  }
  return lines.join('\n') + '\n';
}
