import { describe, it, expect } from 'vitest';
import {
  REQUIRED_WEB_PREFERENCES,
  auditWebPreferences,
  mainWindowOptions,
} from '../../../../src/main/policy/window-options.js';

describe('window options', () => {
  it.each(['release', 'e2e'] as const)(
    '%s windows are sandboxed, isolated, Node-free, webview-free, spellcheck-free, devtools-free',
    (flavour) => {
      const o = mainWindowOptions('/app/dist/preload/preload.cjs', flavour);
      expect(o.webPreferences).toMatchObject({
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webviewTag: false,
        spellcheck: false,
        devTools: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        preload: '/app/dist/preload/preload.cjs',
      });
      expect(o.show).toBe(false);
      expect(auditWebPreferences(o.webPreferences, flavour)).toEqual([]);
    },
  );

  it('dev windows keep every protection but allow devtools', () => {
    const o = mainWindowOptions('/p.cjs', 'dev');
    expect(o.webPreferences.devTools).toBe(true);
    expect(o.webPreferences.sandbox).toBe(true);
    expect(auditWebPreferences(o.webPreferences, 'dev')).toEqual([]);
  });

  it('refuses an empty preload path', () => {
    expect(() => mainWindowOptions('', 'release')).toThrow(TypeError);
  });

  it.each(Object.entries(REQUIRED_WEB_PREFERENCES))('audit flags %s set the wrong way', (key, value) => {
    const wrong = typeof value === 'boolean' ? !value : '';
    const prefs = { ...mainWindowOptions('/p.cjs', 'release').webPreferences, [key]: wrong };
    expect(auditWebPreferences(prefs, 'release')).toEqual([`${key} is ${String(wrong)}, must be ${String(value)}`]);
  });

  it('audit applies Electron defaults to missing keys', () => {
    const v = auditWebPreferences({}, 'release');
    expect(v).toContain('spellcheck is true, must be false');
    expect(v).toContain('devTools is true, must be false');
    expect(v).not.toContain('sandbox is true, must be true');
    expect(auditWebPreferences(null, 'release')).toEqual(['no web preferences reported']);
  });
});
