/**
 * `npm run bench:qr` (docs/qr-format.md, "Why not BC-UR text"): time until a 3,000-byte
 * signed message is reassembled and verified, from ≥ 50 random join points, in Debian Chromium with
 * its fake camera at 640 × 480, for the Keywitness stream (raw-byte fountain frames, pre-computed
 * display loop) and for the baseline stream as wallets ship it (BC-UR text parts of 400 bytes at 10
 * frames/s made with @ngraveio/bc-ur), both through the same scanner and decoder; with both
 * decoders. Then both streams again through a poor webcam (out of focus, low contrast,
 * noisy, flickering, tilted, dropping frames) with the default decoder. The last line printed is
 * one JSON object for the default decoder. KW_BENCH_COMPARE=1 also runs zxing with the fast attempt
 * of the decoding strategy alone (the reader before the strategy) on both cameras.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMessage } from '../src/core/transfer/encoder.js';
import { qrVersionFor } from '../src/core/transfer/qr-symbol.js';
import { toHex } from '../src/core/util/bytes.js';
import { frameMatrix, textMatrix, type QrMatrix } from '../renderer/transfer/qr-raster.js';
import { createTestSigner } from '../test/e2e/qr/fixtures/signed-message.js';
import { launchWithCamera, servePages } from '../test/e2e/qr/pages.js';
import { writeQrVideo, type VideoOptions } from '../test/e2e/qr/video.js';
import type { BenchConfig, BenchResult } from './qr-page/main.js';
import type { StrategyName } from '../renderer/transfer/scanner-worker.js';

const require = createRequire(import.meta.url);
const { UR, UREncoder } = require('@ngraveio/bc-ur') as {
  UR: { fromBuffer(b: Buffer): unknown };
  UREncoder: new (
    ur: unknown,
    maxFragmentLength: number,
    firstSeqNum: number,
    minFragmentLength: number,
  ) => { nextPart(): string };
};

const BYTES = 3000;
const JOINS = Number(process.env.KW_BENCH_JOINS ?? 60);
const SPAN_MS = 8000;
/** The camera: a screen filmed slightly tilted, with some glare, a little sensor noise and some torn frames. */
const CAMERA: VideoOptions = { tiltDeg: 1.5, noise: 5, glare: 0.3, tornFraction: 0.3, seed: 2026 };
/**
 * A poor webcam filming the screen: out of focus (Gaussian blur σ 1.5 px), the screen's contrast
 * squeezed to 35–65 % (dim screen, or a projector in a lit room), sensor noise σ 12, exposure
 * flickering ±15 % from frame to frame, tilted 4°, and 20 % of the QR frames never seen; glare and
 * torn frames as the good camera has them.
 */
const POOR_CAMERA: VideoOptions = {
  tiltDeg: 4,
  blur: 1.5,
  dark: Math.round(0.35 * 255),
  light: Math.round(0.65 * 255),
  noise: 12,
  flicker: 0.15,
  dropFraction: 0.2,
  glare: 0.3,
  tornFraction: 0.3,
  seed: 2027,
};
const COMPARE = process.env.KW_BENCH_COMPARE === '1';
type Camera = 'good' | 'poor';
type Stream = 'keywitness' | 'bc-ur-text';
interface Run {
  readonly decoder: 'zxing' | 'jsqr';
  readonly budgetMs: number;
  readonly camera: Camera;
  readonly strategy: StrategyName;
}
const RUNS: readonly Run[] = [
  { decoder: 'zxing', budgetMs: 250, camera: 'good', strategy: 'full' },
  { decoder: 'jsqr', budgetMs: 1500, camera: 'good', strategy: 'full' },
  { decoder: 'zxing', budgetMs: 250, camera: 'poor', strategy: 'full' },
  ...(COMPARE
    ? ([
        { decoder: 'zxing', budgetMs: 250, camera: 'good', strategy: 'fast-only' },
        { decoder: 'zxing', budgetMs: 250, camera: 'poor', strategy: 'fast-only' },
      ] as const)
    : []),
];
const runKey = (r: Run, stream: Stream): string => `${r.decoder}/${r.camera}/${r.strategy}/${stream}`;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const round = (n: number): number => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-bench-qr-'));
  const signer = await createTestSigner();
  const wire = await signer.message(BYTES);

  const ours = encodeMessage(wire, { sessionId: signer.sessionId });
  const version = qrVersionFor(ours.frames[0]!.length);
  const ourMatrices = ours.frames.map((f) => frameMatrix(f, version));
  const videos = new Map<string, string>();
  for (const [camera, options] of [
    ['good', CAMERA],
    ['poor', POOR_CAMERA],
  ] as const) {
    const file = join(dir, `keywitness-${camera}.y4m`);
    writeQrVideo(file, ourMatrices, { ...options, loops: 4 });
    videos.set(`${camera}/keywitness`, file);
  }

  // Baseline: what a wallet shows — a UR of type "bytes", 400-byte fragments, parts 1, 2, 3, …,
  // upper-cased so the QR code uses alphanumeric mode; 60 parts (6 s) before the video loops.
  const encoder = new UREncoder(UR.fromBuffer(Buffer.from(wire)), 400, 0, 10);
  const parts = Array.from({ length: 60 }, () => encoder.nextPart().toUpperCase());
  const baseMatrices: QrMatrix[] = parts.map((p) => textMatrix(p, 'L'));
  for (const [camera, options] of [
    ['good', CAMERA],
    ['poor', POOR_CAMERA],
  ] as const) {
    const file = join(dir, `bc-ur-text-${camera}.y4m`);
    writeQrVideo(file, baseMatrices, options);
    videos.set(`${camera}/bc-ur-text`, file);
  }
  const bytewords = (
    require('@ngraveio/bc-ur/dist/bytewords.js') as { default: { encode(hex: string, style: string): string } }
  ).default;
  const words = Array.from(
    { length: 256 },
    (_, i) => bytewords.encode(i.toString(16).padStart(2, '0') + '', 'standard').split(' ')[0]!,
  );

  console.log(
    `message: ${BYTES} bytes; keywitness: ${ours.frames.length} frames looping, ${ours.seqLen} fragments, QR version ${version} (${ours.frames[0]!.length} bytes/frame)`,
  );
  console.log(
    `baseline: BC-UR text parts of ${parts[0]!.length} characters, QR version ${(baseMatrices[0]!.size - 8 - 17) / 4}, parts 1..60 at 10 frames/s`,
  );
  console.log(
    `camera: Chromium fake capture 640x480 @ 30 fps, tilt ${CAMERA.tiltDeg}°, glare ${CAMERA.glare}, noise σ=${CAMERA.noise}, ${CAMERA.tornFraction! * 100}% torn frame changes; ${JOINS} random join points per run`,
  );
  console.log(
    `poor webcam: blur σ=${POOR_CAMERA.blur} px, levels ${POOR_CAMERA.dark}..${POOR_CAMERA.light}, noise σ=${POOR_CAMERA.noise}, exposure ±${POOR_CAMERA.flicker! * 100}%, tilt ${POOR_CAMERA.tiltDeg}°, ${POOR_CAMERA.dropFraction! * 100}% QR frames dropped, glare ${POOR_CAMERA.glare}, ${POOR_CAMERA.tornFraction! * 100}% torn`,
  );

  const pages = await servePages();
  const results = new Map<string, BenchResult>();
  try {
    for (const d of RUNS) {
      for (const stream of ['keywitness', 'bc-ur-text'] as const) {
        const browser = await launchWithCamera(videos.get(`${d.camera}/${stream}`)!);
        try {
          const page = await (await browser.newContext({ permissions: ['camera'] })).newPage();
          const external: string[] = [];
          page.on('request', (r) => {
            if (!r.url().startsWith(pages.url) && !/^(blob|data):/.test(r.url())) external.push(r.url());
          });
          await page.goto(`${pages.url}/bench/qr-page/index.html`);
          await page.waitForFunction(() => 'bench' in window);
          const config: BenchConfig = {
            stream,
            decoder: d.decoder,
            budgetMs: d.budgetMs,
            strategy: d.strategy,
            keyHex: toHex(signer.signer.publicKey),
            expectedHex: toHex(wire),
            joins: JOINS,
            spanMs: SPAN_MS,
            timeoutMs: 30_000,
            seed: 7,
            ...(stream === 'bc-ur-text' ? { bytewords: words } : {}),
          };
          const r = await page.evaluate(
            (c) => (window as unknown as { bench: { run(c: BenchConfig): Promise<BenchResult> } }).bench.run(c),
            config,
          );
          if (external.length > 0) throw new Error(`the page made requests off its origin: ${external.join(', ')}`);
          results.set(runKey(d, stream), r);
          const t = [...r.times].sort((a, b) => a - b);
          const dm = [...r.decodeMs].sort((a, b) => a - b);
          const rm = [...r.readMs].sort((a, b) => a - b);
          const label = `${d.decoder}${d.strategy === 'fast-only' ? ' fast-only' : ''} ${d.camera}`;
          console.log(
            `${label.padEnd(20)} ${stream.padEnd(10)} joins ${r.times.length}/${JOINS} complete, p50 ${round(quantile(t, 0.5))} ms, p95 ${round(quantile(t, 0.95))} ms, max ${round(t.at(-1) ?? NaN)} ms; ` +
              `decode median ${round(quantile(dm, 0.5))} ms (+ ${round(quantile(rm, 0.5))} ms pixel readback) over ${r.framesDecoded} frames (${r.framesWithCode} with a code), overruns ${r.overruns}, wrong ${r.wrong}, incomplete ${r.incomplete}; read by ${JSON.stringify(r.attempts)}`,
          );
        } finally {
          await browser.close();
        }
      }
    }
  } finally {
    await pages.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const summary = (run: Run) => {
    const ourRun = results.get(runKey(run, 'keywitness'))!;
    const baseRun = results.get(runKey(run, 'bc-ur-text'))!;
    const t = [...ourRun.times].sort((a, b) => a - b);
    const b = [...baseRun.times].sort((a, b2) => a - b2);
    // A join that never completed counts as the timeout, so failures cannot flatter the figures.
    const pad = (xs: number[], r: BenchResult) =>
      [...xs, ...Array<number>(r.incomplete).fill(30_000)].sort((x, y) => x - y);
    const p95 = quantile(pad(t, ourRun), 0.95);
    const basep95 = quantile(pad(b, baseRun), 0.95);
    return {
      p50_ms: round(quantile(pad(t, ourRun), 0.5)),
      p95_ms: round(p95),
      baseline_p95_ms: round(basep95),
      speedup_p95: Math.round((basep95 / p95) * 100) / 100,
      decode_ms_median: round(
        quantile(
          [...ourRun.decodeMs].sort((x, y) => x - y),
          0.5,
        ),
      ),
      wrong: ourRun.wrong + baseRun.wrong,
      incomplete: ourRun.incomplete,
    };
  };
  const find = (decoder: Run['decoder'], camera: Camera, strategy: StrategyName): Run =>
    RUNS.find((r) => r.decoder === decoder && r.camera === camera && r.strategy === strategy)!;
  const jsqr = summary(find('jsqr', 'good', 'full'));
  console.log(`jsqr: ${JSON.stringify({ decoder: 'jsqr', ...jsqr })}`);
  if (COMPARE) {
    for (const camera of ['good', 'poor'] as const)
      console.log(
        `zxing fast-only ${camera}: ${JSON.stringify({ strategy: 'fast-only', camera, ...summary(find('zxing', camera, 'fast-only')) })}`,
      );
  }
  const poor = summary(find('zxing', 'poor', 'full'));
  console.log(`zxing poor: ${JSON.stringify({ camera: 'poor', ...poor })}`);
  const zx = summary(find('zxing', 'good', 'full'));
  console.log(
    JSON.stringify({
      bench: 'qr',
      bytes: BYTES,
      p50_ms: zx.p50_ms,
      p95_ms: zx.p95_ms,
      baseline_p95_ms: zx.baseline_p95_ms,
      speedup_p95: zx.speedup_p95,
      decode_ms_median: zx.decode_ms_median,
      decoder: 'zxing',
      wrong: zx.wrong + poor.wrong,
      incomplete: zx.incomplete,
      poor_p95_ms: poor.p95_ms,
      poor_baseline_p95_ms: poor.baseline_p95_ms,
      poor_incomplete: poor.incomplete,
    }),
  );
}

await main();
