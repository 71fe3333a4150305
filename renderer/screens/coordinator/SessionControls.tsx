/**
 * Coordinator, while the ceremony runs: what the room may decide besides the step in hand. Suspend
 * (a break, a fire alarm: nothing waits for acknowledgements), abort (the quorum acknowledges, then
 * the session closes as aborted), a participant leaving, and enrolling someone late or a
 * replacement device. Each is a verb of core's Coordinator; core refuses what the rules forbid and
 * the refusal is shown as it says.
 */
import { useState } from 'react';
import { presentParticipants } from '../../../src/core/session/room.js';
import { fromHex } from '../../../src/core/util/bytes.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';

/** Which decision form is open. */
type Open = 'suspend' | 'abort' | 'leave' | undefined;

/** The room's decisions panel, below the step in hand. `onLateEnrolment` opens the enrolment screen again. */
export function SessionControls({
  session,
  refresh,
  onLateEnrolment,
}: {
  session: CoordinatorSession;
  refresh: () => void;
  onLateEnrolment: () => void;
}) {
  const { state } = session.coordinator;
  const [open, setOpen] = useState<Open>();
  const [reason, setReason] = useState('');
  const [leaving, setLeaving] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const present = [...presentParticipants(state)];

  const choose = (o: Open): void => {
    setOpen(open === o ? undefined : o);
    setReason('');
    setError(undefined);
  };
  const sign = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const why = reason.trim();
      if (open === 'suspend') await session.run((c) => c.suspend(why));
      else if (open === 'abort') await session.run((c) => c.abort(why));
      else if (open === 'leave') await session.run((c) => c.roster('leave', fromHex(leaving), why));
      setOpen(undefined);
      setReason('');
      refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const label =
    open === 'suspend'
      ? 'Why the ceremony is suspended (read aloud; it is signed into the record)'
      : open === 'abort'
        ? 'Why the ceremony is aborted (read aloud; it is signed into the record)'
        : 'Why this participant leaves';
  const action =
    open === 'suspend'
      ? 'Sign the suspension and show it'
      : open === 'abort'
        ? 'Sign the abort and show it'
        : 'Sign the departure and show it';
  return (
    <section className="kw-controls" aria-labelledby="controls-title" data-testid="session-controls">
      <h2 id="controls-title">The room decides otherwise</h2>
      <div className="kw-control-buttons">
        <button type="button" aria-expanded={open === 'suspend'} onClick={() => choose('suspend')}>
          Suspend the ceremony…
        </button>
        <button type="button" onClick={onLateEnrolment}>
          Enrol a late participant or a replacement device…
        </button>
        <button type="button" aria-expanded={open === 'leave'} onClick={() => choose('leave')}>
          A participant leaves…
        </button>
        <button type="button" className="kw-danger" aria-expanded={open === 'abort'} onClick={() => choose('abort')}>
          Abort the ceremony…
        </button>
      </div>
      {open && (
        <div className="kw-control-form" data-testid={`control-${open}`}>
          {open === 'leave' && (
            <div className="kw-field">
              <label htmlFor="leaving">Who leaves</label>
              <select id="leaving" value={leaving} onChange={(e) => setLeaving(e.target.value)}>
                <option value="">Choose a participant present</option>
                {present.map(([fp, p]) => (
                  <option key={fp} value={fp}>
                    {p.name} ({p.role})
                  </option>
                ))}
              </select>
            </div>
          )}
          {open === 'abort' && (
            <p className="kw-warn">
              An abort cannot be undone. The quorum of the step in progress acknowledges it; then the session is closed
              as ABORTED and the record says so plainly.
            </p>
          )}
          {open === 'suspend' && (
            <p>
              Nothing waits for acknowledgements. After the suspension only the resume is accepted; every participant
              present re-scans the resume before the ceremony goes on.
            </p>
          )}
          <div className="kw-field">
            <label htmlFor="control-reason">{label}</label>
            <textarea id="control-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button
            type="button"
            className={open === 'abort' ? 'kw-danger' : 'kw-primary'}
            disabled={busy || reason.trim() === '' || (open === 'leave' && leaving === '')}
            onClick={() => void sign()}
          >
            {action}
          </button>
        </div>
      )}
      <ErrorNotice error={error} title="Refused" onDismiss={() => setError(undefined)} />
    </section>
  );
}
