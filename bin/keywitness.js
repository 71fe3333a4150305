#!/usr/bin/env node
// Entry point of the `keywitness` CLI; the code lives in dist/cli (run `npm run build` first).
import { availableParallelism } from 'node:os';

// WebCrypto runs signature checks on libuv's thread pool (4 threads by default). An audit keeps
// this thread busy too, decoding and applying the rules while the checks run; with more pool
// threads than cores they only take turns with it. Set before the pool is first used.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
