import { describe, it, expect } from 'vitest';
import {
  CSP_DIRECTIVES,
  contentSecurityPolicy,
  parseContentSecurityPolicy,
  responseHeaders,
} from '../../../../src/main/policy/csp.js';

describe('content security policy', () => {
  const csp = parseContentSecurityPolicy(contentSecurityPolicy());

  it('round-trips through the parser', () => {
    expect(Object.fromEntries(csp)).toEqual(
      Object.fromEntries(Object.entries(CSP_DIRECTIVES).map(([k, v]) => [k, [...v]])),
    );
  });

  it.each([
    ['default-src', ["'none'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['connect-src', ["'self'"]],
  ])('%s is exactly %j', (name, want) => {
    expect(csp.get(name)).toEqual(want);
  });

  it('allows no inline script, no eval, no remote host and no wildcard anywhere', () => {
    for (const [name, sources] of csp) {
      for (const s of sources) {
        expect(s, `${name} ${s}`).not.toMatch(
          /unsafe-inline|^'unsafe-eval'$|unsafe-hashes|^\*$|^https?:|^wss?:|^http|^file:|strict-dynamic/,
        );
      }
    }
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  });

  it('parses like a browser: case-insensitive names, first occurrence wins, empty parts skipped', () => {
    const p = parseContentSecurityPolicy("Script-Src 'self';; script-src *; img-src");
    expect(p.get('script-src')).toEqual(["'self'"]);
    expect(p.get('img-src')).toEqual([]);
  });

  it('is sent with every response with the other security headers', () => {
    const h = responseHeaders('text/html; charset=utf-8');
    expect(h['Content-Security-Policy']).toBe(contentSecurityPolicy());
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(h['Permissions-Policy']).toMatch(/camera=\(self\)/);
    expect(h['Permissions-Policy']).toMatch(/microphone=\(\)/);
    expect(h['Content-Type']).toBe('text/html; charset=utf-8');
  });
});
