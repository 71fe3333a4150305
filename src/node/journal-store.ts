/**
 * Session journals in the user-data folder, one file per session id, opened on first use and
 * held (with their writer lock) until the app quits.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KeywitnessError } from '../core/errors.js';
import { Journal, type JournalOptions } from './journal.js';

const SESSION_ID = /^[0-9a-f]{32}$/;

/** Opens and caches journals under one folder. */
export class JournalStore {
  private readonly open = new Map<string, Promise<Journal>>();

  constructor(
    private readonly dir: string,
    private readonly options: JournalOptions = {},
  ) {}

  /** File of a session's journal; the id is checked again here because it becomes a file name. */
  pathOf(sessionId: string): string {
    if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) {
      throw new KeywitnessError('INPUT_INVALID', 'session id must be 32 lower-case hex digits', { where: 'sessionId' });
    }
    return join(this.dir, `${sessionId}.kwjournal`);
  }

  /** The open journal of a session (opening, and recovering it, on first use). */
  journal(sessionId: string): Promise<Journal> {
    const path = this.pathOf(sessionId);
    let p = this.open.get(sessionId);
    if (!p) {
      p = mkdir(this.dir, { recursive: true, mode: 0o700 }).then(() => Journal.open(path, this.options));
      // A failed open is not cached: the next call retries (the lock holder may have gone).
      p.catch(() => this.open.delete(sessionId));
      this.open.set(sessionId, p);
    }
    return p;
  }

  /** Append a record to a session's journal; resolves after fsync with its sequence number. */
  async append(sessionId: string, record: Uint8Array): Promise<number> {
    return (await this.journal(sessionId)).append(record);
  }

  /**
   * A session's records and the torn-tail bytes dropped when it was opened. Reading a session that
   * has no journal yet returns nothing and creates nothing.
   */
  async read(sessionId: string, maxTotalBytes?: number): Promise<{ records: Uint8Array[]; droppedTailBytes: number }> {
    const path = this.pathOf(sessionId);
    if (!this.open.has(sessionId) && !(await exists(path))) return { records: [], droppedTailBytes: 0 };
    const j = await this.journal(sessionId);
    return { records: await j.readAll(maxTotalBytes), droppedTailBytes: j.droppedTailBytes };
  }

  /** Close every journal (waiting for pending appends) and release the locks. */
  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (j) => j.close(),
          () => undefined,
        ),
      ),
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
