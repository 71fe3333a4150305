/**
 * QR decoders behind one interface (docs/qr-format.md, "Scanning"): zxing-wasm (ZXing-C++ compiled
 * to WebAssembly) and jsQR (pure JavaScript). Both return the raw bytes of each symbol, so
 * byte-mode frames survive exactly. The zxing .wasm is loaded from a URL the app gives — its own
 * origin, where the bundler put the file — never from zxing-wasm's default CDN.
 */
import jsQRModule from 'jsqr';
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';

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

export interface QrDecoder {
  readonly name: DecoderName;
  /** Raw bytes of every QR code found (possibly none). */
  decode(image: RgbaImage): Promise<Uint8Array[]>;
}

/**
 * Chosen with the benchmark (bench/qr-run.ts): a display shows one code at a time, so the search
 * stops at the first symbol (looking for a second doubled the median time on clean frames); the
 * local-average binarizer keeps glare and uneven light decodable; rotation and inversion searches
 * are off because a screen is upright within a few degrees and dark-on-light.
 */
export const ZXING_OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  tryRotate: false,
  tryInvert: false,
  tryDownscale: false,
  binarizer: 'LocalAverage',
  maxNumberOfSymbols: 1,
};

/**
 * zxing-wasm reading its .wasm from `wasmUrl` (same origin). `locateFile` answers every request
 * with that URL, so the package's CDN default can never be used.
 */
export async function createZxingDecoder(wasmUrl: string, options: ReaderOptions = ZXING_OPTIONS): Promise<QrDecoder> {
  if (typeof wasmUrl !== 'string' || wasmUrl.length === 0)
    throw new TypeError('zxing needs the URL of its bundled .wasm');
  await prepareZXingModule({ overrides: { locateFile: () => wasmUrl }, fireImmediately: true });
  return {
    name: 'zxing',
    async decode(image) {
      const imageData =
        image instanceof ImageData
          ? image
          : new ImageData(new Uint8ClampedArray(image.data), image.width, image.height);
      const results = await readBarcodes(imageData, options);
      return results.filter((r) => r.isValid).map((r) => Uint8Array.from(r.bytes));
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
      return r ? [Uint8Array.from(r.binaryData)] : [];
    },
  };
}
