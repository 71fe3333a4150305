/**
 * A stand-in for the Electron preload bridge, for the built renderer in plain Chromium: the page
 * gets `window.keywitness` with the same function names and result shapes, and each call is
 * carried by a Playwright binding (no network) to the REAL handlers of the app — the IPC dispatcher
 * (zod validation, error mapping) over createHandlers, i.e. src/node's journal store, export and
 * import, identity store, network status. Only the two operator dialogs are replaced: imports take
 * the next path queued by the test (or asked on the terminal by `npm run preview`), exports go to
 * the device's own export folder.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { createDispatcher } from '../../../src/main/handlers/dispatch.js';
import { createHandlers } from '../../../src/main/handlers/handlers.js';
import { APP_ENTRY_URL } from '../../../src/main/policy/origin.js';
import { JournalStore } from '../../../src/node/journal-store.js';
import { networkStatus } from '../../../src/node/network-status.js';
import { FONTS_DIR } from '../../../src/node/pdf/fonts.js';
import { CONTRACT, type ChannelOutput, type ImportKind } from '../../../src/shared/ipc.js';

/** Chooses a file to import for a kind; null is "cancelled". */
export type ImportChooser = (kind: ImportKind, device: StandInDevice) => Promise<string | null>;

/** One simulated machine: its own user-data folder (journals, identity) and export folder. */
export class StandInDevice {
  readonly name: string;
  readonly dir: string;
  readonly exportDir: string;
  readonly journals: JournalStore;
  readonly imports: string[] = [];
  readonly log: string[] = [];
  private readonly dispatch: ReturnType<typeof createDispatcher>;

  constructor(
    name: string,
    appInfo: ChannelOutput<'appInfo'>,
    options: { dir?: string; chooser?: ImportChooser } = {},
  ) {
    this.name = name;
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), `kw-device-${name.replace(/[^a-z0-9]+/gi, '-')}-`));
    this.exportDir = join(this.dir, 'export');
    mkdirSync(this.exportDir, { recursive: true });
    this.journals = new JournalStore(join(this.dir, 'journals'));
    const chooser: ImportChooser = options.chooser ?? (async () => this.imports.shift() ?? null);
    const handlers = createHandlers({
      appInfo,
      networkStatus,
      journals: this.journals,
      identityDir: this.dir,
      fontsDir: FONTS_DIR,
      chooseExportFolder: async () => this.exportDir,
      chooseImportFile: (kind) => chooser(kind, this),
    });
    this.dispatch = createDispatcher(handlers, (level, message, detail) =>
      this.log.push(`${level}: ${message} ${detail ? String(detail) : ''}`),
    );
  }

  /** Queue files for the next import dialogs, in order. */
  willImport(...paths: string[]): void {
    this.imports.push(...paths);
  }

  /** Give a browser context this device's bridge (before any page opens). */
  async attach(context: BrowserContext): Promise<void> {
    await context.exposeBinding('__kwBridge', async (source, name: unknown, payload: unknown) => {
      // The preload serves only the app's main frame; the dispatcher checks the same facts.
      const isMainFrame = source.frame === source.page.mainFrame();
      const result = await this.dispatch(
        CONTRACT[name as keyof typeof CONTRACT]?.channel ?? String(name),
        { url: APP_ENTRY_URL, isMainFrame },
        fromWire(payload),
      );
      return toWire(result);
    });
    await context.addInitScript({ content: bridgeScript(Object.keys(CONTRACT)) });
  }

  async close(): Promise<void> {
    await this.journals.closeAll();
  }
}

/** Bytes cross the binding as {$b64}; `undefined` as {$undef}. */
type Wire = unknown;
function toWire(v: unknown): Wire {
  if (v instanceof Uint8Array) return { $b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (v === undefined) return { $undef: true };
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
  return v;
}
function fromWire(v: Wire): unknown {
  if (Array.isArray(v)) return v.map(fromWire);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$b64 === 'string' && Object.keys(o).length === 1) return new Uint8Array(Buffer.from(o.$b64, 'base64'));
    if (o.$undef === true && Object.keys(o).length === 1) return undefined;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromWire(x)]));
  }
  return v;
}

/** The page side: a frozen `window.keywitness` like the preload's, one function per channel. */
function bridgeScript(names: readonly string[]): string {
  return `(() => {
  const call = window.__kwBridge;
  const toWire = (v) => {
    if (v instanceof Uint8Array) { let s = ''; for (let i = 0; i < v.length; i += 0x8000) s += String.fromCharCode.apply(null, v.subarray(i, i + 0x8000)); return { $b64: btoa(s) }; }
    if (v === undefined) return { $undef: true };
    if (Array.isArray(v)) return v.map(toWire);
    if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v)) o[k] = toWire(v[k]); return o; }
    return v;
  };
  const fromWire = (v) => {
    if (Array.isArray(v)) return v.map(fromWire);
    if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length === 1 && typeof v.$b64 === 'string') { const s = atob(v.$b64); const b = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i); return b; }
      if (keys.length === 1 && v.$undef === true) return undefined;
      const o = {}; for (const k of keys) o[k] = fromWire(v[k]); return o;
    }
    return v;
  };
  const api = {};
  for (const name of ${JSON.stringify(names)}) api[name] = async (input) => fromWire(await call(name, toWire(input)));
  Object.defineProperty(window, 'keywitness', { value: Object.freeze(api), writable: false, configurable: false, enumerable: true });
})();`;
}
