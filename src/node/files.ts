/**
 * Export to and import from removable media (docs/architecture.md, "The ceremony, end to end" and
 * "Storage: journals and files").
 *
 * Export never overwrites (O_CREAT|O_EXCL), fsyncs the file and its directory, reads the file
 * back and compares it byte for byte, and reports the SHA-256 of what it read back. Any failure
 * after the file was created — a full stick, media pulled, a mismatch — removes the partial file,
 * so the media never holds half a bundle under the real name.
 *
 * Import refuses links out of the chosen folder, anything but a regular file, and files over the
 * kind's size limit (checked with fstat before a byte is read); the caller's validator then
 * refuses files that are not ours.
 */
import { open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { KeywitnessError } from '../core/errors.js';
import { equalBytes, toHex } from '../core/util/bytes.js';
import { sha256 } from '../core/util/hash.js';
import { fileNameSchema } from '../shared/ipc.js';
import { containedRealPath } from './contained-path.js';
import { fsyncDirectory, ioError, readAt, writeAllAt } from './fs-util.js';

/** What an export wrote. */
export interface ExportResult {
  readonly path: string;
  readonly size: number;
  /** SHA-256 of the bytes read back from the medium. */
  readonly sha256Hex: string;
}

/** Check a file name the renderer suggested (one portable path component). */
export function checkFileName(name: string): void {
  const r = fileNameSchema.safeParse(name);
  if (!r.success)
    throw new KeywitnessError('INPUT_INVALID', r.error.issues[0]?.message ?? 'invalid file name', {
      where: String(name),
    });
}

/**
 * Write `bytes` as `dir/name`, which must not exist. Returns the path, size and SHA-256 of the
 * verified file. Errors: ALREADY_EXISTS, STORAGE_FULL, STORAGE_READ_ONLY, NOT_FOUND (folder gone),
 * IO_FAILED (read-back mismatch or other I/O); in every case no file is left behind.
 */
export async function exportFile(dir: string, name: string, bytes: Uint8Array): Promise<ExportResult> {
  if (typeof dir !== 'string' || !isAbsolute(dir))
    throw new KeywitnessError('INPUT_INVALID', 'export folder must be an absolute path', { where: String(dir) });
  checkFileName(name);
  if (!(bytes instanceof Uint8Array)) throw new KeywitnessError('INPUT_INVALID', 'export content must be bytes');
  const st = await stat(dir).catch((e: unknown) => {
    throw ioError(e, 'cannot open the export folder', dir);
  });
  if (!st.isDirectory())
    throw new KeywitnessError('INPUT_INVALID', 'export destination is not a folder', { where: dir });
  const path = join(dir, name);
  let fh: FileHandle | null = null;
  try {
    fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    throw ioError(e, `cannot create ${name}`, path);
  }
  try {
    await writeAllAt(fh, bytes, 0);
    await fh.sync();
    await fh.close();
    fh = null;
    const back = await readBack(path, bytes.length);
    if (!equalBytes(back, bytes))
      throw new KeywitnessError('IO_FAILED', 'the file read back differs from what was written: the medium is faulty', {
        where: path,
      });
    await fsyncDirectory(dir);
    return { path, size: back.length, sha256Hex: toHex(sha256(back)) };
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    await fsyncDirectory(dir).catch(() => undefined);
    throw ioError(e, `writing ${name} failed and the partial file was removed`, path);
  }
}

async function readBack(path: string, expected: number): Promise<Uint8Array> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const size = (await fh.stat()).size;
    if (size !== expected)
      throw new KeywitnessError('IO_FAILED', `the medium holds ${size} bytes where ${expected} were written`, {
        where: path,
      });
    return await readAt(fh, size, 0);
  } finally {
    await fh.close();
  }
}

/** Validates imported bytes; throws a KeywitnessError naming what is wrong. */
export type ImportValidator = (bytes: Uint8Array, name: string) => void;

/** What an import read. */
export interface ImportResult {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly size: number;
  readonly sha256Hex: string;
}

/**
 * Read the file the operator picked at `filePath`, treating its folder as the chosen folder:
 * a symbolic link that resolves outside that folder is refused (POLICY_DENIED); so are devices,
 * FIFOs and folders (INPUT_INVALID), and files over `maxBytes` (INPUT_TOO_LARGE, decided by fstat
 * on the opened file before reading). The validator runs on the complete bytes.
 */
export async function importFile(filePath: string, maxBytes: number, validate: ImportValidator): Promise<ImportResult> {
  if (typeof filePath !== 'string' || !isAbsolute(filePath))
    throw new KeywitnessError('INPUT_INVALID', 'import path must be absolute', { where: String(filePath) });
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
    throw new KeywitnessError('INPUT_INVALID', 'maxBytes must be a non-negative integer');
  const name = basename(filePath);
  const real = await containedRealPath(dirname(filePath), [name]);
  // O_NONBLOCK: opening a FIFO someone left on the stick must not hang the app.
  const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((e: unknown) => {
    throw ioError(e, `cannot open ${name}`, filePath);
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new KeywitnessError('INPUT_INVALID', `${name} is not a regular file`, { where: filePath });
    if (st.size > maxBytes) {
      throw new KeywitnessError(
        'INPUT_TOO_LARGE',
        `${name} is ${st.size} bytes; at most ${maxBytes} are accepted for this kind of file`,
        { where: filePath },
      );
    }
    // Read one byte more than fstat promised: a file growing while read is refused, not cut.
    const bytes = await readAt(fh, st.size + 1, 0);
    if (bytes.length !== st.size)
      throw new KeywitnessError('IO_FAILED', `${name} changed size while it was read`, { where: filePath });
    validate(bytes, name);
    return { name, bytes, size: bytes.length, sha256Hex: toHex(sha256(bytes)) };
  } catch (e) {
    throw ioError(e, `cannot import ${name}`, filePath);
  } finally {
    await fh.close();
  }
}
