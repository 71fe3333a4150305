/**
 * The coordinator's "Print worksheet…" on the script screen: the built renderer over the stand-in
 * bridge (the real IPC dispatcher and handlers) writes the worksheet PDF into the device's export
 * folder, says where, and a second print of the same script is refused as an existing file.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parseScript } from '../../../src/core/script/parse.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { SCREENSHOTS, SCRIPT, startApp, type AppHarness } from './fixtures.js';
import { missingTool } from '../../support/tools.js';

let app: AppHarness;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.close();
});

test('the script screen prints the worksheet to the chosen folder, never overwriting', async () => {
  const script = parseScript(readFileSync(SCRIPT));
  const d = await app.device('print');
  d.stand.willImport(SCRIPT);
  await d.page.getByRole('button', { name: /^Coordinator/ }).click();
  await d.page.getByRole('button', { name: 'Open script file…' }).click();
  await d.page.getByRole('button', { name: 'Print worksheet…' }).click();
  const path = join(d.stand.exportDir, `${script.id}-worksheet.pdf`);
  await expect(d.page.getByTestId('worksheet-written')).toContainText(`Worksheet written to ${path}`);
  expect(readdirSync(d.stand.exportDir)).toEqual([`${script.id}-worksheet.pdf`]);
  await d.page.screenshot({ path: join(SCREENSHOTS, 'coordinator-worksheet-printed.png') });
  const text = spawnSync('pdftotext', [path, '-'], { encoding: 'utf8' });
  if (!missingTool(text.error === undefined, 'poppler-utils (pdftotext)'))
    expect(text.stdout).toContain(toHex(script.hash));

  await d.page.getByRole('button', { name: 'Print worksheet…' }).click();
  await expect(d.page.getByTestId('error')).toHaveAttribute('data-code', 'ALREADY_EXISTS');
  expect(d.errors).toEqual([]);
});

test('a participant prints the worksheet of their own copy of the script on the join screen', async () => {
  const script = parseScript(readFileSync(SCRIPT));
  const d = await app.device('print-participant');
  d.stand.willImport(SCRIPT);
  await d.page.getByRole('button', { name: /^Witness or custodian/ }).click();
  await d.page.getByRole('button', { name: 'Open script file…' }).click();
  await d.page.getByRole('button', { name: 'Print worksheet…' }).click();
  const path = join(d.stand.exportDir, `${script.id}-worksheet.pdf`);
  await expect(d.page.getByTestId('worksheet-written')).toContainText(`Worksheet written to ${path}`);
  await d.page.getByRole('button', { name: 'Print worksheet…' }).click();
  await expect(d.page.getByTestId('error')).toHaveAttribute('data-code', 'ALREADY_EXISTS');
  await expect(d.page.getByTestId('error')).toContainText('Could not print the worksheet');
  expect(readdirSync(d.stand.exportDir)).toEqual([`${script.id}-worksheet.pdf`]);
  expect(d.errors).toEqual([]);
});
