/**
 * The page side of the scanner worker: one frame in flight at a time (a camera delivers 30 frames/s;
 * frames arriving while one is decoding are skipped, not queued), and a per-frame time budget. A
 * frame that is not decoded within the budget — a pathological image, a decoder stuck in a loop —
 * gets the worker terminated and a fresh one started, so a hostile QR code can slow scanning for one
 * budget at most and never hangs the app.
 */
import type { DecoderName } from './decoders.js';
import type { StrategyName, WorkerRequest, WorkerResponse } from './scanner-worker.js';

export type FrameOutcome =
  | {
      readonly kind: 'decoded';
      readonly codes: Uint8Array[];
      /** The decoding strategy's attempt that read the codes. */
      readonly attempt?: string;
      readonly readMs: number;
      readonly decodeMs: number;
    }
  | { readonly kind: 'overrun'; readonly budgetMs: number }
  | { readonly kind: 'failed'; readonly message: string };

export interface FrameScannerOptions {
  readonly decoder: DecoderName;
  /** URL of zxing's .wasm on the app's own origin (needed for 'zxing'). */
  readonly wasmUrl?: string;
  /** Time allowed per frame, ms (default 250). */
  readonly budgetMs?: number;
  /** Decoding strategy of the zxing decoder (default `full`; `fast-only` is for the benchmark). */
  readonly strategy?: StrategyName;
  /** Worker factory; the default is the bundled scanner-worker module. */
  readonly createWorker?: () => Worker;
}

function defaultWorker(): Worker {
  return new Worker(new URL('./scanner-worker.ts', import.meta.url), { type: 'module', name: 'keywitness-qr-scanner' });
}

export class FrameScanner {
  readonly decoder: DecoderName;
  readonly budgetMs: number;
  /** Workers terminated for overrunning their budget. */
  restarts = 0;
  private readonly options: FrameScannerOptions;
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private inFlight = false;
  private closed = false;

  constructor(options: FrameScannerOptions) {
    if (options.decoder !== 'zxing' && options.decoder !== 'jsqr')
      throw new TypeError(`unknown decoder ${String(options.decoder)}`);
    if (options.decoder === 'zxing' && !options.wasmUrl) throw new TypeError('zxing needs wasmUrl');
    const budget = options.budgetMs ?? 250;
    if (!Number.isFinite(budget) || budget <= 0 || budget > 10_000)
      throw new RangeError('budgetMs must be in (0, 10000]');
    this.options = options;
    this.decoder = options.decoder;
    this.budgetMs = budget;
  }

  /** True while a frame is being decoded: the caller should skip camera frames meanwhile. */
  get busy(): boolean {
    return this.inFlight;
  }

  /** Start (or restart) the worker and wait until its decoder is loaded. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('scanner closed'));
    if (this.ready) return this.ready;
    const worker = (this.options.createWorker ?? defaultWorker)();
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (e: MessageEvent<WorkerResponse>): void => {
        if (e.data.type === 'ready') resolve();
        else if (e.data.type === 'error' && e.data.id === -1)
          reject(new Error(`scanner worker failed to start: ${e.data.message}`));
        else return;
        worker.removeEventListener('message', onMessage);
      };
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', (e) => reject(new Error(`scanner worker failed: ${e.message}`)), { once: true });
      const init: WorkerRequest = {
        type: 'init',
        decoder: this.options.decoder,
        budgetMs: this.budgetMs,
        ...(this.options.wasmUrl ? { wasmUrl: this.options.wasmUrl } : {}),
        ...(this.options.strategy ? { strategy: this.options.strategy } : {}),
      };
      worker.postMessage(init);
    });
    return this.ready;
  }

  private restart(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.ready = undefined;
    this.restarts++;
    // Warm the replacement at once so the next frame does not pay for loading the decoder.
    if (!this.closed) this.start().catch(() => undefined);
  }

  /** Decode one frame (the bitmap is transferred and closed). */
  async scan(bitmap: ImageBitmap): Promise<FrameOutcome> {
    if (this.inFlight) {
      bitmap.close();
      return { kind: 'failed', message: 'a frame is already being decoded' };
    }
    this.inFlight = true;
    try {
      await this.start();
      // close() may have run while the decoder was loading.
      const worker = this.worker;
      if (!worker) throw new Error('scanner closed');
      const id = this.nextId++;
      return await new Promise<FrameOutcome>((resolve) => {
        const timer = setTimeout(() => {
          worker.removeEventListener('message', onMessage);
          this.restart();
          resolve({ kind: 'overrun', budgetMs: this.budgetMs });
        }, this.budgetMs);
        const onMessage = (e: MessageEvent<WorkerResponse>): void => {
          const m = e.data;
          if ((m.type !== 'result' && m.type !== 'error') || m.id !== id) return;
          clearTimeout(timer);
          worker.removeEventListener('message', onMessage);
          resolve(
            m.type === 'result'
              ? {
                  kind: 'decoded',
                  codes: m.codes,
                  ...(m.attempt ? { attempt: m.attempt } : {}),
                  readMs: m.readMs,
                  decodeMs: m.decodeMs,
                }
              : { kind: 'failed', message: m.message },
          );
        };
        worker.addEventListener('message', onMessage);
        const req: WorkerRequest = { type: 'frame', id, bitmap };
        worker.postMessage(req, [bitmap]);
      });
    } catch (e) {
      bitmap.close();
      return { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
    } finally {
      this.inFlight = false;
    }
  }

  /** Stop the worker for good. */
  close(): void {
    this.closed = true;
    this.worker?.terminate();
    this.worker = undefined;
    this.ready = undefined;
  }
}
