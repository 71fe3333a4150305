/**
 * The camera and what it has received so far. Messages surface only after `verify` accepted their
 * signature (the assembler never releases unverified bytes); plain QR codes surface separately.
 */
import { useQrScanner } from '../transfer/use-qr-scanner.js';
import { ScanProgress } from '../transfer/ScanProgress.js';
import { ZXING_WASM_URL } from '../transfer/zxing-wasm-url.js';
import type { VerifyFn } from '../../src/core/transfer/assembler.js';

export interface ScannerPanelProps {
  readonly active: boolean;
  readonly verify: VerifyFn;
  readonly sessionId?: Uint8Array;
  /** A verified message and how long it took to scan, from its first frame read (use-qr-scanner.ts). */
  readonly onMessage?: (wire: Uint8Array, scanDelayMs: number) => void;
  readonly onPlain?: (bytes: Uint8Array, text: string | undefined) => void;
  readonly title: string;
}

export function ScannerPanel({ active, verify, sessionId, onMessage, onPlain, title }: ScannerPanelProps) {
  const { videoRef, state } = useQrScanner({
    enabled: active,
    verify,
    ...(sessionId ? { sessionId } : {}),
    wasmUrl: ZXING_WASM_URL,
    ...(onMessage
      ? { onMessage: (wire: Uint8Array, _id: Uint8Array, scanDelayMs: number) => onMessage(wire, scanDelayMs) }
      : {}),
    ...(onPlain ? { onPlain } : {}),
  });
  return (
    <section className="kw-scanner" aria-label={title} data-testid="scanner" data-status={state.status}>
      <h3>{title}</h3>
      <video ref={videoRef} className="kw-video" width={320} height={240} aria-label="Camera view" muted playsInline />
      <ScanProgress state={state} />
    </section>
  );
}
