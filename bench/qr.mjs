// Runs bench/qr-run.ts: bundles it with esbuild (a dev dependency) into test-results/ and imports it.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
process.env.KW_REPO_ROOT = root;
const outfile = join(root, 'test-results', 'qr-bench', 'run.mjs');
await build({
  entryPoints: [join(root, 'bench', 'qr-run.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile,
  logLevel: 'warning',
});
await import(pathToFileURL(outfile).href);
