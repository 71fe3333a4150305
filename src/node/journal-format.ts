/**
 * On-disk framing of the session journal (docs/architecture.md, "Storage: journals and files"). A
 * journal is a file header followed by records; each record is
 *
 *     "KWR1" | seq (u32 BE) | length (u32 BE) | payload | SHA-256 of everything before it
 *
 * The sequence number makes a dropped, duplicated or reordered record a framing error; the hash
 * makes a torn or rotted record detectable; the length is bounded before anything is allocated.
 */
import { concatBytes, equalBytes, utf8 } from '../core/util/bytes.js';
import { sha256 } from '../core/util/hash.js';
import { LIMITS } from '../shared/ipc.js';

/** First bytes of every journal file; readable with `head -c 21`. */
export const FILE_MAGIC = utf8('KEYWITNESS-JOURNAL-1\n');
/** First bytes of every record. */
export const RECORD_MAGIC = utf8('KWR1');
/** Bytes before the payload: magic, seq, length. */
export const RECORD_HEADER_BYTES = 12;
/** Bytes after the payload: the SHA-256. */
export const RECORD_TRAILER_BYTES = 32;
/** Default (the IPC contract's record limit, defined there) and hard ceiling for one record's payload. */
export const DEFAULT_MAX_RECORD_BYTES = LIMITS.journalRecordBytes;
export const MAX_RECORD_BYTES_CEILING = 16 * 1024 * 1024;

/** Encode one record. */
export function encodeRecord(seq: number, payload: Uint8Array): Uint8Array {
  const header = new Uint8Array(RECORD_HEADER_BYTES);
  header.set(RECORD_MAGIC, 0);
  const view = new DataView(header.buffer);
  view.setUint32(4, seq, false);
  view.setUint32(8, payload.length, false);
  const body = concatBytes(header, payload);
  return concatBytes(body, sha256(body));
}

/** What a record header says, or why it cannot start a record. */
export type HeaderCheck =
  | { readonly ok: true; readonly seq: number; readonly length: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Check a 12-byte record header: magic, the expected sequence number (or any, if `expectedSeq`
 * is null, for resynchronisation scans), and a length within `maxRecordBytes`.
 */
export function checkRecordHeader(header: Uint8Array, expectedSeq: number | null, maxRecordBytes: number): HeaderCheck {
  if (header.length < RECORD_HEADER_BYTES) return { ok: false, reason: 'record header cut short' };
  if (!equalBytes(header.subarray(0, 4), RECORD_MAGIC)) return { ok: false, reason: 'no record marker' };
  const view = new DataView(header.buffer, header.byteOffset, RECORD_HEADER_BYTES);
  const seq = view.getUint32(4, false);
  const length = view.getUint32(8, false);
  if (expectedSeq !== null && seq !== expectedSeq)
    return { ok: false, reason: `sequence ${seq} where ${expectedSeq} was expected` };
  if (length > maxRecordBytes)
    return { ok: false, reason: `record length ${length} exceeds the ${maxRecordBytes}-byte limit` };
  return { ok: true, seq, length };
}

/** True when `hash` is the SHA-256 of header ‖ payload. */
export function checkRecordHash(header: Uint8Array, payload: Uint8Array, hash: Uint8Array): boolean {
  return equalBytes(sha256(concatBytes(header, payload)), hash);
}
