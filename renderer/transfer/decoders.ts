/**
 * QR decoders behind one interface (docs/qr-format.md, "Scanning"): zxing-wasm (ZXing-C++ compiled
 * to WebAssembly) and jsQR (pure JavaScript). Both return the raw bytes of each symbol, so
 * byte-mode frames survive exactly. The zxing .wasm is loaded from a URL the app gives — its own
 * origin, where the bundler put the file — never from zxing-wasm's default CDN.
 */
import jsQRModule from 'jsqr';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import {
  DECODE_ATTEMPTS,
  DecodeStrategy,
  grayRgba,
  zxingReaderOptions,
  type DecodeAttempt,
  type Plane,
  type ReaderSettings,
} from '../../src/core/transfer/decode-strategy.js';

/** RGBA pixels, as ImageData holds them. */
export interface RgbaImage {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

export type DecoderName = 'zxing' | 'jsqr';

/**
 * The default, picked by `npm run bench:qr`: zxing-wasm decodes a 640 × 480 camera frame in a few
 * milliseconds and reads tilted, noisy frames; jsQR needs over 100 ms for the same frames.
 */
export const DEFAULT_DECODER: DecoderName = 'zxing';

export interface DecodedFrame {
  /** Raw bytes of every QR code found (possibly none). */
  readonly codes: Uint8Array[];
  /** The decoding strategy's attempt that read them (zxing only). */
  readonly attempt?: string;
}

export interface QrDecoder {
  readonly name: DecoderName;
  decode(image: RgbaImage): Promise<DecodedFrame>;
}

export interface ZxingDecoderOptions {
  /**
   * Time the strategy may spend on one frame, ms (default 100): no further attempt starts after
   * it. Keep it well below the scanner's hard budget, which terminates the worker.
   */
  readonly budgetMs?: number;
  /** The attempts (default: all of DECODE_ATTEMPTS; the benchmark also runs the fast one alone). */
  readonly attempts?: readonly DecodeAttempt[];
  /**
   * Attempts per frame (default 2: the one that read the last frame, then one fallback in turn).
   * An unreadable frame then costs ~10–25 ms instead of every attempt, and the camera's next
   * frame, 33 ms later, gets the next fallback: measured with bench/qr-run.ts, trying them all on
   * every unreadable frame cost the good camera's p95 50–130 ms (fewer fresh frames decoded).
   */
  readonly maxAttempts?: number;
  /**
   * Frames in a row the first attempt may miss before fallbacks run (default 1): a torn frame
   * alone costs nothing more, and the next frame, clean, is read by the first attempt again.
   */
  readonly patience?: number;
}

/** A display shows one code at a time: stopping at the first symbol halves the time on a clean frame. */
const MAX_SYMBOLS = 1;

function imageDataOf(pixels: { data: Uint8ClampedArray | Uint8Array; width: number; height: number }): ImageData {
  if (pixels instanceof ImageData) return pixels;
  // ImageData wants a Uint8ClampedArray over an ArrayBuffer of its own; a processed plane already is one.
  const data =
    pixels.data instanceof Uint8ClampedArray && pixels.data.buffer instanceof ArrayBuffer
      ? (pixels.data as Uint8ClampedArray<ArrayBuffer>)
      : new Uint8ClampedArray(pixels.data);
  return new ImageData(data, pixels.width, pixels.height);
}

async function readPlane(plane: Plane, settings: ReaderSettings): Promise<Uint8Array[]> {
  const results = await readBarcodes(
    imageDataOf(plane.rgba ?? grayRgba(plane.luma())),
    zxingReaderOptions(settings, MAX_SYMBOLS),
  );
  return results.filter((r) => r.isValid).map((r) => Uint8Array.from(r.bytes));
}

/**
 * zxing-wasm reading its .wasm from `wasmUrl` (same origin), frames read by the decoding strategy
 * (src/core/transfer/decode-strategy.ts), the same one `keywitness qr decode` runs. `locateFile`
 * answers every request with that URL, so the package's CDN default can never be used.
 */
export async function createZxingDecoder(wasmUrl: string, options: ZxingDecoderOptions = {}): Promise<QrDecoder> {
  if (typeof wasmUrl !== 'string' || wasmUrl.length === 0)
    throw new TypeError('zxing needs the URL of its bundled .wasm');
  await prepareZXingModule({ overrides: { locateFile: () => wasmUrl }, fireImmediately: true });
  const strategy = new DecodeStrategy(readPlane, {
    budgetMs: options.budgetMs ?? 100,
    attempts: options.attempts ?? DECODE_ATTEMPTS,
    maxAttempts: options.maxAttempts ?? 2,
    patience: options.patience ?? 1,
  });
  return {
    name: 'zxing',
    async decode(image) {
      const { codes, attempt } = await strategy.decodeRgba(image);
      return attempt ? { codes, attempt } : { codes };
    },
  };
}

type JsQr = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options?: { inversionAttempts?: 'dontInvert' },
) => { binaryData: number[] } | null;
// jsqr is a CommonJS bundle whose default export is the function itself, or sits under `default`
// depending on the bundler's interop; accept either.
const jsQR: JsQr = typeof jsQRModule === 'function' ? jsQRModule : (jsQRModule as unknown as { default: JsQr }).default;

/** jsQR: one code per frame, no inverted search (screens show dark modules on light). */
export function createJsqrDecoder(): QrDecoder {
  return {
    name: 'jsqr',
    async decode(image) {
      const r = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
      return { codes: r ? [Uint8Array.from(r.binaryData)] : [] };
    },
  };
}
