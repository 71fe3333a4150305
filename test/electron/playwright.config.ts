import { defineConfig } from '@playwright/test';

/**
 * The Electron shell driven by Playwright's _electron. Runs only where an Electron build exists:
 * set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron dist (docs/electron-offline.md); without
 * it every test reports itself skipped and says why.
 */
export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.ts$/,
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  outputDir: '../../test-results/electron',
});
