/**
 * Coordinator, after an abort: close the session as aborted. Core issues the close only once the
 * abort has its quorum (the close names the abort and the steps reached); until then the button
 * says what is missing, in core's words.
 */
import { useState } from 'react';
import { eventCompletion } from '../../../src/core/session/room.js';
import { ActionBar } from '../../components/ActionBar.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';

/** The "close as aborted" action below the abort's acknowledgements. */
export function AbortClose({ session, refresh }: { session: CoordinatorSession; refresh: () => void }) {
  const { state } = session.coordinator;
  const abort = state.events.abort;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (!abort) return null;
  const done = eventCompletion(abort, state.participants);
  const close = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await session.run((c) => c.close());
      refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <ErrorNotice error={error} title="The close was refused" onDismiss={() => setError(undefined)} />
      <ActionBar label="Close as aborted">
        <button type="button" className="kw-danger" disabled={busy || !done.complete} onClick={() => void close()}>
          Close the session as ABORTED
        </button>
        <span className={done.complete ? undefined : 'kw-muted'}>
          {done.complete
            ? 'The quorum acknowledged the abort. The close commits to it and to the steps reached.'
            : `Waiting: ${done.missing}.`}
        </span>
      </ActionBar>
    </>
  );
}
