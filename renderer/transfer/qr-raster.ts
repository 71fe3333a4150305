/**
 * Frames as QR module matrices and pixels (docs/qr-format.md, "QR symbols"): byte mode, ECC L, the
 * message's one fixed version, fixed mask, quiet zone 4, drawn at an integer number of pixels per
 * module so every module edge falls on a pixel edge (no resampling blur on a projector or a laptop
 * panel). Platform-free: used by the display component and by the tests that synthesise camera
 * video.
 */
import QRCode from 'qrcode';
import { QR_ECC, QR_MASK, QR_QUIET_ZONE, qrVersionFor } from '../../src/core/transfer/qr-symbol.js';

/** A square module matrix including the quiet zone; `dark[y * size + x]` is 1 for a dark module. */
export interface QrMatrix {
  readonly size: number;
  readonly dark: Uint8Array;
}

function withQuietZone(modules: { size: number; get(row: number, col: number): number }): QrMatrix {
  const size = modules.size + 2 * QR_QUIET_ZONE;
  const dark = new Uint8Array(size * size);
  for (let y = 0; y < modules.size; y++) {
    for (let x = 0; x < modules.size; x++)
      dark[(y + QR_QUIET_ZONE) * size + x + QR_QUIET_ZONE] = modules.get(y, x) ? 1 : 0;
  }
  return { size, dark };
}

/** Matrix of one frame at `version` (default: the smallest that holds it). */
export function frameMatrix(frame: Uint8Array, version = qrVersionFor(frame.length)): QrMatrix {
  if (!(frame instanceof Uint8Array) || frame.length === 0) throw new RangeError('frame must be non-empty bytes');
  const qr = QRCode.create([{ data: new Uint8ClampedArray(frame), mode: 'byte' }], {
    errorCorrectionLevel: QR_ECC,
    version,
    maskPattern: QR_MASK,
  });
  return withQuietZone(qr.modules);
}

/** Matrix of a text QR code as ordinary tools make it (automatic mode, so UR text goes alphanumeric). */
export function textMatrix(text: string, ecc: 'L' | 'M' = 'L'): QrMatrix {
  return withQuietZone(QRCode.create(text, { errorCorrectionLevel: ecc }).modules);
}

/** RGBA pixels of a matrix at `scale` pixels per module (integer, 1..64). */
export function matrixPixels(m: QrMatrix, scale: number): { width: number; height: number; data: Uint8ClampedArray } {
  if (!Number.isInteger(scale) || scale < 1 || scale > 64) throw new RangeError('scale must be an integer 1..64');
  const side = m.size * scale;
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) {
    const row = Math.floor(y / scale) * m.size;
    for (let x = 0; x < side; x++) {
      const v = m.dark[row + Math.floor(x / scale)] ? 0 : 255;
      const o = (y * side + x) * 4;
      data[o] = v;
      data[o + 1] = v;
      data[o + 2] = v;
      data[o + 3] = 255;
    }
  }
  return { width: side, height: side, data };
}
