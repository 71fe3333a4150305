// `npm run preview`: runs test/support/app/preview-run.ts (bundled by scripts/run-ts.mjs) with the
// given arguments (see that file for the options).
import { runTs } from './run-ts.mjs';

await runTs('test/support/app/preview-run.ts', 'preview');
