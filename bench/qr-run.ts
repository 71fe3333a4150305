/**
 * `npm run bench:qr` (docs/qr-format.md, "Why not BC-UR text"; issue 4): time until a 3,000-byte
 * signed message is reassembled and verified, from ≥ 50 random join points, in Debian Chromium with
 * its fake camera at 640 × 480, for the Keywitness stream (raw-byte fountain frames, pre-computed
 * display loop) and for the baseline stream as wallets ship it (BC-UR text parts of 400 bytes at 10
 * frames/s made with @ngraveio/bc-ur), both through the same scanner and decoder; with both
 * decoders. The last line printed is one JSON object for the default decoder.
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
const DECODERS = [
  { name: 'zxing', budgetMs: 250 },
  { name: 'jsqr', budgetMs: 1500 },
] as const;

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
  const ourVideo = join(dir, 'keywitness.y4m');
  writeQrVideo(
    ourVideo,
    ours.frames.map((f) => frameMatrix(f, version)),
    { ...CAMERA, loops: 4 },
  );

  // Baseline: what a wallet shows — a UR of type "bytes", 400-byte fragments, parts 1, 2, 3, …,
  // upper-cased so the QR code uses alphanumeric mode; 60 parts (6 s) before the video loops.
  const encoder = new UREncoder(UR.fromBuffer(Buffer.from(wire)), 400, 0, 10);
  const parts = Array.from({ length: 60 }, () => encoder.nextPart().toUpperCase());
  const baseMatrices: QrMatrix[] = parts.map((p) => textMatrix(p, 'L'));
  const baseVideo = join(dir, 'bc-ur-text.y4m');
  writeQrVideo(baseVideo, baseMatrices, CAMERA);
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

  const pages = await servePages();
  const results = new Map<string, BenchResult>();
  try {
    for (const d of DECODERS) {
      for (const stream of ['keywitness', 'bc-ur-text'] as const) {
        const browser = await launchWithCamera(stream === 'keywitness' ? ourVideo : baseVideo);
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
            decoder: d.name,
            budgetMs: d.budgetMs,
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
          results.set(`${d.name}/${stream}`, r);
          const t = [...r.times].sort((a, b) => a - b);
          const dm = [...r.decodeMs].sort((a, b) => a - b);
          const rm = [...r.readMs].sort((a, b) => a - b);
          console.log(
            `${d.name.padEnd(5)} ${stream.padEnd(10)} joins ${r.times.length}/${JOINS} complete, p50 ${round(quantile(t, 0.5))} ms, p95 ${round(quantile(t, 0.95))} ms, max ${round(t.at(-1) ?? NaN)} ms; ` +
              `decode median ${round(quantile(dm, 0.5))} ms (+ ${round(quantile(rm, 0.5))} ms pixel readback) over ${r.framesDecoded} frames (${r.framesWithCode} with a code), overruns ${r.overruns}, wrong ${r.wrong}`,
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

  const summary = (name: string) => {
    const ourRun = results.get(`${name}/keywitness`)!;
    const baseRun = results.get(`${name}/bc-ur-text`)!;
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
  const jsqr = summary('jsqr');
  console.log(`jsqr: ${JSON.stringify({ decoder: 'jsqr', ...jsqr })}`);
  const zx = summary('zxing');
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
      wrong: zx.wrong,
      incomplete: zx.incomplete,
    }),
  );
}

await main();
