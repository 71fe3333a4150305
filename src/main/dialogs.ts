/** Native dialogs for choosing an export folder and an import file (the operator's explicit choice). */
import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { ImportKind } from '../shared/ipc.js';

const FILTERS: Readonly<Record<ImportKind, { name: string; extensions: string[] }[]>> = {
  script: [{ name: 'Ceremony script', extensions: ['yaml', 'yml'] }],
  bundle: [{ name: 'Session bundle', extensions: ['json'] }],
  receipt: [{ name: 'Receipt', extensions: ['json'] }],
  evidence: [
    { name: 'Evidence', extensions: ['pem', 'der', 'crt', 'cer', 'csr', 'txt', 'log', 'key', 'pub'] },
    { name: 'Any file', extensions: ['*'] },
  ],
};

async function pick(win: BrowserWindow | null, options: OpenDialogOptions): Promise<string | null> {
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/** Ask for the folder (usually on removable media) to write `suggestedName` into. */
export function chooseExportFolder(win: BrowserWindow | null, suggestedName: string): Promise<string | null> {
  return pick(win, {
    title: `Choose where to write ${suggestedName}`,
    buttonLabel: 'Write here',
    properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'],
  });
}

/** Ask for a file of the given kind to import. */
export function chooseImportFile(win: BrowserWindow | null, kind: ImportKind): Promise<string | null> {
  return pick(win, {
    title: `Choose the ${kind} file`,
    buttonLabel: 'Import',
    properties: ['openFile', 'dontAddToRecent'],
    filters: FILTERS[kind],
  });
}
