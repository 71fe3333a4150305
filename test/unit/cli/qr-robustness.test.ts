/**
 * The decoding strategy (src/core/transfer/decode-strategy.ts, as `qr decode` runs it) against
 * Debian's zbarimg and against the decoder it replaced, on camera-like images made here: qrencode
 * codes at several module sizes, then ImageMagick squeezes their levels, adds sensor noise, blurs,
 * tilts, covers, compresses, inverts, rotates and shrinks them. Every image that zbarimg or the old
 * decoder reads must be read, byte for byte, and nothing may be read wrong. The counts are printed
 * per distortion.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBarcodes } from 'zxing-wasm/reader';
import { decodeQrImage, imageInfo } from '../../../src/node/qr-image.js';
import { toHex, utf8 } from '../../../src/core/util/bytes.js';
import { mulberry32 } from '../../support/prng.js';

const run = promisify(execFile);
const CONVERT = '/usr/bin/convert'; // ImageMagick itself, not a stand-in earlier on PATH
const POOL = 3; // two cores: one spare process keeps both busy while another waits on its pipe
const dir = mkdtempSync(join(tmpdir(), 'kw-qr-robust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const random = mulberry32(14);
/** Content and qrencode module size (pixels): small modules suffer first from blur and shrinking. */
const CONTENTS: readonly { name: string; data: Uint8Array; scale: number }[] = [
  {
    name: 'pem',
    data: utf8(
      '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n',
    ),
    scale: 4,
  },
  { name: 'hex', data: utf8('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'), scale: 6 },
  { name: 'binary', data: Uint8Array.from({ length: 256 }, (_, i) => 255 - i), scale: 8 },
  { name: 'random800', data: Uint8Array.from({ length: 800 }, () => Math.floor(random() * 256)), scale: 10 },
  {
    name: 'text400',
    data: readFileSync(new URL('../../../README.md', import.meta.url)).subarray(0, 400),
    scale: 12,
  },
];

interface Variant {
  readonly name: string;
  readonly ext: 'png' | 'jpg';
  /** ImageMagick arguments for an image of `side` pixels. */
  readonly args: (side: number) => string[];
}

const VARIANTS: readonly Variant[] = [
  { name: 'as made', ext: 'png', args: () => [] },
  { name: 'levels 47-53 %', ext: 'png', args: () => ['+level', '47%,53%'] },
  { name: 'levels 40-60 %', ext: 'png', args: () => ['+level', '40%,60%'] },
  { name: 'Gaussian noise', ext: 'png', args: () => ['-attenuate', '0.6', '+noise', 'Gaussian'] },
  ...[1, 2, 3, 4, 5, 6].map((sigma): Variant => ({
    name: `blur 0x${sigma}`,
    ext: 'png',
    args: () => ['-blur', `0x${sigma}`],
  })),
  {
    name: 'perspective',
    ext: 'png',
    args: (s) => [
      '-virtual-pixel',
      'white',
      '-distort',
      'Perspective',
      `0,0 ${Math.round(s * 0.06)},${Math.round(s * 0.08)}  ${s},0 ${Math.round(s * 0.97)},0  0,${s} 0,${s}  ${s},${s} ${Math.round(s * 0.9)},${Math.round(s * 0.94)}`,
    ],
  },
  {
    name: 'occlusion',
    ext: 'png',
    args: (s) => [
      '-fill',
      'black',
      '-draw',
      `rectangle ${Math.round(s * 0.45)},${Math.round(s * 0.42)} ${Math.round(s * 0.53)},${Math.round(s * 0.6)}`,
    ],
  },
  { name: 'JPEG quality 20', ext: 'jpg', args: () => ['-quality', '20'] },
  { name: 'inverted', ext: 'png', args: () => ['-negate'] },
  { name: 'rotated 23°', ext: 'png', args: () => ['-background', 'white', '-rotate', '23'] },
  { name: 'downscaled 45 %', ext: 'png', args: () => ['-resize', '45%'] },
  {
    name: 'levels 40-60 % + noise',
    ext: 'png',
    args: () => ['+level', '40%,60%', '-attenuate', '0.6', '+noise', 'Gaussian'],
  },
];

interface Case {
  readonly content: (typeof CONTENTS)[number];
  readonly variant: Variant;
  readonly file: string;
  zbar?: string;
}

/** Run `jobs` with at most POOL at a time. */
async function pool<T>(jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i];
      if (job) results[i] = await job();
    }
  };
  await Promise.all(Array.from({ length: POOL }, worker));
  return results;
}

async function zbarimg(file: string): Promise<string> {
  try {
    const { stdout } = await run('zbarimg', ['--quiet', '--nodbus', '--raw', '-Sbinary', file], {
      encoding: 'buffer',
    });
    return toHex(new Uint8Array(stdout));
  } catch {
    return ''; // zbarimg exits 4 when it finds no code
  }
}

/** The decoder this strategy replaced: one zxing-wasm call on the file with every search on. */
async function oldDecoder(bytes: Uint8Array): Promise<string> {
  const results = await readBarcodes(bytes, {
    formats: ['QRCode'],
    tryHarder: true,
    tryRotate: true,
    tryInvert: true,
    tryDownscale: true,
    maxNumberOfSymbols: 8,
  });
  return results
    .filter((r) => r.isValid)
    .map((r) => toHex(Uint8Array.from(r.bytes)))
    .join(',');
}

const cases: Case[] = [];

beforeAll(async () => {
  const bases = await pool(
    CONTENTS.map((content) => async () => {
      const file = join(dir, `${content.name}.png`);
      await new Promise<void>((resolve, reject) => {
        const child = execFile('qrencode', ['-8', '-s', String(content.scale), '-o', file], (e) =>
          e ? reject(e) : resolve(),
        );
        child.stdin?.end(content.data);
      });
      return { content, file, side: imageInfo(new Uint8Array(readFileSync(file))).width };
    }),
  );
  for (const base of bases)
    for (const variant of VARIANTS)
      cases.push({
        content: base.content,
        variant,
        file: join(dir, `${base.content.name}-${variant.name.replace(/\W+/g, '_')}.${variant.ext}`),
      });
  await pool(
    cases.map((c) => async () => {
      const base = bases.find((b) => b.content === c.content);
      if (!base) throw new Error('no base image');
      // A fixed seed: the same noise on every run, so the counts printed can be compared.
      await run(CONVERT, ['-seed', '14', base.file, ...c.variant.args(base.side), c.file]);
      c.zbar = await zbarimg(c.file);
    }),
  );
  // decodeQrImage points zxing-wasm at the package's own .wasm file; the old decoder then shares it.
  await decodeQrImage(new Uint8Array(readFileSync(bases[0]?.file ?? '')));
}, 120_000);

describe('decoding strategy on camera-like images', () => {
  it('reads every image that zbarimg or the old decoder reads, and none wrong', async () => {
    const rows = new Map<string, { zbar: number; old: number; ours: number; total: number }>();
    const missed: string[] = [];
    const wrong: string[] = [];
    let zbarCount = 0;
    let oldCount = 0;
    let oursCount = 0;
    let unionCount = 0;
    for (const c of cases) {
      const want = toHex(c.content.data);
      const bytes = new Uint8Array(readFileSync(c.file));
      const old = await oldDecoder(bytes);
      const ours = (await decodeQrImage(bytes, c.file)).map(toHex);
      const label = `${c.content.name}, ${c.variant.name}`;
      const zbarRead = c.zbar === want;
      const oldRead = old === want;
      const oursRead = ours.length === 1 && ours[0] === want;
      if (ours.length > 0 && !oursRead) wrong.push(label);
      if ((zbarRead || oldRead) && !oursRead) missed.push(label);
      const row = rows.get(c.variant.name) ?? { zbar: 0, old: 0, ours: 0, total: 0 };
      row.total++;
      row.zbar += zbarRead ? 1 : 0;
      row.old += oldRead ? 1 : 0;
      row.ours += oursRead ? 1 : 0;
      rows.set(c.variant.name, row);
      zbarCount += zbarRead ? 1 : 0;
      oldCount += oldRead ? 1 : 0;
      oursCount += oursRead ? 1 : 0;
      unionCount += zbarRead || oldRead ? 1 : 0;
    }
    const lines = [...rows].map(
      ([name, r]) => `  ${name.padEnd(24)} ours ${r.ours}/${r.total}  zbarimg ${r.zbar}  old ${r.old}`,
    );
    console.log(
      [
        `QR robustness, ${cases.length} images: ours ${oursCount}, zbarimg ${zbarCount}, old decoder ${oldCount}, zbarimg or old ${unionCount}`,
        ...lines,
      ].join('\n'),
    );
    expect(wrong).toEqual([]);
    expect(missed).toEqual([]);
    expect(oursCount).toBeGreaterThanOrEqual(unionCount);
  }, 120_000);
});
