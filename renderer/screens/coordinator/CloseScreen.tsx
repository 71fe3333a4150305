/**
 * Coordinator, the end: close the session once every step is complete, show
 * the close for the closing attestations (its loop carries, as context, the coordinator messages a
 * device may have missed, so each device's head reaches the close), scan them, and export the
 * session bundle (BundleExport.tsx).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { MessageQr } from '../../components/MessageQr.js';
import { ScannerPanel } from '../../components/ScannerPanel.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';
import { coordinatorScanVerifier } from '../../../src/core/session/scan-verifiers.js';
import { presentParticipants } from '../../../src/core/session/room.js';
import { BundleExport } from './BundleExport.js';

export function CloseScreen({ session, refresh }: { session: CoordinatorSession; refresh: () => void }) {
  const { coordinator, script } = session;
  const { state } = coordinator;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const verify = useMemo(() => coordinatorScanVerifier(coordinator.state), [coordinator]);
  const [loop, setLoop] = useState<readonly SignedMessage[] | undefined>();
  const closed = state.close;
  useEffect(() => {
    if (!closed) return;
    let live = true;
    session
      .run((c) => c.transmission())
      .then(
        (messages) => live && setLoop(messages),
        (e: unknown) => live && setError(e),
      );
    return () => {
      live = false;
    };
  }, [session, closed]);
  const onMessage = useCallback(
    (wire: Uint8Array) => {
      session
        .run((c) => c.receive(wire))
        .then(() => {
          setError(undefined);
          refresh();
        }, setError);
    },
    [session, refresh],
  );

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
  // Those present at the close attest (core's presentParticipants: not one who left or a replaced device).
  const participants = [...presentParticipants(state).entries()];
  return (
    <section className="kw-screen" aria-labelledby="close-title" data-testid="close-screen">
      <h1 id="close-title">
        {state.close?.envelope.body.abort
          ? `Session closed as ABORTED after ${state.close.envelope.body.steps} of ${script.steps.length} steps`
          : state.close
            ? 'Session closed'
            : 'Every step is complete'}
      </h1>
      {state.events.abort && (
        <p className="kw-bad" data-testid="aborted-reason">
          ABORTED: &ldquo;{state.events.abort.message.envelope.body.reason}&rdquo;. The record is true and complete as
          far as it goes; it says the ceremony did not finish.
        </p>
      )}
      {!state.close && (
        <>
          <p>
            All {script.steps.length} steps have their acknowledgements. Closing signs the final transcript head;
            nothing can be added afterwards except the participants&apos; closing attestations.
          </p>
          <button type="button" className="kw-primary" disabled={busy} onClick={() => void close()}>
            Close the session
          </button>
        </>
      )}
      {state.close && (
        <div className="kw-two">
          <div>
            <h2>Each participant scans the close and attests</h2>
            {loop && <MessageQr messages={loop} label="Session close QR code" />}
          </div>
          <div>
            <h2>Scan each closing attestation</h2>
            <ScannerPanel
              active
              verify={verify}
              sessionId={state.close.envelope.sid}
              onMessage={onMessage}
              title="Camera: attestation QR codes"
            />
          </div>
        </div>
      )}
      <ErrorNotice error={error} onDismiss={() => setError(undefined)} />
      {state.close && (
        <>
          <h2>
            Closing attestations: {state.attestations.size} of {participants.length}
          </h2>
          <ul className="kw-list" data-testid="attestations">
            {participants.map(([fp, p]) => {
              const a = state.attestations.get(fp);
              return (
                <li key={fp} className={a && !a.envelope.body.agree ? 'kw-bad' : undefined}>
                  {p.name} ({p.role}):{' '}
                  {!a
                    ? 'waiting'
                    : a.envelope.body.agree
                      ? 'agrees the record is true'
                      : `DOES NOT AGREE: "${a.envelope.body.reason ?? ''}"`}
                </li>
              );
            })}
          </ul>
          <h2>Export the session</h2>
          {state.attestations.size < participants.length && (
            <p className="kw-warn">
              Not every participant has attested yet; an export now will show the missing attestations as audit
              findings.
            </p>
          )}
          <BundleExport session={session} label="Export the session bundle…" />
        </>
      )}
    </section>
  );
}
