/**
 * The renderer's only way to the main process: the functions the preload exposes on
 * `window.keywitness` (src/shared/ipc.ts). Each call resolves to `{ok, value}` or
 * `{ok: false, code, message}`; `call` turns a refusal into a BridgeError so screens handle one
 * kind of failure. Only types are imported from the contract: the renderer never loads zod.
 */
import type { ChannelOutput, IpcErrorCode, IpcResult, KeywitnessApi } from '../../src/shared/ipc.js';

/** A refused or failed bridge call, with the stable code the main process gave. */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  readonly code: IpcErrorCode | 'BRIDGE_MISSING';
  constructor(code: IpcErrorCode | 'BRIDGE_MISSING', message: string) {
    super(message);
    this.code = code;
  }
}

/** The bridge object, or a BridgeError saying the page is not running inside the app. */
export function bridge(): KeywitnessApi {
  const api = (window as unknown as { keywitness?: KeywitnessApi }).keywitness;
  if (!api || typeof api !== 'object') {
    throw new BridgeError(
      'BRIDGE_MISSING',
      'this page is not running inside the Keywitness app (no bridge to storage and files)',
    );
  }
  return api;
}

/** Await a bridge result and return its value, or throw a BridgeError with the main process's words. */
export async function unwrap<T>(result: Promise<IpcResult<T>>): Promise<T> {
  const r = await result;
  if (r.ok) return r.value;
  throw new BridgeError(r.code, r.message);
}

export type AppInfo = ChannelOutput<'appInfo'>;
export type NetworkInfo = ChannelOutput<'networkStatus'>;
export type ImportResult = ChannelOutput<'importFile'>;
export type ExportResult = ChannelOutput<'exportFile'>;
