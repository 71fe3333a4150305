/**
 * The Keywitness QR frame format, version 1 (docs/qr-format.md is the normative description).
 * Every frame is the raw content of one QR code in byte mode:
 *
 *   0  2  magic 0xFF 0x4B      0xFF never occurs in UTF-8, so no text QR code starts like this
 *   2  1  version (1)
 *   3  1  kind: 1 = single (whole message), 2 = fountain part
 *   4  8  session id prefix    first 8 bytes of the 16-byte envelope `sid`
 *  12  8  message id prefix    first 8 bytes of SHA-256(wire bytes), the message id
 *  single: 20 …  the wire bytes
 *  part:   20 4 seqNum · 24 2 seqLen · 26 2 messageLength · 28 4 checksum (CRC-32) · 32 … fragment
 *
 * All integers big-endian. Parsing checks every bound before anything is allocated; the parsed
 * frame's byte fields are views into the input.
 */
import { KeywitnessError } from '../errors.js';
import { MAX_SEQ_LEN } from './fountain.js';

export const FRAME_MAGIC_0 = 0xff;
export const FRAME_MAGIC_1 = 0x4b;
export const FRAME_VERSION = 1;
export const KIND_SINGLE = 1;
export const KIND_PART = 2;
export const SID_PREFIX_BYTES = 8;
export const ID_PREFIX_BYTES = 8;
export const HEADER_BYTES = 20;
export const PART_HEADER_BYTES = 32;
/** Largest message the transfer layer carries. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** Byte-mode capacity of the largest QR code (version 40, ECC L): nothing longer is a real frame. */
export const MAX_FRAME_BYTES = 2953;

/** Fields common to both kinds. */
export interface FrameHeader {
  readonly sidPrefix: Uint8Array;
  readonly idPrefix: Uint8Array;
}

/** A whole message in one frame. */
export interface SingleFrame extends FrameHeader {
  readonly kind: 'single';
  readonly message: Uint8Array;
}

/** One BC-UR fountain part (BCR-2020-005 part fields, carried as fixed-width integers). */
export interface PartFrame extends FrameHeader {
  readonly kind: 'part';
  readonly seqNum: number;
  readonly seqLen: number;
  readonly messageLength: number;
  readonly checksum: number;
  readonly fragment: Uint8Array;
}

export type Frame = SingleFrame | PartFrame;

/** True when the bytes start with the frame magic: anything else is a plain QR code. */
export function hasFrameMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === FRAME_MAGIC_0 && bytes[1] === FRAME_MAGIC_1;
}

function invalid(message: string, where: string): KeywitnessError {
  return new KeywitnessError('TRANSFER_INVALID', message, { where });
}

/**
 * Parse one frame. Throws KeywitnessError (TRANSFER_INVALID, or INPUT_TOO_LARGE) naming the field
 * and why; never allocates more than the input's size.
 */
export function parseFrame(bytes: Uint8Array): Frame {
  if (!(bytes instanceof Uint8Array))
    throw new KeywitnessError('INPUT_INVALID', 'frame must be bytes', { where: 'frame' });
  if (bytes.length > MAX_FRAME_BYTES) {
    throw new KeywitnessError(
      'INPUT_TOO_LARGE',
      `frame is ${bytes.length} bytes; no QR code holds more than ${MAX_FRAME_BYTES}`,
      { where: 'frame' },
    );
  }
  if (!hasFrameMagic(bytes)) throw invalid('not a Keywitness frame (magic 0xFF 0x4B missing)', 'frame byte 0');
  if (bytes.length < HEADER_BYTES)
    throw invalid(`frame is ${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`, 'frame');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(2);
  if (version !== FRAME_VERSION) {
    throw invalid(
      `frame version ${version} is not supported (this build reads version ${FRAME_VERSION})`,
      'frame byte 2 (version)',
    );
  }
  const sidPrefix = bytes.subarray(4, 4 + SID_PREFIX_BYTES);
  const idPrefix = bytes.subarray(12, 12 + ID_PREFIX_BYTES);
  const kind = view.getUint8(3);
  if (kind === KIND_SINGLE) {
    if (bytes.length === HEADER_BYTES) throw invalid('single frame carries no message bytes', 'frame byte 20');
    return { kind: 'single', sidPrefix, idPrefix, message: bytes.subarray(HEADER_BYTES) };
  }
  if (kind !== KIND_PART) throw invalid(`unknown frame kind ${kind} (1 = single, 2 = part)`, 'frame byte 3 (kind)');
  if (bytes.length <= PART_HEADER_BYTES) {
    throw invalid(
      `part frame is ${bytes.length} bytes: needs the ${PART_HEADER_BYTES}-byte header and a fragment`,
      'frame',
    );
  }
  const seqNum = view.getUint32(20, false);
  const seqLen = view.getUint16(24, false);
  const messageLength = view.getUint16(26, false);
  const checksum = view.getUint32(28, false);
  const fragment = bytes.subarray(PART_HEADER_BYTES);
  if (seqNum === 0) throw invalid('part number 0: parts are numbered from 1', 'frame bytes 20-23 (seqNum)');
  if (seqLen === 0 || seqLen > MAX_SEQ_LEN) {
    throw invalid(
      `message claims ${seqLen} fragments; at most ${MAX_SEQ_LEN} are accepted`,
      'frame bytes 24-25 (seqLen)',
    );
  }
  if (messageLength === 0 || messageLength > MAX_MESSAGE_BYTES) {
    throw invalid(
      `message claims ${messageLength} bytes; 1 to ${MAX_MESSAGE_BYTES} are accepted`,
      'frame bytes 26-27 (messageLength)',
    );
  }
  // BCR-2020-005 partitioning: seqLen = ceil(messageLength / fragmentLength), fragments no longer
  // than the message. Any other combination cannot come from an honest encoder.
  if (fragment.length > messageLength || Math.ceil(messageLength / fragment.length) !== seqLen) {
    throw invalid(
      `fragment of ${fragment.length} bytes cannot split a ${messageLength}-byte message into ${seqLen} fragments`,
      'frame bytes 32- (fragment)',
    );
  }
  return { kind: 'part', sidPrefix, idPrefix, seqNum, seqLen, messageLength, checksum, fragment };
}

function header(kind: number, sidPrefix: Uint8Array, idPrefix: Uint8Array, size: number): Uint8Array {
  if (sidPrefix.length !== SID_PREFIX_BYTES)
    throw new RangeError(`session id prefix must be ${SID_PREFIX_BYTES} bytes`);
  if (idPrefix.length !== ID_PREFIX_BYTES) throw new RangeError(`message id prefix must be ${ID_PREFIX_BYTES} bytes`);
  const out = new Uint8Array(size);
  out[0] = FRAME_MAGIC_0;
  out[1] = FRAME_MAGIC_1;
  out[2] = FRAME_VERSION;
  out[3] = kind;
  out.set(sidPrefix, 4);
  out.set(idPrefix, 12);
  return out;
}

/** Serialise a single frame. */
export function encodeSingleFrame(sidPrefix: Uint8Array, idPrefix: Uint8Array, message: Uint8Array): Uint8Array {
  if (message.length === 0) throw new RangeError('message must not be empty');
  if (HEADER_BYTES + message.length > MAX_FRAME_BYTES) throw new RangeError('message too large for one frame');
  const out = header(KIND_SINGLE, sidPrefix, idPrefix, HEADER_BYTES + message.length);
  out.set(message, HEADER_BYTES);
  return out;
}

/** Serialise a part frame. Field ranges are checked; consistency is the encoder's job. */
export function encodePartFrame(
  sidPrefix: Uint8Array,
  idPrefix: Uint8Array,
  part: { seqNum: number; seqLen: number; messageLength: number; checksum: number; fragment: Uint8Array },
): Uint8Array {
  const out = header(KIND_PART, sidPrefix, idPrefix, PART_HEADER_BYTES + part.fragment.length);
  if (out.length > MAX_FRAME_BYTES) throw new RangeError('part too large for one frame');
  const view = new DataView(out.buffer);
  view.setUint32(20, part.seqNum, false);
  view.setUint16(24, part.seqLen, false);
  view.setUint16(26, part.messageLength, false);
  view.setUint32(28, part.checksum, false);
  out.set(part.fragment, PART_HEADER_BYTES);
  return out;
}
