/**
 * Start: choose what this device does in the ceremony, or resume a session this device journaled
 * before a restart.
 */
import { useEffect, useState } from 'react';
import type { IndexRecord } from '../session/records.js';
import { formatTime } from '../../src/core/util/time-format.js';
import { listSessions } from '../session/device.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import type { Route } from '../app/App.js';

export function StartScreen({ onChoose }: { onChoose: (route: Route) => void }) {
  const [sessions, setSessions] = useState<IndexRecord[] | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    listSessions().then(setSessions, setError);
  }, []);
  return (
    <section className="kw-screen" aria-labelledby="start-title">
      <h1 id="start-title">What does this device do in the ceremony?</h1>
      <div className="kw-roles">
        <button type="button" className="kw-role" onClick={() => onChoose({ screen: 'coordinator' })}>
          <span className="kw-role-name">Coordinator</span>
          <span>
            Run the ceremony script: open the session, record each step, collect acknowledgements, export the session.
          </span>
        </button>
        <button type="button" className="kw-role" onClick={() => onChoose({ screen: 'participant' })}>
          <span className="kw-role-name">Witness or custodian</span>
          <span>Check every step on this device, from its own copy of the script, and acknowledge or object.</span>
        </button>
        <button type="button" className="kw-role" onClick={() => onChoose({ screen: 'auditor' })}>
          <span className="kw-role-name">Auditor</span>
          <span>Verify an exported session and participants&apos; receipts, and print the report.</span>
        </button>
      </div>
      <ErrorNotice error={error} title="Could not read the sessions stored on this device" />
      {sessions && sessions.length > 0 && (
        <section aria-labelledby="resume-title">
          <h2 id="resume-title">Sessions on this device</h2>
          <ul className="kw-list">
            {sessions.map((s) => (
              <li key={s.sid}>
                <button
                  type="button"
                  onClick={() => onChoose({ screen: s.role, resume: s.sid })}
                  data-testid="resume-session"
                >
                  Resume as {s.role}: {s.title}
                </button>{' '}
                <span className="kw-muted">
                  session {s.sid.slice(0, 8)}…, opened {formatTime(s.at)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
