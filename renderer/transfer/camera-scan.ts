/**
 * Camera → worker loop (docs/qr-format.md, "Scanning"): the camera opened at 640 × 480, 30
 * frames/s; each presented video frame (requestVideoFrameCallback) is copied to an ImageBitmap and
 * handed to the scanner worker unless it is still busy with the previous one.
 */
import { FrameScanner, type FrameScannerOptions } from './scanner-client.js';

export interface FrameInfo {
  /** Sequence number of the camera frame (counts presented frames, scanned or not). */
  readonly frame: number;
  /** performance.now() when the video frame was presented. */
  readonly presentedAt: number;
  /** Time the worker spent reading the pixels back from the bitmap, ms. */
  readonly readMs: number;
  /** Time the decoder spent on the pixels, ms. */
  readonly decodeMs: number;
  /** The decoding strategy's attempt that read the codes, if one did. */
  readonly attempt?: string;
}

export interface CameraScanOptions extends FrameScannerOptions {
  readonly width?: number;
  readonly height?: number;
  readonly frameRate?: number;
  /** Called for every decoded frame, with the raw bytes of each QR code in it (maybe none). */
  readonly onCodes: (codes: Uint8Array[], info: FrameInfo) => void;
  /** Called when a frame overran its budget and the worker was restarted. */
  readonly onOverrun?: (budgetMs: number) => void;
  readonly onError?: (message: string) => void;
}

export interface CameraScan {
  readonly scanner: FrameScanner;
  readonly stream: MediaStream;
  stop(): void;
}

type VideoWithCallback = HTMLVideoElement & {
  requestVideoFrameCallback(cb: (now: number, meta: { presentedFrames: number }) => void): number;
  cancelVideoFrameCallback(handle: number): void;
};

/** Open the camera into `video` and scan until stop(). Rejects if the camera cannot be opened. */
export async function startCameraScan(video: HTMLVideoElement, options: CameraScanOptions): Promise<CameraScan> {
  const v = video as VideoWithCallback;
  if (typeof v.requestVideoFrameCallback !== 'function')
    throw new Error('this browser lacks requestVideoFrameCallback');
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: {
      width: { ideal: options.width ?? 640 },
      height: { ideal: options.height ?? 480 },
      frameRate: { ideal: options.frameRate ?? 30 },
    },
  });
  const scanner = new FrameScanner(options);
  let stopped = false;
  let handle = 0;
  const stop = (): void => {
    stopped = true;
    v.cancelVideoFrameCallback(handle);
    for (const t of stream.getTracks()) t.stop();
    scanner.close();
  };
  try {
    await scanner.start();
    video.srcObject = stream;
    video.muted = true;
    video.playsInline = true;
    await video.play();
  } catch (e) {
    stop();
    throw e;
  }
  let frame = 0;
  let pending = false;
  const onFrame = (now: number): void => {
    if (stopped) return;
    frame++;
    handle = v.requestVideoFrameCallback(onFrame);
    // Skip, never queue: a late frame is worth less than the next fresh one.
    if (pending) return;
    pending = true;
    const info = { frame, presentedAt: now };
    createImageBitmap(video)
      .then((bitmap) => scanner.scan(bitmap))
      .then((outcome) => {
        if (stopped) return;
        if (outcome.kind === 'decoded')
          options.onCodes(outcome.codes, {
            ...info,
            readMs: outcome.readMs,
            decodeMs: outcome.decodeMs,
            ...(outcome.attempt ? { attempt: outcome.attempt } : {}),
          });
        else if (outcome.kind === 'overrun') options.onOverrun?.(outcome.budgetMs);
        else options.onError?.(outcome.message);
      })
      .catch((e: unknown) => options.onError?.(e instanceof Error ? e.message : String(e)))
      .finally(() => {
        pending = false;
      });
  };
  handle = v.requestVideoFrameCallback(onFrame);
  return { scanner, stream, stop };
}
