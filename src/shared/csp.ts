/**
 * The Content-Security-Policy of the renderer, defined once: the app:// protocol sends it as a
 * header with every response (src/main/policy/csp.ts), and the renderer build writes it into
 * index.html as a <meta> element (renderer/vite.config.ts), less what a <meta> cannot carry.
 * Platform-free, so both the main process and the renderer's build import it.
 */

/**
 * Directives, one per line of reasoning (CSP Level 3, W3C):
 * - everything defaults to 'none', so a directive the browser adds later starts closed;
 * - scripts and styles only from the app bundle; 'wasm-unsafe-eval' lets zxing-wasm compile its
 *   WebAssembly (it does not allow eval of JavaScript);
 * - connect-src 'self' lets the scanner fetch its own .wasm file from app://; every other host
 *   is refused here and again by the request filter;
 * - img-src allows blob:/data: for QR frames rendered in the page; media-src allows the camera's
 *   MediaStream and blob: video; worker-src allows the scanner worker from the bundle or a blob;
 * - no frames, no objects, no form posts, no <base> rewriting, and no one may frame the app.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'blob:', 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'media-src': ["'self'", 'blob:', 'mediastream:'],
  'worker-src': ["'self'", 'blob:'],
  'manifest-src': ["'none'"],
  'frame-src': ["'none'"],
  'child-src': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** The header value: directives in a fixed order, `; `-separated. */
export function contentSecurityPolicy(
  directives: Readonly<Record<string, readonly string[]>> = CSP_DIRECTIVES,
): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/**
 * Parse a CSP header into directive → sources (CSP3 §2.2.1: split on ';', first token is the
 * name, names are case-insensitive, a repeated directive is ignored). Used by tests and by the
 * startup self-check that the header the protocol sends is the one this module defines.
 */
export function parseContentSecurityPolicy(header: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const tokens = part
      .trim()
      .split(/\s+/)
      .filter((t) => t.length > 0);
    const [first, ...sources] = tokens;
    if (first === undefined) continue;
    const name = first.toLowerCase();
    if (!out.has(name)) out.set(name, sources);
  }
  return out;
}

/** Directives a <meta http-equiv> policy cannot carry (CSP3 §3.3): the browser ignores them there. */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

/** The policy for renderer/index.html's <meta> element: the header's, without the header-only directives. */
export function metaContentSecurityPolicy(): string {
  return contentSecurityPolicy(
    Object.fromEntries(Object.entries(CSP_DIRECTIVES).filter(([name]) => !HEADER_ONLY.has(name))),
  );
}
