/**
 * React hook: scan the camera for Keywitness messages and plain QR codes. Every decoded code goes
 * through the Assembler, so a message surfaces only after the caller's signature check passed;
 * plain codes (text, PEM, hex from ordinary tools) surface separately for evidence import.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Assembler, type ScanEvent, type VerifyFn } from '../../src/core/transfer/assembler.js';
import { DEFAULT_DECODER, type DecoderName } from './decoders.js';
import { startCameraScan } from './camera-scan.js';

export interface QrScannerOptions {
  readonly enabled: boolean;
  readonly verify: VerifyFn;
  /** Refuse frames of other sessions once the session is known. */
  readonly sessionId?: Uint8Array;
  readonly decoder?: DecoderName;
  readonly wasmUrl?: string;
  readonly budgetMs?: number;
  /**
   * A verified message; `scanDelayMs` is the time from the first frame of it that was read to its
   * decoding (the coordinator subtracts it when it measures an enrolling device's clock).
   */
  readonly onMessage?: (wire: Uint8Array, messageId: Uint8Array, scanDelayMs: number) => void;
  readonly onPlain?: (bytes: Uint8Array, text: string | undefined) => void;
}

export interface QrScannerState {
  readonly status: 'idle' | 'starting' | 'scanning' | 'error';
  readonly error?: string;
  readonly progress: readonly { key: string; received: number; needed: number }[];
  /** The latest status worth showing (refusal, duplicate, message, plain). */
  readonly last?: ScanEvent;
  readonly frames: number;
  readonly overruns: number;
}

const INITIAL: QrScannerState = { status: 'idle', progress: [], frames: 0, overruns: 0 };

/**
 * Returns a ref for the <video> element and the scanning state. `verify` and `sessionId` restart
 * the camera when their identity changes: pass memoised values.
 */
export function useQrScanner(options: QrScannerOptions): {
  videoRef: React.RefObject<HTMLVideoElement | null>;
  state: QrScannerState;
  /** Hand QR codes read elsewhere (image files, a recorded video) to the same assembler; ignored while not enabled. */
  feed: (codes: readonly Uint8Array[]) => void;
} {
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const feedRef = useRef<((codes: readonly Uint8Array[]) => void) | undefined>(undefined);
  const [state, setState] = useState<QrScannerState>(INITIAL);
  const latest = useRef(options);
  latest.current = options;
  const { enabled, decoder = DEFAULT_DECODER, wasmUrl, budgetMs, sessionId, verify } = options;

  useEffect(() => {
    if (!enabled || !videoRef.current) return;
    let cancelled = false;
    let stop: (() => void) | undefined;
    const assembler = new Assembler({ verify, ...(sessionId ? { sessionId } : {}) });
    setState({ ...INITIAL, status: 'starting' });
    // When each message's first frame was read, by assembly key (the assembler's own keys).
    const firstFrame = new Map<string, number>();
    const handle = async (code: Uint8Array): Promise<void> => {
      const readAt = Date.now();
      const e = await assembler.accept(code);
      if (cancelled) return;
      if (e.kind === 'progress' && !firstFrame.has(e.key)) firstFrame.set(e.key, readAt);
      if (e.kind === 'message') {
        const delay = Math.max(0, Date.now() - (firstFrame.get(e.key) ?? readAt));
        firstFrame.delete(e.key);
        latest.current.onMessage?.(e.wire, e.messageId, delay);
      }
      if (e.kind === 'plain') latest.current.onPlain?.(e.bytes, e.text);
      setState((s) => ({
        ...s,
        progress: assembler.progress(),
        ...(e.kind === 'progress' || e.kind === 'verifying' ? {} : { last: e }),
      }));
    };
    // Codes from files join the camera's: one assembler, one signature check, whether or not the camera opened.
    feedRef.current = (codes) => {
      for (const c of codes) void handle(c);
    };
    startCameraScan(videoRef.current, {
      decoder,
      ...(wasmUrl ? { wasmUrl } : {}),
      ...(budgetMs ? { budgetMs } : {}),
      onCodes: (codes) => {
        setState((s) => ({ ...s, frames: s.frames + 1 }));
        for (const c of codes) void handle(c);
      },
      onOverrun: () => setState((s) => ({ ...s, overruns: s.overruns + 1 })),
      onError: (message) => setState((s) => ({ ...s, error: message })),
    }).then(
      (scan) => {
        if (cancelled) scan.stop();
        else {
          stop = scan.stop;
          setState((s) => ({ ...s, status: 'scanning' }));
        }
      },
      (e: unknown) => {
        if (!cancelled)
          setState((s) => ({
            ...s,
            status: 'error',
            error: `camera could not be opened: ${e instanceof Error ? e.message : String(e)}`,
          }));
      },
    );
    return () => {
      cancelled = true;
      feedRef.current = undefined;
      stop?.();
    };
  }, [enabled, decoder, wasmUrl, budgetMs, sessionId, verify]);

  const feed = useCallback((codes: readonly Uint8Array[]) => feedRef.current?.(codes), []);
  return { videoRef, state, feed };
}
