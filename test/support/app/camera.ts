/**
 * A camera stand-in for browser contexts that must see each other's screens.
 *
 * Why not Chromium's fake capture device here: it plays one Y4M file chosen when the browser is
 * launched, while in a ceremony every device's camera must see whatever another device shows at
 * that moment — dozens of different messages, one after another, on a live screen. So the page's
 * getUserMedia is answered with a 640 × 480 canvas capture stream, and the test paints into it the
 * pixels the other context actually rendered: a screenshot of its QR element, resampled into the
 * camera frame (not at an integer scale, with smoothing, on a grey background with reduced
 * contrast, as a camera filming a screen sees it). Everything after getUserMedia is the app's own
 * path: MediaStream → <video> → requestVideoFrameCallback → ImageBitmap → scanner worker → zxing
 * → assembler → signature check. The Y4M path itself is covered by test/e2e/qr/scanner.spec.ts.
 *
 * The stand-in paints only while it has a picture, so idle scanners cost nothing.
 */
import type { BrowserContext, Page } from 'playwright-core';

const CAMERA_SCRIPT = `(() => {
  const W = 640, H = 480, FPS = 15;
  let picture = null, timer = null;
  const streams = [];
  const canvas = document.createElement('canvas');
  canvas.width = W; canvas.height = H;
  const ctx = canvas.getContext('2d');
  const paint = () => {
    ctx.fillStyle = 'rgb(118,118,118)';
    ctx.fillRect(0, 0, W, H);
    if (picture) {
      const side = Math.min(H - 36, W - 36);
      const scale = side / Math.max(picture.width, picture.height);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(picture, (W - picture.width * scale) / 2 + 7, (H - picture.height * scale) / 2 - 5, picture.width * scale, picture.height * scale);
      ctx.fillStyle = 'rgba(128,128,128,0.18)';
      ctx.fillRect(0, 0, W, H);
    }
  };
  const tick = () => {
    const live = streams.some((s) => s.getVideoTracks().some((t) => t.readyState === 'live'));
    if (!live) { clearInterval(timer); timer = null; return; }
    if (picture) paint();
  };
  window.__kwCamera = {
    async show(b64) {
      const s = atob(b64); const b = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
      const bmp = await createImageBitmap(new Blob([b], { type: 'image/png' }));
      if (picture) picture.close();
      picture = bmp;
    },
    clear() { if (picture) picture.close(); picture = null; paint(); },
    live() { return streams.some((s) => s.getVideoTracks().some((t) => t.readyState === 'live')); },
  };
  const getUserMedia = async (constraints) => {
    if (!constraints || !constraints.video) throw new DOMException('the camera stand-in only provides video', 'NotSupportedError');
    const stream = canvas.captureStream(FPS);
    streams.push(stream);
    paint();
    if (!timer) timer = setInterval(tick, 1000 / FPS);
    return stream;
  };
  Object.defineProperty(navigator.mediaDevices, 'getUserMedia', { value: getUserMedia, configurable: false, writable: false });
})();`;

/** Install the stand-in in every page of a context. */
export async function installCamera(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: CAMERA_SCRIPT });
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`camera: ${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Film `source`'s QR code (the element with data-testid message-qr, or `selector`) into the camera
 * of every sink until `done()` holds, then take the picture away. Throws after `timeoutMs`.
 */
export async function film(
  source: Page,
  sinks: readonly Page[],
  done: () => Promise<boolean>,
  options: { timeoutMs?: number; selector?: string; what?: string } = {},
): Promise<void> {
  const target = source.locator(options.selector ?? '[data-testid="message-qr"] canvas').first();
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    while (!(await withTimeout(done(), 10_000, 'the receiving page did not answer'))) {
      if (Date.now() > deadline)
        throw new Error(`camera: ${options.what ?? 'message'} not received within ${options.timeoutMs ?? 60_000} ms`);
      const png = (await target.screenshot({ animations: 'allow', caret: 'hide', timeout: 10_000 })).toString('base64');
      await withTimeout(
        Promise.all(
          sinks.map((s) =>
            s.evaluate(
              (b64) => (window as unknown as { __kwCamera: { show(b: string): Promise<void> } }).__kwCamera.show(b64),
              png,
            ),
          ),
        ),
        10_000,
        'a receiving page did not take the camera picture',
      );
      await sleep(40);
    }
  } finally {
    await Promise.all(
      sinks.map((s) =>
        s
          .evaluate(() => (window as unknown as { __kwCamera: { clear(): void } }).__kwCamera.clear())
          .catch(() => undefined),
      ),
    );
  }
}

/** Film a still image (e.g. a plain QR code made by `qrencode`) into a page's camera until `done()`. */
export async function showStill(
  sink: Page,
  png: Buffer,
  done: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await sink.evaluate(
    (b64) => (window as unknown as { __kwCamera: { show(b: string): Promise<void> } }).__kwCamera.show(b64),
    png.toString('base64'),
  );
  try {
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`camera: still image not read within ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    await sink
      .evaluate(() => (window as unknown as { __kwCamera: { clear(): void } }).__kwCamera.clear())
      .catch(() => undefined);
  }
}
