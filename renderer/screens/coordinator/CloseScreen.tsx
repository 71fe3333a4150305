/**
 * Coordinator, the end: close the session once every step is complete, show
 * the close for the closing attestations (its loop carries, as context, the coordinator messages a
 * device may have missed, so each device's head reaches the close), scan them, and export the session bundle to removable
 * media (never overwriting; the written file is read back and its SHA-256 reported).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import { encodeBundle } from '../../../src/core/session/files.js';
import { fromHex, toHex } from '../../../src/core/util/bytes.js';
import { bridge, unwrap, type ExportResult } from '../../bridge/api.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { HashView } from '../../components/HashView.js';
import { MessageQr } from '../../components/MessageQr.js';
import { ScannerPanel } from '../../components/ScannerPanel.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';
import { coordinatorScanVerifier } from '../../../src/core/session/scan-verifiers.js';

export function CloseScreen({ session, refresh }: { session: CoordinatorSession; refresh: () => void }) {
  const { coordinator, script } = session;
  const { state } = coordinator;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [exported, setExported] = useState<Extract<ExportResult, { status: 'written' }> | undefined>();
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
  const exportBundle = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const name = `${script.id}-${session.sessionId.slice(0, 8)}.keywitness.json`;
      const r = await unwrap(
        bridge().exportFile({ suggestedName: name, bytes: encodeBundle(await session.run((c) => c.exportBundle())) }),
      );
      if (r.status === 'written') setExported(r);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const participants = [...state.participants.entries()];
  return (
    <section className="kw-screen" aria-labelledby="close-title" data-testid="close-screen">
      <h1 id="close-title">{state.close ? 'Session closed' : 'Every step is complete'}</h1>
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
          <button type="button" className="kw-primary" disabled={busy} onClick={() => void exportBundle()}>
            Export the session bundle…
          </button>
          {exported && (
            <div className="kw-ok" role="status" data-testid="export-result">
              <p>
                Written and read back: <code>{exported.path}</code> ({exported.size} bytes).
              </p>
              <HashView
                bytes={fromHex(exported.sha256Hex)}
                label={`SHA-256 of the exported file (${toHex(fromHex(exported.sha256Hex)).slice(0, 16)}…): write it on the paper form`}
                size="normal"
              />
            </div>
          )}
        </>
      )}
    </section>
  );
}
