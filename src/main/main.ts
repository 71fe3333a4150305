/**
 * Electron main process: start-up order and wiring only. Every rule lives in ./policy (pure,
 * tested without Electron); storage and files in src/node; IPC handlers in ./handlers.
 *
 * Order matters and is the point of this file:
 *  1. decide the flavour and refuse dangerous switches and environment before anything loads;
 *  2. before `ready`: harden the command line, force the sandbox, register app:// as privileged,
 *     take the single-instance lock;
 *  3. on `ready`: harden every session and web contents, serve the renderer, register IPC,
 *     compute the build hash, open the window.
 */
import { app, BrowserWindow, dialog, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { APP_ENTRY_URL, decideFlavour, type Flavour } from './policy/origin.js';
import { HARDENING_SWITCHES, describeRefusal, refusedArguments, refusedEnvironment } from './policy/switch-policy.js';
import { auditWebPreferences, mainWindowOptions } from './policy/window-options.js';
import { hardenSession, hardenWebContents, type Logger } from './harden.js';
import { registerAppScheme, serveAppProtocol } from './app-protocol.js';
import { createDispatcher, type SenderFacts } from './handlers/dispatch.js';
import { createHandlers } from './handlers/handlers.js';
import { appFontsDir } from './handlers/print-worksheet.js';
import { chooseExportFolder, chooseImportFile } from './dialogs.js';
import { CONTRACT, type ChannelName } from '../shared/ipc.js';
import { computeBuildHash } from '../node/build-info.js';
import { JournalStore } from '../node/journal-store.js';
import { networkStatus } from '../node/network-status.js';

const log: Logger = (message) => console.warn(`[keywitness] ${message}`);

function packagedFlavour(appRoot: string): unknown {
  try {
    const pkg = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as {
      keywitness?: { flavour?: unknown };
    };
    return pkg.keywitness?.flavour;
  } catch {
    return undefined;
  }
}

const appRoot = app.getAppPath();
const flavour: Flavour = decideFlavour({
  isPackaged: app.isPackaged,
  packagedFlavour: packagedFlavour(appRoot),
  simulate: process.env['KEYWITNESS_SIMULATE_FLAVOUR'],
});

// 1. Refuse to run under switches or environment that undo the hardening (release only). An
// unpackaged run (`electron <app folder>`) also carries the app folder, which is not an argument.
const userArgs = process.argv.slice(1).filter((a) => app.isPackaged || resolve(a) !== appRoot);
const refused = [...refusedArguments(userArgs, flavour, process.platform), ...refusedEnvironment(process.env, flavour)];
if (refused.length > 0) {
  const text = describeRefusal(refused);
  console.error(text);
  dialog.showErrorBox('Keywitness cannot start', text);
  app.exit(2);
} else {
  // A failure before `ready` (after the single-instance lock is taken) ends the same way as one
  // after it; left uncaught it would reach Electron's own handler instead, which neither shows
  // this box nor exits, so the process would live on holding the lock.
  try {
    start();
  } catch (e) {
    failedToStart(e);
  }
}

/** Report a start-up failure in the error box and exit 1, before `ready` or after it. */
function failedToStart(e: unknown): void {
  console.error('[keywitness] start-up failed', e);
  dialog.showErrorBox('Keywitness cannot start', String((e as Error)?.message ?? e));
  app.exit(1);
}

function start(): void {
  // 2. Before ready.
  for (const [name, value] of HARDENING_SWITCHES) {
    if (value === undefined) app.commandLine.appendSwitch(name);
    else app.commandLine.appendSwitch(name, value);
  }
  app.enableSandbox();
  registerAppScheme();
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const userData = app.getPath('userData');
  const journals = new JournalStore(join(userData, 'journals'));
  let mainWindow: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('session-created', (ses) => hardenSession(ses, flavour, log));
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, flavour, log));
  app.on('window-all-closed', () => app.quit());
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    // Wait for in-flight journal appends, then release the locks.
    void journals.closeAll().finally(() => app.quit());
  });

  // 3. Ready.
  void app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession, flavour, log);
      serveAppProtocol(session.defaultSession, join(appRoot, 'dist-renderer'), log);

      const build = await computeBuildHash(appRoot);
      const handlers = createHandlers({
        appInfo: {
          version: app.getVersion(),
          flavour,
          buildHashHex: build.hex,
          buildHashWords: build.words,
          buildFileCount: build.fileCount,
        },
        networkStatus,
        journals,
        identityDir: userData,
        fontsDir: appFontsDir({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appRoot }),
        chooseExportFolder: (name) => chooseExportFolder(mainWindow, name),
        chooseImportFile: (kind) => chooseImportFile(mainWindow, kind),
      });
      const dispatch = createDispatcher(handlers, (level, message, detail) =>
        console[level](`[keywitness] ${message}`, detail ?? ''),
      );
      for (const key of Object.keys(CONTRACT) as ChannelName[]) {
        const channel = CONTRACT[key].channel;
        ipcMain.handle(channel, (event, ...args: unknown[]) =>
          args.length > 1
            ? { ok: false, code: 'IPC_REJECTED', message: 'one argument per call' }
            : dispatch(channel, senderFacts(event), args[0]),
        );
      }

      const options = mainWindowOptions(join(appRoot, 'dist', 'preload', 'preload.cjs'), flavour);
      const violations = auditWebPreferences(options.webPreferences, flavour);
      if (violations.length > 0) throw new Error(`window options violate policy: ${violations.join('; ')}`);
      mainWindow = new BrowserWindow({
        ...options,
        webPreferences: {
          ...options.webPreferences,
          // Restated where the window is made, so the call site reads as what it is; the audit
          // above already guarantees these values from policy/window-options.ts.
          sandbox: true,
          contextIsolation: true,
          nodeIntegration: false,
          disableBlinkFeatures: 'Auxclick',
        },
      });
      mainWindow.once('ready-to-show', () => mainWindow?.show());
      mainWindow.on('closed', () => {
        mainWindow = null;
      });
      await mainWindow.loadURL(APP_ENTRY_URL);
      console.log(`[keywitness] ${flavour} build ${build.hex} (${build.fileCount} files)`);
    })
    .catch(failedToStart);
}

function senderFacts(event: IpcMainInvokeEvent): SenderFacts {
  const frame = event.senderFrame;
  return { url: frame?.url, isMainFrame: frame !== null && frame !== undefined && frame.parent === null };
}
