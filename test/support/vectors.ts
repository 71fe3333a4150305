/** Paths to the shared test vectors (outside the repo, beside it). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Root of the shared vectors: KEYWITNESS_VECTORS, else ../shared/vectors beside the checkout. */
export const VECTORS_DIR = process.env.KEYWITNESS_VECTORS ?? fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));

/** Read a vector file as bytes. */
export function vectorBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join(VECTORS_DIR, ...parts)));
}

/** Read a vector file as JSON. */
export function vectorJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, ...parts), 'utf8')) as T;
}
