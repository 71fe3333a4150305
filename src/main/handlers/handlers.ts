/**
 * The handlers behind the IPC contract, as pure functions of their dependencies. The glue
 * (src/main/main.ts) supplies dialogs and folders; tests supply temporary folders and scripted
 * "dialogs", and call the handlers through the dispatcher with forged senders.
 */
import type { ChannelOutput, ImportKind } from '../../shared/ipc.js';
import { LIMITS } from '../../shared/ipc.js';
import { exportFile, importFile, type ImportValidator } from '../../node/files.js';
import { IMPORT_LIMITS, IMPORT_VALIDATORS } from '../../node/import-kinds.js';
import { loadIdentity, saveIdentity } from '../../node/identity-store.js';
import type { JournalStore } from '../../node/journal-store.js';
import type { NetworkStatus } from '../../node/network-status.js';
import type { Handlers } from './dispatch.js';
import { createPrintWorksheet } from './print-worksheet.js';

/** What the handlers need from the outside world. */
export interface HandlerDeps {
  /** Computed once at start (the build hash does not change while the app runs). */
  readonly appInfo: ChannelOutput<'appInfo'>;
  readonly networkStatus: () => Promise<NetworkStatus>;
  readonly journals: JournalStore;
  /** Folder holding the device identity (the user-data folder). */
  readonly identityDir: string;
  /** Ask the operator for a destination folder; null when they cancel. */
  readonly chooseExportFolder: (suggestedName: string) => Promise<string | null>;
  /** Ask the operator for a file to import; null when they cancel. */
  readonly chooseImportFile: (kind: ImportKind) => Promise<string | null>;
  /** The fonts printed worksheets embed (src/main/handlers/print-worksheet.ts, `appFontsDir`). */
  readonly fontsDir: string;
  /** Validators per kind; defaults to the first-gate ones in src/node/import-kinds.ts. */
  readonly validators?: Partial<Record<ImportKind, ImportValidator>>;
}

/** Build the full handler set. */
export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    appInfo: async () => deps.appInfo,
    networkStatus: () => deps.networkStatus(),
    journalAppend: async ({ sessionId, record }) => ({ seq: await deps.journals.append(sessionId, record) }),
    journalRead: ({ sessionId }) => deps.journals.read(sessionId, LIMITS.journalReadBytes),
    exportFile: async ({ suggestedName, bytes }) => {
      const folder = await deps.chooseExportFolder(suggestedName);
      if (folder === null) return { status: 'cancelled' as const };
      const written = await exportFile(folder, suggestedName, bytes);
      return { status: 'written' as const, ...written };
    },
    printWorksheet: createPrintWorksheet(deps),
    importFile: async ({ kind }) => {
      const path = await deps.chooseImportFile(kind);
      if (path === null) return { status: 'cancelled' as const };
      const validate = deps.validators?.[kind] ?? IMPORT_VALIDATORS[kind];
      const read = await importFile(path, IMPORT_LIMITS[kind], validate);
      return { status: 'read' as const, ...read };
    },
    identitySave: async ({ pkcs8 }) => {
      await saveIdentity(deps.identityDir, pkcs8);
      return { saved: true as const };
    },
    identityLoad: async () => ({ pkcs8: await loadIdentity(deps.identityDir) }),
  };
}
