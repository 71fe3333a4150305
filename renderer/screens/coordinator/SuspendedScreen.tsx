/**
 * Coordinator: the session is suspended. The suspension loops as a QR code so every device learns
 * it (and shows that there is nothing to sign); the bundle may be exported as a true but
 * incomplete record (it audits as SUSPENDED); the coordinator resumes it, on this day or another,
 * and every participant present then re-scans and confirms the resume before the next statement.
 */
import { useEffect, useState } from 'react';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import { formatTime } from '../../../src/core/util/time-format.js';
import { ActionBar } from '../../components/ActionBar.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { MessageQr } from '../../components/MessageQr.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';
import { BundleExport } from './BundleExport.js';

/** The suspended session: its reason, its QR code, the export and the resume. */
export function SuspendedScreen({
  session,
  suspend,
  refresh,
}: {
  session: CoordinatorSession;
  suspend: SignedMessage<'suspend'>;
  refresh: () => void;
}) {
  const [shown, setShown] = useState<readonly SignedMessage[] | undefined>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const { state } = session.coordinator;
  const step = state.script.steps[state.current];

  useEffect(() => {
    let live = true;
    session
      .run((c) => c.transmission())
      .then(
        (loop) => live && setShown(loop),
        (e: unknown) => live && setError(e),
      );
    return () => {
      live = false;
    };
  }, [session, suspend]);

  const resume = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const why = reason.trim();
      await session.run((c) => c.resume(why === '' ? undefined : why));
      refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="kw-screen" aria-labelledby="suspended-title" data-testid="suspended">
      <p className="kw-muted kw-kicker">Suspended {formatTime(suspend.envelope.at)}</p>
      <h1 id="suspended-title">The ceremony is suspended</h1>
      <p className="kw-warn" data-testid="suspend-reason">
        &ldquo;{suspend.envelope.body.reason}&rdquo;
        {step ? ` (during step ${step.id}, ${step.title})` : ' (before the first step)'}. Nothing is signed until the
        ceremony resumes.
      </p>
      <div className="kw-two">
        <div>
          <h2>Each device scans the suspension</h2>
          {shown ? <MessageQr messages={shown} label="Suspension QR code" /> : <p>Preparing the code…</p>}
        </div>
        <div>
          <h2>Keep the record</h2>
          <p>
            The journal on this device holds everything so far; the session can be restored here after a restart. An
            export now is a true but incomplete record: the audit says SUSPENDED.
          </p>
          <BundleExport session={session} label="Export the suspended session…" />
        </div>
      </div>
      <ErrorNotice error={error} title="The resume was refused" onDismiss={() => setError(undefined)} />
      <ActionBar label="Resume">
        <div className="kw-field">
          <label htmlFor="resume-reason">Resume: what changed (optional; signed into the record)</label>
          <input id="resume-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="button" className="kw-primary" disabled={busy} onClick={() => void resume()}>
          Sign the resume and show it
        </button>
      </ActionBar>
    </section>
  );
}
