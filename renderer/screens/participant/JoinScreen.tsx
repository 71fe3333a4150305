/**
 * Participant, first screen: who you are, this device's own copy of the script (its hash shown for
 * comparison with the paper copy), then scan the coordinator's genesis. The device refuses a
 * session whose script hash differs from its own copy.
 */
import { useCallback, useMemo, useState } from 'react';
import type { Signer } from '../../../src/core/protocol/identity.js';
import { spokenWords } from '../../../src/core/protocol/words.js';
import { parseScript } from '../../../src/core/script/parse.js';
import type { Script } from '../../../src/core/script/types.js';
import { bridge, unwrap } from '../../bridge/api.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { HashView } from '../../components/HashView.js';
import { PrintWorksheetButton } from '../../components/PrintWorksheetButton.js';
import { ScannerPanel } from '../../components/ScannerPanel.js';
import { participantScanVerifier } from '../../../src/core/session/scan-verifiers.js';
import type { ParticipantSession } from '../../../src/core/session/participant-session.js';
import { joinParticipantSession } from '../../session/participant-session.js';

export function JoinScreen({ signer, onJoined }: { signer: Signer; onJoined: (s: ParticipantSession) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const [loaded, setLoaded] = useState<{ script: Script; bytes: Uint8Array; file: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const [scanning, setScanning] = useState(false);
  const verify = useMemo(() => participantScanVerifier(undefined), []);

  const open = async (): Promise<void> => {
    setError(undefined);
    try {
      const r = await unwrap(bridge().importFile({ kind: 'script' }));
      if (r.status === 'cancelled') return;
      const script = parseScript(r.bytes);
      setLoaded({ script, bytes: r.bytes, file: r.name });
      setRole(script.roles.find((x) => !x.coordinator)?.id ?? '');
    } catch (e) {
      setLoaded(undefined);
      setError(e);
    }
  };
  const onMessage = useCallback(
    (wire: Uint8Array) => {
      if (!loaded) return;
      joinParticipantSession(
        { script: loaded.script, scriptBytes: loaded.bytes, signer, name: name.trim(), role },
        wire,
      ).then(
        (session) => onJoined(session),
        (e: unknown) => {
          setError(e);
          setScanning(false);
        },
      );
    },
    [loaded, signer, name, role, onJoined],
  );

  const ready = loaded !== undefined && name.trim() !== '' && role !== '';
  return (
    <section className="kw-screen" aria-labelledby="join-title">
      <h1 id="join-title">Join a ceremony as a witness or custodian</h1>
      <p>
        This device&apos;s key fingerprint starts with{' '}
        <strong className="kw-words-strong" data-testid="own-words">
          {spokenWords(signer.fingerprint)}
        </strong>
        .
      </p>
      <div className="kw-split">
        <section aria-labelledby="join-script-title">
          <h2 id="join-script-title">This device&apos;s copy of the script</h2>
          <p>
            Open the script from your own read-only media, not from the coordinator. Every statement is checked against
            it.
          </p>
          <button type="button" onClick={() => void open()}>
            Open script file…
          </button>
          {loaded && (
            <>
              <p>
                {loaded.script.title} (<code>{loaded.script.id}</code>, from <code>{loaded.file}</code>)
              </p>
              <HashView
                bytes={loaded.script.hash}
                label="Script SHA-256 on this device: compare with the paper copy and the projector"
                testId="own-script-hash"
              />
              <PrintWorksheetButton script={loaded.bytes} />
            </>
          )}
        </section>
        <section aria-labelledby="join-you-title">
          <h2 id="join-you-title">You</h2>
          <div className="kw-field">
            <label htmlFor="participant-name">Your name</label>
            <input id="participant-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          </div>
          {loaded ? (
            <div className="kw-field">
              <label htmlFor="participant-role">Your role</label>
              <select id="participant-role" value={role} onChange={(e) => setRole(e.target.value)}>
                {loaded.script.roles
                  .filter((r) => !r.coordinator)
                  .map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.title}
                    </option>
                  ))}
              </select>
            </div>
          ) : (
            <p className="kw-muted">Your role is chosen from the script, once it is open.</p>
          )}
          <ErrorNotice error={error} title="Could not join" onDismiss={() => setError(undefined)} />
          <h2>Scan the session genesis</h2>
          {!scanning && (
            <button
              type="button"
              className="kw-primary"
              disabled={!ready}
              onClick={() => {
                setError(undefined);
                setScanning(true);
              }}
            >
              Scan the genesis on the coordinator&apos;s screen
            </button>
          )}
          {!ready && <p className="kw-muted">Enter your name and open the script first.</p>}
          {scanning && (
            <ScannerPanel
              active
              verify={verify}
              onMessage={onMessage}
              title="Camera: the coordinator's genesis QR code"
            />
          )}
        </section>
      </div>
    </section>
  );
}
