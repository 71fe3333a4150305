import { describe, it, expect } from 'vitest';
import { decideNavigation, decideRequest, decideWindowOpen } from '../../../../src/main/policy/url-policy.js';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  decideFlavour,
  isAppOrigin,
  isHardened,
  parseAppUrl,
} from '../../../../src/main/policy/origin.js';
import type { Flavour } from '../../../../src/main/policy/origin.js';

describe('origin', () => {
  it.each([
    ['app://keywitness', true],
    ['app://keywitness/', true],
    ['app://keywitness/index.html?x=1#y', true],
    ['app://keywitness/assets/a.js', true],
    ['APP://keywitness/', true], // the URL parser lower-cases schemes
    ['app://KEYWITNESS/', false], // Chromium would lower-case; anything else is not ours
    ['app://keywitness:80/', false],
    ['app://user@keywitness/', false],
    ['app://user:pw@keywitness/', false],
    ['app://keywitness.evil/', false],
    ['app://evil/', false],
    ['app:keywitness', false],
    ['https://keywitness/', false],
    ['file:///keywitness/', false],
    ['blob:app://keywitness/uuid', false],
    ['', false],
    ['not a url', false],
    [`app://keywitness/${'a'.repeat(5000)}`, false],
  ])('isAppOrigin(%j) is %s', (url, want) => {
    expect(isAppOrigin(url)).toBe(want);
  });

  it('rejects non-strings', () => {
    expect(isAppOrigin(undefined)).toBe(false);
    expect(isAppOrigin(null)).toBe(false);
    expect(parseAppUrl(42 as unknown as string)).toBeNull();
  });

  it('has the entry URL on the app origin', () => {
    expect(APP_ENTRY_URL.startsWith(`${APP_ORIGIN}/`)).toBe(true);
    expect(isAppOrigin(APP_ENTRY_URL)).toBe(true);
  });

  it.each<[boolean, unknown, string | undefined, Flavour]>([
    [true, undefined, undefined, 'release'],
    [true, 'e2e', undefined, 'e2e'],
    [true, 'dev', undefined, 'release'],
    [true, 'release', 'dev', 'release'],
    [true, undefined, 'e2e', 'release'], // the environment never loosens a packaged build
    [false, undefined, undefined, 'dev'],
    [false, 'e2e', undefined, 'dev'],
    [false, undefined, 'release', 'release'],
    [false, undefined, 'e2e', 'e2e'],
    [false, undefined, 'bogus', 'dev'],
  ])('decideFlavour(packaged=%s, pkg=%j, simulate=%j) is %s', (isPackaged, packagedFlavour, simulate, want) => {
    expect(decideFlavour({ isPackaged, packagedFlavour, simulate })).toBe(want);
  });

  it('hardens every flavour but dev', () => {
    expect([isHardened('release'), isHardened('e2e'), isHardened('dev')]).toEqual([true, true, false]);
  });
});

describe('request policy', () => {
  const cases: [string, Flavour, boolean][] = [
    ['app://keywitness/index.html', 'release', true],
    ['app://keywitness/assets/zxing_reader.wasm', 'release', true],
    ['app://other/index.html', 'release', false],
    ['blob:app://keywitness/5b0c2a4e-1111-4222-8333-944445555666', 'release', true],
    ['blob:https://evil.example/5b0c2a4e', 'release', false],
    ['blob:null/5b0c2a4e', 'release', false],
    ['data:image/png;base64,iVBORw0KGgo=', 'release', true],
    ['http://example.com/', 'release', false],
    ['https://example.com/', 'dev', false],
    ['HTTPS://example.com/', 'release', false],
    ['ws://127.0.0.1:9222/devtools', 'release', false],
    ['wss://example.com/', 'release', false],
    ['ftp://example.com/file', 'release', false],
    ['file:///etc/passwd', 'release', false],
    ['file:///etc/passwd', 'dev', false],
    ['chrome://gpu', 'release', false],
    ['chrome-extension://abc/x.js', 'release', false],
    ['devtools://devtools/bundled/inspector.html', 'release', false],
    ['devtools://devtools/bundled/inspector.html', 'e2e', false],
    ['devtools://devtools/bundled/inspector.html', 'dev', true],
    ['javascript:alert(1)', 'release', false],
    ['filesystem:app://keywitness/temporary/x', 'release', false],
    ['//example.com/', 'release', false],
    ['', 'release', false],
  ];
  it.each(cases)('%s in %s: allowed=%s', (url, flavour, allow) => {
    const d = decideRequest(url, flavour);
    expect(d.allow).toBe(allow);
    if (!d.allow) expect(d.reason.length).toBeGreaterThan(5);
  });

  it('names the refused scheme in its reason', () => {
    const d = decideRequest('https://example.com/', 'release');
    expect(d.allow).toBe(false);
    expect(!d.allow && d.reason).toMatch(/"https:"/);
  });
});

describe('navigation and windows', () => {
  it.each([
    'app://keywitness/index.html',
    'app://keywitness/other.html',
    'https://example.com/',
    'file:///etc/passwd',
    'about:blank',
    '',
  ])('refuses navigation and new windows to %j', (url) => {
    expect(decideNavigation(url).allow).toBe(false);
    expect(decideWindowOpen(url).allow).toBe(false);
  });
});
