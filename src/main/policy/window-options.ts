/**
 * The window the app opens and the web preferences every renderer must have. Kept as plain data
 * so tests read it without Electron, and so the same table audits any WebContents that appears
 * at run time (`auditWebPreferences`), not only the one window the app creates itself.
 */
import { isHardened, type Flavour } from './origin.js';

/**
 * Web preferences that must hold exactly, with the reason (Electron security checklist items in
 * brackets). `devTools` is added per flavour.
 */
export const REQUIRED_WEB_PREFERENCES = {
  sandbox: true, // [4] renderer in Chromium's OS sandbox
  contextIsolation: true, // [3] preload and page in separate JavaScript worlds
  nodeIntegration: false, // [2] no Node in the page
  nodeIntegrationInWorker: false, // no Node in the scanner worker
  nodeIntegrationInSubFrames: false, // no Node in frames (none exist)
  webviewTag: false, // [12] no <webview>
  webSecurity: true, // [5] same-origin policy on
  allowRunningInsecureContent: false, // [8]
  experimentalFeatures: false, // [9]
  spellcheck: false, // the dictionary would be downloaded, and typed secrets would be checked
  navigateOnDragDrop: false, // a dropped file must not replace the page
  safeDialogs: true, // a page cannot spam alert() to trap the operator
  webgl: false, // QR rendering is 2D canvas; WebGL is attack surface the app does not use
  plugins: false,
  enableWebSQL: false,
  disableBlinkFeatures: 'Auxclick', // middle-click must not open links (Electronegativity AUXCLICK)
} as const;

/** Plain description of the main window (assignable to Electron's BrowserWindowConstructorOptions). */
export interface MainWindowOptions {
  readonly width: number;
  readonly height: number;
  readonly minWidth: number;
  readonly minHeight: number;
  readonly show: false;
  readonly title: string;
  readonly backgroundColor: string;
  readonly autoHideMenuBar: boolean;
  readonly webPreferences: typeof REQUIRED_WEB_PREFERENCES & {
    readonly preload: string;
    readonly devTools: boolean;
  };
}

/**
 * Options for the one window. DevTools exist only in dev checkouts; release and e2e builds create
 * the window with `devTools: false`, and the glue also closes any devtools that open anyway.
 */
export function mainWindowOptions(preloadPath: string, flavour: Flavour): MainWindowOptions {
  if (typeof preloadPath !== 'string' || preloadPath.length === 0) {
    throw new TypeError('mainWindowOptions: preloadPath must be a non-empty absolute path');
  }
  return {
    width: 1280,
    height: 860,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Keywitness',
    backgroundColor: '#101418',
    autoHideMenuBar: true,
    webPreferences: {
      ...REQUIRED_WEB_PREFERENCES,
      preload: preloadPath,
      devTools: !isHardened(flavour),
    },
  };
}

/**
 * Compare the preferences a WebContents actually got (webContents.getLastWebPreferences())
 * with the required ones. Returns the violations; the glue destroys a WebContents with any.
 * A preference that is absent counts as a violation only when Electron's default differs from
 * the required value, which is why the defaults are spelled out here.
 */
export function auditWebPreferences(
  actual: Readonly<Record<string, unknown>> | null | undefined,
  flavour: Flavour,
): string[] {
  if (actual === null || actual === undefined || typeof actual !== 'object') return ['no web preferences reported'];
  const violations: string[] = [];
  const required: Record<string, unknown> = { ...REQUIRED_WEB_PREFERENCES };
  if (isHardened(flavour)) required['devTools'] = false;
  for (const [key, want] of Object.entries(required)) {
    const got = Object.hasOwn(actual, key) ? actual[key] : ELECTRON_DEFAULTS[key];
    if (got !== want) violations.push(`${key} is ${String(got)}, must be ${String(want)}`);
  }
  return violations;
}

/** Electron 45 defaults (docs/api/structures/web-preferences) for keys a WebContents may omit. */
const ELECTRON_DEFAULTS: Readonly<Record<string, unknown>> = {
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webviewTag: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  spellcheck: true,
  navigateOnDragDrop: false,
  safeDialogs: false,
  webgl: true,
  plugins: false,
  enableWebSQL: true,
  disableBlinkFeatures: '',
  devTools: true,
};
