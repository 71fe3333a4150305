/**
 * Coordinator, first screen: open the ceremony script, show its hash as hex, PGP words and a QR
 * code for the room to compare with the published copy, then create the session.
 */
import { useState } from 'react';
import type { SessionMode } from '../../../src/core/protocol/bodies.js';
import type { Signer } from '../../../src/core/protocol/identity.js';
import { parseScript } from '../../../src/core/script/parse.js';
import type { Script } from '../../../src/core/script/types.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { bridge, unwrap } from '../../bridge/api.js';
import { useApp } from '../../app/context.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { HashView } from '../../components/HashView.js';
import { PlainQr } from '../../components/PlainQr.js';
import { ActionBar } from '../../components/ActionBar.js';
import { PrintWorksheetButton } from '../../components/PrintWorksheetButton.js';
import { createCoordinatorSession, type CoordinatorSession } from '../../session/coordinator-session.js';

export function ScriptScreen({ signer, onCreated }: { signer: Signer; onCreated: (s: CoordinatorSession) => void }) {
  const { info } = useApp();
  const [loaded, setLoaded] = useState<{ script: Script; bytes: Uint8Array; name: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  const [mode, setMode] = useState<SessionMode>('rehearsal');
  const [hashChecked, setHashChecked] = useState(false);

  const open = async (): Promise<void> => {
    setError(undefined);
    try {
      const r = await unwrap(bridge().importFile({ kind: 'script' }));
      if (r.status === 'cancelled') return;
      setLoaded({ script: parseScript(r.bytes), bytes: r.bytes, name: r.name });
      setHashChecked(false);
    } catch (e) {
      setLoaded(undefined);
      setError(e);
    }
  };

  const create = async (): Promise<void> => {
    if (!loaded) return;
    setBusy(true);
    setError(undefined);
    try {
      onCreated(
        await createCoordinatorSession({
          script: loaded.script,
          scriptBytes: loaded.bytes,
          signer,
          name: name.trim(),
          mode,
          app: info?.buildHashHex ?? '',
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="kw-screen" aria-labelledby="script-title">
      <div className="kw-title-row">
        <h1 id="script-title">Open the ceremony script</h1>
        <button type="button" className={loaded ? undefined : 'kw-primary'} onClick={() => void open()}>
          {loaded ? 'Open another script file…' : 'Open script file…'}
        </button>
        {loaded && <PrintWorksheetButton script={loaded.bytes} onError={setError} />}
      </div>
      {!loaded && (
        <p>
          Open the script from the read-only media. Its SHA-256 must equal the value published on paper before the
          ceremony.
        </p>
      )}
      <ErrorNotice error={error} />
      {loaded && (
        <>
          <h2>{loaded.script.title}</h2>
          <p>
            Script <code>{loaded.script.id}</code> from <code>{loaded.name}</code>: {loaded.script.steps.length} steps,
            roles{' '}
            {loaded.script.roles
              .map((r) => `${r.title} (${r.id}${r.coordinator ? ', coordinator' : `, at least ${r.min}`})`)
              .join(', ')}
            .
          </p>
          <div className="kw-split">
            <HashView
              bytes={loaded.script.hash}
              label="Script SHA-256: compare all 32 words with the published paper copy"
              testId="script-hash"
            />
            <div>
              <h2>Create the session</h2>
              <div className="kw-field">
                <label htmlFor="coordinator-name">Your name (the ceremony administrator)</label>
                <input
                  id="coordinator-name"
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  autoComplete="off"
                />
              </div>
              <fieldset className="kw-field">
                <legend>Kind of session</legend>
                <label className="kw-check">
                  <input
                    type="radio"
                    name="mode"
                    checked={mode === 'rehearsal'}
                    onChange={() => setMode('rehearsal')}
                  />{' '}
                  Rehearsal (watermarked on every screen)
                </label>
                <label className="kw-check">
                  <input
                    type="radio"
                    name="mode"
                    checked={mode === 'production'}
                    onChange={() => setMode('production')}
                  />{' '}
                  Production
                </label>
              </fieldset>
              <PlainQr text={toHex(loaded.script.hash)} label="QR code of the script hash in hex" maxSize={180} />
            </div>
          </div>
          <ActionBar label="Create the session">
            <label className="kw-check">
              <input type="checkbox" checked={hashChecked} onChange={(e) => setHashChecked(e.target.checked)} />
              The room compared the script hash with the published copy and it matches.
            </label>
            <button
              type="button"
              className="kw-primary"
              disabled={busy || !hashChecked || name.trim() === ''}
              onClick={() => void create()}
            >
              Create {mode} session and show the genesis
            </button>
            {(!hashChecked || name.trim() === '') && (
              <span className="kw-muted">Enter your name and confirm the hash comparison to continue.</span>
            )}
          </ActionBar>
        </>
      )}
    </section>
  );
}
