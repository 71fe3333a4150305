import { describe, expect, it } from 'vitest';
import { encodeMessage, SINGLE_FRAME_LIMIT } from '../../../../src/core/transfer/encoder.js';
import { parseFrame } from '../../../../src/core/transfer/frame.js';
import { FountainDecoder, fragmentMask } from '../../../../src/core/transfer/fountain.js';
import { displayLoop, gf2Rank } from '../../../../src/core/transfer/schedule.js';
import { crc32 } from '../../../../src/core/transfer/crc32.js';
import { isKeywitnessError } from '../../../../src/core/errors.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { createTestSigner } from '../../../e2e/qr/fixtures/signed-message.js';

const signer = await createTestSigner();

describe('encodeMessage', () => {
  it('sends a message of up to 600 bytes as one frame carrying sid and id prefixes', async () => {
    const wire = await signer.message(SINGLE_FRAME_LIMIT);
    const enc = encodeMessage(wire, { sessionId: signer.sessionId });
    expect(enc.frames).toHaveLength(1);
    expect(toHex(enc.messageId)).toBe(toHex(sha256(wire)));
    const f = parseFrame(enc.frames[0]!);
    expect(f.kind).toBe('single');
    expect(toHex(f.sidPrefix)).toBe(toHex(signer.sessionId.subarray(0, 8)));
    expect(toHex(f.idPrefix)).toBe(toHex(enc.messageId.subarray(0, 8)));
  });

  it.each([601, 3000, 9000, 15500])('splits %d bytes into equal-size fountain frames that reassemble', async (size) => {
    const wire = await signer.message(size);
    const enc = encodeMessage(wire, { sessionId: signer.sessionId });
    expect(enc.frames.length).toBe(enc.seqLen === 1 ? 1 : 2 * enc.seqLen);
    expect(new Set(enc.frames.map((f) => f.length)).size).toBe(1);
    expect(new Set(enc.seqNums).size).toBe(enc.seqNums.length);
    const first = parseFrame(enc.frames[0]!);
    if (first.kind !== 'part') throw new Error('expected a part');
    const decoder = new FountainDecoder({
      seqLen: first.seqLen,
      messageLength: first.messageLength,
      fragmentLength: first.fragment.length,
      checksum: first.checksum,
    });
    for (const frame of enc.frames) {
      const p = parseFrame(frame);
      if (p.kind === 'part') decoder.receive(p.seqNum, p.fragment);
    }
    expect(toHex(decoder.message())).toBe(toHex(wire));
  });

  it('carries the largest message, 16 KiB, in at most 32 fragments', () => {
    const wire = crypto.getRandomValues(new Uint8Array(16384));
    const enc = encodeMessage(wire, { sessionId: signer.sessionId });
    expect(enc.seqLen).toBeLessThanOrEqual(32);
    expect(enc.frames.every((f) => f.length <= 760 + 32)).toBe(true);
  });

  it('is deterministic: the same message gives the same frames', async () => {
    const wire = await signer.message(5000);
    const a = encodeMessage(wire, { sessionId: signer.sessionId });
    const b = encodeMessage(wire, { sessionId: signer.sessionId });
    expect(a.frames.map(toHex)).toEqual(b.frames.map(toHex));
  });

  it.each([
    ['empty message', new Uint8Array(0), { sessionId: new Uint8Array(16) }, 'INPUT_INVALID'],
    ['over 16 KiB', new Uint8Array(16385), { sessionId: new Uint8Array(16) }, 'INPUT_TOO_LARGE'],
    ['short session id', new Uint8Array(10), { sessionId: new Uint8Array(15) }, 'INPUT_INVALID'],
    [
      'needs > 32 fragments',
      new Uint8Array(16000),
      { sessionId: new Uint8Array(16), maxFragmentBytes: 400 },
      'INPUT_TOO_LARGE',
    ],
    [
      'fragment below 64',
      new Uint8Array(1000),
      { sessionId: new Uint8Array(16), maxFragmentBytes: 10 },
      'INPUT_INVALID',
    ],
    [
      'single limit above a QR code',
      new Uint8Array(10),
      { sessionId: new Uint8Array(16), singleFrameLimit: 5000 },
      'INPUT_INVALID',
    ],
  ])('refuses %s', (_n, wire, options, code) => {
    let caught: unknown;
    try {
      encodeMessage(wire, options);
    } catch (e) {
      caught = e;
    }
    expect(isKeywitnessError(caught, code as 'INPUT_INVALID')).toBe(true);
  });
});

describe('display loop', () => {
  it('makes every run of seqLen consecutive frames decodable for small messages', () => {
    for (const seqLen of [2, 3, 4, 5, 6, 8]) {
      const checksum = crc32(new Uint8Array([seqLen]));
      const loop = displayLoop(seqLen, checksum);
      expect(loop).toHaveLength(2 * seqLen);
      const masks = loop.map((s) => fragmentMask(s, seqLen, checksum));
      for (let start = 0; start < loop.length; start++) {
        const window = Array.from({ length: seqLen }, (_, j) => masks[(start + j) % loop.length]!);
        expect(gf2Rank(window), `seqLen ${seqLen} window at ${start}`).toBe(seqLen);
      }
    }
  });

  it('tolerates one missed frame in most runs of seqLen + 1 (4 fragments)', () => {
    const checksum = 0xc0ffee;
    const loop = displayLoop(4, checksum);
    const masks = loop.map((s) => fragmentMask(s, 4, checksum));
    let ok = 0;
    let total = 0;
    for (let start = 0; start < loop.length; start++) {
      const window = Array.from({ length: 5 }, (_, j) => masks[(start + j) % loop.length]!);
      for (let drop = 0; drop < 5; drop++) {
        total++;
        if (gf2Rank(window.filter((_, i) => i !== drop)) === 4) ok++;
      }
    }
    // A loop of only pure parts would manage 2 of 5 per window (dropping an end frame).
    expect(ok / total).toBeGreaterThan(0.6);
  });

  it('stays within its work budget for 32 fragments and returns distinct parts', () => {
    const loop = displayLoop(32, 12345);
    expect(new Set(loop).size).toBe(64);
  });

  it.each([[0], [33], [2.5]])('refuses seqLen %d', (n) => {
    expect(() => displayLoop(n, 1)).toThrow(RangeError);
  });

  it('gf2Rank counts independent masks', () => {
    expect(gf2Rank([0b011, 0b110, 0b101])).toBe(2);
    expect(gf2Rank([1, 2, 4, 8])).toBe(4);
    expect(gf2Rank([0, 0])).toBe(0);
    expect(gf2Rank([1 << 31, (1 << 31) | 1, 1])).toBe(2);
  });
});
