/**
 * Web Worker that decodes camera frames off the UI thread (docs/qr-format.md, "Scanning"). It holds
 * one decoder; each frame arrives as a transferred ImageBitmap, is read back through an
 * OffscreenCanvas and decoded (zxing through the decoding strategy, src/core/transfer/decode-strategy.ts).
 * The page enforces the per-frame time budget: a worker that overruns is terminated, not waited for.
 */
import { DECODE_ATTEMPTS } from '../../src/core/transfer/decode-strategy.js';
import { createJsqrDecoder, createZxingDecoder, type DecoderName, type QrDecoder } from './decoders.js';

/** `full`: every attempt of the strategy; `fast-only`: the first alone (the reader as it was, for the benchmark). */
export type StrategyName = 'full' | 'fast-only';

export type WorkerRequest =
  | {
      readonly type: 'init';
      readonly decoder: DecoderName;
      readonly wasmUrl?: string;
      /** The page's hard budget per frame, ms. */
      readonly budgetMs?: number;
      readonly strategy?: StrategyName;
    }
  | { readonly type: 'frame'; readonly id: number; readonly bitmap: ImageBitmap };

export type WorkerResponse =
  | { readonly type: 'ready' }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly codes: Uint8Array[];
      /** The strategy's attempt that read the codes. */
      readonly attempt?: string;
      readonly readMs: number;
      readonly decodeMs: number;
    }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(m: WorkerResponse, t?: Transferable[]): void;
};
let decoder: QrDecoder | undefined;
let canvas: OffscreenCanvas | undefined;
let ctx: OffscreenCanvasRenderingContext2D | null = null;

function pixels(bitmap: ImageBitmap): ImageData {
  if (!canvas || canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
    canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    ctx = canvas.getContext('2d', { willReadFrequently: true });
  }
  if (!ctx) throw new Error('no 2D context in the scanner worker');
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
}

scope.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    // No attempt starts after 40 % of the page's budget, so the one under way (at most ~25 ms on a
    // 640 × 480 frame) ends long before the page would terminate the worker.
    const zxing = {
      budgetMs: 0.4 * (msg.budgetMs ?? 250),
      attempts: msg.strategy === 'fast-only' ? DECODE_ATTEMPTS.slice(0, 1) : DECODE_ATTEMPTS,
    };
    const made =
      msg.decoder === 'jsqr' ? Promise.resolve(createJsqrDecoder()) : createZxingDecoder(msg.wasmUrl ?? '', zxing);
    made.then(
      (d) => {
        decoder = d;
        scope.postMessage({ type: 'ready' });
      },
      (e: unknown) => scope.postMessage({ type: 'error', id: -1, message: e instanceof Error ? e.message : String(e) }),
    );
    return;
  }
  const { id, bitmap } = msg;
  if (!decoder) {
    bitmap.close();
    scope.postMessage({ type: 'error', id, message: 'decoder not ready' });
    return;
  }
  const start = performance.now();
  let image: ImageData;
  try {
    image = pixels(bitmap);
  } finally {
    bitmap.close();
  }
  const readMs = performance.now() - start;
  const decodeStart = performance.now();
  decoder.decode(image).then(
    ({ codes, attempt }) =>
      scope.postMessage(
        {
          type: 'result',
          id,
          codes,
          ...(attempt ? { attempt } : {}),
          readMs,
          decodeMs: performance.now() - decodeStart,
        },
        codes.map((c) => c.buffer as ArrayBuffer),
      ),
    (e: unknown) => scope.postMessage({ type: 'error', id, message: e instanceof Error ? e.message : String(e) }),
  );
};
