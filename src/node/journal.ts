/**
 * The session journal (docs/architecture.md, "Storage: journals and files"): an append-only file of
 * records in the user-data folder.
 *
 * - Every append is written and fsynced before its promise resolves, so anything the UI reported
 *   as saved survives a crash or a power cut.
 * - On open, records are checked one by one (framing in journal-format.ts). An incomplete or
 *   damaged final record — what a crash in the middle of an append leaves — is dropped and the
 *   file truncated to the valid prefix. Damage followed by a valid record is not a torn tail but
 *   lost history, and opening refuses with JOURNAL_CORRUPT rather than silently cutting it off.
 * - One writer: a lock file next to the journal (lock-file.ts); a dead holder's lock is taken over.
 * - Hostile files are read in bounded memory: a length field is checked against the record limit
 *   before anything is allocated, and the tail scan reads fixed-size windows.
 */
import { link, open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { KeywitnessError } from '../core/errors.js';
import { FILE_MAGIC, encodeRecord } from './journal-format.js';
import { maxRecord, readRecords, scanHandle } from './journal-scan.js';
import { acquireLock, type HeldLock } from './lock-file.js';
import { fsyncDirectory, ioError, writeAllAt } from './fs-util.js';
import { LIMITS } from '../shared/ipc.js';

/** Options for {@link Journal.open}. */
export interface JournalOptions {
  /** Largest payload accepted and read back (default 1 MiB, at most 16 MiB). */
  readonly maxRecordBytes?: number;
}

/** An open journal holding the writer lock. */
export class Journal {
  private queue: Promise<unknown> = Promise.resolve();
  private broken: KeywitnessError | null = null;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    private readonly lock: HeldLock,
    private readonly maxRecordBytes: number,
    private end: number,
    private nextSeq: number,
    /** Bytes of a torn tail dropped when this journal was opened (0 for a clean file). */
    readonly droppedTailBytes: number,
  ) {}

  /**
   * Open (creating if absent) the journal at `path`, take the writer lock, recover a torn tail.
   * Throws JOURNAL_LOCKED when another live process holds it, JOURNAL_CORRUPT when the file is
   * not a journal or history after a damaged record would be lost, IO_FAILED on I/O errors.
   */
  static async open(path: string, options: JournalOptions = {}): Promise<Journal> {
    if (typeof path !== 'string' || path.length === 0)
      throw new KeywitnessError('INPUT_INVALID', 'journal path is empty');
    const limit = maxRecord(options);
    const lock = await acquireLock(`${path}.lock`, `journal ${basename(path)}`);
    let fh: FileHandle | null = null;
    try {
      await createIfAbsent(path);
      fh = await open(path, constants.O_RDWR | constants.O_NOFOLLOW).catch((e: unknown) => {
        throw ioError(e, 'cannot open the journal', path);
      });
      const st = await fh.stat();
      if (!st.isFile()) throw new KeywitnessError('JOURNAL_CORRUPT', 'journal is not a regular file', { where: path });
      const scan = await scanHandle(fh, st.size, limit, path);
      if (scan.damage !== null) {
        throw new KeywitnessError(
          'JOURNAL_CORRUPT',
          `record ${scan.count} is damaged (${scan.tailReason}) and ${scan.damage}; this is lost history, not a torn append, so the journal is left untouched for inspection`,
          { where: `${path}@${scan.validBytes}` },
        );
      }
      if (scan.tailBytes > 0) {
        // A torn append: cut it off so the next append starts on a record boundary.
        await fh.truncate(scan.validBytes).catch((e: unknown) => {
          throw ioError(e, 'cannot truncate the torn tail', path);
        });
        await fh.sync().catch((e: unknown) => {
          throw ioError(e, 'cannot sync the journal', path);
        });
      }
      return new Journal(path, fh, lock, limit, scan.validBytes, scan.count, scan.tailBytes);
    } catch (e) {
      await fh?.close().catch(() => undefined);
      await lock.release();
      throw e;
    }
  }

  /** Number of records (also the sequence number the next append gets). */
  get count(): number {
    return this.nextSeq;
  }

  /**
   * Append one record. Resolves with its sequence number once the bytes are fsynced. Appends are
   * serialised in call order. After an I/O failure the journal refuses further appends (reopen
   * it: recovery drops whatever half-written record the failure left).
   */
  append(payload: Uint8Array): Promise<number> {
    if (!(payload instanceof Uint8Array))
      return Promise.reject(new KeywitnessError('INPUT_INVALID', 'journal record must be bytes'));
    if (payload.length > this.maxRecordBytes) {
      return Promise.reject(
        new KeywitnessError(
          'INPUT_TOO_LARGE',
          `journal record of ${payload.length} bytes exceeds the ${this.maxRecordBytes}-byte limit`,
        ),
      );
    }
    const copy = payload.slice();
    const run = this.queue.then(() => this.appendNow(copy));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(payload: Uint8Array): Promise<number> {
    if (this.closed) throw new KeywitnessError('IO_FAILED', 'journal is closed', { where: this.path });
    if (this.broken) throw this.broken;
    const seq = this.nextSeq;
    if (seq > 0xffffffff)
      throw new KeywitnessError('INPUT_TOO_LARGE', 'journal is full (2^32 records)', { where: this.path });
    const frame = encodeRecord(seq, payload);
    try {
      await writeAllAt(this.fh, frame, this.end);
      await this.fh.sync();
    } catch (e) {
      this.broken = ioError(e, 'append failed; the journal must be reopened', this.path);
      // Best effort: leave no partial record behind (recovery would drop it anyway).
      await this.fh.truncate(this.end).catch(() => undefined);
      throw this.broken;
    }
    this.end += frame.length;
    this.nextSeq = seq + 1;
    return seq;
  }

  /**
   * Every record in order, read back from disk. Refuses with INPUT_TOO_LARGE before reading more
   * than `maxTotalBytes` of payload.
   */
  async readAll(maxTotalBytes: number = LIMITS.journalReadBytes): Promise<Uint8Array[]> {
    await this.queue;
    const out: Uint8Array[] = [];
    let total = 0;
    for await (const record of readRecords(this.fh, this.end, this.maxRecordBytes, this.path)) {
      total += record.length;
      if (total > maxTotalBytes)
        throw new KeywitnessError('INPUT_TOO_LARGE', `journal holds more than ${maxTotalBytes} bytes`, {
          where: this.path,
        });
      out.push(record);
    }
    return out;
  }

  /** Wait for pending appends, close the file, release the lock. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    await this.fh.close().catch(() => undefined);
    await this.lock.release();
  }
}

/** Create an empty journal (header only) atomically: temp file, fsync, link (never overwrites). */
async function createIfAbsent(path: string): Promise<void> {
  try {
    await stat(path);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, 'cannot look at the journal', path);
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.new`);
  await unlink(tmp).catch(() => undefined);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await writeAllAt(fh, FILE_MAGIC, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await link(tmp, path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    await fsyncDirectory(dirname(path));
  } catch (e) {
    throw ioError(e, 'cannot create the journal', path);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

export { readJournalRecords, scanJournal, type JournalScan } from './journal-scan.js';
