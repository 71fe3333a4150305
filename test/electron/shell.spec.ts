/**
 * The hardened shell in a real Electron: window preferences, refused requests and
 * permissions, blocked navigation and windows, the camera, and export through the bridge.
 * The app runs unpackaged with KEYWITNESS_SIMULATE_FLAVOUR=e2e: release hardening, except that
 * Playwright's --inspect / --remote-debugging-port switches are accepted.
 */
import { test, expect, _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT } from '../../src/shared/ipc.js';
import { SKIP_REASON, buildTestApp, electronExecutable } from './app.js';
import { writeQrY4m } from './qr-video.js';

const QR_TEXT = 'keywitness shell camera test';

const executable = electronExecutable();
if (!executable) console.log(`Electron shell suite ${SKIP_REASON}`);
test.skip(!executable, SKIP_REASON);

let app: ElectronApplication;
let page: Page;
let appDir: string;
let userData: string;
const mainLog: string[] = [];

test.beforeAll(async () => {
  appDir = await buildTestApp();
  userData = await mkdtemp(join(tmpdir(), 'kw-electron-data-'));
  const video = join(userData, 'qr.y4m');
  await writeQrY4m(video, QR_TEXT);
  app = await electron.launch({
    executablePath: executable!,
    args: [
      appDir,
      `--user-data-dir=${userData}`,
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
    env: { ...process.env, KEYWITNESS_SIMULATE_FLAVOUR: 'e2e' },
  });
  app.process().stderr?.on('data', (d: Buffer) => mainLog.push(d.toString()));
  app.process().stdout?.on('data', (d: Buffer) => mainLog.push(d.toString()));
  page = await app.firstWindow();
  await page.waitForFunction(() => (window as unknown as { shellPageReady?: boolean }).shellPageReady === true);
});

test.afterAll(async () => {
  await app?.close();
  await rm(appDir, { recursive: true, force: true }).catch(() => undefined);
  await rm(userData, { recursive: true, force: true }).catch(() => undefined);
});

test('serves the page from app://keywitness with the CSP header', async () => {
  expect(page.url()).toBe('app://keywitness/index.html');
  const csp = await page.evaluate(async () =>
    // eslint-disable-next-line no-restricted-globals -- same-origin fetch in the page under test
    (await fetch('app://keywitness/index.html')).headers.get('content-security-policy'),
  );
  expect(csp).toContain("default-src 'none'");
  expect(await page.locator('#status').textContent()).toBe('script ran');
});

test('window preferences: sandboxed, isolated, no Node, no webview, no spellcheck, no devtools', async () => {
  const prefs = await app.evaluate(({ BrowserWindow }) => {
    const wc = BrowserWindow.getAllWindows()[0]!.webContents as unknown as {
      getLastWebPreferences(): Record<string, unknown>;
    };
    return wc.getLastWebPreferences();
  });
  expect(prefs).toMatchObject({
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    webviewTag: false,
    spellcheck: false,
    devTools: false,
  });
  const page_ = await page.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    bridge: Object.keys((window as unknown as { keywitness: object }).keywitness).sort(),
    ipc: 'ipcRenderer' in (window as unknown as { keywitness: object }).keywitness,
  }));
  expect(page_).toEqual({
    require: 'undefined',
    process: 'undefined',
    bridge: Object.keys(CONTRACT).sort(),
    ipc: false,
  });
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.openDevTools());
  await page.waitForTimeout(500);
  expect(
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.isDevToolsOpened()),
  ).toBe(false);
});

test('refuses every non-app request', async () => {
  for (const url of [
    'https://example.com/',
    'http://127.0.0.1:9/',
    'file:///etc/passwd',
    'app://other/index.html',
    'app://keywitness/..%2f..%2fetc%2fpasswd',
  ]) {
    const outcome = await page.evaluate(async (u) => {
      try {
        // eslint-disable-next-line no-restricted-globals -- the page tries the network; the shell must refuse
        const r = await fetch(u);
        return r.ok ? `loaded ${r.status}` : `refused ${r.status}`;
      } catch {
        return 'refused';
      }
    }, url);
    expect(outcome, url).toMatch(/^refused/);
  }
  const ws = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        try {
          // eslint-disable-next-line no-restricted-globals -- the page tries a socket; the shell must refuse
          const s = new WebSocket('ws://127.0.0.1:9/');
          s.onopen = () => resolve('open');
          s.onerror = () => resolve('refused');
        } catch {
          resolve('refused');
        }
      }),
  );
  expect(ws).toBe('refused');
});

test('grants the camera and refuses the microphone, screen, geolocation and notifications', async () => {
  const results = await page.evaluate(async () => {
    const attempt = async (f: () => Promise<unknown>) => {
      try {
        await f();
        return 'granted';
      } catch (e) {
        return (e as Error).name;
      }
    };
    const video = document.getElementById('camera') as HTMLVideoElement;
    const camera = await attempt(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: true });
      video.srcObject = stream;
      await new Promise((r) => {
        video.onloadedmetadata = r;
      });
      if (video.videoWidth === 0) throw new Error('no frames');
    });
    return {
      camera,
      microphone: await attempt(() => navigator.mediaDevices.getUserMedia({ audio: true })),
      both: await attempt(() => navigator.mediaDevices.getUserMedia({ audio: true, video: true })),
      screen: await attempt(() => navigator.mediaDevices.getDisplayMedia({ video: true })),
      geolocation: await attempt(
        () =>
          new Promise((res, rej) =>
            navigator.geolocation.getCurrentPosition(res, (e) =>
              rej(Object.assign(new Error(e.message), { name: 'GeolocationDenied' })),
            ),
          ),
      ),
      notifications: await Notification.requestPermission(),
    };
  });
  expect(results.camera).toBe('granted');
  expect(results.microphone).not.toBe('granted');
  expect(results.both).not.toBe('granted');
  expect(results.screen).not.toBe('granted');
  expect(results.geolocation).not.toBe('granted');
  expect(results.notifications).not.toBe('granted');
});

test('scans a QR code from the camera (fake capture device playing a QR video)', async () => {
  const text = await page.evaluate(() => (window as unknown as { scanOnce(): Promise<string | null> }).scanOnce());
  expect(text).toBe(QR_TEXT);
});

test('blocks navigation and new windows', async () => {
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe('app://keywitness/index.html');
  expect(await page.evaluate(() => window.open('app://keywitness/index.html') === null)).toBe(true);
  await page.click('#external');
  await page.waitForTimeout(500);
  expect(app.windows()).toHaveLength(1);
});

test('exports a file through the bridge: written once, verified, never overwritten', async () => {
  const media = await mkdtemp(join(tmpdir(), 'kw-electron-media-'));
  await app.evaluate(({ dialog }, folder) => {
    (dialog as unknown as { showOpenDialog: unknown }).showOpenDialog = async () => ({
      canceled: false,
      filePaths: [folder],
    });
  }, media);
  const bytes = [...Buffer.from('{"format":"keywitness-bundle/1"}')];
  const first = await page.evaluate(
    async (b) =>
      (window as unknown as { keywitness: { exportFile(i: unknown): Promise<unknown> } }).keywitness.exportFile({
        suggestedName: 'session.keywitness.json',
        bytes: new Uint8Array(b),
      }),
    bytes,
  );
  const written = await readFile(join(media, 'session.keywitness.json'));
  expect(first).toEqual({
    ok: true,
    value: {
      status: 'written',
      path: join(media, 'session.keywitness.json'),
      size: bytes.length,
      sha256Hex: createHash('sha256').update(written).digest('hex'),
    },
  });
  const second = await page.evaluate(
    async (b) =>
      (window as unknown as { keywitness: { exportFile(i: unknown): Promise<unknown> } }).keywitness.exportFile({
        suggestedName: 'session.keywitness.json',
        bytes: new Uint8Array(b),
      }),
    [1, 2, 3],
  );
  expect(second).toMatchObject({ ok: false, code: 'ALREADY_EXISTS' });
  expect(await readdir(media)).toEqual(['session.keywitness.json']);
  await rm(media, { recursive: true, force: true });
});

test('journal appends survive through the bridge and hostile inputs are refused', async () => {
  const r = await page.evaluate(async () => {
    const kw = (window as unknown as { keywitness: Record<string, (i?: unknown) => Promise<unknown>> }).keywitness;
    const sid = '00112233445566778899aabbccddeeff';
    return {
      a: await kw['journalAppend']!({ sessionId: sid, record: new Uint8Array([1, 2, 3]) }),
      read: await kw['journalRead']!({ sessionId: sid }),
      bad: await kw['journalAppend']!({ sessionId: '../x', record: new Uint8Array(1) }),
      big: await kw['journalAppend']!({ sessionId: sid, record: new Uint8Array(2 * 1024 * 1024) }),
      info: await kw['appInfo']!(),
    };
  });
  expect(r.a).toEqual({ ok: true, value: { seq: 0 } });
  expect(r.read).toEqual({ ok: true, value: { records: [new Uint8Array([1, 2, 3])], droppedTailBytes: 0 } });
  expect(r.bad).toMatchObject({ ok: false, code: 'INPUT_INVALID' });
  expect(r.big).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE' });
  expect(r.info).toMatchObject({ ok: true, value: { flavour: 'e2e' } });
});
