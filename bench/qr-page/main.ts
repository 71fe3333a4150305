/**
 * Benchmark page: opens the (fake) camera at 640 × 480 / 30 frames/s through the real scanner
 * (worker, budget, decoder), then lets many receivers "join" at random moments and measures, for
 * each, the time from joining until it holds the message with a verified signature. One camera
 * frame is decoded once and handed to every active receiver, so many join points cost one run.
 */
import { decodeMessage, verifyMessage } from '../../src/core/protocol/message.js';
import { fingerprintOf } from '../../src/core/protocol/identity.js';
import { Assembler } from '../../src/core/transfer/assembler.js';
import { fromHex, toHex } from '../../src/core/util/bytes.js';
import { startCameraScan } from '../../renderer/transfer/camera-scan.js';
import type { DecoderName } from '../../renderer/transfer/decoders.js';
import type { StrategyName } from '../../renderer/transfer/scanner-worker.js';
import { ZXING_WASM_URL } from '../../renderer/transfer/zxing-wasm-url.js';
import { minimalTable, UrTextReceiver } from './ur-text.js';
import { mulberry32 } from '../../test/support/prng.js';

export interface BenchConfig {
  readonly stream: 'keywitness' | 'bc-ur-text';
  readonly decoder: DecoderName;
  readonly budgetMs: number;
  readonly keyHex: string;
  readonly expectedHex: string;
  readonly joins: number;
  readonly spanMs: number;
  readonly timeoutMs: number;
  readonly bytewords?: string[];
  readonly seed: number;
  readonly strategy?: StrategyName;
}

export interface BenchResult {
  readonly times: number[];
  readonly decodeMs: number[];
  readonly readMs: number[];
  readonly wrong: number;
  readonly incomplete: number;
  readonly framesDecoded: number;
  readonly framesWithCode: number;
  readonly overruns: number;
  /** Frames read by each attempt of the decoding strategy. */
  readonly attempts: Record<string, number>;
}

interface Joiner {
  readonly joinAt: number;
  done: boolean;
  readonly feed: (code: Uint8Array) => Promise<Uint8Array | undefined>;
}

async function run(config: BenchConfig): Promise<BenchResult> {
  const key = fromHex(config.keyHex);
  const identity = { alg: 'ed25519' as const, publicKey: key, fingerprint: fingerprintOf(key) };
  const verify = async (wire: Uint8Array): Promise<boolean | string> =>
    (await verifyMessage(decodeMessage(wire), identity)) || 'bad signature';
  const table = config.bytewords ? minimalTable(config.bytewords) : undefined;
  const textDecoder = new TextDecoder();

  const makeJoiner = (joinAt: number): Joiner => {
    if (config.stream === 'keywitness') {
      const asm = new Assembler({ verify });
      return {
        joinAt,
        done: false,
        feed: async (code) => {
          const e = await asm.accept(code);
          return e.kind === 'message' ? e.wire : undefined;
        },
      };
    }
    const rx = new UrTextReceiver(table!);
    return {
      joinAt,
      done: false,
      feed: async (code) => {
        const wire = rx.accept(textDecoder.decode(code));
        return wire && (await verify(wire)) === true ? wire : undefined;
      },
    };
  };

  const joiners: Joiner[] = [];
  const times: number[] = [];
  const decodeMs: number[] = [];
  const readMs: number[] = [];
  let wrong = 0;
  let framesDecoded = 0;
  let framesWithCode = 0;
  let overruns = 0;
  const attempts: Record<string, number> = {};
  let warm: () => void = () => undefined;
  const warmedUp = new Promise<void>((resolve) => (warm = resolve));

  const video = document.getElementById('camera') as HTMLVideoElement;
  const scan = await startCameraScan(video, {
    decoder: config.decoder,
    wasmUrl: ZXING_WASM_URL,
    budgetMs: config.budgetMs,
    ...(config.strategy ? { strategy: config.strategy } : {}),
    onOverrun: () => overruns++,
    onCodes: (codes, info) => {
      framesDecoded++;
      decodeMs.push(info.decodeMs);
      readMs.push(info.readMs);
      if (info.attempt) attempts[info.attempt] = (attempts[info.attempt] ?? 0) + 1;
      if (codes.length > 0) {
        framesWithCode++;
        warm();
      }
      for (const j of joiners) {
        if (j.done || info.presentedAt < j.joinAt) continue;
        for (const code of codes) {
          void j.feed(code).then((wire) => {
            if (!wire || j.done) return;
            j.done = true;
            times.push(performance.now() - j.joinAt);
            if (toHex(wire) !== config.expectedHex) wrong++;
          });
        }
      }
    },
  });
  try {
    // A decoder that reads nothing from this camera never warms up: start the joins anyway, so
    // the run reports every join as incomplete instead of hanging.
    await Promise.race([warmedUp, new Promise((r) => setTimeout(r, 10_000))]);
    const rng = mulberry32(config.seed);
    const start = performance.now();
    const joinTimes = Array.from({ length: config.joins }, () => start + rng() * config.spanMs).sort((a, b) => a - b);
    for (const t of joinTimes) {
      const wait = t - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      joiners.push(makeJoiner(performance.now()));
    }
    const deadline = performance.now() + config.timeoutMs;
    while (joiners.some((j) => !j.done) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  } finally {
    scan.stop();
  }
  return {
    times,
    decodeMs,
    readMs,
    wrong,
    incomplete: joiners.filter((j) => !j.done).length,
    framesDecoded,
    framesWithCode,
    overruns,
    attempts,
  };
}

(window as unknown as { bench: { run: typeof run } }).bench = { run };
