/** Paths to the test vectors (test/vectors, a copy of the shared reference vectors). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Root of the test vectors: KEYWITNESS_VECTORS, else the copy in test/vectors. */
export const VECTORS_DIR = process.env.KEYWITNESS_VECTORS ?? fileURLToPath(new URL('../vectors/', import.meta.url));

/** Read a vector file as bytes. */
export function vectorBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join(VECTORS_DIR, ...parts)));
}

/** Read a vector file as JSON. */
export function vectorJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, ...parts), 'utf8')) as T;
}
