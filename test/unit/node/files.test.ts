/**
 * Export and import against real media: a tiny tmpfs for a full stick, a read-only mount for
 * write-protected media (both need root, as CI has), links, FIFOs and folders for hostile imports.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { mkdtemp, rm, mkdir, writeFile, readdir, symlink, readFile, chmod } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportFile, importFile, checkFileName } from '../../../src/node/files.js';
import { IMPORT_LIMITS, IMPORT_VALIDATORS } from '../../../src/node/import-kinds.js';
import { containedRealPath, isInside } from '../../../src/node/contained-path.js';
import { isKeywitnessError } from '../../../src/core/errors.js';
import { toHex, utf8 } from '../../../src/core/util/bytes.js';
import { sha256 } from '../../../src/core/util/hash.js';

let dir: string;
const mounts: string[] = [];

function mount(args: string[], target: string): void {
  const r = spawnSync('mount', [...args, target], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`these tests mount small file systems and need root: ${r.stderr}`);
  mounts.push(target);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-files-'));
});
afterAll(async () => {
  for (const m of mounts.reverse()) spawnSync('umount', [m]);
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!isKeywitnessError(e)) throw new Error(`expected a KeywitnessError, got ${String(e)}`);
  return e.code;
}

describe('export', () => {
  let media: string;
  beforeEach(async () => {
    media = await mkdtemp(join(dir, 'media-'));
  });

  it('writes, verifies and reports the SHA-256 of the bytes on the medium', async () => {
    const bytes = utf8('{"format":"keywitness-bundle/1"}\n');
    const r = await exportFile(media, 'session.keywitness.json', bytes);
    expect(r).toEqual({
      path: join(media, 'session.keywitness.json'),
      size: bytes.length,
      sha256Hex: toHex(sha256(bytes)),
    });
    const sum = spawnSync('sha256sum', [r.path], { encoding: 'utf8' }).stdout.split(' ')[0];
    expect(sum).toBe(r.sha256Hex);
  });

  it('never overwrites, even a file it wrote itself', async () => {
    await exportFile(media, 'a.json', utf8('first'));
    expect(await codeOf(exportFile(media, 'a.json', utf8('second')))).toBe('ALREADY_EXISTS');
    expect(await readFile(join(media, 'a.json'), 'utf8')).toBe('first');
  });

  it('does not follow a link planted under the target name', async () => {
    await writeFile(join(dir, 'victim.txt'), 'keep');
    await symlink(join(dir, 'victim.txt'), join(media, 'bundle.json'));
    expect(await codeOf(exportFile(media, 'bundle.json', utf8('x')))).toBe('ALREADY_EXISTS');
    expect(await readFile(join(dir, 'victim.txt'), 'utf8')).toBe('keep');
  });

  it.each([
    ['a relative folder', 'relative/dir', 'x.json', 'INPUT_INVALID'],
    ['a missing folder', '/nonexistent/keywitness', 'x.json', 'NOT_FOUND'],
    ['a file as folder', '/etc/hostname', 'x.json', 'INPUT_INVALID'],
    ['a name with a separator', null, '../x.json', 'INPUT_INVALID'],
    ['a hidden name', null, '.x', 'INPUT_INVALID'],
    ['a name with a reserved character', null, 'a?.json', 'INPUT_INVALID'],
  ])('refuses %s', async (_name, folder, name, code) => {
    expect(await codeOf(exportFile(folder ?? media, name, utf8('x')))).toBe(code);
    expect(await readdir(media)).toEqual([]);
  });

  it('on a full medium: STORAGE_FULL and no partial file left behind', async () => {
    const tiny = join(dir, 'tiny');
    await mkdir(tiny);
    mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs'], tiny);
    await exportFile(tiny, 'small.json', new Uint8Array(1000).fill(1));
    expect(await codeOf(exportFile(tiny, 'big.keywitness.json', new Uint8Array(200 * 1024).fill(2)))).toBe(
      'STORAGE_FULL',
    );
    expect(await readdir(tiny)).toEqual(['small.json']);
  });

  it('on read-only media: STORAGE_READ_ONLY and nothing created', async () => {
    const ro = join(dir, 'ro');
    await mkdir(ro);
    mount(['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs'], ro);
    expect(await codeOf(exportFile(ro, 'x.json', utf8('x')))).toBe('STORAGE_READ_ONLY');
    expect(await readdir(ro)).toEqual([]);
  });

  it('checks file names like the IPC contract does', () => {
    expect(() => checkFileName('session 2026-03-01.keywitness.json')).not.toThrow();
    expect(() => checkFileName('trailing.')).toThrow(/may not start with a dot or end with a dot/);
  });
});

describe('import', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(dir, 'stick-'));
  });
  const any = () => undefined;

  it('reads a regular file and hashes it', async () => {
    const p = join(folder, 'cert.pem');
    await writeFile(p, '-----BEGIN CERTIFICATE-----\n');
    const r = await importFile(p, 1000, any);
    expect(r).toEqual({
      name: 'cert.pem',
      bytes: new Uint8Array(await readFile(p)),
      size: 28,
      sha256Hex: toHex(sha256(await readFile(p))),
    });
  });

  it('accepts a link that stays inside the chosen folder', async () => {
    await mkdir(join(folder, 'sub'));
    await writeFile(join(folder, 'sub', 'real.pem'), 'x');
    await symlink(join(folder, 'sub', 'real.pem'), join(folder, 'link.pem'));
    expect((await importFile(join(folder, 'link.pem'), 10, any)).bytes).toEqual(utf8('x'));
  });

  it.each([
    ['an absolute link out of the folder', async (p: string) => symlink('/etc/passwd', p), 'POLICY_DENIED'],
    [
      'a relative link out of the folder',
      async (p: string) => {
        await writeFile(join(dir, 'outside.txt'), 'x');
        await symlink('../outside.txt', p);
      },
      'POLICY_DENIED',
    ],
    ['a dangling link', async (p: string) => symlink(join(folder, 'nothing'), p), 'NOT_FOUND'],
    ['a folder', async (p: string) => mkdir(p), 'INPUT_INVALID'],
    [
      'a FIFO',
      async (p: string) => {
        spawnSync('mkfifo', [p]);
      },
      'INPUT_INVALID',
    ],
    ['a device', async (p: string) => symlink('/dev/zero', p), 'POLICY_DENIED'],
    ['too large (by one byte)', async (p: string) => writeFile(p, new Uint8Array(101)), 'INPUT_TOO_LARGE'],
    [
      'unreadable',
      async (p: string) => {
        await writeFile(p, 'x');
        await chmod(p, 0);
      },
      'ok-as-root',
    ],
  ])('refuses %s', async (_name, make, code) => {
    const p = join(folder, 'picked');
    await make(p);
    if (code === 'ok-as-root') {
      // root reads mode-000 files; the point is that nothing else than the bytes comes back.
      if (process.getuid?.() === 0) expect((await importFile(p, 100, any)).bytes).toEqual(utf8('x'));
      return;
    }
    expect(await codeOf(importFile(p, 100, any))).toBe(code);
  });

  it('accepts exactly the size limit', async () => {
    const p = join(folder, 'exact');
    await writeFile(p, new Uint8Array(100));
    expect((await importFile(p, 100, any)).size).toBe(100);
  });

  it('runs the validator and passes its refusal through', async () => {
    const p = join(folder, 'x.json');
    await writeFile(p, '{"format":"keywitness-bundle/1"}');
    expect(await codeOf(importFile(p, IMPORT_LIMITS.receipt, IMPORT_VALIDATORS.receipt))).toBe('INPUT_INVALID');
    await expect(importFile(p, IMPORT_LIMITS.bundle, IMPORT_VALIDATORS.bundle)).resolves.toBeTruthy();
  });
});

describe('import validators', () => {
  const cases: [keyof typeof IMPORT_VALIDATORS, string | Uint8Array, RegExp | null][] = [
    ['script', 'format: keywitness-script/1\nid: x\n', null],
    ['script', "format: 'keywitness-script/1'\n", null],
    ['script', 'id: x\nformat: other/1\n', /not a ceremony script/],
    ['script', Uint8Array.of(0xc3, 0x28), /not UTF-8/],
    ['script', 'format: keywitness-script/1\n\0', /NUL/],
    ['bundle', '{"format":"keywitness-bundle/1"}', null],
    ['bundle', '{"format":"keywitness-receipt/1"}', /not a session bundle/],
    ['bundle', '[{"format":"keywitness-bundle/1"}]', /not a session bundle/],
    ['bundle', '{"format":"keywitness-bundle/1"', /not JSON/],
    ['receipt', '{"format":"keywitness-receipt/1"}', null],
    ['receipt', 'null', /not a receipt/],
    ['evidence', 'anything', null],
    ['evidence', '', /empty/],
  ];
  it.each(cases)('%s %j', (kind, content, error) => {
    const bytes = typeof content === 'string' ? utf8(content) : content;
    if (error === null) expect(() => IMPORT_VALIDATORS[kind](bytes, 'f')).not.toThrow();
    else expect(() => IMPORT_VALIDATORS[kind](bytes, 'f')).toThrow(error);
  });
});

describe('containment', () => {
  it.each([
    ['/a/b', '/a/b', true],
    ['/a/b', '/a/b/c', true],
    ['/a/b', '/a/bc', false],
    ['/a/b', '/a', false],
    ['/a/b', '/a/b/../c', false],
    ['/', '/etc', true],
  ])('isInside(%s, %s) is %s', (root, child, want) => {
    expect(isInside(root, child)).toBe(want);
  });

  it.each(['..', '.', '', 'a/b', 'a\\b', 'a\0b'])('refuses the segment %j', async (seg) => {
    expect(await codeOf(containedRealPath(dir, [seg]))).toBe('POLICY_DENIED');
  });

  it('refuses a relative root', async () => {
    expect(await codeOf(containedRealPath('relative', ['x']))).toBe('INPUT_INVALID');
  });
});
