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
import { AbortClose } from './AbortClose.js';
import { EventAcks } from './EventAcks.js';
import { LateEnrolment } from './LateEnrolment.js';
import { SuspendedScreen } from './SuspendedScreen.js';

export function CoordinatorFlow({ resume }: { resume: string | undefined }) {
  const { setSessionMode } = useApp();
  const [signer, setSigner] = useState<Signer | undefined>();
  const [session, setSession] = useState<CoordinatorSession | undefined>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();
  const [started, setStarted] = useState(false);
  /** The enrolment screen opened again after the first step, for a late participant or a replacement device. */
  const [late, setLate] = useState(false);
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

  const { coordinator } = session;
  const { state } = coordinator;
  const { events } = state;
  const allComplete =
    state.current === state.script.steps.length - 1 && coordinator.currentCompletion()?.complete === true;
  const resuming = events.pendingResume(state.participants);
  const roster = coordinator.pendingRoster();
  const rosterEvent = roster ? state.attendance.change(roster.id) : undefined;
  let screen;
  if (state.close) screen = <CloseScreen session={session} refresh={refresh} />;
  else if (events.abort)
    screen = (
      <EventAcks session={session} event={events.abort} refresh={refresh}>
        <AbortClose session={session} refresh={refresh} />
      </EventAcks>
    );
  else if (events.suspended)
    screen = <SuspendedScreen session={session} suspend={events.suspended} refresh={refresh} />;
  else if (resuming) screen = <EventAcks session={session} event={resuming} refresh={refresh} />;
  else if (rosterEvent) screen = <EventAcks session={session} event={rosterEvent} refresh={refresh} />;
  else if (late)
    screen = (
      <EnrolmentScreen
        session={session}
        refresh={refresh}
        onBegin={() => setLate(false)}
        late={<LateEnrolment session={session} refresh={refresh} onBack={() => setLate(false)} />}
      />
    );
  else if (allComplete) screen = <CloseScreen session={session} refresh={refresh} />;
  else if (state.current < 0 && !started)
    screen = <EnrolmentScreen session={session} refresh={refresh} onBegin={() => setStarted(true)} />;
  else screen = <StepScreen session={session} refresh={refresh} onLateEnrolment={() => setLate(true)} />;
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
