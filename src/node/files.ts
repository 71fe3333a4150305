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
 *
 * The CLI reads and writes every file through here too: `readInputFile` for each file named on
 * its command line, `exportFiles` for everything it writes (all targets checked before the
 * first byte is written, all or nothing).
 */
import { lstat, mkdir, open, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
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

/** What a path that is not a regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Read all of an opened file: refused unless it is a regular file (fstat on the open handle, so
 * nothing can be swapped in between the check and the read) no larger than `maxBytes`; one byte
 * more than fstat promised is asked for, so a file growing while it is read is refused, not cut.
 */
async function readRegular(fh: FileHandle, maxBytes: number, name: string, where: string): Promise<Uint8Array> {
  const st = await fh.stat();
  if (!st.isFile())
    throw new KeywitnessError('INPUT_INVALID', `${name} is ${kindOf(st)}, not a regular file`, { where });
  if (st.size > maxBytes) {
    throw new KeywitnessError(
      'INPUT_TOO_LARGE',
      `${name} is ${st.size} bytes; at most ${maxBytes} are accepted for this kind of file`,
      { where },
    );
  }
  const bytes = await readAt(fh, st.size + 1, 0);
  if (bytes.length !== st.size)
    throw new KeywitnessError('IO_FAILED', `${name} changed size while it was read`, { where });
  return bytes;
}

/** A read failure in words: a missing file or folder, a permission, or what the system said. */
function readError(e: unknown, where: string): KeywitnessError {
  if (e instanceof KeywitnessError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const said = (e as Error | null)?.message ?? String(e);
  switch (code) {
    case 'ENOENT':
      return new KeywitnessError('NOT_FOUND', 'no such file', { where, cause: e });
    case 'ENOTDIR':
      return new KeywitnessError('NOT_FOUND', 'no such file (a folder on its path is a file)', { where, cause: e });
    case 'EACCES':
    case 'EPERM':
      return new KeywitnessError('IO_FAILED', 'permission denied', { where, cause: e });
    case 'ENXIO':
      return new KeywitnessError('INPUT_INVALID', 'is a socket or a device, not a regular file', { where, cause: e });
    case 'ELOOP':
      return new KeywitnessError('INPUT_INVALID', 'too many symbolic links', { where, cause: e });
    default:
      return new KeywitnessError('IO_FAILED', `cannot read: ${said}`, { where, cause: e });
  }
}

/**
 * Read a whole file a person named (a CLI argument). It is opened with O_NONBLOCK, so a FIFO
 * cannot hang the open, then refused unless it is a regular file (a folder, FIFO, device or
 * socket is INPUT_INVALID) of at most `maxBytes` (INPUT_TOO_LARGE, decided by fstat before a
 * byte is read). Errors name the path: NOT_FOUND, INPUT_INVALID, INPUT_TOO_LARGE, IO_FAILED.
 */
export async function readInputFile(path: string, maxBytes: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
    throw new KeywitnessError('INPUT_INVALID', 'maxBytes must be a non-negative integer');
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw readError(e, path);
  }
  try {
    return await readRegular(fh, maxBytes, basename(path), path);
  } catch (e) {
    throw readError(e, path);
  } finally {
    await fh.close();
  }
}

/** One file of a multi-file export. */
export interface OutputFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Whether `exportFiles` may create the folder: not at all, the folder itself, or its missing parents too. */
export type CreateFolder = 'no' | 'folder' | 'parents';

/**
 * Make sure `dir` is a folder, creating it (and, with 'parents', missing folders above it) one
 * level at a time. Returns the folders it created, deepest last. A path that exists and is not a
 * folder is INPUT_INVALID; a missing parent (without 'parents'), a read-only medium or a place
 * where no folder can be made (`/proc`) is the file system's error, named.
 */
async function ensureFolder(dir: string, create: CreateFolder): Promise<string[]> {
  const missing: string[] = [];
  for (let d = dir; ;) {
    const st = await stat(d).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError(e, 'cannot open the output folder', d);
    });
    if (st) {
      if (!st.isDirectory())
        throw new KeywitnessError('INPUT_INVALID', `${kindOf(st)} is in the way of the output folder`, { where: d });
      break;
    }
    missing.unshift(d);
    const parent = dirname(d);
    if (parent === d) break;
    if (create === 'no') throw new KeywitnessError('NOT_FOUND', 'the output folder does not exist', { where: d });
    if (create === 'folder' && missing.length > 1)
      throw new KeywitnessError('NOT_FOUND', 'the folder to create the output folder in does not exist', {
        where: d,
      });
    d = parent;
  }
  const created: string[] = [];
  try {
    for (const d of missing) {
      await mkdir(d).catch((e: unknown) => {
        throw ioError(e, 'cannot create the output folder', d);
      });
      created.push(d);
    }
  } catch (e) {
    await removeFolders(created);
    throw e;
  }
  return created;
}

async function removeFolders(created: readonly string[]): Promise<void> {
  for (const d of [...created].reverse()) await rmdir(d).catch(() => undefined);
}

/**
 * Write several files into `dir`, all or nothing: every target is checked first, and if any of
 * them exists (or two share a name) nothing is written (ALREADY_EXISTS, naming it). Each file is
 * then written as `exportFile` writes one (never overwriting, fsynced, read back); if any write
 * fails, every file and folder this call created is removed again. `dir` may be relative.
 */
export async function exportFiles(
  dir: string,
  files: readonly OutputFile[],
  options: { readonly createFolder?: CreateFolder } = {},
): Promise<ExportResult[]> {
  const folder = resolve(dir);
  const seen = new Set<string>();
  for (const { name } of files) {
    checkFileName(name);
    if (seen.has(name)) throw new KeywitnessError('INPUT_INVALID', `${name} would be written twice`, { where: folder });
    seen.add(name);
  }
  const created = await ensureFolder(folder, options.createFolder ?? 'no');
  const written: string[] = [];
  try {
    for (const { name } of files) {
      const path = join(folder, name);
      const there = await lstat(path).then(
        (st) => st,
        (e: unknown) => {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw ioError(e, `cannot check ${name}`, path);
        },
      );
      if (there)
        throw new KeywitnessError(
          'ALREADY_EXISTS',
          `exists already (${kindOf(there)}); Keywitness never overwrites, and wrote nothing`,
          { where: path },
        );
    }
    const results: ExportResult[] = [];
    for (const { name, bytes } of files) {
      const result = await exportFile(folder, name, bytes);
      written.push(result.path);
      results.push(result);
    }
    return results;
  } catch (e) {
    for (const path of written) await unlink(path).catch(() => undefined);
    if (written.length > 0) await fsyncDirectory(folder).catch(() => undefined);
    await removeFolders(created);
    throw e;
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
    const bytes = await readRegular(fh, maxBytes, name, filePath);
    validate(bytes, name);
    return { name, bytes, size: bytes.length, sha256Hex: toHex(sha256(bytes)) };
  } catch (e) {
    throw ioError(e, `cannot import ${name}`, filePath);
  } finally {
    await fh.close();
  }
}
