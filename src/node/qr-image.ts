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
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import QRCode from 'qrcode';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { KeywitnessError } from '../core/errors.js';
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

/**
 * Decode every QR code in a PNG or JPEG image; returns the raw bytes of each (byte mode content
 * exactly as encoded). Throws KeywitnessError for an unsupported, malformed or oversized image.
 */
export async function decodeQrImage(bytes: Uint8Array, where = 'image'): Promise<Uint8Array[]> {
  imageInfo(bytes, where);
  prepareLocalWasm();
  let results;
  try {
    results = await readBarcodes(bytes, {
      formats: ['QRCode'],
      tryHarder: true,
      tryRotate: true,
      tryInvert: true,
      tryDownscale: true,
      maxNumberOfSymbols: 8,
    });
  } catch (e) {
    throw new KeywitnessError(
      'INPUT_INVALID',
      `image could not be decoded: ${e instanceof Error ? e.message : String(e)}`,
      { where, cause: e },
    );
  }
  return results.filter((r) => r.isValid).map((r) => Uint8Array.from(r.bytes));
}
