/**
 * The audit report: the verdict and findings first (code, sentence, step, participant, entry),
 * then the session and a timeline per step — statement, evidence with fingerprints, checks as
 * claimed and as recomputed, who acknowledged when, exceptions — and the close. Printable.
 */
import type { AuditReport } from '../../../src/core/audit/audit.js';
import { FINDING_DESCRIPTIONS } from '../../../src/core/audit/findings.js';
import { identifyingWords, shortWords } from '../../../src/core/protocol/words.js';
import { stepCompletion } from '../../../src/core/session/completion.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { CheckTable } from '../../components/CheckTable.js';
import { HashView } from '../../components/HashView.js';

const iso = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');

export function AuditReportView({
  report,
  bundleName,
  bundleSha256,
  receipts,
}: {
  report: AuditReport;
  bundleName: string;
  bundleSha256: string;
  receipts: readonly string[];
}) {
  const n = report.findings.length;
  const state = report.state;
  const g = state?.genesis?.envelope;
  return (
    <article className="kw-report" data-testid="audit-report" data-findings={n}>
      <div
        className={n === 0 ? 'kw-verdict kw-verdict-ok' : 'kw-verdict kw-verdict-bad'}
        role="status"
        data-testid="verdict"
      >
        {n === 0 ? 'VERIFIED: zero findings.' : `NOT VERIFIED: ${n} finding${n === 1 ? '' : 's'}.`}
      </div>
      <button type="button" className="kw-no-print" onClick={() => window.print()}>
        Print / save as PDF
      </button>
      <p>
        Bundle <code>{bundleName}</code> (SHA-256 {bundleSha256}); {receipts.length} receipt(s)
        {receipts.length ? `: ${receipts.join(', ')}` : ''}. Audited {iso(Date.now())}.
      </p>
      {n > 0 && (
        <section aria-labelledby="findings-title">
          <h2 id="findings-title">Findings</h2>
          <ol className="kw-findings" data-testid="findings">
            {report.findings.map((f, i) => (
              <li key={i} data-code={f.code}>
                <strong>
                  <code>{f.code}</code>
                </strong>
                {[
                  f.step !== undefined ? ` step ${f.step}` : '',
                  f.participant ? ` — ${f.participant}` : '',
                  f.seq !== undefined ? ` — entry ${f.seq}` : '',
                ].join('')}
                : {f.message}
                <br />
                <span className="kw-muted">{FINDING_DESCRIPTIONS[f.code]}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
      <section aria-labelledby="session-title">
        <h2 id="session-title">Session</h2>
        <p>Script: {report.script ? `${report.script.title} (${report.script.id})` : 'does not parse'}</p>
        <HashView bytes={report.scriptHash} label="Script SHA-256 (compare with the published copy)" size="normal" />
        {g && (
          <>
            <p>
              Session <code>{toHex(g.sid)}</code>, {g.body.mode.toUpperCase()}, opened {iso(g.at)} by {g.body.name} (key{' '}
              {identifyingWords(g.by).join(' ')}), app build {g.body.app || 'not stated'}.
            </p>
            <table className="kw-table">
              <caption>Participants ({state.participants.size})</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Key fingerprint</th>
                  <th scope="col">Closing attestation</th>
                </tr>
              </thead>
              <tbody>
                {[...state.participants.entries()].map(([fp, p]) => {
                  const a = state.attestations.get(fp);
                  return (
                    <tr key={fp}>
                      <td>{p.name}</td>
                      <td>{p.role}</td>
                      <td>{shortWords(p.identity.fingerprint)}</td>
                      <td>
                        {!a
                          ? 'none'
                          : a.envelope.body.agree
                            ? `agrees (${iso(a.envelope.at)})`
                            : `DOES NOT AGREE: "${a.envelope.body.reason ?? ''}"`}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
      </section>
      {state && g && (
        <section aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          {state.steps.map((step) => {
            const statement = step.statement?.message;
            if (!statement)
              return (
                <section key={step.spec.id} className="kw-timeline-step">
                  <h3>
                    Step {step.spec.id}: {step.spec.title}
                  </h3>
                  <p className="kw-bad">No statement.</p>
                </section>
              );
            const done = stepCompletion(step, state.participants);
            const own = report.recomputed.get(toHex(statement.id));
            return (
              <section
                key={step.spec.id}
                className="kw-timeline-step"
                data-testid="timeline-step"
                data-step={step.spec.id}
              >
                <h3>
                  Step {step.spec.id}: {step.spec.title} — {done.complete ? 'complete' : 'INCOMPLETE'}
                  {done.blocked ? ' (by exception)' : ''}
                </h3>
                <p>
                  Statement signed {iso(statement.envelope.at)}.
                  {Object.keys(statement.envelope.body.inputs).length > 0 && (
                    <>
                      {' '}
                      Inputs:{' '}
                      {Object.entries(statement.envelope.body.inputs)
                        .map(([k, v]) => `${k} = ${v}`)
                        .join('; ')}
                      .
                    </>
                  )}
                  {statement.envelope.body.confirm && (
                    <> Irreversible step confirmed by typing &ldquo;{statement.envelope.body.confirm}&rdquo;.</>
                  )}
                </p>
                {statement.envelope.body.evidence.map((e) => (
                  <p key={e.id}>
                    Evidence <code>{e.id}</code>: {e.name}, {e.size} bytes, SHA-256{' '}
                    <span className="kw-hex">{toHex(e.sha256)}</span> ({shortWords(e.sha256)})
                    {report.evidence.has(toHex(e.sha256)) ? '' : ' — NOT IN THE BUNDLE'}
                  </p>
                ))}
                <CheckTable checks={statement.envelope.body.checks} caption="Checks as the statement claims them" />
                {own && <CheckTable checks={own} caption="Evidence checks re-run by this audit" />}
                <ul className="kw-list">
                  {[step.statement, ...step.exceptions].map((target) => [
                    target.message.envelope.t === 'exception' ? (
                      <li key={toHex(target.message.id)} className="kw-warn">
                        Exception signed {iso(target.message.envelope.at)}: &ldquo;
                        {(target.message.envelope.body as { reason: string }).reason}&rdquo;
                      </li>
                    ) : null,
                    ...[...target.acks.values()].map((ack) => {
                      const who = state.participants.get(toHex(ack.envelope.by));
                      const b = ack.envelope.body;
                      return (
                        <li key={toHex(ack.id)} className={b.decision === 'confirm' ? undefined : 'kw-bad'}>
                          {b.decision === 'confirm' ? 'Confirmed' : 'OBJECTED'} by {who?.label ?? 'unknown'} at{' '}
                          {iso(ack.envelope.at)}
                          {b.recomputed ? ', recomputed on own device' : ''}
                          {b.challenge ? ', word challenge passed' : ''}
                          {b.reason ? `: "${b.reason}"` : ''}
                        </li>
                      );
                    }),
                  ])}
                </ul>
              </section>
            );
          })}
          {state.close && (
            <p>
              Closed {iso(state.close.envelope.at)}; {state.attestations.size} of {state.participants.size} closing
              attestations.
            </p>
          )}
        </section>
      )}
    </article>
  );
}
