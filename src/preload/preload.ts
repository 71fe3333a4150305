/**
 * The preload bridge (docs/security.md, "IPC"): exposes one named function per IPC contract row on
 * `window.keywitness` (see bridge.ts). The page never receives ipcRenderer, an event object, or any
 * Electron or Node object; the main process validates every input again, so the bridge does no
 * checking of its own beyond the channel.
 *
 * Bundled to a single CommonJS file with esbuild (sandboxed preloads cannot load modules).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_NAME, CONTRACT } from '../shared/ipc.js';
import { buildBridge } from './bridge.js';

contextBridge.exposeInMainWorld(
  BRIDGE_NAME,
  buildBridge(CONTRACT, (channel, input) => ipcRenderer.invoke(channel, input)),
);
