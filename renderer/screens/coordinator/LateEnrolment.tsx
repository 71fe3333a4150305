/**
 * Coordinator, after the steps began: the enrolments core accepted but holds until the room
 * acknowledges a roster change for them (a late join, or a replacement device naming the identity
 * it replaces). For each, the coordinator states why and signs the roster change; the room then
 * acknowledges it on the event screen. Which enrolments wait, and what may be signed, is core's.
 */
import { useState } from 'react';
import { spokenWords } from '../../../src/core/protocol/words.js';
import { fromHex, toHex } from '../../../src/core/util/bytes.js';
import { ActionBar } from '../../components/ActionBar.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';

/** The waiting enrolments and the roster change for each; `onBack` returns to the step in hand. */
export function LateEnrolment({
  session,
  refresh,
  onBack,
}: {
  session: CoordinatorSession;
  refresh: () => void;
  onBack: () => void;
}) {
  const { state } = session.coordinator;
  const [reason, setReason] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const waiting = [...state.attendance.awaiting.entries()];

  const record = async (fp: string, replaces: boolean): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const why = (reason[fp] ?? '').trim();
      await session.run((c) => c.roster(replaces ? 'replace' : 'join', fromHex(fp), why));
      onBack();
      refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="late-title" data-testid="late-enrolment">
      <h2 id="late-title">Enrolments waiting for the room ({waiting.length})</h2>
      {waiting.length === 0 && (
        <p className="kw-muted">
          None yet. The newcomer (or the replacement device) scans the genesis, signs its enrolment and shows it here.
        </p>
      )}
      {waiting.map(([fp, w]) => {
        const b = w.enroll.envelope.body;
        const old = b.replaces ? state.participants.get(toHex(b.replaces)) : undefined;
        return (
          <div key={fp} className="kw-control-form" data-testid="awaiting" data-participant={b.name}>
            <p>
              <strong>{b.name}</strong> ({b.role}, {spokenWords(w.enroll.envelope.by)}){' '}
              {b.replaces
                ? `replaces the device ${old ? `${old.name} enrolled earlier (${spokenWords(old.identity.fingerprint)})` : spokenWords(b.replaces)}.`
                : 'enrolled after the steps began.'}
            </p>
            <div className="kw-field">
              <label htmlFor={`roster-reason-${fp}`}>
                {b.replaces ? 'Why the device is replaced' : 'Why they join now'} (signed into the record)
              </label>
              <input
                id={`roster-reason-${fp}`}
                value={reason[fp] ?? ''}
                onChange={(e) => setReason({ ...reason, [fp]: e.target.value })}
              />
            </div>
            <button
              type="button"
              className="kw-primary"
              disabled={busy || (reason[fp] ?? '').trim() === ''}
              onClick={() => void record(fp, b.replaces !== undefined)}
            >
              {b.replaces ? 'Sign the replacement and show it to the room' : 'Sign the join and show it to the room'}
            </button>
          </div>
        );
      })}
      <ErrorNotice error={error} title="The roster change was refused" onDismiss={() => setError(undefined)} />
      <ActionBar label="Back to the step">
        <button type="button" onClick={onBack}>
          Back to step {state.script.steps[state.current]?.id ?? ''}
        </button>
        <span className="kw-muted">The next statement waits until every enrolment here has its roster change.</span>
      </ActionBar>
    </section>
  );
}
