/**
 * Synthetic camera video for Chromium's fake capture device (`--use-file-for-fake-video-capture`):
 * a screen showing QR frames at ~10 frames/s filmed at 30 frames/s, 640 × 480, as Y4M (YUV 4:2:0).
 * Imperfections a real laptop camera adds, each seeded and optional: a tilted screen (rotation),
 * soft focus (area sampling, and optionally a Gaussian blur), glare (a reflected light washing out
 * part of the screen), sensor noise, reduced screen contrast, exposure flicker (auto-exposure
 * hunting, or a projector's lamp against the camera's shutter), torn frames (the camera reads out
 * while the screen swaps images, so the top of one camera frame shows the new QR code and the
 * bottom the old one) and QR frames the camera misses entirely (dropped).
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import type { QrMatrix } from '../../../renderer/transfer/qr-raster.js';
import { mulberry32 } from '../../support/prng.js';

export interface VideoOptions {
  readonly width?: number;
  readonly height?: number;
  /** Camera frames per displayed QR frame: 3 for a 10 frames/s display filmed at 30. */
  readonly repeat?: number;
  /** Side of the whole QR code (with quiet zone) in camera pixels. */
  readonly qrSide?: number;
  /** Screen rotation, degrees. */
  readonly tiltDeg?: number;
  /** Gaussian sensor noise, standard deviation in 8-bit levels. */
  readonly noise?: number;
  /** Gray levels of dark and light modules (a screen filmed is never 0/255). */
  readonly dark?: number;
  readonly light?: number;
  /** Glare: a bright spot washing out the screen, 0 (none) to 1 (white at its centre). */
  readonly glare?: number;
  /** Probability that the first camera frame of a new QR frame is torn. */
  readonly tornFraction?: number;
  /** Out-of-focus lens: Gaussian blur of the filmed screen, standard deviation in camera pixels. */
  readonly blur?: number;
  /** Exposure flicker: each camera frame's brightness is scaled by 1 ± up to this fraction. */
  readonly flicker?: number;
  /** Fraction of displayed QR frames the camera never sees. */
  readonly dropFraction?: number;
  /** Times the frame sequence is repeated in the file (drops drawn afresh each time). */
  readonly loops?: number;
  readonly seed?: number;
}

/** Luma plane of one QR matrix as filmed: rotated, area-sampled (4 × 4), no noise yet. */
function renderLuma(m: QrMatrix, o: Required<VideoOptions>): Uint8Array {
  const { width, height, qrSide, tiltDeg, dark, light } = o;
  const out = new Uint8Array(width * height);
  const cx = width / 2;
  const cy = height / 2;
  const rad = (tiltDeg * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const modulePx = qrSide / m.size;
  const S = 4;
  const background = 90; // laptop bezel around the screen area
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const dx = x + (sx + 0.5) / S - cx;
          const dy = y + (sy + 0.5) / S - cy;
          const u = cos * dx + sin * dy + qrSide / 2;
          const v = -sin * dx + cos * dy + qrSide / 2;
          if (u < -20 || v < -20 || u >= qrSide + 20 || v >= qrSide + 20) sum += background;
          else if (u < 0 || v < 0 || u >= qrSide || v >= qrSide) sum += light;
          else sum += m.dark[Math.floor(v / modulePx) * m.size + Math.floor(u / modulePx)] ? dark : light;
        }
      }
      let value = sum / (S * S);
      if (o.glare > 0) {
        // A soft spot up and left of centre, as a window or ceiling light reflects in a screen.
        const gx = (x - width * 0.38) / (width * 0.18);
        const gy = (y - height * 0.35) / (height * 0.22);
        value += o.glare * (255 - value) * Math.exp(-(gx * gx + gy * gy) / 2);
      }
      out[y * width + x] = Math.round(value);
    }
  }
  return o.blur > 0 ? gaussianBlur(out, width, height, o.blur) : out;
}

/** Separable Gaussian blur (kernel to 3σ, edges clamped): a lens out of focus. */
function gaussianBlur(src: Uint8Array, width: number, height: number, sigma: number): Uint8Array {
  const r = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const k = kernel.map((v) => v / total);
  const tmp = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let i = -r; i <= r; i++) sum += k[i + r]! * src[y * width + Math.min(width - 1, Math.max(0, x + i))]!;
      tmp[y * width + x] = sum;
    }
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let i = -r; i <= r; i++) sum += k[i + r]! * tmp[Math.min(height - 1, Math.max(0, y + i)) * width + x]!;
      out[y * width + x] = Math.round(sum);
    }
  }
  return out;
}

/** One camera frame: its luma plane (the Y4M writer adds neutral chroma) and the QR frame shown. */
export interface CameraFrame {
  readonly luma: Uint8Array;
  readonly shown: number;
}

function withDefaults(options: VideoOptions): Required<VideoOptions> {
  return {
    width: 640,
    height: 480,
    repeat: 3,
    qrSide: 440,
    tiltDeg: 0,
    noise: 0,
    dark: 25,
    light: 225,
    glare: 0,
    blur: 0,
    flicker: 0,
    tornFraction: 0,
    dropFraction: 0,
    loops: 1,
    seed: 1,
    ...options,
  };
}

/**
 * The camera frames of a video, in order, as luma planes. The buffer of each frame is reused for
 * the next one: copy it to keep it.
 */
export function* cameraFrames(matrices: readonly QrMatrix[], options: VideoOptions = {}): Generator<CameraFrame> {
  const o = withDefaults(options);
  if (matrices.length === 0) throw new RangeError('no frames');
  const rng = mulberry32(o.seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const lumas = matrices.map((m) => renderLuma(m, o));
  let previous: Uint8Array | undefined;
  const frameBuf = new Uint8Array(o.width * o.height);
  for (let loop = 0; loop < o.loops; loop++) {
    for (let i = 0; i < lumas.length; i++) {
      if (rng() < o.dropFraction) continue;
      const current = lumas[i]!;
      for (let r = 0; r < o.repeat; r++) {
        frameBuf.set(current);
        if (r === 0 && previous && rng() < o.tornFraction) {
          const tear = Math.floor(o.height * (0.25 + 0.5 * rng()));
          frameBuf.set(previous.subarray(tear * o.width), tear * o.width);
        }
        // Exposure applies to the light reaching the sensor, before the sensor adds its noise.
        const gain = o.flicker > 0 ? 1 + o.flicker * (2 * rng() - 1) : 1;
        if (o.noise > 0 || gain !== 1) {
          for (let p = 0; p < frameBuf.length; p++) {
            const noise = o.noise > 0 ? o.noise * gauss() : 0;
            frameBuf[p] = Math.max(0, Math.min(255, Math.round(frameBuf[p]! * gain + noise)));
          }
        }
        yield { luma: frameBuf, shown: i };
      }
      previous = current;
    }
  }
}

/** Write the video; returns the number of camera frames written and which QR frames were shown. */
export function writeQrVideo(
  path: string,
  matrices: readonly QrMatrix[],
  options: VideoOptions = {},
): { cameraFrames: number; shown: number[] } {
  const o = withDefaults(options);
  const chroma = new Uint8Array((o.width / 2) * (o.height / 2) * 2).fill(128);
  const fd = openSync(path, 'w');
  const shown: number[] = [];
  let count = 0;
  try {
    writeSync(fd, `YUV4MPEG2 W${o.width} H${o.height} F30:1 Ip A1:1 C420jpeg\n`);
    for (const frame of cameraFrames(matrices, o)) {
      if (count % o.repeat === 0) shown.push(frame.shown);
      writeSync(fd, 'FRAME\n');
      writeSync(fd, frame.luma);
      writeSync(fd, chroma);
      count++;
    }
  } finally {
    closeSync(fd);
  }
  return { cameraFrames: count, shown };
}
