/**
 * Shared set-up for the app specs: the renderer built once per worker and served on loopback,
 * Chromium launched, and devices (contexts with their own stand-in bridge, storage and camera).
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from '@playwright/test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { StandInDevice } from '../../support/app/bridge.js';
import { buildRenderer, REPO_ROOT, serveRenderer, type BuiltRenderer } from '../../support/app/build.js';
import { installCamera } from '../../support/app/camera.js';
import { launchChromium } from '../../support/app/browser.js';

export const SCRIPT = join(REPO_ROOT, 'assets', 'ceremonies', 'root-ca-rehearsal.yaml');
export const EVIDENCE = join(REPO_ROOT, 'assets', 'ceremonies', 'root-ca-rehearsal');
/**
 * Where the screens are photographed: test-results by default, so a test run leaves the checkout
 * as it was; `KEYWITNESS_UPDATE_SCREENSHOTS=1` writes the README's pictures in docs/screenshots.
 */
export const SCREENSHOTS =
  process.env.KEYWITNESS_UPDATE_SCREENSHOTS === '1'
    ? join(REPO_ROOT, 'docs', 'screenshots')
    : join(REPO_ROOT, 'test-results', 'screenshots');

export interface Device {
  readonly name: string;
  readonly stand: StandInDevice;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: string[];
}

export interface AppHarness {
  readonly built: BuiltRenderer;
  readonly url: string;
  readonly browser: Browser;
  device(name: string): Promise<Device>;
  close(): Promise<void>;
}

/** Build, serve, launch. */
export async function startApp(): Promise<AppHarness> {
  const built = await buildRenderer();
  const served = await serveRenderer(built);
  const browser = await launchChromium();
  const devices: Device[] = [];
  return {
    built,
    url: served.url,
    browser,
    async device(name) {
      const stand = new StandInDevice(name, built.appInfo);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await stand.attach(context);
      await installCamera(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      page.on('request', (r) => {
        const u = r.url();
        if (!u.startsWith(served.url.replace(/index\.html$/, '')) && !u.startsWith('blob:') && !u.startsWith('data:'))
          errors.push(`request off the app origin: ${u}`);
      });
      await page.goto(served.url);
      const d = { name, stand, context, page, errors };
      devices.push(d);
      return d;
    },
    async close() {
      for (const d of devices) await d.stand.close();
      await browser.close();
      await served.close();
    },
  };
}

/** axe-core on the page as it is: no serious or critical violations. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page: page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map(
      (v) =>
        `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    ),
  ).toEqual([]);
}
