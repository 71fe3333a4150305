#!/usr/bin/env node
/**
 * Check an Electron release zip fetched on another machine against the SHA-256 sums that the
 * `electron` npm package pins in node_modules/electron/checksums.json (the lock file pins that
 * package by integrity hash, so the chain is: package-lock → electron package → zip).
 *
 *   node build/verify-electron-zip.mjs electron-v45.5.0-linux-x64.zip [--checksums FILE]
 *
 * Exit status: 0 when the zip's name is listed and its SHA-256 matches, 1 otherwise. The file is
 * hashed as a stream, so a large zip costs no memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
let checksumsPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'electron', 'checksums.json');
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--checksums') checksumsPath = args[++i] ?? '';
  else files.push(args[i]);
}
if (files.length !== 1) {
  console.error('usage: verify-electron-zip.mjs ELECTRON_ZIP [--checksums checksums.json]');
  process.exit(1);
}
const zip = files[0];
let checksums;
try {
  checksums = JSON.parse(readFileSync(checksumsPath, 'utf8'));
} catch (e) {
  console.error(`cannot read the pinned checksums at ${checksumsPath}: ${e.message}`);
  process.exit(1);
}
const name = basename(zip);
const expected = Object.hasOwn(checksums, name) ? checksums[name] : undefined;
if (typeof expected !== 'string' || !/^[0-9a-f]{64}$/.test(expected)) {
  console.error(
    `${name} is not listed in ${checksumsPath}: keep the original file name (electron-vVERSION-PLATFORM-ARCH.zip) and the Electron version of package-lock.json`,
  );
  process.exit(1);
}
const hash = createHash('sha256');
try {
  for await (const chunk of createReadStream(zip)) hash.update(chunk);
} catch (e) {
  console.error(`cannot read ${zip}: ${e.message}`);
  process.exit(1);
}
const actual = hash.digest('hex');
if (actual !== expected) {
  console.error(`MISMATCH ${name}\n  expected ${expected}\n  actual   ${actual}\nDo not use this file.`);
  process.exit(1);
}
console.log(`OK ${name} ${actual}`);
