/**
 * The app's build hash (docs/architecture.md, "The ceremony, end to end"; docs/security.md,
 * "Storage, files and the build hash"): SHA-256 over a manifest of every shipped file, shown as hex
 * and PGP words at start so the room can compare it with the published value.
 *
 * The manifest is exactly what `sha256sum` prints for the files in byte order of their paths, so
 * anyone can recompute the hash with standard tools from an unpacked app.asar:
 *
 *     find package.json dist dist-renderer -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeywitnessError } from '../core/errors.js';
import { toHex, utf8 } from '../core/util/bytes.js';
import { sha256 } from '../core/util/hash.js';
import { toWords } from '../core/protocol/words.js';

/** What the app ships, relative to its root (the app.asar in a package, the checkout in dev). */
export const SHIPPED_ENTRIES: readonly string[] = ['package.json', 'dist/main', 'dist/preload', 'dist-renderer'];

/** The build hash and how it was made. */
export interface BuildHash {
  readonly hex: string;
  readonly words: string[];
  readonly fileCount: number;
  /** The `sha256sum`-format manifest the hash covers. */
  readonly manifest: string;
}

// Names sha256sum prints verbatim and that sort the same as bytes and as UTF-16.
const SAFE_NAME = /^[A-Za-z0-9._@+=,-][A-Za-z0-9 ._@+=,-]*$/;

async function collect(root: string, rel: string, out: string[]): Promise<void> {
  // stat first rather than relying on readdir's ENOTDIR: Electron's asar layer answers both.
  const st = await lstat(join(root, rel));
  if (st.isFile()) {
    out.push(rel);
    return;
  }
  if (!st.isDirectory())
    throw new KeywitnessError('INPUT_INVALID', 'shipped files may not be links or special files', { where: rel });
  for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
    if (!SAFE_NAME.test(entry.name)) {
      throw new KeywitnessError(
        'INPUT_INVALID',
        `shipped file name "${entry.name}" is outside the portable set the manifest allows`,
        { where: join(rel, entry.name) },
      );
    }
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory()) await collect(root, child, out);
    else if (entry.isFile()) out.push(child);
    else
      throw new KeywitnessError('INPUT_INVALID', 'shipped files may not be links or special files', { where: child });
  }
}

/**
 * Hash the shipped files under `root`. Missing entries are skipped (a checkout without a built
 * renderer still reports a hash of what it has); the file count tells how much was covered.
 */
export async function computeBuildHash(root: string, entries: readonly string[] = SHIPPED_ENTRIES): Promise<BuildHash> {
  const files: string[] = [];
  for (const entry of entries) {
    try {
      await collect(root, entry, files);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
  }
  // Byte order of ASCII paths, as `LC_ALL=C sort` orders them.
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let manifest = '';
  for (const file of files) {
    const bytes = await readFile(join(root, file));
    manifest += `${toHex(sha256(bytes))}  ${file}\n`;
  }
  const digest = sha256(utf8(manifest));
  return { hex: toHex(digest), words: toWords(digest), fileCount: files.length, manifest };
}
