import { defineConfig } from '@playwright/test';

/** QR transfer end-to-end tests: Debian Chromium, fake camera, pages built by Vite. */
export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.ts$/,
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  outputDir: '../../../test-results/qr-e2e',
});
