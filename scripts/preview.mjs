// `npm run preview`: bundles test/support/app/preview-run.ts with esbuild (a dev dependency) into
// test-results/ and runs it with the given arguments (see that file for the options).
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
process.env.KW_REPO_ROOT = root;
const outfile = join(root, 'test-results', 'preview', 'run.mjs');
await build({
  entryPoints: [join(root, 'test', 'support', 'app', 'preview-run.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile,
  logLevel: 'warning',
});
await import(pathToFileURL(outfile).href);
