/**
 * The bridge object the preload exposes, built from the IPC contract. Pure (no electron import)
 * so its shape is tested without Electron: one function per contract row, each forwarding exactly
 * one argument to `invoke` with that row's channel, frozen, and nothing else on it.
 */
import type { KeywitnessApi } from '../shared/ipc.js';

/** Sends one call to the main process (ipcRenderer.invoke in the preload). */
export type Invoke = (channel: string, input: unknown) => Promise<unknown>;

/** Build the frozen bridge for `contract` over `invoke`. */
export function buildBridge(
  contract: Readonly<Record<string, { readonly channel: string }>>,
  invoke: Invoke,
): KeywitnessApi {
  const api: Record<string, (input?: unknown) => Promise<unknown>> = Object.create(null) as Record<
    string,
    (input?: unknown) => Promise<unknown>
  >;
  for (const [name, spec] of Object.entries(contract)) {
    const channel = spec.channel;
    // Exactly one argument crosses: extra arguments from the page are dropped here, and the
    // main process refuses calls that carry more than one anyway.
    api[name] = (input?: unknown) => invoke(channel, input);
  }
  return Object.freeze(api) as unknown as KeywitnessApi;
}
