/**
 * Builds the renderer (renderer/index.html) into dist-renderer/, the folder the app:// protocol
 * serves (src/main/app-protocol.ts). Everything is bundled: relative URLs (base './') so the same
 * files work on app://keywitness and on a loopback preview; no asset is inlined as a data: URL
 * (the zxing .wasm must be a same-origin file); the scanner worker is an ES module.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// import.meta.dirname (Node ≥ 20.11) rather than node:url: this file sits in the renderer's lint layer.
const root = import.meta.dirname;

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: `${root}/../dist-renderer`,
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
  optimizeDeps: { noDiscovery: true },
});
