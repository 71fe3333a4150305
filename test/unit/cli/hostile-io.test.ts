/**
 * Hostile files on the command line: every CLI read and write goes through src/node/files.ts, so
 * a FIFO, a device or a folder given as input, and an output that exists, cannot be written or
 * would be half-written, are each refused with exit 2 and one line `keywitness COMMAND: CODE:
 * where: what` (inspect reports file by file and exits 1), and nothing is left behind. Real FIFOs,
 * /dev/zero, /dev/full, /proc, a small tmpfs for a full medium (mounting needs root, as CI has)
 * and a read-only folder, written to as `nobody` (root could write there anyway).
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { createTestSigner } from '../../e2e/qr/fixtures/signed-message.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let dir: string;
const mounts: string[] = [];
let counter = 0;
const fresh = (name: string): string => join(dir, `${counter++}-${name}`);

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdoutBytes: (b) => (out += new TextDecoder().decode(b)),
  });
  return { code, out, err };
}

function sh(cmd: string, ...args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

function mountTmpfs(target: string, options: string): void {
  mkdirSync(target);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', target], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`these tests mount a small tmpfs and need root: ${r.stderr}`);
  mounts.push(target);
}

let fifo: string;
let folder: string;
let message: string;
let plainImage: string;
let garbageBundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kw-hostile-'));
  chmodSync(dir, 0o755);
  fifo = fresh('pipe');
  sh('mkfifo', fifo);
  folder = fresh('folder');
  mkdirSync(folder);
  const signer = await createTestSigner();
  message = fresh('message.bin');
  writeFileSync(message, await signer.message(3000));
  plainImage = fresh('plain.png');
  sh('qrencode', '-o', plainImage, 'hello');
  garbageBundle = fresh('bundle.keywitness.json');
  writeFileSync(garbageBundle, '{}');
});

afterAll(() => {
  for (const m of mounts.reverse()) spawnSync('umount', [m]);
  rmSync(dir, { recursive: true, force: true });
});

/** Every command that reads a named file, with the file in its place. */
const READERS: [label: string, argv: (path: string) => string[]][] = [
  ['script lint', (p) => ['script', 'lint', p]],
  ['script hash', (p) => ['script', 'hash', p]],
  ['audit', (p) => ['audit', p]],
  ['audit', (p) => ['audit', garbageBundle, '--receipt', p]],
  ['qr encode', (p) => ['qr', 'encode', p, '--out', fresh('frames')]],
  ['qr decode', (p) => ['qr', 'decode', p]],
  ['qr decode', (p) => ['qr', 'decode', p, '--raw']],
];

/** Special files given as input, and how the refusal describes each. */
const SPECIAL: [name: string, path: () => string, code: string, what: (path: string) => string][] = [
  [
    'a FIFO',
    () => fifo,
    'INPUT_INVALID',
    (p) => `${p}: ${p.split('/').pop()} is a FIFO (named pipe), not a regular file`,
  ],
  ['a folder', () => folder, 'INPUT_INVALID', (p) => `${p}: ${p.split('/').pop()} is a folder, not a regular file`],
  ['/dev/zero', () => '/dev/zero', 'INPUT_INVALID', () => '/dev/zero: zero is a character device, not a regular file'],
  ['/dev/null', () => '/dev/null', 'INPUT_INVALID', () => '/dev/null: null is a character device, not a regular file'],
  ['a missing file', () => join(dir, 'missing'), 'NOT_FOUND', (p) => `${p}: no such file`],
  [
    'a file under a file',
    () => join(garbageBundle, 'x'),
    'NOT_FOUND',
    (p) => `${p}: no such file (a folder on its path is a file)`,
  ],
];

describe('special files as input: exit 2, one line, nothing read', () => {
  const cases = SPECIAL.flatMap(([name, path, code, what]) =>
    READERS.map(([label, argv], i) => [`${name} → ${label} (#${i})`, path, code, what, label, argv] as const),
  );
  it.each(cases)('%s', async (_name, path, code, what, label, argv) => {
    const p = path();
    const r = await run(...argv(p));
    expect(r).toEqual({ code: 2, out: '', err: `keywitness ${label}: ${code}: ${what(p)}\n` });
  });

  it.each(SPECIAL)('inspect reports %s as that file failing, exit 1', async (_name, path, code, what) => {
    const p = path();
    const r = await run('inspect', p);
    expect(r).toEqual({ code: 1, out: '', err: `${p}: ERROR ${code}: ${what(p)}\n` });
  });
});

describe('outputs that cannot or must not be written: exit 2, nothing changed', () => {
  it('--out onto an existing file keeps it', async () => {
    const out = fresh('keep.bin');
    writeFileSync(out, 'keep me');
    const r = await run('qr', 'decode', plainImage, '--raw', '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `keywitness qr decode: ALREADY_EXISTS: ${out}: exists already (a file); Keywitness never overwrites, and wrote nothing\n`,
    );
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });

  it.each([
    ['/dev/full', '/dev/full', 'ALREADY_EXISTS: /dev/full: exists already (a character device)'],
    ['a FIFO', () => fifo, 'ALREADY_EXISTS: FIFO: exists already (a FIFO (named pipe))'],
    ['a folder', () => folder, 'ALREADY_EXISTS: FOLDER: exists already (a folder)'],
    [
      'a missing parent',
      () => join(dir, 'no-such-folder', 'x.bin'),
      'NOT_FOUND: PARENT: the output folder does not exist',
    ],
    ['/proc', '/proc/keywitness-x.bin', 'NOT_FOUND: /proc/keywitness-x.bin: cannot create keywitness-x.bin'],
  ] as const)('--out onto %s', async (_name, target, message) => {
    const out = typeof target === 'string' ? target : target();
    const r = await run('qr', 'decode', plainImage, '--raw', '--out', out);
    expect(r.code).toBe(2);
    const shown = message
      .replace('FIFO', fifo)
      .replace('FOLDER', folder)
      .replace('PARENT', join(dir, 'no-such-folder'));
    expect(r.err.startsWith(`keywitness qr decode: ${shown}`), r.err).toBe(true);
    expect(r.err.split('\n')).toHaveLength(2);
  });

  it('qr encode --out under /proc or onto a file', async () => {
    const proc = await run('qr', 'encode', message, '--out', '/proc/keywitness-frames');
    expect(proc.code).toBe(2);
    expect(proc.err).toMatch(
      /^keywitness qr encode: NOT_FOUND: \/proc\/keywitness-frames: cannot create the output folder/,
    );
    const file = fresh('a-file');
    writeFileSync(file, 'x');
    const onFile = await run('qr', 'encode', message, '--out', file);
    expect(onFile).toEqual({
      code: 2,
      out: '',
      err: `keywitness qr encode: INPUT_INVALID: ${file}: a file is in the way of the output folder\n`,
    });
    const deep = await run('qr', 'encode', message, '--out', join(dir, 'no', 'frames'));
    expect(deep.err).toMatch(/NOT_FOUND: .*\/no: the folder to create the output folder in does not exist/);
  });

  it('qr encode into a folder holding frame-03.png writes no frame at all', async () => {
    const out = fresh('frames');
    mkdirSync(out);
    writeFileSync(join(out, 'frame-03.png'), 'mine');
    const r = await run('qr', 'encode', message, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `keywitness qr encode: ALREADY_EXISTS: ${join(out, 'frame-03.png')}: exists already (a file); Keywitness never overwrites, and wrote nothing\n`,
    );
    expect(readdirSync(out)).toEqual(['frame-03.png']);
    expect(readFileSync(join(out, 'frame-03.png'), 'utf8')).toBe('mine');
  });

  it('a full medium: qr encode and demo leave nothing behind', async () => {
    const tiny = fresh('tiny');
    mountTmpfs(tiny, 'size=48k');
    // A 3 kB message at 32 pixels a module makes frames well over the 48 KiB medium; a bigger one
    // only adds frames to render before the first write, which a loaded machine takes minutes over.
    const frames = await run('qr', 'encode', message, '--out', join(tiny, 'frames'), '--scale', '32');
    expect(frames.code).toBe(2);
    expect(frames.err).toMatch(
      /^keywitness qr encode: STORAGE_FULL: .*frame-\d\d\.png: writing frame-\d\d\.png failed and the partial file was removed: the medium is full\n$/,
    );
    expect(readdirSync(tiny)).toEqual([]);
    const demo = await run('demo', '--out', join(tiny, 'demo', 'session'));
    expect(demo.code).toBe(2);
    expect(demo.err).toMatch(/^keywitness demo: STORAGE_FULL: .*the medium is full\n$/);
    expect(readdirSync(tiny)).toEqual([]);
  }, 120_000);
});

describe('a read-only folder, written to as nobody', () => {
  let cli: string;
  beforeAll(async () => {
    // The CLI as one file (packages stay in node_modules), so that it can run as another user.
    cli = join(REPO_ROOT, 'test-results', 'hostile-io', 'keywitness.mjs');
    await build({
      stdin: {
        contents: "import { main } from './src/cli/main.ts'; process.exitCode = await main(process.argv.slice(2));",
        resolveDir: REPO_ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: cli,
      logLevel: 'warning',
    });
  });

  const asNobody = (...args: string[]) =>
    spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, ...args], {
      encoding: 'utf8',
    });

  it('really runs without root', () => {
    const r = asNobody('-e', 'process.stdout.write(String(process.getuid()))');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toBe('0');
  });

  it('qr encode and qr decode --out refuse it with exit 2 and create nothing', () => {
    const ro = fresh('read-only');
    mkdirSync(ro, { mode: 0o755 });
    chmodSync(ro, 0o755);
    const encode = asNobody(cli, 'qr', 'encode', message, '--out', join(ro, 'frames'));
    expect({ status: encode.status, stderr: encode.stderr }).toEqual({
      status: 2,
      stderr: `keywitness qr encode: STORAGE_READ_ONLY: ${join(ro, 'frames')}: cannot create the output folder: permission denied\n`,
    });
    const decode = asNobody(cli, 'qr', 'decode', plainImage, '--raw', '--out', join(ro, 'x.bin'));
    expect({ status: decode.status, stderr: decode.stderr }).toEqual({
      status: 2,
      stderr: `keywitness qr decode: STORAGE_READ_ONLY: ${join(ro, 'x.bin')}: cannot create x.bin: permission denied\n`,
    });
    expect(readdirSync(ro)).toEqual([]);
    expect(existsSync(join(ro, 'frames'))).toBe(false);
  });
});
