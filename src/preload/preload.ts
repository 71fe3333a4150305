/**
 * The preload bridge (DESIGN §6): exposes one named function per IPC contract row on
 * `window.keywitness`, each forwarding exactly one argument through ipcRenderer.invoke. The page
 * never receives ipcRenderer, an event object, or any Electron or Node object; the main process
 * validates every input again, so the bridge does no checking of its own beyond the channel.
 *
 * Bundled to a single CommonJS file with esbuild (sandboxed preloads cannot load modules).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_NAME, CONTRACT, type KeywitnessApi } from '../shared/ipc.js';

const api: Record<string, (input?: unknown) => Promise<unknown>> = {};
for (const [name, spec] of Object.entries(CONTRACT)) {
  const channel = spec.channel;
  api[name] = (input?: unknown) => ipcRenderer.invoke(channel, input);
}

contextBridge.exposeInMainWorld(BRIDGE_NAME, Object.freeze(api) as unknown as KeywitnessApi);
