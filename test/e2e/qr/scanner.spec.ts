/**
 * The renderer scanner in Debian Chromium with its fake camera, fed videos made here from our own
 * frames: the signed message must arrive verified despite tilt, noise, torn frames and 20 % of the
 * QR frames never seen; hostile streams must be refused with a reason, never released.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Browser, Page } from 'playwright-core';
import { encodeMessage } from '../../../src/core/transfer/encoder.js';
import { encodePartFrame, encodeSingleFrame } from '../../../src/core/transfer/frame.js';
import { qrVersionFor } from '../../../src/core/transfer/qr-symbol.js';
import { toHex, utf8 } from '../../../src/core/util/bytes.js';
import { frameMatrix, textMatrix, type QrMatrix } from '../../../renderer/transfer/qr-raster.js';
import { createTestSigner } from './fixtures/signed-message.js';
import { launchWithCamera, servePages } from './pages.js';
import { writeQrVideo, type VideoOptions } from './video.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-qr-e2e-'));
let base = '';
let closePages: (() => Promise<void>) | undefined;
test.beforeAll(async () => {
  const served = await servePages();
  base = served.url;
  closePages = served.close;
});
test.afterAll(async () => closePages?.());
const ROUGH: VideoOptions = {
  tiltDeg: 2.5,
  noise: 10,
  glare: 0.5,
  tornFraction: 0.5,
  dropFraction: 0.2,
  loops: 3,
  seed: 7,
};

function matrices(frames: readonly Uint8Array[]): QrMatrix[] {
  const version = qrVersionFor(Math.max(...frames.map((f) => f.length)));
  return frames.map((f) => frameMatrix(f, version));
}

interface Kw {
  status: string;
  messages: string[];
  refusals: string[];
  plain: string[];
  frames: number;
  overruns: number;
}

async function openScanner(
  video: string,
  query: string,
): Promise<{ browser: Browser; page: Page; external: string[] }> {
  const browser = await launchWithCamera(video);
  const context = await browser.newContext({ permissions: ['camera'] });
  const page = await context.newPage();
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('blob:') && !r.url().startsWith('data:'))
      external.push(r.url());
  });
  page.on('pageerror', (e) => external.push(`page error: ${e.message}`));
  await page.goto(`${base}/test/e2e/qr/harness/index.html?mode=scan&${query}`);
  return { browser, page, external };
}

const kwState = (page: Page): Promise<Kw> =>
  page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { kw: Kw }).kw)) as Kw);

for (const decoder of ['zxing', 'jsqr'] as const) {
  test(`${decoder}: a 3 KB signed message arrives verified through a tilted, glared, noisy, torn camera with 20 % of frames missed`, async () => {
    const signer = await createTestSigner();
    const wire = await signer.message(3000);
    const { frames } = encodeMessage(wire, { sessionId: signer.sessionId });
    const video = join(dir, `message-${decoder}.y4m`);
    const { shown } = writeQrVideo(video, matrices(frames), ROUGH);
    expect(shown.length).toBeLessThan(frames.length * 3);
    // jsQR needs ~300 ms for a noisy 640 × 480 frame here, so it gets a budget that lets it finish.
    const budget = decoder === 'jsqr' ? 1500 : 250;
    const query = `decoder=${decoder}&budget=${budget}&key=${toHex(signer.signer.publicKey)}&sid=${toHex(signer.sessionId)}`;
    const { browser, page, external } = await openScanner(video, query);
    try {
      await expect.poll(async () => (await kwState(page)).messages.length, { timeout: 60_000 }).toBeGreaterThan(0);
      const state = await kwState(page);
      expect(state.messages[0]).toBe(toHex(wire));
      expect(state.refusals).toEqual([]);
      await expect(page.getByTestId('scan-last')).toHaveText(
        /Message received and its signature verified|Already received this message/,
      );
      expect(external).toEqual([]);
    } finally {
      await browser.close();
    }
  });
}

test('zxing: a 3 KB signed message arrives verified through a poor webcam (soft focus, 35-65 % contrast, noise σ 12, flicker, tilt 4°, 20 % of frames missed)', async () => {
  const signer = await createTestSigner();
  const wire = await signer.message(3000);
  const { frames } = encodeMessage(wire, { sessionId: signer.sessionId });
  const video = join(dir, 'message-poor-webcam.y4m');
  // The bench's poor webcam (bench/qr-run.ts): the fast reader alone reads none of these frames.
  writeQrVideo(video, matrices(frames), {
    tiltDeg: 4,
    blur: 1.5,
    dark: 89,
    light: 166,
    noise: 12,
    flicker: 0.15,
    dropFraction: 0.2,
    tornFraction: 0.3,
    loops: 3,
    seed: 17,
  });
  const query = `decoder=zxing&key=${toHex(signer.signer.publicKey)}&sid=${toHex(signer.sessionId)}`;
  const { browser, page, external } = await openScanner(video, query);
  try {
    await expect.poll(async () => (await kwState(page)).messages.length, { timeout: 60_000 }).toBeGreaterThan(0);
    const state = await kwState(page);
    expect(state.messages[0]).toBe(toHex(wire));
    expect(state.refusals).toEqual([]);
    expect(external).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('a single-frame message and a plain QR code (PEM text) from an ordinary tool', async () => {
  const signer = await createTestSigner();
  const wire = await signer.message(500);
  const { frames } = encodeMessage(wire, { sessionId: signer.sessionId });
  const pem =
    '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n';
  const video = join(dir, 'single-and-plain.y4m');
  writeQrVideo(video, [...matrices(frames), textMatrix(pem, 'M')], { tiltDeg: -2, noise: 6, repeat: 6, seed: 3 });
  const { browser, page, external } = await openScanner(video, `key=${toHex(signer.signer.publicKey)}`);
  try {
    await expect
      .poll(
        async () => {
          const s = await kwState(page);
          return s.messages.length > 0 && s.plain.includes(pem);
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    expect((await kwState(page)).messages[0]).toBe(toHex(wire));
    expect(external).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('hostile streams are refused with reasons and nothing is released', async () => {
  const alice = await createTestSigner();
  const mallory = await createTestSigner(alice.sessionId);
  const stranger = await createTestSigner();
  // A forged message in Alice's session, signed by Mallory's key.
  const forged = encodeMessage(await mallory.message(2000), { sessionId: alice.sessionId }).frames;
  // A valid message of another session.
  const foreign = encodeMessage(await stranger.message(400), { sessionId: stranger.sessionId }).frames;
  const sid8 = alice.sessionId.subarray(0, 8);
  const huge = encodePartFrame(sid8, new Uint8Array(8).fill(1), {
    seqNum: 1,
    seqLen: 1,
    messageLength: 700,
    checksum: 0,
    fragment: new Uint8Array(700),
  });
  huge.set([0xff, 0xff], 24); // claims 65535 fragments
  const lying = encodeSingleFrame(sid8, new Uint8Array(8).fill(2), utf8('not what the id says'));
  const video = join(dir, 'hostile.y4m');
  writeQrVideo(video, [...matrices(forged), ...matrices(foreign), frameMatrix(huge), frameMatrix(lying)], {
    tiltDeg: 2,
    noise: 6,
    loops: 2,
    seed: 11,
  });
  const { browser, page, external } = await openScanner(
    video,
    `key=${toHex(alice.signer.publicKey)}&sid=${toHex(alice.sessionId)}`,
  );
  try {
    await expect
      .poll(
        async () => {
          const r = (await kwState(page)).refusals.join('\n');
          return [
            'signature does not verify',
            'not this session',
            'claims 65535 fragments',
            'do not match the message id',
          ].filter((t) => r.includes(t)).length;
        },
        { timeout: 40_000 },
      )
      .toBe(4);
    const state = await kwState(page);
    expect(state.messages).toEqual([]);
    expect(state.frames).toBeGreaterThan(10);
    expect(external).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('a decoder that overruns its per-frame budget is restarted, and scanning goes on', async () => {
  const signer = await createTestSigner();
  const { frames } = encodeMessage(await signer.message(3000), { sessionId: signer.sessionId });
  const video = join(dir, 'budget.y4m');
  writeQrVideo(video, matrices(frames), { seed: 5 });
  // A 1 ms budget: no 640 × 480 frame decodes that fast, so every frame overruns.
  const { browser, page } = await openScanner(video, `key=${toHex(signer.signer.publicKey)}&budget=1`);
  try {
    await expect.poll(async () => (await kwState(page)).overruns, { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    const state = await kwState(page);
    expect(state.messages).toEqual([]);
    expect(state.status).toBe('scanning');
    await expect(page.getByText(/took too long to decode and were skipped/)).toBeVisible();
  } finally {
    await browser.close();
  }
});
