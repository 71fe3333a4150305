/**
 * The Content-Security-Policy the app:// protocol sends with every response, and the other
 * response headers. The renderer is one origin with no inline script, no remote content and no
 * plugins; the only non-trivial grants are the ones the scanner needs. The policy itself is
 * defined once, in src/shared/csp.ts, which the renderer build writes into index.html too.
 */
import { contentSecurityPolicy } from '../../shared/csp.js';

export { CSP_DIRECTIVES, contentSecurityPolicy, parseContentSecurityPolicy } from '../../shared/csp.js';

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
