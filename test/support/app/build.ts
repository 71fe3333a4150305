/**
 * Build the renderer with its own Vite config into a fresh folder and serve it on loopback with
 * the exact response headers the app:// protocol sends (src/main/policy/csp.ts), so the page runs
 * under the app's CSP. A static server on 127.0.0.1 serves the built files only; nothing else is
 * served and the bridge never goes through it.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import { responseHeaders } from '../../../src/main/policy/csp.js';
import { computeBuildHash } from '../../../src/node/build-info.js';
import type { ChannelOutput } from '../../../src/shared/ipc.js';

// KW_REPO_ROOT lets a bundled copy of this module (npm run preview's) find the repository.
export const REPO_ROOT = process.env.KW_REPO_ROOT ?? join(import.meta.dirname, '..', '..', '..');
const CONFIG = join(REPO_ROOT, 'renderer', 'vite.config.ts');

export interface BuiltRenderer {
  /** Folder holding dist-renderer/. */
  readonly root: string;
  readonly dir: string;
  readonly appInfo: ChannelOutput<'appInfo'>;
}

let memo: Promise<BuiltRenderer> | undefined;

/** Build once per process (specs in one worker share it): a fresh folder, the build hash over it. */
export function buildRenderer(): Promise<BuiltRenderer> {
  memo ??= (async () => {
    const root = mkdtempSync(join(tmpdir(), 'kw-renderer-'));
    const dir = join(root, 'dist-renderer');
    await build({ configFile: CONFIG, logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
    const hash = await computeBuildHash(root, ['dist-renderer']);
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    return {
      root,
      dir,
      appInfo: {
        version: pkg.version,
        flavour: 'e2e',
        buildHashHex: hash.hex,
        buildHashWords: hash.words,
        buildFileCount: hash.fileCount,
      },
    };
  })();
  return memo;
}

/** Serve a built renderer on 127.0.0.1 with the app's headers; returns the entry URL and a closer. */
export async function serveRenderer(built: BuiltRenderer): Promise<{ url: string; close: () => Promise<void> }> {
  const headers = responseHeaders('text/html; charset=utf-8');
  delete headers['Content-Type'];
  const server: PreviewServer = await preview({
    configFile: CONFIG,
    logLevel: 'warn',
    build: { outDir: built.dir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, headers, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { url: `http://127.0.0.1:${address.port}/index.html`, close: () => server.close() };
}
