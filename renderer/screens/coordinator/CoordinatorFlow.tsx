/**
 * The coordinator's workflow (docs/architecture.md, "The ceremony, end to end"). Which screen shows is derived from the
 * session's own state — the same state Coordinator.restore rebuilds from the journal — so a restart
 * lands on the screen the ceremony was at.
 */
import { useCallback, useEffect, useReducer, useState } from 'react';
import type { Signer } from '../../../src/core/protocol/identity.js';
import { useApp } from '../../app/context.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { loadOrCreateIdentity } from '../../session/device.js';
import { restoreCoordinatorSession, type CoordinatorSession } from '../../session/coordinator-session.js';
import { ScriptScreen } from './ScriptScreen.js';
import { EnrolmentScreen } from './EnrolmentScreen.js';
import { StepScreen } from './StepScreen.js';
import { CloseScreen } from './CloseScreen.js';

export function CoordinatorFlow({ resume }: { resume: string | undefined }) {
  const { setSessionMode } = useApp();
  const [signer, setSigner] = useState<Signer | undefined>();
  const [session, setSession] = useState<CoordinatorSession | undefined>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();
  const [started, setStarted] = useState(false);
  const [, refresh] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const { signer: s } = await loadOrCreateIdentity();
        if (!live) return;
        setSigner(s);
        if (resume) {
          const restored = await restoreCoordinatorSession(resume, s);
          if (!live) return;
          setSession(restored);
          setStarted(restored.coordinator.state.current >= 0);
          setNotice(
            `Session restored from this device's journal: ${restored.coordinator.state.entries.length} transcript entries re-checked${restored.droppedTailBytes > 0 ? `; ${restored.droppedTailBytes} bytes of an unfinished write were dropped (nothing acknowledged was in them)` : ''}.`,
          );
        }
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
    };
  }, [resume]);

  useEffect(() => {
    setSessionMode(session?.mode);
  }, [session, setSessionMode]);

  const onCreated = useCallback((s: CoordinatorSession) => setSession(s), []);

  if (error)
    return (
      <section className="kw-screen">
        <h1>Coordinator</h1>
        <ErrorNotice error={error} title="The coordinator session could not be opened" />
      </section>
    );
  if (!signer)
    return (
      <section className="kw-screen">
        <h1>Coordinator</h1>
        <p>Loading this device&apos;s identity…</p>
      </section>
    );
  if (!session) return <ScriptScreen signer={signer} onCreated={onCreated} />;

  const { state } = session.coordinator;
  const allComplete =
    state.current === state.script.steps.length - 1 && session.coordinator.currentCompletion()?.complete === true;
  let screen;
  if (state.close || allComplete) screen = <CloseScreen session={session} refresh={refresh} />;
  else if (state.current < 0 && !started)
    screen = <EnrolmentScreen session={session} refresh={refresh} onBegin={() => setStarted(true)} />;
  else screen = <StepScreen session={session} refresh={refresh} />;
  return (
    <>
      {notice && (
        <p className="kw-notice" role="status" data-testid="restore-notice">
          {notice}
        </p>
      )}
      {screen}
    </>
  );
}
