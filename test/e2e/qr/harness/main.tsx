/**
 * Test harness for the QR scanner and display, built with Vite and driven by Playwright in Debian
 * Chromium with its fake camera. URL parameters choose the mode:
 *   ?mode=scan&decoder=zxing|jsqr&key=HEX[&sid=HEX][&budget=MS]  scan the camera, verify with the
 *        protocol against public key HEX (Ed25519), optionally refuse other sessions;
 *   ?mode=display  wait for window.kwShow(framesHex, fps) and animate the frames.
 * State for the test is published on window.kw.
 */
import { useCallback, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { decodeMessage, verifyMessage } from '../../../../src/core/protocol/message.js';
import { fingerprintOf } from '../../../../src/core/protocol/identity.js';
import { fromHex, toHex } from '../../../../src/core/util/bytes.js';
import { QrDisplay } from '../../../../renderer/transfer/QrDisplay.js';
import { ScanProgress } from '../../../../renderer/transfer/ScanProgress.js';
import { useQrScanner } from '../../../../renderer/transfer/use-qr-scanner.js';
import { ZXING_WASM_URL } from '../../../../renderer/transfer/zxing-wasm-url.js';
import type { DecoderName } from '../../../../renderer/transfer/decoders.js';

interface HarnessState {
  status: string;
  messages: string[];
  refusals: string[];
  plain: string[];
  frames: number;
  overruns: number;
  progress: string[];
}

const kw: HarnessState & { show?: (framesHex: string[], fps?: number) => void } = {
  status: 'loading',
  messages: [],
  refusals: [],
  plain: [],
  frames: 0,
  overruns: 0,
  progress: [],
};
(window as unknown as { kw: typeof kw }).kw = kw;
const params = new URLSearchParams(location.search);

function Scan() {
  const key = fromHex(params.get('key') ?? '');
  const sidHex = params.get('sid');
  const sessionId = useMemo(() => (sidHex ? fromHex(sidHex) : undefined), [sidHex]);
  const verify = useCallback(async (wire: Uint8Array) => {
    const m = decodeMessage(wire);
    return (
      (await verifyMessage(m, { alg: 'ed25519', publicKey: key, fingerprint: fingerprintOf(key) })) ||
      'signature does not verify'
    );
  }, []);
  const budget = Number(params.get('budget') ?? '250');
  const { videoRef, state } = useQrScanner({
    enabled: true,
    verify,
    ...(sessionId ? { sessionId } : {}),
    decoder: (params.get('decoder') ?? 'zxing') as DecoderName,
    wasmUrl: ZXING_WASM_URL,
    budgetMs: budget,
    onMessage: (wire) => kw.messages.push(toHex(wire)),
    onPlain: (bytes, text) => kw.plain.push(text ?? toHex(bytes)),
  });
  kw.status = state.status;
  kw.frames = state.frames;
  kw.overruns = state.overruns;
  kw.progress = state.progress.map((p) => `${p.received}/${p.needed}`);
  if (state.last?.kind === 'refused' && kw.refusals.at(-1) !== state.last.reason) kw.refusals.push(state.last.reason);
  if (state.error && state.status === 'error') kw.refusals.push(state.error);
  return (
    <main>
      <video ref={videoRef} width={320} height={240} />
      <ScanProgress state={state} />
    </main>
  );
}

function Display() {
  const [show, setShow] = useState<{ frames: Uint8Array[]; fps: number } | undefined>();
  kw.show = (framesHex, fps = 10) => setShow({ frames: framesHex.map(fromHex), fps });
  kw.status = show ? 'showing' : 'waiting';
  return <main>{show && <QrDisplay frames={show.frames} fps={show.fps} />}</main>;
}

createRoot(document.getElementById('root')!).render(params.get('mode') === 'display' ? <Display /> : <Scan />);
