/**
 * The audit report: the verdict as core words it, verbatim (what the audit had, what it proves and
 * what it does not) and the findings first (code, sentence, step, participant, entry), in view at
 * 1280×800 without scrolling; then a comparison with another session when one was opened; then the session
 * with whose receipts were given, and a timeline per step — statement, evidence with fingerprints,
 * checks as claimed and as recomputed, who acknowledged when with both flags, exceptions — and the
 * close. Printable.
 */
import { useEffect, type ReactNode } from 'react';
import { FINDING_DESCRIPTIONS } from '../../../src/core/audit/findings.js';
import type { AuditResult } from '../../../src/core/audit/verdict.js';
import { spokenWords } from '../../../src/core/protocol/words.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { formatTime } from '../../../src/core/util/time-format.js';
import { HashView } from '../../components/HashView.js';
import { AuditTimeline } from './AuditTimeline.js';

const expectedLabel = (state: AuditResult['expected']['script']): string =>
  state === 'matches'
    ? 'equals the expected value given'
    : state === 'differs'
      ? 'DIFFERS from the expected value given'
      : 'compare with the paper record';

export function AuditReportView({
  result,
  bundleName,
  bundleSha256,
  receipts,
  comparison,
}: {
  result: AuditResult;
  bundleName: string;
  bundleSha256: string;
  receipts: readonly string[];
  /** The comparison with another session, shown after the findings. */
  comparison?: ReactNode;
}) {
  const { report, verdict, findings } = result;
  const n = findings.length;
  const state = report.state;
  const g = state?.genesis?.envelope;
  const given = new Set(result.receipts.given.map((o) => toHex(o.fingerprint)));
  const strangers = result.receipts.given.filter((o) => !o.enrolled);
  // A new verdict is read from the top of the window, header (and its air-gap line) included: the
  // report sits beside the files, so nothing above it needs scrolling past.
  useEffect(() => {
    window.scrollTo({ top: 0 });
  }, [result]);
  return (
    <article className="kw-report" data-testid="audit-report" data-findings={n} data-outcome={verdict.outcome}>
      {/* The verdict exactly as core words it (Verdict.text): headline, then its notes. */}
      <div
        className={verdict.consistent ? 'kw-verdict kw-verdict-ok' : 'kw-verdict kw-verdict-bad'}
        role="status"
        data-testid="verdict-text"
      >
        <span className="kw-verdict-headline" data-testid="verdict">
          {verdict.headline}
        </span>{' '}
        <span
          className={verdict.gaps ? 'kw-verdict-notes kw-verdict-gaps' : 'kw-verdict-notes'}
          data-testid="verdict-notes"
        >
          {verdict.notes.join(' ')}
        </span>
      </div>
      {n > 0 && (
        <section aria-labelledby="findings-title">
          <h2 id="findings-title">Findings</h2>
          <ol className="kw-findings" data-testid="findings">
            {findings.map((f, i) => (
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
      {comparison}
      <div data-testid="verdict-scope">
        <section aria-labelledby="proves-title">
          <h2 id="proves-title">What this proves</h2>
          <ul className="kw-list">
            {verdict.proves.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="does-not-prove-title">
          <h2 id="does-not-prove-title">What it does not prove</h2>
          <ul className="kw-list">
            {verdict.doesNotProve.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </section>
      </div>
      <button type="button" className="kw-no-print" onClick={() => window.print()}>
        Print / save as PDF
      </button>
      <section aria-labelledby="session-title">
        <h2 id="session-title">Session</h2>
        <p data-testid="audit-inputs">
          Bundle <code>{bundleName}</code> (SHA-256 {bundleSha256}); {receipts.length} receipt(s)
          {receipts.length ? `: ${receipts.join(', ')}` : ''}. Audited {formatTime(Date.now())}.
        </p>
        <p>Script: {report.script ? `${report.script.title} (${report.script.id})` : 'does not parse'}</p>
        <HashView
          bytes={report.scriptHash}
          label={`Script SHA-256 (${expectedLabel(result.expected.script)})`}
          size="normal"
          testId="audit-script-hash"
        />
        {result.unpinnedRoles && (
          <p data-testid="unpinned-roles">
            {result.unpinnedRoles.length === 0
              ? 'The script pins every role to the identities it lists.'
              : `Roles the script pins nobody to: ${result.unpinnedRoles.map((r) => `${r.title} (${r.id})`).join(', ')}.`}
          </p>
        )}
        {g && (
          <>
            <p>
              Session <code>{toHex(g.sid)}</code>, {g.body.mode.toUpperCase()}, opened {formatTime(g.at)} by{' '}
              {g.body.name} (key {spokenWords(g.by)}), app build {g.body.app || 'not stated'}.
            </p>
            <HashView
              bytes={g.by}
              label={`Coordinator key fingerprint (${expectedLabel(result.expected.coordinator)})`}
              size="normal"
              testId="audit-coordinator-key"
            />
            <table className="kw-table">
              <caption>Participants ({state.participants.size})</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Key fingerprint</th>
                  <th scope="col">Closing attestation</th>
                  <th scope="col">Receipt</th>
                </tr>
              </thead>
              <tbody>
                {[...state.participants.entries()].map(([fp, p]) => {
                  const a = state.attestations.get(fp);
                  return (
                    <tr key={fp}>
                      <td>
                        {p.name}
                        {state.attendance.absence(fp, undefined) && (
                          <span className="kw-muted">
                            {' '}
                            (not present at the end: {state.attendance.absence(fp, undefined)})
                          </span>
                        )}
                      </td>
                      <td>{p.role}</td>
                      <td>{spokenWords(p.identity.fingerprint)}</td>
                      <td>
                        {!a
                          ? 'none'
                          : a.envelope.body.agree
                            ? `agrees (${formatTime(a.envelope.at)})`
                            : `DOES NOT AGREE: "${a.envelope.body.reason ?? ''}"`}
                      </td>
                      <td className={given.has(fp) ? undefined : 'kw-bad'}>{given.has(fp) ? 'given' : 'NONE'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {strangers.length > 0 && (
              <p className="kw-bad">
                Receipts of keys this transcript does not enrol:{' '}
                {strangers.map((o) => `${o.name} (${o.role}, ${spokenWords(o.fingerprint)})`).join(', ')}.
              </p>
            )}
          </>
        )}
      </section>
      {state && g && <AuditTimeline result={result} state={state} />}
    </article>
  );
}
