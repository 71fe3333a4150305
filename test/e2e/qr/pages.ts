/**
 * Builds the QR pages with Vite and serves them on loopback with Vite's preview server; launches
 * Debian's Chromium (never a downloaded browser) with a fake camera playing a given Y4M file.
 * Shared by the Playwright tests and the benchmark.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview, type PreviewServer } from 'vite';
import { chromium, type Browser } from 'playwright-core';

// KW_REPO_ROOT lets a bundled copy of this module (the benchmark's) find the real config file.
const CONFIG = process.env.KW_REPO_ROOT
  ? `${process.env.KW_REPO_ROOT}/test/e2e/qr/vite.config.ts`
  : fileURLToPath(new URL('./vite.config.ts', import.meta.url));
export const CHROMIUM = process.env.KEYWITNESS_CHROMIUM ?? '/usr/bin/chromium';

/** Build the harness and benchmark pages and serve them; returns the base URL and a closer. */
export async function servePages(): Promise<{ url: string; close: () => Promise<void> }> {
  // A fresh output folder per call, so test files and the benchmark never empty each other's.
  const outDir = mkdtempSync(join(tmpdir(), 'kw-qr-pages-'));
  await build({ configFile: CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    configFile: CONFIG,
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
    logLevel: 'warn',
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

/**
 * Chromium as root in a sandbox-less container, headless, with no background traffic (the
 * machine has no network), and a fake camera playing `y4m` in a loop.
 */
export async function launchWithCamera(y4m: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${y4m}`,
    ],
  });
}

/** Chromium without a camera, same flags otherwise. */
export async function launchPlain(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
