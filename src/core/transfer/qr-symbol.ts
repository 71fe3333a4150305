/**
 * How Keywitness frames are drawn as QR codes (docs/qr-format.md, "QR symbols"): byte mode, error
 * correction L, one QR version for every frame of a message, a fixed mask, a 4-module quiet zone
 * (ISO/IEC 18004:2015 §6.3.8 requires 4). ECC L buys capacity: a screen-to-camera link loses whole
 * frames, not modules, and the fountain code plus signature already cover loss and damage. A fixed
 * version keeps the code the same physical size while it animates, so the camera's focus and the
 * decoder's finder search do not jump; a fixed mask spares the renderer the eight-way penalty
 * evaluation per frame.
 */
import { MAX_FRAME_BYTES } from './frame.js';

/** Error-correction level of every frame. */
export const QR_ECC = 'L';
/** Mask pattern of every frame (ISO/IEC 18004 §7.8.2 pattern 0). */
export const QR_MASK = 0;
/** Quiet zone in modules. */
export const QR_QUIET_ZONE = 4;

/**
 * Byte-mode data capacity at ECC L of versions 1..40 (ISO/IEC 18004:2015 Table 7), index = version - 1.
 */
export const BYTE_CAPACITY_L: readonly number[] = [
  17, 32, 53, 78, 106, 134, 154, 192, 230, 271, 321, 367, 425, 458, 520, 586, 644, 718, 792, 858, 929, 1003, 1091, 1171,
  1273, 1367, 1465, 1528, 1628, 1732, 1840, 1952, 2068, 2188, 2303, 2431, 2563, 2699, 2809, 2953,
];

/** The smallest QR version (1..40) whose byte-mode ECC-L capacity holds `byteLength` bytes. */
export function qrVersionFor(byteLength: number): number {
  if (!Number.isInteger(byteLength) || byteLength < 1 || byteLength > MAX_FRAME_BYTES) {
    throw new RangeError(`a QR code holds 1..${MAX_FRAME_BYTES} bytes, not ${byteLength}`);
  }
  return BYTE_CAPACITY_L.findIndex((cap) => cap >= byteLength) + 1;
}

/** Modules per side of a version's symbol, without quiet zone (§5.1: 17 + 4 × version). */
export function qrModules(version: number): number {
  if (!Number.isInteger(version) || version < 1 || version > 40) throw new RangeError('QR version is 1..40');
  return 17 + 4 * version;
}
