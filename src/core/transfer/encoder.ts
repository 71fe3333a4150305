/**
 * Turn one Keywitness wire message into the frames a display shows (docs/qr-format.md): one frame
 * when it fits, otherwise a loop of BC-UR fountain parts of equal size, so every frame of the
 * message has the same byte count and renders at the same QR version.
 */
import { KeywitnessError } from '../errors.js';
import { sha256 } from '../util/hash.js';
import { crc32 } from './crc32.js';
import {
  encodePartFrame,
  encodeSingleFrame,
  HEADER_BYTES,
  ID_PREFIX_BYTES,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  PART_HEADER_BYTES,
  SID_PREFIX_BYTES,
} from './frame.js';
import { MAX_SEQ_LEN, mixPart, nominalFragmentLength, partitionMessage } from './fountain.js';
import { displayLoop } from './schedule.js';

/** Messages up to this size travel as one frame (docs/qr-format.md, "Frame layout"). */
export const SINGLE_FRAME_LIMIT = 600;
/** Default fragment size: 3 KB in four frames of QR version 19 (93 modules), legible at 640×480. */
export const DEFAULT_MAX_FRAGMENT = 760;
/** Smallest fragment worth a frame (BC-UR's default minimum is 10; the header alone is 32). */
const MIN_FRAGMENT = 64;

export interface EncodeOptions {
  /** The 16-byte session id (`sid`) from the message's envelope. */
  readonly sessionId: Uint8Array;
  /** Largest message sent as a single frame. Default 600. */
  readonly singleFrameLimit?: number;
  /** Largest fragment per part frame. Default 760. */
  readonly maxFragmentBytes?: number;
  /** Frames in the display loop for a multi-part message. Default 2 × seqLen. */
  readonly loopLength?: number;
}

export interface EncodedMessage {
  /** SHA-256 of the wire bytes: the message id. */
  readonly messageId: Uint8Array;
  /** Frames to show in order, looping. All have the same length. */
  readonly frames: readonly Uint8Array[];
  /** BC-UR part number of each frame; empty for a single frame. */
  readonly seqNums: readonly number[];
  /** Fragments the message is split into (1 for a single frame). */
  readonly seqLen: number;
}

/**
 * Encode a wire message into display frames. Throws KeywitnessError INPUT_TOO_LARGE above 16 KiB or
 * when the options would need more than 32 fragments, INPUT_INVALID for a bad session id.
 */
export function encodeMessage(wire: Uint8Array, options: EncodeOptions): EncodedMessage {
  if (!(wire instanceof Uint8Array) || wire.length === 0) {
    throw new KeywitnessError('INPUT_INVALID', 'message must be non-empty bytes', { where: 'encodeMessage' });
  }
  if (wire.length > MAX_MESSAGE_BYTES) {
    throw new KeywitnessError(
      'INPUT_TOO_LARGE',
      `message is ${wire.length} bytes; QR transfer carries at most ${MAX_MESSAGE_BYTES}`,
      {
        where: 'encodeMessage',
      },
    );
  }
  const sid = options.sessionId;
  if (!(sid instanceof Uint8Array) || sid.length !== 16) {
    throw new KeywitnessError('INPUT_INVALID', 'session id must be 16 bytes', { where: 'encodeMessage.sessionId' });
  }
  const singleLimit = options.singleFrameLimit ?? SINGLE_FRAME_LIMIT;
  const maxFragment = options.maxFragmentBytes ?? DEFAULT_MAX_FRAGMENT;
  if (!Number.isInteger(singleLimit) || singleLimit < 0 || singleLimit > MAX_FRAME_BYTES - HEADER_BYTES) {
    throw new KeywitnessError('INPUT_INVALID', `singleFrameLimit must be 0..${MAX_FRAME_BYTES - HEADER_BYTES}`, {
      where: 'encodeMessage',
    });
  }
  if (
    !Number.isInteger(maxFragment) ||
    maxFragment < MIN_FRAGMENT ||
    maxFragment > MAX_FRAME_BYTES - PART_HEADER_BYTES
  ) {
    throw new KeywitnessError(
      'INPUT_INVALID',
      `maxFragmentBytes must be ${MIN_FRAGMENT}..${MAX_FRAME_BYTES - PART_HEADER_BYTES}`,
      {
        where: 'encodeMessage',
      },
    );
  }
  const messageId = sha256(wire);
  const sidPrefix = sid.subarray(0, SID_PREFIX_BYTES);
  const idPrefix = messageId.subarray(0, ID_PREFIX_BYTES);
  if (wire.length <= singleLimit) {
    return { messageId, frames: [encodeSingleFrame(sidPrefix, idPrefix, wire)], seqNums: [], seqLen: 1 };
  }
  const fragmentLength = nominalFragmentLength(wire.length, Math.min(MIN_FRAGMENT, wire.length), maxFragment);
  const fragments = partitionMessage(wire, fragmentLength);
  const seqLen = fragments.length;
  if (seqLen > MAX_SEQ_LEN) {
    throw new KeywitnessError(
      'INPUT_TOO_LARGE',
      `message needs ${seqLen} fragments of ${fragmentLength} bytes; at most ${MAX_SEQ_LEN}`,
      {
        where: 'encodeMessage',
      },
    );
  }
  const checksum = crc32(wire);
  const seqNums = displayLoop(seqLen, checksum, options.loopLength ?? (seqLen === 1 ? 1 : 2 * seqLen));
  const frames = seqNums.map((seqNum) =>
    encodePartFrame(sidPrefix, idPrefix, {
      seqNum,
      seqLen,
      messageLength: wire.length,
      checksum,
      fragment: mixPart(fragments, seqNum, checksum),
    }),
  );
  return { messageId, frames, seqNums, seqLen };
}
