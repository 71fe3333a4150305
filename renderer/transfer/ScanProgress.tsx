/**
 * What the scanner has so far: one bar per message being assembled ("3 of 4 parts"), and the
 * latest outcome in words — a refusal says why, so a person pointing the camera knows what to fix.
 */
import type { QrScannerState } from './use-qr-scanner.js';

function describe(last: QrScannerState['last']): string | undefined {
  if (!last) return undefined;
  switch (last.kind) {
    case 'message':
      return 'Message received and its signature verified.';
    case 'duplicate':
      return 'Already received this message.';
    case 'plain':
      return last.text === undefined
        ? `Plain QR code with ${last.bytes.length} bytes of binary data.`
        : 'Plain QR code (text).';
    case 'refused':
      return `Refused: ${last.reason}`;
    default:
      return undefined;
  }
}

export function ScanProgress({ state }: { state: QrScannerState }) {
  const message = describe(state.last);
  return (
    <div className="kw-scan-progress" aria-live="polite">
      {state.status === 'starting' && <p>Opening the camera…</p>}
      {state.status === 'error' && <p role="alert">{state.error}</p>}
      {state.progress.map((p) => (
        <div key={p.key} data-testid="scan-part-progress">
          <label>
            Receiving: {p.received} of {p.needed} parts
            <progress max={p.needed} value={p.received} />
          </label>
        </div>
      ))}
      {message && (
        <p data-testid="scan-last" role={state.last?.kind === 'refused' ? 'alert' : undefined}>
          {message}
        </p>
      )}
      {state.overruns > 0 && <p>{state.overruns} camera frame(s) took too long to decode and were skipped.</p>}
    </div>
  );
}
