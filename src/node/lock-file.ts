/**
 * One-writer lock files. A lock is a file created with O_CREAT|O_EXCL ('wx'), which the kernel
 * creates atomically or refuses; it names the holder (host, pid, process start time). A lock
 * whose holder is gone — the journal writer was killed or the power was cut — is stale and is
 * taken over, so a crash never leaves a session unopenable.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { KeywitnessError } from '../core/errors.js';

/** What a lock file holds. */
export interface LockOwner {
  readonly host: string;
  readonly pid: number;
  /** Linux /proc/PID/stat start time (clock ticks since boot), so a reused pid is not mistaken for the holder. */
  readonly started: string | null;
  readonly token: string;
}

/** A held lock; `release` is idempotent. */
export interface HeldLock {
  readonly path: string;
  readonly owner: LockOwner;
  release(): Promise<void>;
}

const MAX_LOCK_BYTES = 4096;

/** Start time of `pid` from /proc (field 22, after the parenthesised command name), or null off Linux. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** True when the process that wrote `owner` is still running on this host. */
export function isHolderAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (owner.started === null) return true;
  const now = processStartTime(owner.pid);
  return now === null || now === owner.started;
}

function parseOwner(text: string): LockOwner | null {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.host !== 'string' || typeof v.token !== 'string') return null;
    if (typeof v.pid !== 'number' || !Number.isSafeInteger(v.pid) || v.pid <= 0) return null;
    if (v.started !== null && typeof v.started !== 'string') return null;
    return { host: v.host, pid: v.pid, started: v.started, token: v.token };
  } catch {
    return null;
  }
}

async function readOwner(path: string): Promise<{ text: string; owner: LockOwner | null } | null> {
  try {
    const buf = await readFile(path);
    const text = buf.subarray(0, MAX_LOCK_BYTES).toString('utf8');
    return { text, owner: buf.length > MAX_LOCK_BYTES ? null : parseOwner(text) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Take the lock at `path` or throw JOURNAL_LOCKED naming the holder. A stale lock (holder dead
 * on this host, or an empty/garbled file that stays so — a crash between create and write) is
 * removed and the create retried. Before removing, the file is re-read and must be unchanged, so
 * a fresh lock another process just took over is not deleted by mistake.
 */
export async function acquireLock(path: string, what: string): Promise<HeldLock> {
  const owner: LockOwner = {
    host: hostname(),
    pid: process.pid,
    started: processStartTime(process.pid),
    token: randomBytes(16).toString('hex'),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(JSON.stringify(owner));
        await fh.sync();
      } finally {
        await fh.close();
      }
      return makeHeld(path, owner);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new KeywitnessError('IO_FAILED', `cannot create the lock for ${what}: ${(e as Error).message}`, {
          where: path,
          cause: e,
        });
      }
    }
    let seen = await readOwner(path);
    if (seen === null) continue; // released in between: try again
    if (seen.owner === null) {
      // Possibly a writer between create and write: give it a moment before calling it stale.
      await sleep(100);
      const again = await readOwner(path);
      if (again === null) continue;
      if (again.text !== seen.text || again.owner !== null) {
        seen = again;
        if (seen.owner !== null && isHolderAlive(seen.owner)) throw locked(path, what, seen.owner);
      }
    } else if (seen.owner.host !== owner.host) {
      throw new KeywitnessError(
        'JOURNAL_LOCKED',
        `${what} is locked by host "${seen.owner.host}" (pid ${seen.owner.pid}); it cannot be checked from here, so it is not taken over`,
        { where: path },
      );
    } else if (isHolderAlive(seen.owner)) {
      throw locked(path, what, seen.owner);
    }
    const recheck = await readOwner(path);
    if (recheck !== null && recheck.text === seen.text) {
      await unlink(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    }
  }
  throw new KeywitnessError('JOURNAL_LOCKED', `${what} is locked and the lock could not be taken over`, {
    where: path,
  });
}

function locked(path: string, what: string, o: LockOwner): KeywitnessError {
  return new KeywitnessError(
    'JOURNAL_LOCKED',
    `${what} is open in another Keywitness process (pid ${o.pid}); close it first`,
    { where: path },
  );
}

function makeHeld(path: string, owner: LockOwner): HeldLock {
  let released = false;
  return {
    path,
    owner,
    async release() {
      if (released) return;
      released = true;
      // Remove only our own lock: if it was taken over as stale meanwhile, leave the new one.
      const seen = await readOwner(path).catch(() => null);
      if (seen?.owner?.token === owner.token) await unlink(path).catch(() => undefined);
    },
  };
}
