/**
 * The app shell: header (build hash, air-gap status, mode, projector switch), the rehearsal
 * watermark, and the screen of the chosen role. Role screens own their sessions; the shell only
 * knows which one is showing.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SessionMode } from '../../src/core/protocol/bodies.js';
import { bridge, unwrap, type AppInfo, type NetworkInfo } from '../bridge/api.js';
import { Header } from '../components/Header.js';
import { Watermark } from '../components/Watermark.js';
import { StartScreen } from '../screens/StartScreen.js';
import { CoordinatorFlow } from '../screens/coordinator/CoordinatorFlow.js';
import { ParticipantFlow } from '../screens/participant/ParticipantFlow.js';
import { AuditorScreen } from '../screens/auditor/AuditorScreen.js';
import { AppContext } from './context.js';
import { explain } from './explain.js';

export type Route =
  | { readonly screen: 'start' }
  | { readonly screen: 'coordinator'; readonly resume?: string }
  | { readonly screen: 'participant'; readonly resume?: string }
  | { readonly screen: 'auditor' };

const NETWORK_POLL_MS = 5000;

export function App() {
  const [route, setRoute] = useState<Route>({ screen: 'start' });
  const [info, setInfo] = useState<AppInfo | undefined>();
  const [infoError, setInfoError] = useState<string | undefined>();
  const [network, setNetwork] = useState<NetworkInfo | undefined>();
  const [networkError, setNetworkError] = useState<string | undefined>();
  const [mode, setMode] = useState<SessionMode | undefined>();
  const [projector, setProjector] = useState(false);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const value = await unwrap(bridge().appInfo());
        if (live) setInfo(value);
      } catch (e) {
        if (live) setInfoError(explain(e).what);
      }
    })();
    const poll = async (): Promise<void> => {
      try {
        const value = await unwrap(bridge().networkStatus());
        if (live) {
          setNetwork(value);
          setNetworkError(undefined);
        }
      } catch (e) {
        if (live) setNetworkError(explain(e).what);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), NETWORK_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  useEffect(() => {
    document.documentElement.classList.toggle('kw-projector-mode', projector);
  }, [projector]);

  const goHome = useCallback(() => {
    setRoute({ screen: 'start' });
    setMode(undefined);
  }, []);
  const context = useMemo(() => ({ info, setSessionMode: setMode, goHome }), [info, goHome]);

  return (
    <AppContext.Provider value={context}>
      <Watermark on={mode === 'rehearsal'} />
      <Header
        info={info}
        infoError={infoError}
        network={network}
        networkError={networkError}
        mode={mode}
        projector={projector}
        onProjector={setProjector}
        onHome={goHome}
      />
      <main className="kw-main" id="main">
        {route.screen === 'start' && <StartScreen onChoose={setRoute} />}
        {route.screen === 'coordinator' && <CoordinatorFlow key={route.resume ?? 'new'} resume={route.resume} />}
        {route.screen === 'participant' && <ParticipantFlow key={route.resume ?? 'new'} resume={route.resume} />}
        {route.screen === 'auditor' && <AuditorScreen />}
      </main>
    </AppContext.Provider>
  );
}
