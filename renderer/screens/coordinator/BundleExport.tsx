/**
 * Coordinator: export the session bundle to removable media (never overwriting; the written file is
 * read back and its SHA-256 reported). Used at the close, and while suspended, when the bundle is a
 * true but incomplete record that audits as SUSPENDED.
 */
import { useState } from 'react';
import { encodeBundle } from '../../../src/core/session/files.js';
import { fromHex, toHex } from '../../../src/core/util/bytes.js';
import { bridge, unwrap, type ExportResult } from '../../bridge/api.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { HashView } from '../../components/HashView.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';

/** The export button and, once written, the file's path, size and SHA-256 for the paper form. */
export function BundleExport({ session, label }: { session: CoordinatorSession; label: string }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [exported, setExported] = useState<Extract<ExportResult, { status: 'written' }> | undefined>();
  const exportBundle = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const name = `${session.script.id}-${session.sessionId.slice(0, 8)}.keywitness.json`;
      // The coordinator re-seals the bundle at every export (core's exportBundle).
      const bytes = encodeBundle(await session.run((c) => c.exportBundle()));
      const r = await unwrap(bridge().exportFile({ suggestedName: name, bytes }));
      if (r.status === 'written') setExported(r);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="kw-primary" disabled={busy} onClick={() => void exportBundle()}>
        {label}
      </button>
      <ErrorNotice error={error} onDismiss={() => setError(undefined)} />
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
  );
}
