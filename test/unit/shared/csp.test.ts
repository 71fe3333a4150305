/**
 * One Content-Security-Policy (src/shared/csp.ts): the app:// header and the <meta> element the
 * renderer build writes into index.html come from the same directives; the page source holds
 * no policy of its own.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { describe, expect, it } from 'vitest';
import config from '../../../renderer/vite.config.js';
import { responseHeaders } from '../../../src/main/policy/csp.js';
import {
  CSP_DIRECTIVES,
  contentSecurityPolicy,
  metaContentSecurityPolicy,
  parseContentSecurityPolicy,
} from '../../../src/shared/csp.js';

const html = readFileSync(fileURLToPath(new URL('../../../renderer/index.html', import.meta.url)), 'utf8');

describe('one Content-Security-Policy', () => {
  it('the header app:// sends is the shared one', () => {
    expect(responseHeaders('text/html')['Content-Security-Policy']).toBe(contentSecurityPolicy());
  });

  it('the <meta> policy is the header less what a <meta> cannot carry', () => {
    const meta = parseContentSecurityPolicy(metaContentSecurityPolicy());
    const header = parseContentSecurityPolicy(contentSecurityPolicy());
    expect([...header.keys()].filter((k) => !meta.has(k))).toEqual(['frame-ancestors']);
    for (const [name, sources] of meta) expect([name, sources]).toEqual([name, [...(CSP_DIRECTIVES[name] ?? [])]]);
  });

  it('index.html holds only the placeholder, and the build writes the shared policy in', () => {
    expect(html).toContain('content="%KEYWITNESS_CSP%"');
    expect(html).not.toMatch(/default-src/);
    const plugin = (config.plugins ?? [])
      .flat()
      .find((p): p is Plugin => !!p && (p as Plugin).name === 'keywitness-csp-meta');
    const transform = plugin?.transformIndexHtml as ((h: string) => string) | undefined;
    expect(transform).toBeTypeOf('function');
    const built = transform!(html);
    expect(built).toContain(`content="${metaContentSecurityPolicy()}"`);
    expect(() => transform!('<html></html>')).toThrow(/no %KEYWITNESS_CSP%/);
  });
});
