/**
 * Builds the QR harness page (test/e2e/qr/harness) and the benchmark page (bench/qr-page) into
 * test-results/qr-pages. The zxing .wasm is emitted as a same-origin asset of the build.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const benchPage = fileURLToPath(new URL('../../../bench/qr-page/index.html', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../../test-results/qr-pages', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        harness: fileURLToPath(new URL('./harness/index.html', import.meta.url)),
        ...(existsSync(benchPage) ? { bench: benchPage } : {}),
      },
    },
  },
  worker: { format: 'es' },
  optimizeDeps: { noDiscovery: true },
});
