/**
 * The `printWorksheet` handler: the printable ceremony worksheet (issue #12 item 6) from the app,
 * the same document `keywitness script print` writes. Core builds it (`worksheetDocument`),
 * src/node/pdf lays it out, and the file goes where exportFile writes, never overwriting.
 *
 * Pure of Electron: the glue supplies the folder dialog and the fonts folder, so tests run it with
 * temporary folders.
 */
import { dirname, join } from 'node:path';
import type { ChannelOutput, ValidInput } from '../../shared/ipc.js';
import { worksheetDocument } from '../../core/print/worksheet.js';
import { parseScript } from '../../core/script/parse.js';
import { exportFile } from '../../node/files.js';
import { loadFonts } from '../../node/pdf/fonts.js';
import { writePdf } from '../../node/pdf/write-pdf.js';

/** What the handler needs from the outside world. */
export interface PrintWorksheetDeps {
  /**
   * The folder holding the DejaVu faces, always given: the default in src/node/pdf/fonts.ts is
   * relative to the source tree, which a bundled main process is not in (see {@link appFontsDir}).
   */
  readonly fontsDir: string;
  /** Ask the operator for a destination folder; null when they cancel. */
  readonly chooseExportFolder: (suggestedName: string) => Promise<string | null>;
}

/** Where the app's fonts are: what the app was started with, as Electron reports it. */
export interface AppLocation {
  readonly isPackaged: boolean;
  /** `process.resourcesPath`: the packaged app's resources folder (electron-builder's extraResources). */
  readonly resourcesPath: string | undefined;
  /** `app.getAppPath()`: the unpackaged app's folder (the repository, in development and e2e runs). */
  readonly appRoot: string;
}

/**
 * The fonts folder: `resources/fonts` in a packaged app (electron-builder.yml copies assets/fonts
 * there as real files, outside app.asar), else the repository's `assets/fonts`. Never throws, so
 * start-up cannot fail over fonts: a missing folder is refused when a worksheet is printed.
 */
export function appFontsDir(where: AppLocation): string {
  if (!where.isPackaged) return join(where.appRoot, 'assets', 'fonts');
  // Electron always sets resourcesPath; app.asar sits in that same folder.
  return join(where.resourcesPath ?? dirname(where.appRoot), 'fonts');
}

/** The file name offered for a script's worksheet. */
export function worksheetFileName(scriptId: string): string {
  return `${scriptId}-worksheet.pdf`;
}

/**
 * Parse the script (refusing what `script lint` refuses, with its first error), render the
 * worksheet, ask for a folder and write it there. Nothing is asked for when the script or the
 * fonts refuse, so a refusal never follows a dialog.
 */
export function createPrintWorksheet(
  deps: PrintWorksheetDeps,
): (input: ValidInput<'printWorksheet'>) => Promise<ChannelOutput<'printWorksheet'>> {
  return async ({ script: bytes }) => {
    const script = parseScript(bytes);
    const pdf = await writePdf(worksheetDocument(script), await loadFonts(deps.fontsDir));
    const name = worksheetFileName(script.id);
    const folder = await deps.chooseExportFolder(name);
    if (folder === null) return { status: 'cancelled' as const };
    const written = await exportFile(folder, name, pdf.bytes);
    return { status: 'written' as const, ...written, pages: pdf.pages };
  };
}
