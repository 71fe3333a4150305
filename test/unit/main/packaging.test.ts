/**
 * Packaging: electron-builder.yml against electron-builder's own JSON schema, every fuse set
 * explicitly, and real `electron-builder --linux dir` runs against a stub Electron dist (a fake
 * `electron` executable carrying the fuse sentinel, since the Electron binary cannot be fetched
 * here). Two release builds from two different folders must give byte-identical app.asar files,
 * and the fuses read back from the packaged binary must be the configured ones.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, mkdir, writeFile, readFile, copyFile, cp, symlink } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as typeof import('ajv').default;
const asar = require('@electron/asar') as typeof import('@electron/asar');
const fuses = require('@electron/fuses') as typeof import('@electron/fuses');
const { FuseState, SENTINEL } = require('@electron/fuses/dist/constants') as {
  FuseState: { ENABLE: number; DISABLE: number };
  SENTINEL: string;
};
const run = promisify(execFile);

const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN_BANNER =
  "import { createRequire as __kwCreateRequire } from 'node:module'; const require = __kwCreateRequire(import.meta.url);";
const schema = JSON.parse(await readFile(join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
const releaseConfig = parseYaml(await readFile(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const e2eConfig = parseYaml(await readFile(join(ROOT, 'build/electron-builder.e2e.yml'), 'utf8')) as Record<
  string,
  unknown
>;

// electron-builder's schema uses a custom "typeof" keyword for function-valued hooks.
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addKeyword({ keyword: 'typeof', validate: (want: string, data: unknown) => typeof data === want });
const validate = ajv.compile(schema);

/** The fuses the issue requires, by electron-builder's option names. */
const RELEASE_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};
/** electron-builder option name → @electron/fuses wire index. */
const WIRE_INDEX: Record<keyof typeof RELEASE_FUSES, number> = {
  runAsNode: fuses.FuseV1Options.RunAsNode,
  enableCookieEncryption: fuses.FuseV1Options.EnableCookieEncryption,
  enableNodeOptionsEnvironmentVariable: fuses.FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  enableNodeCliInspectArguments: fuses.FuseV1Options.EnableNodeCliInspectArguments,
  enableEmbeddedAsarIntegrityValidation: fuses.FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
  onlyLoadAppFromAsar: fuses.FuseV1Options.OnlyLoadAppFromAsar,
  loadBrowserProcessSpecificV8Snapshot: fuses.FuseV1Options.LoadBrowserProcessSpecificV8Snapshot,
  grantFileProtocolExtraPrivileges: fuses.FuseV1Options.GrantFileProtocolExtraPrivileges,
};

describe('electron-builder configuration', () => {
  it.each([
    ['electron-builder.yml', releaseConfig],
    ['build/electron-builder.e2e.yml', e2eConfig],
  ])("%s is valid against electron-builder's schema", (_name, config) => {
    const ok = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each([
    ['a misspelled fuse', { electronFuses: { ...RELEASE_FUSES, runAsNod: false } }],
    ['a fuse that is not a boolean', { electronFuses: { ...RELEASE_FUSES, runAsNode: 'no' } }],
    ['an unknown top-level key', { electronFuse: {} }],
    ['an unknown Linux target option', { linux: { targets: ['deb'] } }],
  ])('the schema check catches %s', (_name, patch) => {
    expect(validate({ ...releaseConfig, ...patch })).toBe(false);
  });

  it('sets every fuse of the Electron fuse wire explicitly, as the issue lists them', () => {
    expect(releaseConfig['electronFuses']).toEqual(RELEASE_FUSES);
    const names = Object.keys(fuses.FuseV1Options).filter((k) => Number.isNaN(Number(k)));
    expect(Object.keys(WIRE_INDEX)).toHaveLength(names.length);
  });

  it('the e2e build differs from release only by the inspector fuse, its flavour and its output', () => {
    expect(e2eConfig['extends']).toBe('./electron-builder.yml');
    expect(e2eConfig['electronFuses']).toEqual({ ...RELEASE_FUSES, enableNodeCliInspectArguments: true });
    expect((e2eConfig['extraMetadata'] as { keywitness: unknown }).keywitness).toEqual({ flavour: 'e2e' });
    expect((e2eConfig['directories'] as { output: string }).output).not.toBe(
      (releaseConfig['directories'] as { output: string }).output,
    );
  });

  it('targets deb, AppImage and dir on Linux, dmg on macOS, nsis on Windows', () => {
    expect((releaseConfig['linux'] as { target: string[] }).target).toEqual(['deb', 'AppImage', 'dir']);
    expect((releaseConfig['mac'] as { target: string[] }).target).toEqual(['dmg']);
    expect((releaseConfig['win'] as { target: string[] }).target).toEqual(['nsis']);
  });
});

describe('packaging against a stub Electron dist', () => {
  let work: string;
  let stub: string;
  let bundles: Map<string, Uint8Array>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'kw-pack-'));
    // The stub: an "electron" executable that carries the fuse sentinel followed by wire version 1,
    // wire length 8 and eight fuses all '1' (enabled), as @electron/fuses expects to find them.
    stub = join(work, 'electron-dist');
    await mkdir(join(stub, 'locales'), { recursive: true });
    await mkdir(join(stub, 'resources'), { recursive: true });
    const exe = Buffer.concat([
      Buffer.from('#!/bin/sh\necho "stub Electron: packaging test only"\nexit 1\n'),
      Buffer.from(SENTINEL),
      Buffer.from([1, 8]),
      Buffer.from('11111111'),
    ]);
    await writeFile(join(stub, 'electron'), exe, { mode: 0o755 });
    await writeFile(join(stub, 'version'), '45.5.0');
    await writeFile(join(stub, 'LICENSE'), 'stub');
    for (const l of ['en-US', 'de', 'fr']) await writeFile(join(stub, 'locales', `${l}.pak`), l);
    // The app's real main and preload bundles, built the way `npm run build:main/preload` does.
    bundles = new Map();
    for (const [entry, out, format] of [
      ['src/main/main.ts', 'dist/main/main.js', 'esm'],
      ['src/preload/preload.ts', 'dist/preload/preload.cjs', 'cjs'],
    ] as const) {
      const r = await build({
        entryPoints: [join(ROOT, entry)],
        bundle: true,
        platform: 'node',
        format,
        target: 'node22',
        external: ['electron'],
        // As package.json's build:main: a require for the CommonJS packages bundled into ESM.
        ...(format === 'esm' ? { banner: { js: MAIN_BANNER } } : {}),
        write: false,
        logLevel: 'silent',
        minify: format === 'cjs',
      });
      bundles.set(out, r.outputFiles[0]!.contents);
    }
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function project(name: string): Promise<string> {
    const dir = join(work, name);
    await mkdir(join(dir, 'build'), { recursive: true });
    await mkdir(join(dir, 'dist-renderer/assets'), { recursive: true });
    await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
    await copyFile(join(ROOT, 'electron-builder.yml'), join(dir, 'electron-builder.yml'));
    await copyFile(join(ROOT, 'build/electron-builder.e2e.yml'), join(dir, 'build/electron-builder.e2e.yml'));
    await copyFile(join(ROOT, 'build/entitlements.mac.plist'), join(dir, 'build/entitlements.mac.plist'));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    await cp(join(ROOT, 'assets/fonts'), join(dir, 'assets/fonts'), { recursive: true });
    for (const [out, bytes] of bundles) {
      await mkdir(join(dir, out, '..'), { recursive: true });
      await writeFile(join(dir, out), bytes);
    }
    await writeFile(
      join(dir, 'dist-renderer/index.html'),
      '<!doctype html><title>Keywitness</title><script type="module" src="assets/index.js"></script>',
    );
    await writeFile(join(dir, 'dist-renderer/assets/index.js'), 'console.log("renderer")');
    await writeFile(join(dir, 'dist/main/main.js.map'), '{}'); // must not be shipped
    return dir;
  }

  async function pack(name: string, config: string): Promise<string> {
    const dir = await project(name);
    const out = join(work, `${name}-out`);
    await run(
      process.execPath,
      [
        join(ROOT, 'node_modules/electron-builder/cli.js'),
        '--linux',
        'dir',
        '--x64',
        '--config',
        config,
        `-c.electronDist=${stub}`,
        `-c.directories.output=${out}`,
      ],
      { cwd: dir, env: { ...process.env, CI: 'true', SOURCE_DATE_EPOCH: '1767225600' }, maxBuffer: 16 * 1024 * 1024 },
    );
    return join(out, 'linux-unpacked');
  }

  it('builds byte-identical app.asar files twice, with the fuses as configured', async () => {
    const [a, b, e2e] = await Promise.all([
      pack('release-a', 'electron-builder.yml'),
      pack('release-b', 'electron-builder.yml'),
      pack('e2e', 'build/electron-builder.e2e.yml'),
    ]);
    const asarA = await readFile(join(a, 'resources/app.asar'));
    const asarB = await readFile(join(b, 'resources/app.asar'));
    expect(asarA.equals(asarB)).toBe(true);

    // What is inside: package.json, the two bundles, the renderer; no node_modules, no source maps.
    const files = asar
      .listPackage(join(a, 'resources/app.asar'), { isPack: false })
      .map((f) => f.replaceAll('\\', '/'));
    expect(files.sort()).toEqual([
      '/dist',
      '/dist-renderer',
      '/dist-renderer/assets',
      '/dist-renderer/assets/index.js',
      '/dist-renderer/index.html',
      '/dist/main',
      '/dist/main/main.js',
      '/dist/preload',
      '/dist/preload/preload.cjs',
      '/package.json',
    ]);
    const pkg = JSON.parse(asar.extractFile(join(a, 'resources/app.asar'), 'package.json').toString()) as {
      keywitness: unknown;
      scripts?: unknown;
      main: string;
    };
    expect(pkg.keywitness).toEqual({ flavour: 'release' });
    expect(pkg.main).toBe('dist/main/main.js');
    expect(pkg.scripts).toBeUndefined();

    for (const [dir, inspect] of [
      [a, false],
      [b, false],
      [e2e, true],
    ] as const) {
      const wire = await fuses.getCurrentFuseWire(join(dir, 'keywitness'));
      const want = { ...RELEASE_FUSES, enableNodeCliInspectArguments: inspect };
      for (const [name, value] of Object.entries(want)) {
        const index = WIRE_INDEX[name as keyof typeof RELEASE_FUSES];
        expect((wire as unknown as Record<number, number>)[index], `${dir}: ${name}`).toBe(
          value ? FuseState.ENABLE : FuseState.DISABLE,
        );
      }
    }
    const e2ePkg = JSON.parse(asar.extractFile(join(e2e, 'resources/app.asar'), 'package.json').toString()) as {
      keywitness: unknown;
    };
    expect(e2ePkg.keywitness).toEqual({ flavour: 'e2e' });
    // electronLanguages keeps en-US only.
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(join(a, 'locales'))).toEqual(['en-US.pak']);
    // The fonts printed worksheets embed ship as real files beside app.asar (src/main appFontsDir).
    for (const dir of [a, e2e])
      expect((await readdir(join(dir, 'resources/fonts'))).sort()).toEqual(
        (await readdir(join(ROOT, 'assets/fonts'))).sort(),
      );
  }, 240_000);
});
