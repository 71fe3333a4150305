/**
 * A release-flavoured start refuses debugging switches: the app exits with status 2 and names the
 * switch, without opening a window. Run as a plain process (Playwright's own launcher would add
 * exactly the switches a release build refuses).
 */
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { SKIP_REASON, buildTestApp, electronExecutable } from './app.js';

const executable = electronExecutable();
if (!executable) console.log(`Electron release-refusal suite ${SKIP_REASON}`);
test.skip(!executable, SKIP_REASON);

for (const arg of [
  '--remote-debugging-port=9222',
  '--inspect=9229',
  '--no-sandbox',
  '--proxy-server=127.0.0.1:9',
  '--disable-web-security',
]) {
  test(`release refuses ${arg}`, async () => {
    const app = await buildTestApp();
    try {
      const r = spawnSync(executable!, [app, arg], {
        env: { ...process.env, KEYWITNESS_SIMULATE_FLAVOUR: 'release', ELECTRON_ENABLE_LOGGING: '' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(arg);
    } finally {
      await rm(app, { recursive: true, force: true });
    }
  });
}
