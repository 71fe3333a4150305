/**
 * The app's "Print worksheet" verb (`printWorksheet`) through the IPC dispatcher, as the main
 * process runs it: the script bytes the renderer imported go in, the worksheet PDF lands in the
 * folder the operator picks, and its text (read back with poppler's pdftotext) holds the script
 * hash as 32 words and every step id. Then the refusals: a forged sender, wrong input, an invalid
 * script, a fonts folder without the fonts, an existing file, a cancelled dialog.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, type SenderFacts } from '../../../src/main/handlers/dispatch.js';
import { appFontsDir, createPrintWorksheet, worksheetFileName } from '../../../src/main/handlers/print-worksheet.js';
import { ASSETS_DIR } from '../../../src/cli/demo-plan.js';
import { parseScript } from '../../../src/core/script/parse.js';
import { scriptHashText } from '../../../src/core/script/hash-text.js';
import { toHex, utf8 } from '../../../src/core/util/bytes.js';
import { sha256 } from '../../../src/core/util/hash.js';
import { FONTS_DIR } from '../../../src/node/pdf/fonts.js';
import { CONTRACT, LIMITS, type ChannelOutput, type IpcResult } from '../../../src/shared/ipc.js';
import type { Handlers } from '../../../src/main/handlers/dispatch.js';
import { missingTool } from '../../support/tools.js';

const havePoppler = spawnSync('sh', ['-c', 'command -v pdftotext']).status === 0;
const APP: SenderFacts = { url: 'app://keywitness/index.html', isMainFrame: true };
const SCRIPT = join(ASSETS_DIR, 'ceremonies', 'root-ca-rehearsal.yaml');
const valid = await readFile(SCRIPT);

let dir: string;
let media: string;
let folder: string | null;
let asked: string[];

/** A dispatcher whose only real handler is printWorksheet, with the given fonts folder. */
function dispatcher(fontsDir: string) {
  const handlers = { printWorksheet: createPrintWorksheet({ fontsDir, chooseExportFolder }) } as unknown as Handlers;
  return createDispatcher(handlers, () => undefined);
}
async function chooseExportFolder(name: string): Promise<string | null> {
  asked.push(name);
  return folder;
}
const print = (input: unknown, fontsDir = FONTS_DIR, sender = APP) =>
  dispatcher(fontsDir)(CONTRACT.printWorksheet.channel, sender, input) as Promise<
    IpcResult<ChannelOutput<'printWorksheet'>>
  >;

function pdfText(file: string, ...options: string[]): string {
  const r = spawnSync('pdftotext', [...options, file, '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout.replace(/\s+/g, ' ');
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-print-ipc-'));
  media = join(dir, 'media');
  await mkdir(media);
  folder = media;
  asked = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missingTool(havePoppler, 'poppler-utils (pdftotext)'))('printWorksheet', () => {
  it('writes the worksheet of the script it is given into the chosen folder, never overwriting', async () => {
    const bytes = await readFile(SCRIPT);
    const script = parseScript(bytes);
    const r = await print({ script: bytes });
    const path = join(media, `${script.id}-worksheet.pdf`);
    expect(r).toMatchObject({ ok: true, value: { status: 'written', path } });
    expect(asked).toEqual([`${script.id}-worksheet.pdf`]);
    const pdf = await readFile(path);
    if (!r.ok || r.value.status !== 'written') throw new Error('not written');
    expect(r.value).toEqual({
      status: 'written',
      path,
      size: pdf.length,
      sha256Hex: toHex(sha256(pdf)),
      pages: r.value.pages,
    });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const hash = scriptHashText(script.hash);
    expect(pdfText(path)).toContain(hash.hex);
    expect(pdfText(path, '-layout')).toContain(hash.words.map((w, i) => `${i + 1}. ${w}`).join(' '));
    for (const step of script.steps) expect(pdfText(path)).toContain(`Step ${step.id} — `);
    expect(pdfText(path, '-f', `${r.value.pages}`, '-l', `${r.value.pages}`)).toContain(`of ${r.value.pages}`);

    // The same again: the file on the media is refused as existing, and left as it was.
    expect(await print({ script: bytes })).toMatchObject({ ok: false, code: 'ALREADY_EXISTS' });
    expect(await readFile(path)).toEqual(pdf);
  }, 60_000);

  it('writes nothing when the operator cancels the folder dialog', async () => {
    folder = null;
    expect(await print({ script: await readFile(SCRIPT) })).toEqual({ ok: true, value: { status: 'cancelled' } });
    expect(await readdir(media)).toEqual([]);
  }, 60_000);
});

describe('printWorksheet refusals (nothing asked, nothing written)', () => {
  it.each([
    ['a forged sender', { script: valid }, { url: 'https://evil.example/', isMainFrame: true }, 'IPC_REJECTED'],
    ['a sub-frame', { script: valid }, { url: 'app://keywitness/x.html', isMainFrame: false }, 'IPC_REJECTED'],
    ['no input', undefined, APP, 'INPUT_INVALID'],
    ['a path instead of bytes', { script: SCRIPT }, APP, 'INPUT_INVALID'],
    ['an extra field', { script: valid, path: media }, APP, 'INPUT_INVALID'],
    ['a script over the limit', { script: new Uint8Array(LIMITS.scriptBytes + 1) }, APP, 'INPUT_TOO_LARGE'],
    ['bytes that are not a script', { script: utf8('not: a script\n') }, APP, 'SCRIPT_INVALID'],
  ] as const)('%s', async (_what, input, sender, code) => {
    const r = await print(input, FONTS_DIR, sender);
    expect(r).toMatchObject({ ok: false, code });
    expect(asked).toEqual([]);
    expect(await readdir(media)).toEqual([]);
  });

  it('a fonts folder without the fonts is refused before the dialog', async () => {
    const r = await print({ script: valid }, join(dir, 'no-fonts'));
    expect(r.ok).toBe(false);
    expect(asked).toEqual([]);
    expect(existsSync(join(media, worksheetFileName(parseScript(valid).id)))).toBe(false);
  });
});

describe('appFontsDir', () => {
  it.each([
    [
      { isPackaged: true, resourcesPath: '/opt/Keywitness/resources', appRoot: '/x/app.asar' },
      '/opt/Keywitness/resources/fonts',
    ],
    [{ isPackaged: false, resourcesPath: '/usr/lib/electron/resources', appRoot: '/repo' }, '/repo/assets/fonts'],
  ])('%j → %s', (where, want) => {
    expect(appFontsDir(where)).toBe(want);
  });
  it('the unpackaged folder is the one the CLI reads', () => {
    expect(
      join(appFontsDir({ isPackaged: false, resourcesPath: undefined, appRoot: join(FONTS_DIR, '../..') }), '/'),
    ).toBe(FONTS_DIR);
  });
  it('a packaged app without resourcesPath looks beside app.asar', () => {
    expect(appFontsDir({ isPackaged: true, resourcesPath: undefined, appRoot: '/opt/K/resources/app.asar' })).toBe(
      '/opt/K/resources/fonts',
    );
  });
});
