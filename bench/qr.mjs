// `npm run bench:qr`: runs bench/qr-run.ts (bundled by scripts/run-ts.mjs).
import { runTs } from '../scripts/run-ts.mjs';

await runTs('bench/qr-run.ts', 'qr-bench');
