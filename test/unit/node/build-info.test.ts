/** The build hash must be what standard tools compute: sha256sum over the sorted file list. */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, rm, mkdir, writeFile, symlink } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeBuildHash, SHIPPED_ENTRIES } from '../../../src/node/build-info.js';
import { fromHex } from '../../../src/core/util/bytes.js';
import { fromWords } from '../../../src/core/protocol/words.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kw-build-'));
  await mkdir(join(root, 'dist/main'), { recursive: true });
  await mkdir(join(root, 'dist/preload'), { recursive: true });
  await mkdir(join(root, 'dist-renderer/assets'), { recursive: true });
  await writeFile(join(root, 'package.json'), '{"name":"keywitness"}');
  await writeFile(join(root, 'dist/main/main.js'), 'main');
  await writeFile(join(root, 'dist/preload/preload.cjs'), 'preload');
  await writeFile(join(root, 'dist-renderer/index.html'), '<!doctype html>');
  await writeFile(join(root, 'dist-renderer/assets/Index-B.js'), 'upper');
  await writeFile(join(root, 'dist-renderer/assets/index-a.js'), 'lower');
  await writeFile(join(root, 'dist-renderer/assets/zxing_reader.wasm'), new Uint8Array([0, 97, 115, 109]));
  // Not shipped: must not change the hash.
  await mkdir(join(root, 'node_modules/x'), { recursive: true });
  await writeFile(join(root, 'node_modules/x/index.js'), 'dev only');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function shellHash(): string {
  return execFileSync(
    'sh',
    [
      '-c',
      "find package.json dist/main dist/preload dist-renderer -type f | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum",
    ],
    { cwd: root, encoding: 'utf8' },
  ).split(' ')[0]!;
}

describe('build hash', () => {
  it('equals `find … | LC_ALL=C sort | xargs sha256sum | sha256sum`', async () => {
    const h = await computeBuildHash(root);
    expect(h.hex).toBe(shellHash());
    expect(h.fileCount).toBe(7);
    expect(h.manifest.split('\n')[0]).toMatch(/^[0-9a-f]{64} {2}dist-renderer\/assets\/Index-B\.js$/);
  });

  it('is shown as 32 PGP words that decode to the hash', async () => {
    const h = await computeBuildHash(root);
    expect(h.words).toHaveLength(32);
    expect(fromWords(h.words.join(' '))).toEqual(fromHex(h.hex));
  });

  it('changes when any shipped byte changes, and only then', async () => {
    const before = await computeBuildHash(root);
    await writeFile(join(root, 'node_modules/x/index.js'), 'changed dev file');
    expect((await computeBuildHash(root)).hex).toBe(before.hex);
    await writeFile(join(root, 'dist-renderer/assets/index-a.js'), 'lowes');
    const after = await computeBuildHash(root);
    expect(after.hex).not.toBe(before.hex);
    expect(after.hex).toBe(shellHash());
  });

  it('skips missing entries and says how many files it covered', async () => {
    await rm(join(root, 'dist-renderer'), { recursive: true });
    const h = await computeBuildHash(root);
    expect(h.fileCount).toBe(3);
    expect(SHIPPED_ENTRIES).toContain('dist-renderer');
  });

  it.each([
    ['a symbolic link', async () => symlink('/etc/passwd', join(root, 'dist/main/link.js')), /links or special files/],
    ['a name with a newline', async () => writeFile(join(root, 'dist/main/a\nb.js'), 'x'), /outside the portable set/],
    [
      'a name with a backslash',
      async () => writeFile(join(root, 'dist/main/a\\b.js'), 'x'),
      /outside the portable set/,
    ],
    ['a non-ASCII name', async () => writeFile(join(root, 'dist/main/é.js'), 'x'), /outside the portable set/],
  ])('refuses %s in the shipped files', async (_name, make, error) => {
    await make();
    await expect(computeBuildHash(root)).rejects.toThrow(error);
  });
});
