import { describe, expect, it } from 'vitest';
import {
  encodePartFrame,
  encodeSingleFrame,
  hasFrameMagic,
  MAX_FRAME_BYTES,
  parseFrame,
} from '../../../../src/core/transfer/frame.js';
import { isKeywitnessError } from '../../../../src/core/errors.js';
import { fromHex, toHex, utf8 } from '../../../../src/core/util/bytes.js';

const SID = fromHex('0102030405060708');
const ID = fromHex('a1a2a3a4a5a6a7a8');

function part(
  over: Partial<{ seqNum: number; seqLen: number; messageLength: number; checksum: number; fragment: Uint8Array }> = {},
): Uint8Array {
  return encodePartFrame(SID, ID, {
    seqNum: 5,
    seqLen: 4,
    messageLength: 300,
    checksum: 0xdeadbeef,
    fragment: new Uint8Array(75).fill(7),
    ...over,
  });
}

/** Overwrite bytes of a valid frame. */
function patch(frame: Uint8Array, offset: number, hex: string): Uint8Array {
  const copy = Uint8Array.from(frame);
  copy.set(fromHex(hex), offset);
  return copy;
}

describe('frame round trip', () => {
  it('single frame: layout is magic, version, kind, prefixes, message', () => {
    const f = encodeSingleFrame(SID, ID, utf8('hello'));
    expect(toHex(f)).toBe(`ff4b0101${toHex(SID)}${toHex(ID)}${toHex(utf8('hello'))}`);
    const parsed = parseFrame(f);
    expect(parsed.kind).toBe('single');
    if (parsed.kind !== 'single') return;
    expect(toHex(parsed.message)).toBe(toHex(utf8('hello')));
    expect(toHex(parsed.sidPrefix)).toBe(toHex(SID));
    expect(toHex(parsed.idPrefix)).toBe(toHex(ID));
  });

  it('part frame: fields big-endian at fixed offsets', () => {
    const f = part();
    expect(toHex(f.subarray(0, 32))).toBe(`ff4b0102${toHex(SID)}${toHex(ID)}00000005` + '0004' + '012c' + 'deadbeef');
    const p = parseFrame(f);
    expect(p).toMatchObject({ kind: 'part', seqNum: 5, seqLen: 4, messageLength: 300, checksum: 0xdeadbeef });
    if (p.kind === 'part') expect(p.fragment.length).toBe(75);
  });

  it('hasFrameMagic separates frames from text, PEM and hex QR content', () => {
    expect(hasFrameMagic(part())).toBe(true);
    for (const plain of [
      '-----BEGIN CERTIFICATE-----',
      'e3b0c44298fc1c149afbf4c8996fb924',
      'UR:BYTES/1-8/LPAD',
      'K',
      '',
    ]) {
      expect(hasFrameMagic(utf8(plain))).toBe(false);
    }
  });
});

describe('frame parser refuses malformed frames with the field named', () => {
  const single = encodeSingleFrame(SID, ID, utf8('x'));
  const cases: [string, Uint8Array, string, string][] = [
    ['no magic', utf8('hello world, this is text'), 'TRANSFER_INVALID', 'byte 0'],
    ['magic only', fromHex('ff4b'), 'TRANSFER_INVALID', 'shorter than the 20-byte header'],
    ['truncated header', single.subarray(0, 19), 'TRANSFER_INVALID', 'shorter'],
    ['future version', patch(single, 2, '02'), 'TRANSFER_INVALID', 'version 2 is not supported'],
    ['version 0', patch(single, 2, '00'), 'TRANSFER_INVALID', 'byte 2 (version)'],
    ['unknown kind', patch(single, 3, '07'), 'TRANSFER_INVALID', 'unknown frame kind 7'],
    ['empty single', single.subarray(0, 20), 'TRANSFER_INVALID', 'no message bytes'],
    ['part without fragment', part().subarray(0, 32), 'TRANSFER_INVALID', 'needs the 32-byte header and a fragment'],
    ['part number 0', patch(part(), 20, '00000000'), 'TRANSFER_INVALID', 'seqNum'],
    ['zero fragments', patch(part(), 24, '0000'), 'TRANSFER_INVALID', 'claims 0 fragments'],
    ['huge part count', patch(part(), 24, 'ffff'), 'TRANSFER_INVALID', 'claims 65535 fragments; at most 32'],
    ['33 parts', patch(part(), 24, '0021'), 'TRANSFER_INVALID', 'claims 33 fragments'],
    ['zero length', patch(part(), 26, '0000'), 'TRANSFER_INVALID', 'claims 0 bytes'],
    ['huge length', patch(part(), 26, 'ffff'), 'TRANSFER_INVALID', 'claims 65535 bytes'],
    [
      'length off by a fragment',
      patch(part(), 26, '0190'),
      'TRANSFER_INVALID',
      'cannot split a 400-byte message into 4',
    ],
    [
      'fragment longer than message',
      part({ seqLen: 1, messageLength: 50, fragment: new Uint8Array(75) }),
      'TRANSFER_INVALID',
      'cannot split',
    ],
    ['oversized frame', new Uint8Array(MAX_FRAME_BYTES + 1).fill(0xff), 'INPUT_TOO_LARGE', 'no QR code holds more'],
  ];
  it.each(cases)('%s', (_name, bytes, code, text) => {
    let caught: unknown;
    try {
      parseFrame(bytes);
    } catch (e) {
      caught = e;
    }
    expect(isKeywitnessError(caught)).toBe(true);
    if (!isKeywitnessError(caught)) return;
    expect(caught.code).toBe(code);
    expect(caught.message).toContain(text);
    expect(caught.where).toMatch(/frame/);
  });

  it('refuses non-bytes input with INPUT_INVALID', () => {
    expect(() => parseFrame('ff4b' as unknown as Uint8Array)).toThrow('frame must be bytes');
  });
});

describe('frame writers check their inputs', () => {
  it.each([
    ['short session prefix', () => encodeSingleFrame(SID.subarray(1), ID, utf8('x')), 'session id prefix'],
    ['short id prefix', () => encodeSingleFrame(SID, ID.subarray(1), utf8('x')), 'message id prefix'],
    ['empty message', () => encodeSingleFrame(SID, ID, new Uint8Array(0)), 'empty'],
    ['message over one QR code', () => encodeSingleFrame(SID, ID, new Uint8Array(MAX_FRAME_BYTES)), 'too large'],
    ['part over one QR code', () => part({ fragment: new Uint8Array(MAX_FRAME_BYTES) }), 'too large'],
  ])('%s', (_n, fn, text) => {
    expect(fn).toThrow(text);
  });
});
