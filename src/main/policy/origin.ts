/**
 * The app's one origin and the build flavours. Every other policy module decides relative to
 * these constants, so there is exactly one place that says what "the app" is.
 *
 * Pure: never imports electron, so the whole policy layer is tested in plain Node.
 */

/** Custom scheme the renderer is served from (registered privileged before `ready`). */
export const APP_SCHEME = 'app';
/** The only host under {@link APP_SCHEME}. */
export const APP_HOST = 'keywitness';
/** The app's origin as Chromium serialises it for a standard scheme. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Build flavours. `release` is what ships; `e2e` is a never-shipped build for Playwright that keeps
 * every release hardening except the refusal of debugging switches (Playwright drives the app
 * through them); `dev` is an unpackaged checkout.
 */
export type Flavour = 'release' | 'e2e' | 'dev';

/** Flavours that keep devtools closed and the release window options. */
export function isHardened(flavour: Flavour): boolean {
  return flavour !== 'dev';
}

/**
 * Decide the flavour. A packaged app is `release` unless its own package.json (inside the asar,
 * covered by the build hash) says `e2e`. An unpackaged checkout is `dev` unless the developer asks
 * to simulate a stricter flavour; that request is ignored in packaged builds so no environment
 * variable can ever loosen a shipped app.
 */
export function decideFlavour(facts: {
  isPackaged: boolean;
  packagedFlavour: unknown;
  simulate: string | undefined;
}): Flavour {
  if (facts.isPackaged) return facts.packagedFlavour === 'e2e' ? 'e2e' : 'release';
  if (facts.simulate === 'release' || facts.simulate === 'e2e') return facts.simulate;
  return 'dev';
}

/** Parts of an app:// URL, or null when the string is not exactly on the app origin. */
export interface AppUrl {
  /** Percent-encoded path as the URL parser left it, always starting with '/'. */
  readonly rawPath: string;
}

/**
 * Parse `url` and accept it only if it is on the app origin: scheme `app:`, host exactly
 * `keywitness`, no user info, no port. Node's WHATWG parser treats `app:` as a non-special scheme
 * (its `origin` is "null"), so the origin is compared field by field instead.
 */
export function parseAppUrl(url: string): AppUrl | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > 4096) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:`) return null;
  if (parsed.hostname !== APP_HOST || parsed.port !== '' || parsed.username !== '' || parsed.password !== '') {
    return null;
  }
  const rawPath = parsed.pathname === '' ? '/' : parsed.pathname;
  return { rawPath };
}

/** True when `urlOrOrigin` (a full URL or a bare origin such as "app://keywitness") is the app's. */
export function isAppOrigin(urlOrOrigin: string | undefined | null): boolean {
  if (typeof urlOrOrigin !== 'string') return false;
  return parseAppUrl(urlOrOrigin) !== null;
}
