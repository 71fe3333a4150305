/**
 * The Content-Security-Policy the app:// protocol sends with every response, and the other
 * response headers. The renderer is one origin with no inline script, no remote content and no
 * plugins; the only non-trivial grants are the ones the scanner needs.
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

/**
 * Response headers for every app:// response: the CSP, no MIME sniffing, no referrer, a closed
 * Permissions-Policy (camera for the app itself only), and cross-origin isolation so no other
 * origin can embed or open the app's documents.
 */
export function responseHeaders(mimeType: string): Record<string, string> {
  return {
    'Content-Type': mimeType,
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Permissions-Policy':
      'camera=(self), microphone=(), geolocation=(), display-capture=(), usb=(), serial=(), hid=(), bluetooth=(), midi=(), payment=(), clipboard-read=()',
    'Cache-Control': 'no-store',
  };
}
