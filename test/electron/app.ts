/**
 * Builds a self-contained app folder for the _electron suite: the real main and preload bundles
 * (as `npm run build:main` / `build:preload` make them) and a stand-in renderer page, so the shell
 * is tested independently of the renderer's own build.
 */
import { mkdtemp, mkdir, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/** package.json's build:main banner: a `require` for the CommonJS packages bundled into ESM. */
const MAIN_BANNER =
  "import { createRequire as __kwCreateRequire } from 'node:module'; const require = __kwCreateRequire(import.meta.url);";

export const ROOT = resolve(import.meta.dirname, '../..');

/** Path to the Electron executable under ELECTRON_OVERRIDE_DIST_PATH, or null when unset. */
export function electronExecutable(): string | null {
  const dist = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (!dist) return null;
  return process.platform === 'win32'
    ? join(dist, 'electron.exe')
    : process.platform === 'darwin'
      ? join(dist, 'Electron.app/Contents/MacOS/Electron')
      : join(dist, 'electron');
}

export const SKIP_REASON =
  'skipped: ELECTRON_OVERRIDE_DIST_PATH is not set, so there is no Electron binary to drive (see docs/electron-offline.md)';

/** Create the app folder; returns its path. */
export async function buildTestApp(): Promise<string> {
  const app = await mkdtemp(join(tmpdir(), 'kw-electron-app-'));
  await mkdir(join(app, 'dist-renderer'), { recursive: true });
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'keywitness', version: '0.0.0-test', type: 'module', main: 'dist/main/main.js' }),
  );
  await build({
    entryPoints: [join(ROOT, 'src/main/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['electron'],
    // As package.json's build:main: bundled CommonJS packages (yaml, pdf-lib) require Node's modules.
    banner: { js: MAIN_BANNER },
    outfile: join(app, 'dist/main/main.js'),
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(ROOT, 'src/preload/preload.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
    outfile: join(app, 'dist/preload/preload.cjs'),
    logLevel: 'warning',
    minify: true,
  });
  await build({
    entryPoints: [join(import.meta.dirname, 'fixture/page.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome130',
    outfile: join(app, 'dist-renderer/page.js'),
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css'])
    await copyFile(join(import.meta.dirname, 'fixture', f), join(app, 'dist-renderer', f));
  return app;
}
