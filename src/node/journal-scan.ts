/**
 * Reading and checking journal files (docs/architecture.md, "Storage: journals and files"): the
 * record-by-record scan that finds the valid prefix, the decision whether the bytes after it are a
 * torn append (dropped on open) or damage to acknowledged history (refused), and read-only access
 * for auditors and tests. Bounded memory: a length is checked against the record limit before
 * anything is allocated, and only a tail no longer than one record is ever read whole.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { KeywitnessError } from '../core/errors.js';
import { equalBytes } from '../core/util/bytes.js';
import {
  DEFAULT_MAX_RECORD_BYTES,
  FILE_MAGIC,
  MAX_RECORD_BYTES_CEILING,
  RECORD_HEADER_BYTES,
  RECORD_MAGIC,
  RECORD_TRAILER_BYTES,
  checkRecordHash,
  checkRecordHeader,
} from './journal-format.js';
import { ioError, readAt } from './fs-util.js';
import type { JournalOptions } from './journal.js';
import { LIMITS } from '../shared/ipc.js';

/** Result of checking a journal file without changing it. */
export interface JournalScan {
  /** Records in the valid prefix. */
  readonly count: number;
  /** End offset of the valid prefix. */
  readonly validBytes: number;
  /** Bytes after the valid prefix. */
  readonly tailBytes: number;
  /** Why the valid prefix ends early (null when the file is clean). */
  readonly tailReason: string | null;
  /** True when the tail is what a crash during one append leaves, and dropping it loses nothing acknowledged. */
  readonly tornTail: boolean;
  /** When the tail is not a torn append: why it is damage to acknowledged history (null otherwise). */
  readonly damage: string | null;
}

/** The record limit `options` asks for, checked. */
export function maxRecord(options: JournalOptions): number {
  const m = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  if (!Number.isSafeInteger(m) || m < 1 || m > MAX_RECORD_BYTES_CEILING) {
    throw new KeywitnessError(
      'INPUT_INVALID',
      `maxRecordBytes must be an integer from 1 to ${MAX_RECORD_BYTES_CEILING}`,
    );
  }
  return m;
}

/** Iterate the records of the valid prefix `[header, end)` (already checked by a scan). */
export async function* readRecords(
  fh: FileHandle,
  end: number,
  maxRecordBytes: number,
  path: string,
): AsyncGenerator<Uint8Array> {
  let pos = FILE_MAGIC.length;
  let seq = 0;
  while (pos < end) {
    const header = await readAt(fh, RECORD_HEADER_BYTES, pos);
    const h = checkRecordHeader(header, seq, maxRecordBytes);
    if (!h.ok) throw new KeywitnessError('JOURNAL_CORRUPT', `record ${seq}: ${h.reason}`, { where: `${path}@${pos}` });
    const payload = await readAt(fh, h.length, pos + RECORD_HEADER_BYTES);
    const hash = await readAt(fh, RECORD_TRAILER_BYTES, pos + RECORD_HEADER_BYTES + h.length);
    if (!checkRecordHash(header, payload, hash)) {
      throw new KeywitnessError('JOURNAL_CORRUPT', `record ${seq} changed on disk since the journal was opened`, {
        where: `${path}@${pos}`,
      });
    }
    yield payload;
    pos += RECORD_HEADER_BYTES + h.length + RECORD_TRAILER_BYTES;
    seq++;
  }
}

/** Check the journal at `path` without locking or changing it. */
export async function scanJournal(path: string, options: JournalOptions = {}): Promise<JournalScan> {
  const limit = maxRecord(options);
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((e: unknown) => {
    throw ioError(e, 'cannot open the journal', path);
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new KeywitnessError('JOURNAL_CORRUPT', 'journal is not a regular file', { where: path });
    return await scanHandle(fh, st.size, limit, path);
  } finally {
    await fh.close();
  }
}

/**
 * Read the records of the valid prefix of the journal at `path` without locking or changing it
 * (for auditors and tests). `scan` tells whether a tail would be dropped on the next open.
 */
export async function readJournalRecords(
  path: string,
  options: JournalOptions & { readonly maxTotalBytes?: number } = {},
): Promise<{ records: Uint8Array[]; scan: JournalScan }> {
  const limit = maxRecord(options);
  const maxTotal = options.maxTotalBytes ?? LIMITS.journalReadBytes;
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((e: unknown) => {
    throw ioError(e, 'cannot open the journal', path);
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new KeywitnessError('JOURNAL_CORRUPT', 'journal is not a regular file', { where: path });
    const scan = await scanHandle(fh, st.size, limit, path);
    const records: Uint8Array[] = [];
    let total = 0;
    for await (const record of readRecords(fh, scan.validBytes, limit, path)) {
      total += record.length;
      if (total > maxTotal)
        throw new KeywitnessError('INPUT_TOO_LARGE', `journal holds more than ${maxTotal} bytes`, { where: path });
      records.push(record);
    }
    return { records, scan };
  } finally {
    await fh.close();
  }
}

export async function scanHandle(
  fh: FileHandle,
  size: number,
  maxRecordBytes: number,
  path: string,
): Promise<JournalScan> {
  const magic = await readAt(fh, FILE_MAGIC.length, 0);
  if (magic.length < FILE_MAGIC.length || !equalBytes(magic, FILE_MAGIC)) {
    throw new KeywitnessError('JOURNAL_CORRUPT', 'not a Keywitness journal (file header missing or wrong)', {
      where: path,
    });
  }
  let pos = FILE_MAGIC.length;
  let seq = 0;
  let reason: string | null = null;
  while (pos < size) {
    if (size - pos < RECORD_HEADER_BYTES) {
      reason = 'record header cut short';
      break;
    }
    const header = await readAt(fh, RECORD_HEADER_BYTES, pos);
    const h = checkRecordHeader(header, seq, maxRecordBytes);
    if (!h.ok) {
      reason = h.reason;
      break;
    }
    const frameBytes = RECORD_HEADER_BYTES + h.length + RECORD_TRAILER_BYTES;
    if (size - pos < frameBytes) {
      reason = 'record cut short';
      break;
    }
    const payload = await readAt(fh, h.length, pos + RECORD_HEADER_BYTES);
    const hash = await readAt(fh, RECORD_TRAILER_BYTES, pos + RECORD_HEADER_BYTES + h.length);
    if (!checkRecordHash(header, payload, hash)) {
      reason = 'record hash mismatch';
      break;
    }
    pos += frameBytes;
    seq++;
  }
  const tailBytes = size - pos;
  const damage = tailBytes > 0 ? await classifyTail(fh, pos, size, seq, maxRecordBytes) : null;
  return {
    count: seq,
    validBytes: pos,
    tailBytes,
    tailReason: reason,
    tornTail: tailBytes > 0 && damage === null,
    damage,
  };
}

/** Most candidate record markers examined in a torn tail before giving up (fail closed). */
const MAX_TAIL_CANDIDATES = 64;

/**
 * Decide whether the bytes after the valid prefix are a torn append. A crash can tear only the
 * one append in flight, so the tail must fit in one maximum-size record and contain no complete,
 * hash-valid record numbered `nextSeq` or later; anything else is damage to acknowledged history.
 * The tail is at most one record long by then, so reading it whole is bounded by the record limit.
 */
async function classifyTail(
  fh: FileHandle,
  from: number,
  size: number,
  nextSeq: number,
  maxRecordBytes: number,
): Promise<string | null> {
  const tailBytes = size - from;
  if (tailBytes > RECORD_HEADER_BYTES + maxRecordBytes + RECORD_TRAILER_BYTES) {
    return `${tailBytes} damaged bytes: more than one record could ever tear`;
  }
  const tail = await readAt(fh, tailBytes, from);
  let candidates = 0;
  for (let i = 1; i + RECORD_HEADER_BYTES + RECORD_TRAILER_BYTES <= tail.length; i++) {
    if (tail[i] !== RECORD_MAGIC[0] || !equalBytes(tail.subarray(i, i + 4), RECORD_MAGIC)) continue;
    const header = tail.subarray(i, i + RECORD_HEADER_BYTES);
    const h = checkRecordHeader(header, null, maxRecordBytes);
    if (!h.ok || h.seq < nextSeq) continue;
    const end = i + RECORD_HEADER_BYTES + h.length;
    if (end + RECORD_TRAILER_BYTES > tail.length) continue;
    if (++candidates > MAX_TAIL_CANDIDATES) return 'too many record markers in the damaged bytes to tell them apart';
    if (
      checkRecordHash(
        header,
        tail.subarray(i + RECORD_HEADER_BYTES, end),
        tail.subarray(end, end + RECORD_TRAILER_BYTES),
      )
    ) {
      return `valid records follow it (record ${h.seq} at offset ${from + i})`;
    }
  }
  return null;
}
