/**
 * Map an app:// request URL to a file of the renderer bundle, or refuse it. The protocol
 * handler joins the result under dist-renderer/ and then checks the real path stays inside
 * (src/node/contained-path.ts); this module is the first, purely textual gate, so that
 * traversal, encoded separators and hidden files are refused before the file system is asked.
 */
import { parseAppUrl } from './origin.js';

/** File types the bundle ships, with the MIME type sent for each. Anything else is a 404. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  wasm: 'application/wasm',
  png: 'image/png',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  txt: 'text/plain; charset=utf-8',
};

/** Longest request path accepted, in characters of the encoded URL path. */
export const MAX_PATH_LENGTH = 512;

/** The outcome: a relative path with '/' separators and its MIME type, or an HTTP-like refusal. */
export type AppPathResult =
  | { readonly ok: true; readonly segments: readonly string[]; readonly mimeType: string }
  | { readonly ok: false; readonly status: 400 | 403 | 404; readonly reason: string };

function refuse(status: 400 | 403 | 404, reason: string): AppPathResult {
  return { ok: false, status, reason };
}

/**
 * Resolve a request URL to path segments under the bundle root. Refused:
 * - anything not on the app origin (403);
 * - encoded '/', '\' or NUL, raw backslashes, malformed percent-escapes (400): after decoding
 *   they would change how the path splits;
 * - empty, '.', '..' or dot-file segments, control characters or ':' (403);
 * - extensions outside {@link MIME_TYPES} (404).
 * '/' serves index.html. Query and fragment are ignored (the bundle is static).
 */
export function resolveAppPath(url: string): AppPathResult {
  const parsed = parseAppUrl(url);
  if (parsed === null) return refuse(403, 'not on the app origin');
  const raw = parsed.rawPath;
  if (raw.length > MAX_PATH_LENGTH) return refuse(400, `path longer than ${MAX_PATH_LENGTH} characters`);
  if (raw.includes('\\')) return refuse(400, 'backslash in path');
  if (/%(2f|5c|00)/i.test(raw)) return refuse(400, 'encoded separator or NUL in path');
  const rawSegments = raw === '/' ? ['index.html'] : raw.slice(1).split('/');
  const segments: string[] = [];
  for (const rawSegment of rawSegments) {
    let segment: string;
    try {
      segment = decodeURIComponent(rawSegment);
    } catch {
      return refuse(400, 'malformed percent-encoding');
    }
    if (segment === '' || segment === '.' || segment === '..') return refuse(403, 'empty or dot segment');
    if (segment.startsWith('.')) return refuse(403, 'hidden file');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f:]/.test(segment)) return refuse(403, 'control character or colon in path');
    segments.push(segment);
  }
  const last = segments.at(-1);
  if (last === undefined) return refuse(403, 'empty path');
  const dot = last.lastIndexOf('.');
  const ext = dot > 0 ? last.slice(dot + 1).toLowerCase() : '';
  // Own-property lookup: "constructor" or "__proto__" must not find Object.prototype members.
  const mimeType = Object.hasOwn(MIME_TYPES, ext) ? MIME_TYPES[ext] : undefined;
  if (mimeType === undefined) return refuse(404, `no file of type "${ext || '(none)'}" is served`);
  return { ok: true, segments, mimeType };
}
