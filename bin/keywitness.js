#!/usr/bin/env node
// Entry point of the `keywitness` CLI; the code lives in dist/cli (run `npm run build` first).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
