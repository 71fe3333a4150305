/** Reading user-named files for CLI commands: size-limited, with errors that name the file. */
import { open } from 'node:fs/promises';
import { KeywitnessError } from '../core/errors.js';

/**
 * Read a whole file, refusing it before reading when it is larger than `maxBytes` or not a
 * regular file.
 */
export async function readFileLimited(path: string, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (e as Error).message;
    throw new KeywitnessError('IO_FAILED', why, { where: path, cause: e });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new KeywitnessError('IO_FAILED', 'not a regular file', { where: path });
    if (info.size > maxBytes)
      throw new KeywitnessError('INPUT_TOO_LARGE', `${info.size} bytes exceeds the ${maxBytes}-byte limit`, {
        where: path,
      });
    const buffer = new Uint8Array(info.size);
    let offset = 0;
    while (offset < info.size) {
      const { bytesRead } = await handle.read(buffer, offset, info.size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    // A file that grows while it is read is refused rather than read past the limit.
    const extra = await handle.read(new Uint8Array(1), 0, 1, offset);
    if (offset !== info.size || extra.bytesRead !== 0)
      throw new KeywitnessError('IO_FAILED', 'the file changed while it was read', { where: path });
    return buffer;
  } finally {
    await handle.close();
  }
}
