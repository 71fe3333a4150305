/**
 * The camera and what it has received so far. Messages surface only after `verify` accepted their
 * signature (the assembler never releases unverified bytes); plain QR codes surface separately.
 * When the camera fails, or the room filmed the screen on another device, the same scanner reads
 * QR frames from image files and recorded videos (renderer/transfer/file-scan.ts).
 */
import { useEffect, useRef, useState } from 'react';
import { useQrScanner } from '../transfer/use-qr-scanner.js';
import { ScanProgress } from '../transfer/ScanProgress.js';
import { ZXING_WASM_URL } from '../transfer/zxing-wasm-url.js';
import { DEFAULT_DECODER } from '../transfer/decoders.js';
import { scanFiles, type FileScanSummary } from '../transfer/file-scan.js';
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

type FileState =
  | { readonly status: 'idle' }
  | { readonly status: 'reading'; readonly names: string }
  | { readonly status: 'done'; readonly summaries: readonly FileScanSummary[] }
  | { readonly status: 'failed'; readonly message: string; readonly summaries: readonly FileScanSummary[] };

const summaryText = (s: FileScanSummary): string =>
  s.kind === 'image'
    ? `${s.file}: ${s.codes === 0 ? 'no QR code found' : `${s.codes} QR code(s)`}`
    : `${s.file}: ${s.frames} video frame(s) read, ${s.codes} QR code(s) found`;

export function ScannerPanel({ active, verify, sessionId, onMessage, onPlain, title }: ScannerPanelProps) {
  const { videoRef, state, feed } = useQrScanner({
    enabled: active,
    verify,
    ...(sessionId ? { sessionId } : {}),
    wasmUrl: ZXING_WASM_URL,
    ...(onMessage
      ? { onMessage: (wire: Uint8Array, _id: Uint8Array, scanDelayMs: number) => onMessage(wire, scanDelayMs) }
      : {}),
    ...(onPlain ? { onPlain } : {}),
  });
  const playback = useRef<HTMLVideoElement | null>(null);
  const reading = useRef<AbortController | undefined>(undefined);
  const [files, setFiles] = useState<FileState>({ status: 'idle' });
  // Leaving the screen (the message arrived) stops a video still playing.
  useEffect(() => () => reading.current?.abort(), []);
  useEffect(() => {
    if (!active) reading.current?.abort();
  }, [active]);

  const read = (list: FileList | null): void => {
    const chosen = [...(list ?? [])];
    if (chosen.length === 0 || !playback.current) return;
    reading.current?.abort();
    const controller = new AbortController();
    reading.current = controller;
    const summaries: FileScanSummary[] = [];
    setFiles({ status: 'reading', names: chosen.map((f) => f.name).join(', ') });
    scanFiles(chosen, playback.current, {
      decoder: DEFAULT_DECODER,
      wasmUrl: ZXING_WASM_URL,
      onCodes: feed,
      onFile: (s) => summaries.push(s),
      signal: controller.signal,
    }).then(
      () => {
        if (!controller.signal.aborted) setFiles({ status: 'done', summaries });
      },
      (e: unknown) => {
        if (!controller.signal.aborted)
          setFiles({ status: 'failed', message: e instanceof Error ? e.message : String(e), summaries });
      },
    );
  };

  return (
    <section className="kw-scanner" aria-label={title} data-testid="scanner" data-status={state.status}>
      <h3>{title}</h3>
      <video ref={videoRef} className="kw-video" width={320} height={240} aria-label="Camera view" muted playsInline />
      <ScanProgress state={state} />
      <div className="kw-scan-files" data-testid="scan-files" data-status={files.status}>
        <label className="kw-file-pick">
          No camera, or filmed on another device? Read QR codes from image or video files:{' '}
          <input
            type="file"
            accept="image/*,video/*"
            multiple
            disabled={!active}
            data-testid="scan-file-input"
            onChange={(e) => {
              read(e.target.files);
              // The same file can be chosen again after a failure.
              e.target.value = '';
            }}
          />
        </label>
        <video
          ref={playback}
          className="kw-video kw-file-video"
          hidden={files.status !== 'reading'}
          aria-label="Recorded video being read"
          muted
          playsInline
        />
        {files.status === 'reading' && <p>Reading {files.names}…</p>}
        {(files.status === 'done' || files.status === 'failed') && files.summaries.length > 0 && (
          <ul className="kw-list">
            {files.summaries.map((s, i) => (
              <li key={i}>{summaryText(s)}</li>
            ))}
          </ul>
        )}
        {files.status === 'failed' && (
          <p className="kw-bad" role="alert" data-testid="scan-file-error">
            {files.message}
          </p>
        )}
      </div>
    </section>
  );
}
