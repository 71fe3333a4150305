// Runs a TypeScript entry point with Node: bundles it with esbuild (a dev dependency) into
// test-results/<name>/run.mjs, leaving packages external, and imports it. Used by the QR
// benchmark and `npm run preview`, whose entry points import the project's TypeScript directly.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Bundle `entry` (relative to the repository root) and run it in this process. */
export async function runTs(entry, name) {
  process.env.KW_REPO_ROOT = REPO_ROOT;
  const outfile = join(REPO_ROOT, 'test-results', name, 'run.mjs');
  await build({
    entryPoints: [join(REPO_ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  await import(pathToFileURL(outfile).href);
}
