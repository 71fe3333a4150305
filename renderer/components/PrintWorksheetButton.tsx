/**
 * "Print worksheet…": the printable ceremony worksheet of a script the screen has open, written by
 * the main process (`printWorksheet`, the same PDF as `keywitness script print`) into a folder the
 * operator picks, never over an existing file. Shown wherever a script is open before a session
 * starts (the coordinator's script screen, a participant's join screen).
 */
import { useEffect, useState } from 'react';
import { bridge, unwrap } from '../bridge/api.js';
import { ErrorNotice } from './ErrorNotice.js';

/**
 * The button, and once written, where the worksheet went. A refusal goes to `onError` (the
 * screen's own error notice), or without one to a notice of its own under the button.
 */
export function PrintWorksheetButton({ script, onError }: { script: Uint8Array; onError?: (e: unknown) => void }) {
  const [written, setWritten] = useState<string | undefined>();
  const [ownError, setOwnError] = useState<unknown>();
  const report = onError ?? setOwnError;
  const [busy, setBusy] = useState(false);
  // Another script opened: what was written was the old script's worksheet.
  useEffect(() => setWritten(undefined), [script]);

  const print = async (): Promise<void> => {
    setBusy(true);
    report(undefined);
    try {
      const r = await unwrap(bridge().printWorksheet({ script }));
      if (r.status === 'written')
        setWritten(`Worksheet written to ${r.path} (${r.pages} pages, SHA-256 ${r.sha256Hex}).`);
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" disabled={busy} onClick={() => void print()}>
        Print worksheet…
      </button>
      {written && (
        <span className="kw-muted" role="status" data-testid="worksheet-written">
          {written}
        </span>
      )}
      {!onError && <ErrorNotice error={ownError} title="Could not print the worksheet" />}
    </>
  );
}
