/** What every screen may read: the app's build facts and the session mode for the watermark. */
import { createContext, useContext } from 'react';
import type { SessionMode } from '../../src/core/protocol/bodies.js';
import type { AppInfo } from '../bridge/api.js';

export interface AppContextValue {
  readonly info: AppInfo | undefined;
  /** The mode of the session on screen; rehearsal puts the watermark on every screen. */
  readonly setSessionMode: (mode: SessionMode | undefined) => void;
  /** Leave the role's screens for the start screen. */
  readonly goHome: () => void;
}

export const AppContext = createContext<AppContextValue>({
  info: undefined,
  setSessionMode: () => undefined,
  goHome: () => undefined,
});

export function useApp(): AppContextValue {
  return useContext(AppContext);
}
