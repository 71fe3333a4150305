/**
 * How a QR image is read (docs/qr-format.md, "Scanning"): an ordered list of attempts, the fast
 * one first, each a set of zxing-wasm reader settings and, where the reader alone gives up, a few
 * cheap operations on the luminance plane before it. The scanner worker (renderer/transfer) and the
 * CLI's `qr decode` (src/node/qr-image.ts) both run this list, with their own reader function and
 * time budget. Platform-free: the reader is passed in, and nothing here knows zxing-wasm.
 *
 * Why these attempts (measured with bench/qr-run.ts and test/unit/cli/qr-robustness.test.ts):
 * - ZXing's LocalAverage binarizer treats any 8 × 8 block whose levels span less than 24 as flat,
 *   so a code squeezed to 47–53 % (15 levels) is invisible to it until the contrast is stretched.
 * - Sensor noise of σ 12 on a soft, low-contrast code (a poor webcam) breaks every binarizer;
 *   a 3 × 3 mean brings it to σ 4 and the same reader then reads most frames. zxing's own
 *   `tryDenoise` (a morphological closing after binarization) does not help there.
 * - Unsharp masking after the mean recovers modules that blur has flattened.
 * - Inverted codes (light on dark, a phone in dark mode) and large, blurred photos (where reading a
 *   downscaled copy helps) are rare, so their reader options come last.
 */

/** A luminance image: one byte per pixel, rows top to bottom. */
export interface LumaImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** The zxing-wasm reader options an attempt chooses (the reader adds format and symbol count). */
export interface ReaderSettings {
  readonly binarizer: 'LocalAverage' | 'GlobalHistogram' | 'FixedThreshold';
  readonly tryHarder: boolean;
  readonly tryInvert: boolean;
  readonly tryDenoise: boolean;
  readonly tryDownscale: boolean;
}

/**
 * Operations on the luminance plane, applied in order before reading:
 * `denoise` a 3 × 3 mean; `sharpen` unsharp masking against a 7 × 7 mean (amount 2);
 * `stretch` levels from the 1st to the 99th percentile mapped to 0..255.
 */
export type LumaStep = 'denoise' | 'sharpen' | 'stretch';

export interface DecodeAttempt {
  readonly name: string;
  readonly steps: readonly LumaStep[];
  readonly reader: ReaderSettings;
}

/** RGBA pixels, as ImageData holds them. */
export interface RgbaPixels {
  readonly data: Uint8ClampedArray | Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * What a reader is handed: the image as it came (`rgba` set when it came as RGBA, so the fast
 * attempt reads the pixels without a detour through a luma plane), or a processed luma plane.
 */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly rgba?: RgbaPixels;
  luma(): LumaImage;
}

/** Reads every QR code in a plane with the given settings; raw bytes of each (maybe none). */
export type ReadFn = (plane: Plane, settings: ReaderSettings) => Promise<Uint8Array[]>;

const FAST: ReaderSettings = {
  binarizer: 'LocalAverage',
  tryHarder: true,
  tryInvert: false,
  tryDenoise: false,
  tryDownscale: false,
};

/**
 * The attempts, in the order they are tried. The first is the reader as the scanner always ran it:
 * a clean frame costs what it did before.
 */
export const DECODE_ATTEMPTS: readonly DecodeAttempt[] = [
  { name: 'fast', steps: [], reader: FAST },
  { name: 'denoise', steps: ['denoise'], reader: FAST },
  { name: 'stretch', steps: ['stretch'], reader: FAST },
  { name: 'denoise-sharpen', steps: ['denoise', 'sharpen', 'stretch'], reader: FAST },
  {
    name: 'invert-downscale',
    steps: [],
    reader: { ...FAST, tryInvert: true, tryDownscale: true },
  },
  {
    name: 'stretch-invert-downscale',
    steps: ['denoise', 'stretch'],
    reader: { ...FAST, tryInvert: true, tryDownscale: true },
  },
];

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Mean over a (2r+1) × (2r+1) window, edges clamped; integer running sums, two passes. */
export function boxMean(image: LumaImage, r: number): LumaImage {
  const { data, width: w, height: h } = image;
  if (!Number.isInteger(r) || r < 1) throw new RangeError('radius must be a positive integer');
  const n = 2 * r + 1;
  const rows = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += data[row + Math.min(w - 1, Math.max(0, i))] ?? 0;
    for (let x = 0; x < w; x++) {
      rows[row + x] = sum;
      sum += (data[row + Math.min(w - 1, x + r + 1)] ?? 0) - (data[row + Math.max(0, x - r)] ?? 0);
    }
  }
  const out = new Uint8Array(w * h);
  const area = n * n;
  const half = area >> 1;
  for (let x = 0; x < w; x++) {
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += rows[Math.min(h - 1, Math.max(0, i)) * w + x] ?? 0;
    for (let y = 0; y < h; y++) {
      out[y * w + x] = ((sum + half) / area) | 0;
      sum += (rows[Math.min(h - 1, y + r + 1) * w + x] ?? 0) - (rows[Math.max(0, y - r) * w + x] ?? 0);
    }
  }
  return { data: out, width: w, height: h };
}

/** Unsharp masking: v + amount × (v − mean over a (2r+1)² window). */
export function sharpen(image: LumaImage, r = 3, amount = 2): LumaImage {
  const blurred = boxMean(image, r).data;
  const { data } = image;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] ?? 0;
    out[i] = clampByte(v + amount * (v - (blurred[i] ?? 0)));
  }
  return { data: out, width: image.width, height: image.height };
}

/**
 * Map the levels between the `low` and `high` quantiles to 0..255. Percentiles, not the extremes,
 * so a few hot pixels or a glare spot do not hold the range open. An image of one level is left as
 * it is.
 */
export function stretch(image: LumaImage, low = 0.01, high = 0.99): LumaImage {
  const { data } = image;
  const hist = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) hist[data[i] ?? 0] = (hist[data[i] ?? 0] ?? 0) + 1;
  let lo = 0;
  let hi = 255;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += hist[v] ?? 0;
    if (seen > data.length * low) {
      lo = v;
      break;
    }
  }
  seen = 0;
  for (let v = 255; v >= 0; v--) {
    seen += hist[v] ?? 0;
    if (seen > data.length * (1 - high)) {
      hi = v;
      break;
    }
  }
  if (hi <= lo) return image;
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = clampByte(((v - lo) * 255) / (hi - lo));
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = table[data[i] ?? 0] ?? 0;
  return { data: out, width: image.width, height: image.height };
}

function applyStep(image: LumaImage, step: LumaStep): LumaImage {
  switch (step) {
    case 'denoise':
      return boxMean(image, 1);
    case 'sharpen':
      return sharpen(image);
    case 'stretch':
      return stretch(image);
  }
}

/** Luma of RGBA pixels with the weights zxing-wasm itself uses (so a gray RGBA image is unchanged). */
export function lumaOfRgba(rgba: RgbaPixels): LumaImage {
  const { data, width, height } = rgba;
  if (data.length !== width * height * 4) throw new RangeError('RGBA data does not match its size');
  const out = new Uint8Array(width * height);
  for (let p = 0, i = 0; p < out.length; p++, i += 4)
    out[p] = (306 * (data[i] ?? 0) + 601 * (data[i + 1] ?? 0) + 117 * (data[i + 2] ?? 0) + 512) >> 10;
  return { data: out, width, height };
}

/** A luma plane as gray RGBA pixels (for readers that take RGBA; lumaOfRgba gives it back exactly). */
export function grayRgba(image: LumaImage): { data: Uint8ClampedArray; width: number; height: number } {
  const { data, width, height } = image;
  const out = new Uint8ClampedArray(data.length * 4);
  for (let p = 0, i = 0; p < data.length; p++, i += 4) {
    const v = data[p] ?? 0;
    out[i] = v;
    out[i + 1] = v;
    out[i + 2] = v;
    out[i + 3] = 255;
  }
  return { data: out, width, height };
}

function lumaPlane(image: LumaImage): Plane {
  return { width: image.width, height: image.height, luma: () => image };
}

export interface StrategyOptions {
  /**
   * Time for one image, ms: no further attempt starts once it is spent (the first always runs).
   * The attempt under way is never cut short, so leave room below any hard limit.
   */
  readonly budgetMs: number;
  /**
   * Attempts per image (default all). With fewer, the fallbacks behind the first take turns from
   * one image to the next, so a camera tries each of them within a few frames without spending
   * every unreadable frame (a torn one, a hand in front of the screen) on all of them while fresh
   * frames go by.
   */
  readonly maxAttempts?: number;
  /**
   * Images in a row the first attempt may miss before the fallbacks run (default 0: they run on
   * every miss). A camera's torn frame, half one code and half the next, stands alone between
   * readable ones: with 1, it costs the first attempt only, and the fallbacks wait for a second
   * miss in a row, which means the conditions changed.
   */
  readonly patience?: number;
  /** Clock, ms (default performance.now). */
  readonly now?: () => number;
  readonly attempts?: readonly DecodeAttempt[];
}

export interface StrategyResult {
  readonly codes: Uint8Array[];
  /** The attempt that read the codes, if one did. */
  readonly attempt?: string;
  /** Attempts run, in order. */
  readonly tried: readonly string[];
}

/**
 * Runs the attempts on one image after another. A camera films the same conditions frame after
 * frame, so the attempt that read the last image goes first for the next; the others follow in
 * their listed order (or, with `maxAttempts`, in turns), until one reads a code, the budget is
 * spent or `maxAttempts` have run; with `patience`, only after the first has missed that many
 * images in a row. Intermediate planes are shared within an image (`denoise` is
 * computed once for every attempt that starts with it).
 */
export class DecodeStrategy {
  private readonly read: ReadFn;
  private readonly budgetMs: number;
  private readonly now: () => number;
  private readonly attempts: readonly DecodeAttempt[];
  private readonly maxAttempts: number;
  private readonly patience: number;
  private lastHit = 0;
  /** Images in a row that nothing read. */
  private misses = 0;
  /** Index in `attempts` of the fallback whose turn is next (with `maxAttempts` only). */
  private turn = 0;

  constructor(read: ReadFn, options: StrategyOptions) {
    if (!Number.isFinite(options.budgetMs) || options.budgetMs <= 0) throw new RangeError('budgetMs must be > 0');
    const attempts = options.attempts ?? DECODE_ATTEMPTS;
    if (attempts.length === 0) throw new RangeError('no attempts');
    this.read = read;
    this.budgetMs = options.budgetMs;
    this.now = options.now ?? (() => performance.now());
    this.attempts = attempts;
    const max = options.maxAttempts ?? attempts.length;
    if (!Number.isInteger(max) || max < 1) throw new RangeError('maxAttempts must be a positive integer');
    this.maxAttempts = Math.min(max, attempts.length);
    const patience = options.patience ?? 0;
    if (!Number.isInteger(patience) || patience < 0) throw new RangeError('patience must be a whole number');
    this.patience = patience;
  }

  /** The attempts in the order the next image will get them (the first `maxAttempts` of it run). */
  order(): DecodeAttempt[] {
    const n = this.attempts.length;
    const start = this.maxAttempts < n ? this.turn : 0;
    const rest: DecodeAttempt[] = [];
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      const a = this.attempts[i];
      if (a && i !== this.lastHit) rest.push(a);
    }
    const first = this.attempts[this.lastHit];
    return first ? [first, ...rest] : rest;
  }

  /** Read one image given as RGBA pixels (a camera frame). */
  decodeRgba(rgba: RgbaPixels): Promise<StrategyResult> {
    if (rgba.data.length !== rgba.width * rgba.height * 4) throw new RangeError('RGBA data does not match its size');
    let luma: LumaImage | undefined;
    return this.run({ width: rgba.width, height: rgba.height, rgba, luma: () => (luma ??= lumaOfRgba(rgba)) });
  }

  /** Read one image given as a luma plane. */
  decodeLuma(image: LumaImage): Promise<StrategyResult> {
    if (image.data.length !== image.width * image.height) throw new RangeError('luma data does not match its size');
    return this.run(lumaPlane(image));
  }

  private async run(original: Plane): Promise<StrategyResult> {
    const start = this.now();
    const planes = new Map<string, LumaImage>();
    const plane = (steps: readonly LumaStep[]): Plane => {
      if (steps.length === 0) return original;
      let key = '';
      let current = original.luma();
      for (const step of steps) {
        key += `/${step}`;
        const cached = planes.get(key);
        if (cached) current = cached;
        else {
          current = applyStep(current, step);
          planes.set(key, current);
        }
      }
      return lumaPlane(current);
    };
    const tried: string[] = [];
    const order = this.order();
    try {
      const count = this.misses < this.patience ? 1 : this.maxAttempts;
      for (const attempt of order.slice(0, count)) {
        if (tried.length > 0 && this.now() - start >= this.budgetMs) break;
        tried.push(attempt.name);
        const codes = await this.read(plane(attempt.steps), attempt.reader);
        if (codes.length > 0) {
          this.lastHit = this.attempts.indexOf(attempt);
          this.misses = 0;
          return { codes, attempt: attempt.name, tried };
        }
      }
      this.misses++;
      return { codes: [], tried };
    } finally {
      // The fallback after the last one run has the next turn.
      const last = order[tried.length - 1];
      if (tried.length > 1 && last) this.turn = (this.attempts.indexOf(last) + 1) % this.attempts.length;
    }
  }
}

/**
 * zxing-wasm reader options for an attempt's settings: QR codes only, no 90° rotations (a QR
 * finder search is rotation-free already), at most `maxSymbols` codes (1 for a camera frame:
 * stopping at the first symbol halves the time on a clean frame).
 */
export function zxingReaderOptions(
  settings: ReaderSettings,
  maxSymbols: number,
): ReaderSettings & { formats: 'QRCode'[]; tryRotate: false; maxNumberOfSymbols: number } {
  return { formats: ['QRCode'], ...settings, tryRotate: false, maxNumberOfSymbols: maxSymbols };
}
