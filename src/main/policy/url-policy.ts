/**
 * Which URLs the app may load, navigate to or open. The ceremony machine is air-gapped by
 * policy (docs/security.md, "No network"): the only content is the app's own bundle on
 * app://keywitness, so every other scheme (http, https, ws, wss, ftp, file, chrome, devtools in
 * release…) is refused here before Chromium's network stack sees it.
 */
import { APP_ORIGIN, isAppOrigin, type Flavour } from './origin.js';

/** A policy decision with the reason that goes to the log when it is a refusal. */
export type Decision = { readonly allow: true } | { readonly allow: false; readonly reason: string };

const ALLOW: Decision = { allow: true };

function deny(reason: string): Decision {
  return { allow: false, reason };
}

function schemeOf(url: string): string | null {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*(?=:)/.exec(url);
  return m ? m[0].toLowerCase() : null;
}

/**
 * Decide whether the session may perform a request for `url` (session.webRequest, every
 * resource type). Allowed: the app origin; `blob:` URLs minted by the app origin (the scanner
 * worker and camera frames); `data:` URLs, which carry their bytes inline and never touch the
 * network (what they may be used for is the CSP's job). `devtools:` is allowed only in dev
 * checkouts so a developer's devtools can load; release and e2e builds refuse it.
 */
export function decideRequest(url: string, flavour: Flavour): Decision {
  if (typeof url !== 'string' || url.length === 0) return deny('empty URL');
  const scheme = schemeOf(url);
  if (scheme === null) return deny(`not an absolute URL: ${truncate(url)}`);
  switch (scheme) {
    case 'app':
      return isAppOrigin(url) ? ALLOW : deny(`app: URL outside ${APP_ORIGIN}: ${truncate(url)}`);
    case 'blob':
      return isAppOrigin(url.slice('blob:'.length)) ? ALLOW : deny(`blob: URL not minted by ${APP_ORIGIN}`);
    case 'data':
      return ALLOW;
    case 'devtools':
      return flavour === 'dev' ? ALLOW : deny('devtools are disabled in hardened builds');
    default:
      return deny(`scheme "${scheme}:" is refused: the app makes no network or file requests`);
  }
}

/**
 * Top-level and frame navigations (will-navigate, will-frame-navigate, will-redirect). The
 * renderer is a single page that never navigates, so every navigation is refused, including
 * to the app's own origin: a navigation at all means something is trying to replace the page.
 */
export function decideNavigation(url: string): Decision {
  return deny(`navigation refused: ${truncate(String(url))}`);
}

/** window.open, target=_blank and friends: the app never opens a second window. */
export function decideWindowOpen(url: string): Decision {
  return deny(`new window refused: ${truncate(String(url))}`);
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
