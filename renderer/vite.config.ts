/**
 * Builds the renderer (renderer/index.html) into dist-renderer/, the folder the app:// protocol
 * serves (src/main/app-protocol.ts). Everything is bundled: relative URLs (base './') so the same
 * files work on app://keywitness and on a loopback preview; no asset is inlined as a data: URL
 * (the zxing .wasm must be a same-origin file); the scanner worker is an ES module.
 */
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { metaContentSecurityPolicy } from '../src/shared/csp.js';

/**
 * index.html's <meta> CSP is the app's one policy (src/shared/csp.ts, also sent as the app://
 * header), written in at build time; a page without the placeholder fails the build.
 */
function contentSecurityPolicyMeta(): Plugin {
  const placeholder = '%KEYWITNESS_CSP%';
  return {
    name: 'keywitness-csp-meta',
    transformIndexHtml(html) {
      if (!html.includes(placeholder)) throw new Error(`index.html has no ${placeholder} for its CSP`);
      return html.replace(placeholder, metaContentSecurityPolicy());
    },
  };
}

// import.meta.dirname (Node ≥ 20.11) rather than node:url: this file sits in the renderer's lint layer.
const root = import.meta.dirname;

export default defineConfig({
  root,
  base: './',
  plugins: [react(), contentSecurityPolicyMeta()],
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
