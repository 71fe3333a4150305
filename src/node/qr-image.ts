/**
 * QR images in Node: frames rendered to PNG with `qrcode` (byte mode, ECC L, one fixed version,
 * fixed mask, quiet zone 4: docs/qr-format.md, "QR symbols") and PNG/JPEG images decoded with
 * zxing-wasm. The zxing WebAssembly binary is read from the installed package on disk and handed to
 * the module as `wasmBinary`, so nothing is ever fetched (zxing-wasm's default would load it from a
 * CDN).
 *
 * Image files are checked before decoding: only PNG and JPEG, at most 32 MiB and 8192 × 8192 /
 * 40 megapixels, read from the file's own header, so a decompression bomb is refused before the
 * decoder allocates a pixel buffer for it.
 *
 * Reading runs the decoding strategy the scanner worker runs (src/core/transfer/decode-strategy.ts)
 * on the image's luminance: PNG is inflated here (node:zlib, output bounded by the header's size);
 * JPEG goes to zxing-wasm's own decoder, which reads the file but keeps its pixels to itself, so a
 * JPEG gets the strategy's reader settings without the luma steps.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { KeywitnessError } from '../core/errors.js';
import {
  DECODE_ATTEMPTS,
  DecodeStrategy,
  grayRgba,
  zxingReaderOptions,
  type LumaImage,
  type ReaderSettings,
} from '../core/transfer/decode-strategy.js';
import { QR_ECC, QR_MASK, QR_QUIET_ZONE, qrVersionFor } from '../core/transfer/qr-symbol.js';

export const MAX_IMAGE_FILE_BYTES = 32 * 1024 * 1024;
export const MAX_IMAGE_SIDE = 8192;
export const MAX_IMAGE_PIXELS = 40_000_000;

/** Render one frame as a PNG at the given QR version and pixels per module. */
export async function renderFramePng(frame: Uint8Array, version: number, scale = 8): Promise<Uint8Array> {
  if (!(frame instanceof Uint8Array) || frame.length === 0) throw new RangeError('frame must be non-empty bytes');
  if (!Number.isInteger(scale) || scale < 1 || scale > 32)
    throw new RangeError('scale must be 1..32 pixels per module');
  const png = await QRCode.toBuffer([{ data: Buffer.from(frame), mode: 'byte' }], {
    errorCorrectionLevel: QR_ECC,
    version,
    maskPattern: QR_MASK,
    margin: QR_QUIET_ZONE,
    scale,
    type: 'png',
  });
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Render every frame of a message at the one version that holds the longest. */
export async function renderFramesPng(
  frames: readonly Uint8Array[],
  scale = 8,
): Promise<{ version: number; pngs: Uint8Array[] }> {
  if (frames.length === 0) throw new RangeError('no frames');
  const version = qrVersionFor(Math.max(...frames.map((f) => f.length)));
  const pngs: Uint8Array[] = [];
  for (const f of frames) pngs.push(await renderFramePng(f, version, scale));
  return { version, pngs };
}

/** Format and pixel size from an image file's header. */
export interface ImageInfo {
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
}

function refuse(message: string, where: string): KeywitnessError {
  return new KeywitnessError('INPUT_INVALID', message, { where });
}

function jpegSize(b: Uint8Array, where: string): { width: number; height: number } {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = 2;
  // Walk marker segments (ITU T.81 §B.1.1.2) until a start-of-frame gives the dimensions.
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) throw refuse(`JPEG marker expected at byte ${i}`, where);
    const marker = view.getUint8(i + 1);
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = view.getUint16(i + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    if (len < 2) throw refuse(`JPEG segment with length ${len} at byte ${i}`, where);
    i += 2 + len;
  }
  throw refuse('JPEG has no start-of-frame segment', where);
}

/** Read format and dimensions from the header; refuse anything else, or too large, before decoding. */
export function imageInfo(bytes: Uint8Array, where = 'image'): ImageInfo {
  if (bytes.length > MAX_IMAGE_FILE_BYTES) {
    throw new KeywitnessError('INPUT_TOO_LARGE', `image is ${bytes.length} bytes; at most ${MAX_IMAGE_FILE_BYTES}`, {
      where,
    });
  }
  let info: ImageInfo;
  const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 24 && PNG.every((v, i) => bytes[i] === v)) {
    // PNG (RFC 2083 §4.1.1): IHDR is the first chunk, width and height at bytes 16 and 20.
    if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR')
      throw refuse('PNG does not start with an IHDR chunk', where);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    info = { format: 'png', width: view.getUint32(16, false), height: view.getUint32(20, false) };
  } else if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    info = { format: 'jpeg', ...jpegSize(bytes, where) };
  } else {
    throw refuse('not a PNG or JPEG image', where);
  }
  if (info.width === 0 || info.height === 0) throw refuse('image has no pixels', where);
  if (info.width > MAX_IMAGE_SIDE || info.height > MAX_IMAGE_SIDE || info.width * info.height > MAX_IMAGE_PIXELS) {
    throw new KeywitnessError(
      'INPUT_TOO_LARGE',
      `image is ${info.width} × ${info.height} pixels; at most ${MAX_IMAGE_SIDE} per side and ${MAX_IMAGE_PIXELS} in all`,
      { where },
    );
  }
  return info;
}

let prepared = false;

function prepareLocalWasm(): void {
  if (prepared) return;
  const require = createRequire(import.meta.url);
  const path = require.resolve('zxing-wasm/reader/zxing_reader.wasm');
  const file = readFileSync(path);
  const wasmBinary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
  prepareZXingModule({
    overrides: {
      wasmBinary,
      // Emscripten still asks where the file is; the answer is the same local file, never a URL.
      locateFile: () => path,
    },
  });
  prepared = true;
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
// Adam7 passes (PNG §8.2): x start, y start, x step, y step.
const ADAM7: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * The luminance of a PNG (PNG §11.2.2, color types 0, 2, 3, 4, 6 at every bit depth, interlaced or
 * not); alpha is ignored, as zxing-wasm's own loader ignores it. Inflating stops at the size the
 * header implies, so a stream that inflates to more is refused, never held.
 */
export function pngLuma(bytes: Uint8Array, where = 'image'): LumaImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { width, height } = imageInfo(bytes, where);
  const depth = view.getUint8(24);
  const colorType = view.getUint8(25);
  const interlaced = view.getUint8(28) === 1;
  const channels = PNG_CHANNELS[colorType];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth) || view.getUint8(26) !== 0 || view.getUint8(27) !== 0)
    throw refuse(`PNG color type ${colorType} at bit depth ${depth} is not supported`, where);
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | undefined;
  for (let at = 8; at + 8 <= bytes.length;) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + len > bytes.length) throw refuse(`PNG chunk ${type} runs past the end of the file`, where);
    const body = bytes.subarray(at + 8, at + 8 + len);
    if (type === 'IDAT') idat.push(body);
    else if (type === 'PLTE') palette = body;
    else if (type === 'IEND') break;
    at += 12 + len;
  }
  if (colorType === 3 && !palette) throw refuse('PNG palette image without a PLTE chunk', where);
  const bitsPerPixel = channels * depth;
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1] as const];
  const sizes = passes.map(([x0, y0, dx, dy]) => {
    const w = Math.max(0, Math.ceil((width - x0) / dx));
    const h = Math.max(0, Math.ceil((height - y0) / dy));
    return { w, h, stride: Math.ceil((w * bitsPerPixel) / 8) };
  });
  const expected = sizes.reduce((n, p) => n + (p.w > 0 ? p.h * (1 + p.stride) : 0), 0);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch (e) {
    throw refuse(`PNG image data could not be inflated: ${e instanceof Error ? e.message : String(e)}`, where);
  }
  if (raw.length < expected) throw refuse(`PNG image data is ${raw.length} bytes; the header needs ${expected}`, where);
  const out = new Uint8Array(width * height);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const maxSample = (1 << depth) - 1;
  // A sample's value, 16-bit samples by their high byte; sub-byte samples (gray or palette index only).
  const raw8 = (row: Uint8Array, x: number, c: number): number => {
    if (depth === 8) return row[x * channels + c] ?? 0;
    if (depth === 16) return row[(x * channels + c) * 2] ?? 0;
    const bit = x * depth;
    return ((row[bit >> 3] ?? 0) >> (8 - depth - (bit & 7))) & maxSample;
  };
  const level = (row: Uint8Array, x: number, c: number): number =>
    depth < 8 ? Math.round((raw8(row, x, c) * 255) / maxSample) : raw8(row, x, c);
  const luma = (r: number, g: number, b: number): number => (306 * r + 601 * g + 117 * b + 512) >> 10;
  let offset = 0;
  passes.forEach(([x0, y0, dx, dy], pass) => {
    const { w, h, stride } = sizes[pass] ?? { w: 0, h: 0, stride: 0 };
    if (w === 0) return;
    let previous = new Uint8Array(stride);
    for (let y = 0; y < h; y++) {
      const filter = raw[offset] ?? 0;
      const row = Uint8Array.from(raw.subarray(offset + 1, offset + 1 + stride));
      offset += 1 + stride;
      // Reverse the row filter (PNG §9.2).
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? (row[i - bpp] ?? 0) : 0;
        const b = previous[i] ?? 0;
        const c = i >= bpp ? (previous[i - bpp] ?? 0) : 0;
        let add = 0;
        if (filter === 1) add = a;
        else if (filter === 2) add = b;
        else if (filter === 3) add = (a + b) >> 1;
        else if (filter === 4) {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        } else if (filter !== 0) throw refuse(`PNG row filter ${filter} is not defined`, where);
        row[i] = ((row[i] ?? 0) + add) & 0xff;
      }
      previous = row;
      const target = (y0 + y * dy) * width;
      for (let x = 0; x < w; x++) {
        let v: number;
        if (colorType === 0 || colorType === 4) v = level(row, x, 0);
        else if (colorType === 3) {
          const i = raw8(row, x, 0);
          const p = palette ?? new Uint8Array(0);
          v = luma(p[3 * i] ?? 0, p[3 * i + 1] ?? 0, p[3 * i + 2] ?? 0);
        } else v = luma(level(row, x, 0), level(row, x, 1), level(row, x, 2));
        out[target + x0 + x * dx] = v;
      }
    }
  });
  return { data: out, width, height };
}

/** Time one image may take, ms: every attempt of the strategy fits for a 12-megapixel photo. */
const IMAGE_BUDGET_MS = 10_000;
/** Codes one image may hold: `qr decode` accepts a photo of several frames side by side. */
const MAX_SYMBOLS = 8;

async function readPlane(image: LumaImage, settings: ReaderSettings): Promise<Uint8Array[]> {
  // zxing-wasm takes anything with data, width and height as pixels; its type asks for DOM ImageData.
  const pixels = grayRgba(image) as unknown as ImageData;
  const results = await readBarcodes(pixels, zxingReaderOptions(settings, MAX_SYMBOLS));
  return results.filter((r) => r.isValid).map((r) => Uint8Array.from(r.bytes));
}

/** A JPEG through zxing-wasm's own decoder: the strategy's reader settings, one after another. */
async function readJpeg(bytes: Uint8Array): Promise<Uint8Array[]> {
  const tried = new Set<string>();
  for (const attempt of DECODE_ATTEMPTS) {
    const key = JSON.stringify(attempt.reader);
    if (tried.has(key)) continue;
    tried.add(key);
    const results = await readBarcodes(bytes, zxingReaderOptions(attempt.reader, MAX_SYMBOLS));
    const codes = results.filter((r) => r.isValid).map((r) => Uint8Array.from(r.bytes));
    if (codes.length > 0) return codes;
  }
  return [];
}

/**
 * Decode every QR code in a PNG or JPEG image; returns the raw bytes of each (byte mode content
 * exactly as encoded). Throws KeywitnessError for an unsupported, malformed or oversized image.
 */
export async function decodeQrImage(bytes: Uint8Array, where = 'image'): Promise<Uint8Array[]> {
  const info = imageInfo(bytes, where);
  prepareLocalWasm();
  try {
    if (info.format === 'jpeg') return await readJpeg(bytes);
    const luma = pngLuma(bytes, where);
    const strategy = new DecodeStrategy((plane, settings) => readPlane(plane.luma(), settings), {
      budgetMs: IMAGE_BUDGET_MS,
    });
    return (await strategy.decodeLuma(luma)).codes;
  } catch (e) {
    if (e instanceof KeywitnessError) throw e;
    throw new KeywitnessError(
      'INPUT_INVALID',
      `image could not be decoded: ${e instanceof Error ? e.message : String(e)}`,
      { where, cause: e },
    );
  }
}
