/**
 * Permission decisions (session.setPermissionRequestHandler / setPermissionCheckHandler). The
 * only capability a ceremony needs is a camera to scan QR codes, so exactly one grant exists:
 * `media` with video only, requested by the app's own main frame. Microphone, screen capture,
 * geolocation, notifications, clipboard, HID, serial, USB, MIDI, file-system access and every
 * permission Chromium adds in the future are denied by default.
 */
import { isAppOrigin } from './origin.js';
import type { Decision } from './url-policy.js';

/** What Electron tells us about a permission request. */
export interface PermissionRequestFacts {
  readonly permission: string;
  /** URL of the requesting frame. */
  readonly requestingUrl: string | undefined;
  readonly isMainFrame: boolean;
  /** For `media`: which devices; an absent list means "unknown", which is refused. */
  readonly mediaTypes?: readonly string[] | undefined;
}

/** Decide a permission request (the prompt path: getUserMedia and friends). */
export function decidePermissionRequest(f: PermissionRequestFacts): Decision {
  if (f.permission !== 'media') return { allow: false, reason: `permission "${f.permission}" is never granted` };
  if (!f.isMainFrame) return { allow: false, reason: 'media requested by a sub-frame' };
  if (!isAppOrigin(f.requestingUrl))
    return { allow: false, reason: `media requested by a foreign origin: ${String(f.requestingUrl)}` };
  const types = f.mediaTypes ?? [];
  if (types.length === 0) return { allow: false, reason: 'media request without device types' };
  const notVideo = types.filter((t) => t !== 'video');
  if (notVideo.length > 0) return { allow: false, reason: `only the camera is granted, not ${notVideo.join(', ')}` };
  return { allow: true };
}

/** What Electron tells us about a synchronous permission check. */
export interface PermissionCheckFacts {
  readonly permission: string;
  /** Origin of the requesting frame (Electron passes it as a separate argument). */
  readonly requestingOrigin: string | undefined;
  readonly isMainFrame: boolean;
  /** Set by Chromium only for cross-origin sub-frames; any value means "embedded", refused. */
  readonly embeddingOrigin?: string | undefined;
  readonly mediaType?: string | undefined;
}

/**
 * Decide a permission check (enumerateDevices, permissions.query, device pickers). Mirrors the
 * request rule: true only for `media`/`video` from the app's main frame.
 */
export function decidePermissionCheck(f: PermissionCheckFacts): boolean {
  return (
    f.permission === 'media' &&
    f.mediaType === 'video' &&
    f.isMainFrame &&
    (f.embeddingOrigin === undefined || f.embeddingOrigin === '') &&
    isAppOrigin(f.requestingOrigin)
  );
}

/** Device permissions (HID, serial, USB, Bluetooth): never. */
export function decideDevicePermission(): boolean {
  return false;
}
