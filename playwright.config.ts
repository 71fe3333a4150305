import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in Debian's Chromium (/usr/bin/chromium; nothing is downloaded): the QR
 * transport through the fake camera and the app's workflows. Each spec builds what it serves.
 * The Electron suite (test/electron) has its own config and runs only where an Electron dist exists.
 */
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: /.*\.spec\.ts$/,
  timeout: 180_000,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
});
