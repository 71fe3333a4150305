/**
 * Electron glue that applies the pure policies of ./policy to sessions and web contents. Every
 * decision is made in a policy module; this file only wires Electron's hooks to them and logs
 * refusals, so reading it answers "which hook enforces which rule".
 */
import type { Session, WebContents } from 'electron';
import { decideNavigation, decideRequest, decideWindowOpen } from './policy/url-policy.js';
import { decideDevicePermission, decidePermissionCheck, decidePermissionRequest } from './policy/permission-policy.js';
import { isHardened, type Flavour } from './policy/origin.js';

/** Logging for refusals (console in the app). */
export type Logger = (message: string) => void;

const hardened = new WeakSet<Session>();

/**
 * Apply the network, permission and device policies to a session (default and any created later).
 * Idempotent: `session-created` and the explicit call on the default session may both reach it,
 * and the device-picker listeners must not be registered twice.
 */
export function hardenSession(ses: Session, flavour: Flavour, log: Logger): void {
  if (hardened.has(ses)) return;
  hardened.add(ses);
  // Every request of every resource type is decided by the URL policy; only app:, app-minted
  // blob:, data: (and devtools: in dev checkouts) pass.
  ses.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
    const d = decideRequest(details.url, flavour);
    if (!d.allow) log(`request refused: ${d.reason}`);
    callback({ cancel: !d.allow });
  });
  // Never consult a system proxy or a PAC/WPAD script: that would itself be network traffic.
  void ses.setProxy({ mode: 'direct' });
  ses.setSpellCheckerEnabled(false);
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const d = decidePermissionRequest({
      permission,
      requestingUrl: details.requestingUrl,
      isMainFrame: details.isMainFrame,
      mediaTypes: 'mediaTypes' in details ? details.mediaTypes : undefined,
    });
    if (!d.allow) log(`permission refused: ${d.reason}`);
    callback(d.allow);
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    decidePermissionCheck({
      permission,
      requestingOrigin,
      isMainFrame: details.isMainFrame,
      embeddingOrigin: details.embeddingOrigin,
      mediaType: details.mediaType,
    }),
  );
  ses.setDevicePermissionHandler(() => decideDevicePermission());
  // Screen capture is never granted: answer every getDisplayMedia with no stream.
  ses.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback(null);
  });
  ses.on('select-serial-port', (event, _ports, _wc, callback) => {
    event.preventDefault();
    callback('');
  });
  ses.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  ses.on('will-download', (event) => {
    event.preventDefault();
    log('download refused');
  });
}

/**
 * Deny navigation, redirects, new windows and webviews on every WebContents, and keep devtools
 * closed in hardened builds (they are also created with devTools: false).
 */
export function hardenWebContents(contents: WebContents, flavour: Flavour, log: Logger): void {
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    log(refusal(decideNavigation(event.url)));
  });
  contents.on('will-frame-navigate', (event) => {
    event.preventDefault();
    log(refusal(decideNavigation(event.url)));
  });
  contents.on('will-redirect', (event) => {
    event.preventDefault();
    log(refusal(decideNavigation(event.url)));
  });
  contents.setWindowOpenHandler(({ url }) => {
    log(refusal(decideWindowOpen(url)));
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('webview refused');
  });
  if (isHardened(flavour)) {
    contents.on('devtools-opened', () => {
      contents.closeDevTools();
      log('devtools closed: hardened build');
    });
  }
}

function refusal(d: { allow: boolean; reason?: string }): string {
  return d.allow ? 'allowed' : (d.reason ?? 'refused');
}
