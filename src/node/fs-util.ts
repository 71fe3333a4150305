/** Small file-system helpers shared by the journal, export/import and the identity store. */
import { open, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { KeywitnessError } from '../core/errors.js';

/** Write all of `data` at `position`, looping over short writes. */
export async function writeAllAt(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new KeywitnessError('IO_FAILED', 'write made no progress');
    done += bytesWritten;
  }
}

/** Read up to `length` bytes at `position`; fewer only at end of file. */
export async function readAt(fh: FileHandle, length: number, position: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/**
 * fsync a directory so a create, link, rename or unlink in it is durable (POSIX leaves directory
 * entries in the page cache until then). Platforms that cannot open directories (Windows) skip it.
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(dir, constants.O_RDONLY);
  } catch (e) {
    if (process.platform === 'win32') return;
    throw e;
  }
  try {
    await fh.sync().catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EINVAL' && e.code !== 'EISDIR' && e.code !== 'EPERM') throw e;
    });
  } finally {
    await fh.close();
  }
}

/**
 * Turn a file-system error into a KeywitnessError a person can act on: a full medium and a
 * read-only medium get their own codes; anything already a KeywitnessError passes through.
 */
export function ioError(e: unknown, what: string, where: string): KeywitnessError {
  if (e instanceof KeywitnessError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new KeywitnessError('STORAGE_FULL', `${what}: the medium is full`, { where, cause: e });
    case 'EROFS':
      return new KeywitnessError('STORAGE_READ_ONLY', `${what}: the medium is read-only`, { where, cause: e });
    case 'EACCES':
    case 'EPERM':
      return new KeywitnessError('STORAGE_READ_ONLY', `${what}: permission denied`, { where, cause: e });
    case 'EEXIST':
      return new KeywitnessError('ALREADY_EXISTS', `${what}: a file with that name already exists`, {
        where,
        cause: e,
      });
    case 'ENOENT':
      return new KeywitnessError('NOT_FOUND', `${what}: no such file or folder`, { where, cause: e });
    case 'ELOOP':
      return new KeywitnessError('POLICY_DENIED', `${what}: refusing to follow a symbolic link`, { where, cause: e });
    default:
      return new KeywitnessError('IO_FAILED', `${what}: ${(e as Error | null)?.message ?? String(e)}`, {
        where,
        cause: e,
      });
  }
}
