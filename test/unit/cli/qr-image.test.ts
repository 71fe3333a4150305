/**
 * Node QR images against independent tools (Debian qrencode, zbar-tools, imagemagick): our frames
 * must decode byte-exactly with zbarimg; qrencode's codes, also rotated, blurred, noisy and
 * JPEG-compressed by ImageMagick, must decode with ours.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { decodeQrImage, imageInfo, renderFramePng, renderFramesPng } from '../../../src/node/qr-image.js';
import { encodeMessage } from '../../../src/core/transfer/encoder.js';
import { BYTE_CAPACITY_L, qrModules, qrVersionFor } from '../../../src/core/transfer/qr-symbol.js';
import { isKeywitnessError } from '../../../src/core/errors.js';
import { toHex, utf8 } from '../../../src/core/util/bytes.js';
import { createTestSigner } from '../../e2e/qr/fixtures/signed-message.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-qr-image-'));
const CONVERT = '/usr/bin/convert'; // ImageMagick itself, not a stand-in earlier on PATH
const signer = await createTestSigner();

function zbar(file: string): Uint8Array {
  return new Uint8Array(execFileSync('zbarimg', ['--quiet', '--nodbus', '--raw', '-Sbinary', file]));
}

function qrencode(data: Uint8Array, file: string, extra: string[] = []): void {
  execFileSync('qrencode', ['-8', '-o', file, ...extra], { input: data });
}

describe('zxing-wasm runs from the local file', () => {
  it('decodes without any fetch (the package default would load the .wasm from a CDN)', async () => {
    const calls: string[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = (input: unknown) => {
      calls.push(String(input));
      return Promise.reject(new Error('network refused in test'));
    };
    try {
      const png = await renderFramePng(utf8('first decode in this process'), 2, 4);
      expect((await decodeQrImage(png)).map(toHex)).toEqual([toHex(utf8('first decode in this process'))]);
    } finally {
      globalThis.fetch = original;
    }
    expect(calls).toEqual([]);
  });
});

describe('our frames decode byte-exactly with zbarimg', () => {
  it.each([300, 600, 3000, 12000])('%d-byte message: every frame', async (size) => {
    const wire = await signer.message(size);
    const { frames } = encodeMessage(wire, { sessionId: signer.sessionId });
    const { version, pngs } = await renderFramesPng(frames, 4);
    expect(version).toBe(qrVersionFor(frames[0]!.length));
    for (let i = 0; i < frames.length; i++) {
      const file = join(dir, `ours-${size}-${i}.png`);
      writeFileSync(file, pngs[i]!);
      expect(toHex(zbar(file))).toBe(toHex(frames[i]!));
      expect((await decodeQrImage(pngs[i]!)).map(toHex)).toEqual([toHex(frames[i]!)]);
    }
  });

  it('renders every frame of a message at the same size, with a 4-module quiet zone', async () => {
    const { frames } = encodeMessage(await signer.message(5000), { sessionId: signer.sessionId });
    const { version, pngs } = await renderFramesPng(frames, 3);
    const sizes = pngs.map((png) => imageInfo(png));
    for (const s of sizes)
      expect(s).toEqual({ format: 'png', width: (qrModules(version) + 8) * 3, height: (qrModules(version) + 8) * 3 });
  });
});

describe('qrencode codes decode with ours', () => {
  const PEM = readFileSync(new URL('../../../package.json', import.meta.url)).subarray(0, 200);
  const contents: [string, Uint8Array][] = [
    [
      'PEM-like text',
      utf8(
        `-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n`,
      ),
    ],
    ['hex hash', utf8('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')],
    ['binary', Uint8Array.from({ length: 256 }, (_, i) => 255 - i)],
    ['project file text', PEM],
  ];
  const variants: [string, string[], string][] = [
    ['as made', [], 'png'],
    ['rotated 17°', ['-background', 'white', '-rotate', '17'], 'png'],
    ['blurred', ['-blur', '0x1.2'], 'png'],
    ['noisy', ['-attenuate', '0.6', '+noise', 'Gaussian'], 'png'],
    ['JPEG quality 35', ['-quality', '35'], 'jpg'],
    [
      'all at once',
      [
        '-background',
        'white',
        '-rotate',
        '-8',
        '-blur',
        '0x0.8',
        '-attenuate',
        '0.4',
        '+noise',
        'Gaussian',
        '-quality',
        '50',
      ],
      'jpg',
    ],
  ];
  for (const [name, data] of contents) {
    it.each(variants)(`${name}, %s`, async (variant, args, ext) => {
      const base = join(dir, `qrencode-${name.replace(/\W/g, '')}.png`);
      qrencode(data, base, ['-s', '6']);
      const file = join(dir, `qrencode-${name.replace(/\W/g, '')}-${variant.replace(/\W/g, '')}.${ext}`);
      execFileSync(CONVERT, [base, ...args, file]);
      const decoded = await decodeQrImage(new Uint8Array(readFileSync(file)), file);
      expect(decoded.map(toHex)).toEqual([toHex(data)]);
    });
  }

  it('finds nothing, quickly and without error, in pure noise', async () => {
    const file = join(dir, 'noise.png');
    execFileSync(CONVERT, ['-size', '640x480', 'xc:gray', '+noise', 'Random', file]);
    expect(await decodeQrImage(new Uint8Array(readFileSync(file)))).toEqual([]);
  });
});

describe('QR version table', () => {
  it('matches the qrcode library: each capacity fits its version and one byte more does not', () => {
    BYTE_CAPACITY_L.forEach((cap, i) => {
      const version = i + 1;
      expect(
        QRCode.create([{ data: Buffer.alloc(cap, 0xa5), mode: 'byte' }], { errorCorrectionLevel: 'L', version })
          .version,
      ).toBe(version);
      expect(() =>
        QRCode.create([{ data: Buffer.alloc(cap + 1, 0xa5), mode: 'byte' }], { errorCorrectionLevel: 'L', version }),
      ).toThrow();
      expect(qrVersionFor(cap)).toBe(version);
    });
  });

  it.each([[0], [2954], [1.5]])('qrVersionFor refuses %d bytes', (n) => {
    expect(() => qrVersionFor(n)).toThrow(RangeError);
  });
});

describe('image checks before decoding', () => {
  function png(width: number, height: number): Uint8Array {
    const b = new Uint8Array(33);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    const v = new DataView(b.buffer);
    v.setUint32(16, width);
    v.setUint32(20, height);
    return b;
  }
  const cases: [string, Uint8Array, string, string][] = [
    ['empty file', new Uint8Array(0), 'INPUT_INVALID', 'not a PNG or JPEG'],
    ['GIF', utf8('GIF89a\x01\x00\x01\x00'), 'INPUT_INVALID', 'not a PNG or JPEG'],
    ['text', utf8('-----BEGIN CERTIFICATE-----'), 'INPUT_INVALID', 'not a PNG or JPEG'],
    ['PNG bomb 100000 × 100000', png(100000, 100000), 'INPUT_TOO_LARGE', '100000 × 100000'],
    ['PNG 8000 × 8000 (64 MP)', png(8000, 8000), 'INPUT_TOO_LARGE', 'pixels'],
    ['PNG zero width', png(0, 10), 'INPUT_INVALID', 'no pixels'],
    [
      'PNG without IHDR',
      (() => {
        const b = png(10, 10);
        b[12] = 0x58;
        return b;
      })(),
      'INPUT_INVALID',
      'IHDR',
    ],
    [
      'JPEG without frame header',
      Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, ...new Array(14).fill(0), 0xff, 0xd9]),
      'INPUT_INVALID',
      'start-of-frame',
    ],
    [
      'JPEG bomb',
      Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0xff, 0xff, 0xff, 0xff, 3, 0, 0, 0, 0]),
      'INPUT_TOO_LARGE',
      '65535 × 65535',
    ],
    ['oversized file', new Uint8Array(32 * 1024 * 1024 + 1), 'INPUT_TOO_LARGE', 'bytes; at most'],
  ];
  it.each(cases)('%s is refused', async (_n, bytes, code, text) => {
    let caught: unknown;
    try {
      await decodeQrImage(bytes, 'test.img');
    } catch (e) {
      caught = e;
    }
    expect(isKeywitnessError(caught)).toBe(true);
    if (!isKeywitnessError(caught)) return;
    expect(caught.code).toBe(code);
    expect(caught.message).toContain(text);
    expect(caught.where).toBe('test.img');
  });

  it('a corrupt PNG body with a sane header is an error, not a crash', async () => {
    const good = await renderFramePng(utf8('hello'), 1, 4);
    const bad = Uint8Array.from(good.subarray(0, 60));
    let caught: unknown;
    try {
      const r = await decodeQrImage(bad);
      caught = r.length === 0 ? 'empty' : r;
    } catch (e) {
      caught = e;
    }
    expect(caught === 'empty' || isKeywitnessError(caught, 'INPUT_INVALID')).toBe(true);
  });

  it.each([[0], [33]])('renderFramePng refuses scale %d', async (scale) => {
    await expect(renderFramePng(utf8('x'), 1, scale)).rejects.toThrow('scale');
  });
});
