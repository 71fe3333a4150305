/**
 * Reading user-named files for CLI commands. The one reader is `readInputFile` in
 * src/node/files.ts (regular files only, opened non-blocking, bounded by fstat before a byte is
 * read); `readKind` adds the one wrong-kind check (src/core/file-kind.ts) and names the file in
 * every error of the kind's parser.
 */
import { KeywitnessError } from '../core/errors.js';
import { refuseWrongKind, type FileKind } from '../core/file-kind.js';
import { readInputFile } from '../node/files.js';

export { readInputFile as readFileLimited } from '../node/files.js';

/** How to give a file of `actual` kind instead, for the wrong-kind error of a command. */
const HINTS: Readonly<Partial<Record<FileKind, string>>> = {
  receipt: 'give receipts to keywitness audit with --receipt FILE',
  bundle: 'a bundle is audited with keywitness audit BUNDLE',
  script: 'check a script with keywitness script lint FILE',
  image: 'read QR images with keywitness qr decode IMAGE…',
  message: 'make QR frames of a message with keywitness qr encode FILE --out DIR',
  pem: 'read certificates, keys and CSRs with keywitness inspect or keywitness verify',
  der: 'read certificates, keys and CSRs with keywitness inspect or keywitness verify',
};

/** Parse a file's bytes, naming the file in any error of the parser. */
export function withFile<T>(path: string, parse: (bytes: Uint8Array) => T, bytes: Uint8Array): T {
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof KeywitnessError && e.where !== path)
      throw new KeywitnessError(e.code, e.message, { where: path, cause: e });
    throw e;
  }
}

/**
 * Read `path` (refused unless a regular file within `maxBytes`) and refuse it, saying what it is,
 * when it is plainly another kind of file than `expected`.
 */
export async function readKind(
  path: string,
  expected: 'bundle' | 'receipt' | 'script' | 'message' | 'image',
  maxBytes: number,
): Promise<Uint8Array> {
  const bytes = await readInputFile(path, maxBytes);
  refuseWrongKind(bytes, expected, path, (actual) => (actual === expected ? undefined : HINTS[actual]));
  return bytes;
}
