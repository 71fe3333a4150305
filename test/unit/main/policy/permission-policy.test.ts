import { describe, it, expect } from 'vitest';
import {
  decideDevicePermission,
  decidePermissionCheck,
  decidePermissionRequest,
  type PermissionCheckFacts,
  type PermissionRequestFacts,
} from '../../../../src/main/policy/permission-policy.js';

const APP = 'app://keywitness/index.html';

describe('permission requests', () => {
  const cases: [string, PermissionRequestFacts, boolean][] = [
    [
      'camera for the app main frame',
      { permission: 'media', requestingUrl: APP, isMainFrame: true, mediaTypes: ['video'] },
      true,
    ],
    [
      'camera twice listed',
      { permission: 'media', requestingUrl: APP, isMainFrame: true, mediaTypes: ['video', 'video'] },
      true,
    ],
    [
      'camera and microphone',
      { permission: 'media', requestingUrl: APP, isMainFrame: true, mediaTypes: ['video', 'audio'] },
      false,
    ],
    ['microphone', { permission: 'media', requestingUrl: APP, isMainFrame: true, mediaTypes: ['audio'] }, false],
    [
      'media without device types',
      { permission: 'media', requestingUrl: APP, isMainFrame: true, mediaTypes: [] },
      false,
    ],
    ['media with types unknown', { permission: 'media', requestingUrl: APP, isMainFrame: true }, false],
    [
      'camera for a sub-frame',
      { permission: 'media', requestingUrl: APP, isMainFrame: false, mediaTypes: ['video'] },
      false,
    ],
    [
      'camera for another origin',
      { permission: 'media', requestingUrl: 'https://evil.example/', isMainFrame: true, mediaTypes: ['video'] },
      false,
    ],
    [
      'camera for file://',
      { permission: 'media', requestingUrl: 'file:///index.html', isMainFrame: true, mediaTypes: ['video'] },
      false,
    ],
    [
      'camera with no URL',
      { permission: 'media', requestingUrl: undefined, isMainFrame: true, mediaTypes: ['video'] },
      false,
    ],
    ...[
      'display-capture',
      'geolocation',
      'notifications',
      'midi',
      'midiSysex',
      'pointerLock',
      'keyboardLock',
      'fullscreen',
      'openExternal',
      'clipboard-read',
      'clipboard-sanitized-write',
      'window-management',
      'idle-detection',
      'speaker-selection',
      'storage-access',
      'top-level-storage-access',
      'fileSystem',
      'hid',
      'serial',
      'usb',
      'bluetooth',
      'unknown',
      'mediaKeySystem',
    ].map((permission): [string, PermissionRequestFacts, boolean] => [
      permission,
      { permission, requestingUrl: APP, isMainFrame: true, mediaTypes: ['video'] },
      false,
    ]),
  ];
  it.each(cases)('%s → %s', (_name, facts, allow) => {
    const d = decidePermissionRequest(facts);
    expect(d.allow).toBe(allow);
    if (!d.allow) expect(d.reason).toBeTruthy();
  });
});

describe('permission checks', () => {
  const base: PermissionCheckFacts = {
    permission: 'media',
    requestingOrigin: 'app://keywitness',
    isMainFrame: true,
    mediaType: 'video',
  };
  const cases: [string, PermissionCheckFacts, boolean][] = [
    ['video from the app', base, true],
    ['audio from the app', { ...base, mediaType: 'audio' }, false],
    ['unknown media type', { ...base, mediaType: 'unknown' }, false],
    ['no media type', { ...base, mediaType: undefined }, false],
    ['sub-frame', { ...base, isMainFrame: false }, false],
    ['embedded by another origin', { ...base, embeddingOrigin: 'https://evil.example' }, false],
    ['foreign origin', { ...base, requestingOrigin: 'https://evil.example' }, false],
    ['opaque origin', { ...base, requestingOrigin: 'null' }, false],
    ['hid', { ...base, permission: 'hid' }, false],
    ['serial', { ...base, permission: 'serial' }, false],
    ['usb', { ...base, permission: 'usb' }, false],
    ['clipboard-read', { ...base, permission: 'clipboard-read' }, false],
  ];
  it.each(cases)('%s → %s', (_name, facts, want) => {
    expect(decidePermissionCheck(facts)).toBe(want);
  });

  it('never grants device permissions', () => {
    expect(decideDevicePermission()).toBe(false);
  });
});
