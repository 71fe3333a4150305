/**
 * The start screen and the failures a person can cause before a session exists: the header shows
 * the build hash computed over the served files and the real air-gap status; opening a file that is
 * not a valid script says what is wrong, where, and what to do; nothing is stored.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { expectAccessible, SCREENSHOTS, startApp, type AppHarness } from './fixtures.js';
import { networkStatus } from '../../../src/node/network-status.js';

let app: AppHarness;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.close();
});

test('start screen: build hash words, air-gap status, roles; accessible', async () => {
  const d = await app.device('start');
  const { page } = d;
  await expect(page.getByRole('heading', { name: 'What does this device do in the ceremony?' })).toBeVisible();
  await expect(page.getByTestId('build-hash')).toContainText(app.built.appInfo.buildHashWords.slice(0, 4).join(' '));
  const net = await networkStatus();
  await expect(page.getByTestId('network-status')).toContainText(net.warning ? 'NOT AIR-GAPPED' : 'Air-gapped');
  for (const role of ['Coordinator', 'Witness or custodian', 'Auditor'])
    await expect(page.getByRole('button', { name: new RegExp(role) })).toBeVisible();
  await expectAccessible(page, 'start');
  await page.screenshot({ path: join(SCREENSHOTS, '01-start.png') });
  await page.getByRole('button', { name: /Projector mode/ }).click();
  await expect(page.locator('html')).toHaveClass(/kw-projector-mode/);
  await expectAccessible(page, 'start, projector mode');
  expect(d.errors).toEqual([]);
});

test('opening a script with an error names the YAML path and says what to do next', async () => {
  const d = await app.device('bad-script');
  const bad = join(d.stand.dir, 'bad.yaml');
  writeFileSync(bad, 'format: keywitness-script/1\nid: x\ntitle: Broken\nroles: []\nsteps: []\nsurprise: 1\n');
  d.stand.willImport(bad);
  await d.page.getByRole('button', { name: /^Coordinator/ }).click();
  await d.page.getByRole('button', { name: 'Open script file…' }).click();
  const error = d.page.getByTestId('error');
  await expect(error).toHaveAttribute('data-code', 'SCRIPT_INVALID');
  await expect(error).toContainText('surprise');
  await expect(error).toContainText('What to do next');
  await expectAccessible(d.page, 'coordinator, script error');
  await d.page.screenshot({ path: join(SCREENSHOTS, '02-coordinator-script-error.png') });
  expect(d.errors).toEqual([]);
});
