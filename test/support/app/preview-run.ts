/**
 * `npm run preview`: build the renderer, serve it on 127.0.0.1 with the app's headers, and open it
 * in Debian's Chromium with the stand-in bridge over the real src/node handlers (bridge.ts). The
 * device's storage (journals, identity, exports) lives in one folder that survives between runs,
 * so restoring a session after a restart can be tried. Imports ask on this terminal for a path.
 *
 * Options: --data DIR (device folder, default test-results/preview-device), --headless,
 * --screenshot FILE (headless: save the start screen and exit), --fake-camera FILE.y4m (Chromium's
 * fake capture device instead of the machine's camera).
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type { ImportKind } from '../../../src/shared/ipc.js';
import { StandInDevice } from './bridge.js';
import { buildRenderer, REPO_ROOT, serveRenderer } from './build.js';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    headless: { type: 'boolean' },
    screenshot: { type: 'string' },
    'fake-camera': { type: 'string' },
  },
});
const dataDir = resolve(values.data ?? join(REPO_ROOT, 'test-results', 'preview-device'));
mkdirSync(dataDir, { recursive: true });
const headless = values.headless === true || values.screenshot !== undefined || !process.env.DISPLAY;

function suggestions(kind: ImportKind, device: StandInDevice): string[] {
  const list = (dir: string, test: (f: string) => boolean): string[] => {
    try {
      return readdirSync(dir)
        .filter(test)
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  };
  const ceremonies = join(REPO_ROOT, 'assets', 'ceremonies');
  switch (kind) {
    case 'script':
      return list(ceremonies, (f) => f.endsWith('.yaml'));
    case 'evidence':
      return readdirSync(ceremonies, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) => list(join(ceremonies, d.name), (f) => !f.endsWith('.sh')));
    case 'bundle':
      return list(device.exportDir, (f) => f.endsWith('.keywitness.json'));
    case 'receipt':
      return list(device.exportDir, (f) => f.endsWith('-receipt.json'));
  }
}

const rl = createInterface({ input: process.stdin, output: process.stdout });
const chooser = async (kind: ImportKind, device: StandInDevice): Promise<string | null> => {
  const offered = suggestions(kind, device);
  process.stdout.write(
    `\nThe app asks for a ${kind} file to import.\n${offered.map((f, i) => `  ${i + 1}. ${f}`).join('\n')}\n`,
  );
  const answer = (await rl.question('Number or path (empty to cancel): ')).trim();
  if (answer === '') return null;
  const n = Number(answer);
  return Number.isInteger(n) && n >= 1 && n <= offered.length ? offered[n - 1]! : resolve(answer);
};

const built = await buildRenderer();
const served = await serveRenderer(built);
const device = new StandInDevice('preview', built.appInfo, { dir: dataDir, chooser });
const camera = values['fake-camera']
  ? [
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${resolve(values['fake-camera'])}`,
    ]
  : [];
const browser = await chromium.launch({ executablePath: CHROMIUM, headless, args: [...CHROMIUM_ARGS, ...camera] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
await context.grantPermissions(['camera'], { origin: new URL(served.url).origin });
await device.attach(context);
const page = await context.newPage();
page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
await page.goto(served.url);
process.stdout.write(
  `Keywitness preview: ${served.url}\nBuild ${built.appInfo.buildHashWords.slice(0, 4).join(' ')} (${built.appInfo.buildHashHex})\nDevice folder: ${dataDir} (exports in ${device.exportDir})\n`,
);

const finish = async (): Promise<void> => {
  rl.close();
  await browser.close().catch(() => undefined);
  await device.close();
  await served.close();
};
if (values.screenshot !== undefined) {
  await page.getByRole('heading', { name: /What does this device do/ }).waitFor();
  await page.screenshot({ path: resolve(values.screenshot) });
  process.stdout.write(`Screenshot written to ${resolve(values.screenshot)}\n`);
  await finish();
} else {
  if (headless) process.stdout.write('No display: Chromium runs headless. Press Ctrl+C to stop.\n');
  process.on('SIGINT', () => void finish().then(() => process.exit(0)));
  await new Promise<void>((done) => browser.on('disconnected', () => done()));
  await finish();
}
