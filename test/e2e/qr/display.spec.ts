/**
 * The QR display component in Chromium: frames drawn crisp at an integer scale, every shown frame
 * decodes byte-exactly with zbarimg (an independent decoder), pause holds a frame, resume moves on.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from 'playwright-core';
import { encodeMessage } from '../../../src/core/transfer/encoder.js';
import { qrModules, qrVersionFor } from '../../../src/core/transfer/qr-symbol.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { createTestSigner } from './fixtures/signed-message.js';
import { launchPlain, servePages } from './pages.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-qr-display-'));
let base = '';
let closePages: (() => Promise<void>) | undefined;
test.beforeAll(async () => {
  const served = await servePages();
  base = served.url;
  closePages = served.close;
});
test.afterAll(async () => closePages?.());

async function canvasPng(page: Page, name: string): Promise<{ file: string; frame: number }> {
  const { url, frame } = await page.evaluate(() => {
    const c = document.querySelector('canvas')!;
    return { url: c.toDataURL('image/png'), frame: Number(c.dataset.frame) };
  });
  const file = join(dir, `${name}.png`);
  writeFileSync(file, Buffer.from(url.split(',')[1]!, 'base64'));
  return { file, frame };
}

test('frames are shown crisp, decode exactly with zbarimg, and pause/resume works', async () => {
  const signer = await createTestSigner();
  const { frames } = encodeMessage(await signer.message(3000), { sessionId: signer.sessionId });
  const browser = await launchPlain();
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/test/e2e/qr/harness/index.html?mode=display`);
    await page.waitForFunction(() => (window as unknown as { kw: { show?: unknown } }).kw.show !== undefined);
    await page.evaluate(
      (hex) => (window as unknown as { kw: { show(f: string[], fps: number): void } }).kw.show(hex, 10),
      frames.map(toHex),
    );
    const canvas = page.locator('canvas');
    await expect(canvas).toBeVisible();

    // Integer scale: the side is a whole multiple of the module count with quiet zone.
    const side = await canvas.evaluate((c: HTMLCanvasElement) => c.width);
    const modules = qrModules(qrVersionFor(frames[0]!.length)) + 8;
    expect(side % modules).toBe(0);
    expect(side / modules).toBeGreaterThanOrEqual(4);
    // Crisp: only pure black and pure white pixels.
    const greys = await canvas.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] !== 0 && d[i] !== 255) n++;
      return n;
    });
    expect(greys).toBe(0);

    // Pause on several frames; each decodes to exactly the frame the display says it shows.
    const pause = page.getByRole('button', { name: 'Pause' });
    const seen = new Set<number>();
    for (let i = 0; i < 4; i++) {
      await pause.click();
      const held = await canvasPng(page, `held-${i}`);
      await page.waitForTimeout(400);
      const later = await canvasPng(page, `later-${i}`);
      expect(later.frame).toBe(held.frame);
      await expect(page.getByText(`Frame ${held.frame + 1} of ${frames.length}`)).toBeVisible();
      const decoded = execFileSync('zbarimg', ['--quiet', '--nodbus', '--raw', '-Sbinary', held.file]);
      expect(toHex(decoded)).toBe(toHex(frames[held.frame]!));
      seen.add(held.frame);
      await page.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(async () => (await canvasPng(page, `moved-${i}`)).frame).not.toBe(held.frame);
    }
    expect(seen.size).toBeGreaterThan(1);
  } finally {
    await browser.close();
  }
});
