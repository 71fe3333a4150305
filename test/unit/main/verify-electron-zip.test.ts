/** build/verify-electron-zip.mjs, the offline check of an Electron zip against the pinned sums. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';

const SCRIPT = resolve(import.meta.dirname, '../../../build/verify-electron-zip.mjs');
let dir: string;
const zipName = 'electron-v45.5.0-linux-x64.zip';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-zip-'));
  await writeFile(join(dir, zipName), 'pretend this is Electron');
  await writeFile(
    join(dir, 'checksums.json'),
    JSON.stringify({ [zipName]: createHash('sha256').update('pretend this is Electron').digest('hex') }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const check = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });

describe('verify-electron-zip', () => {
  it('accepts a zip whose SHA-256 matches its pinned sum', () => {
    const r = check(join(dir, zipName), '--checksums', join(dir, 'checksums.json'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^OK electron-v45\.5\.0-linux-x64\.zip [0-9a-f]{64}\n$/);
  });

  it('refuses the same zip against the real pinned sums of the electron package (it is not Electron)', () => {
    const r = check(join(dir, zipName));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/MISMATCH electron-v45\.5\.0-linux-x64\.zip/);
    expect(r.stderr).toMatch(/Do not use this file/);
  });

  it.each([
    ['a renamed zip', ['renamed.zip'], /not listed/],
    ['no argument', [], /usage/],
    ['a missing file', [`absent/${zipName}`], /cannot read/],
  ])('refuses %s', async (_name, args, error) => {
    if (args[0] === 'renamed.zip') await writeFile(join(dir, 'renamed.zip'), 'x');
    const r = check(...args.map((a) => join(dir, a)), '--checksums', join(dir, 'checksums.json'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(error);
  });
});
