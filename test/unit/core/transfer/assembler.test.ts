import { describe, expect, it } from 'vitest';
import { Assembler, type ScanEvent } from '../../../../src/core/transfer/assembler.js';
import { encodeMessage } from '../../../../src/core/transfer/encoder.js';
import { encodePartFrame, encodeSingleFrame, parseFrame } from '../../../../src/core/transfer/frame.js';
import { fromHex, toHex, utf8 } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { Xoshiro256 } from '../../../../src/core/transfer/xoshiro.js';
import { createTestSigner } from '../../../e2e/qr/fixtures/signed-message.js';

const alice = await createTestSigner();
const mallory = await createTestSigner();

async function feed(asm: Assembler, frames: readonly Uint8Array[]): Promise<ScanEvent[]> {
  const out: ScanEvent[] = [];
  for (const f of frames) out.push(await asm.accept(f));
  return out;
}

function messages(events: ScanEvent[]): ScanEvent[] {
  return events.filter((e) => e.kind === 'message');
}

describe('Assembler releases verified messages', () => {
  it('single frame: verified message released with its id', async () => {
    const wire = await alice.message(400);
    const asm = new Assembler({ verify: alice.verify, sessionId: alice.sessionId });
    const [e] = await feed(asm, encodeMessage(wire, { sessionId: alice.sessionId }).frames);
    expect(e).toMatchObject({ kind: 'message' });
    if (e?.kind !== 'message') return;
    expect(toHex(e.wire)).toBe(toHex(wire));
    expect(toHex(e.messageId)).toBe(toHex(sha256(wire)));
  });

  it('multi-part: joins mid-loop, 20 % frames lost, each frame seen three times', async () => {
    const wire = await alice.message(3000);
    const { frames } = encodeMessage(wire, { sessionId: alice.sessionId });
    const rng = new Xoshiro256(utf8('drops'));
    for (let join = 0; join < frames.length; join++) {
      const asm = new Assembler({ verify: alice.verify });
      let released: ScanEvent | undefined;
      for (let i = 0; i < 200 && !released; i++) {
        if (rng.nextDouble() < 0.2) continue;
        const e = await asm.accept(frames[(join + Math.floor(i / 3)) % frames.length]!);
        expect(e.kind).toMatch(/progress|message/);
        if (e.kind === 'message') released = e;
      }
      expect(released?.kind === 'message' && toHex(released.wire)).toBe(toHex(wire));
    }
  });

  it('re-scans after release are reported as duplicates, not released twice', async () => {
    const wire = await alice.message(2000);
    const { frames } = encodeMessage(wire, { sessionId: alice.sessionId });
    const asm = new Assembler({ verify: alice.verify });
    const events = await feed(asm, [...frames, ...frames]);
    expect(messages(events)).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ kind: 'duplicate' });
  });

  it('two interleaved streams are kept apart and both released', async () => {
    const a = encodeMessage(await alice.message(2500), { sessionId: alice.sessionId }).frames;
    const b = encodeMessage(await alice.message(4000), { sessionId: alice.sessionId }).frames;
    const mixed: Uint8Array[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) mixed.push(a[i % a.length]!, b[i % b.length]!);
    const events = await feed(new Assembler({ verify: alice.verify }), mixed);
    expect(messages(events)).toHaveLength(2);
  });

  it('reports progress as independent parts received out of needed', async () => {
    const { frames } = encodeMessage(await alice.message(3000), { sessionId: alice.sessionId });
    const asm = new Assembler({ verify: alice.verify });
    const e = await asm.accept(frames[0]!);
    expect(e).toMatchObject({ kind: 'progress', received: 1, needed: 4, fresh: true });
    expect(asm.progress()).toEqual([{ key: (e as { key: string }).key, received: 1, needed: 4 }]);
    expect(await asm.accept(frames[0]!)).toMatchObject({ kind: 'progress', received: 1, fresh: false });
  });
});

describe('Assembler refuses hostile and foreign input', () => {
  it('a message whose signature does not verify is refused, and stays refused on re-scan', async () => {
    const forged = await mallory.message(3000);
    const { frames } = encodeMessage(forged, { sessionId: alice.sessionId });
    let calls = 0;
    const asm = new Assembler({
      verify: async (w) => {
        calls++;
        return alice.verify(w);
      },
    });
    const events = await feed(asm, [...frames, ...frames]);
    expect(messages(events)).toHaveLength(0);
    const refusals = events.filter((e) => e.kind === 'refused');
    expect(refusals[0]).toMatchObject({ code: 'SIGNATURE_INVALID', reason: 'message refused: bad signature' });
    expect(calls).toBe(1);
  });

  it('a flipped bit in one fragment never releases a message', async () => {
    const wire = await alice.message(3000);
    const frames = encodeMessage(wire, { sessionId: alice.sessionId }).frames.map((f) => Uint8Array.from(f));
    frames[1]![100]! ^= 1;
    const events = await feed(new Assembler({ verify: alice.verify }), frames.slice(0, 4));
    expect(messages(events)).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ kind: 'refused', code: 'TRANSFER_REFUSED' });
    expect((events.at(-1) as { reason: string }).reason).toContain('CRC-32');
  });

  it('a single frame whose bytes do not match its id prefix is refused', async () => {
    const wire = await alice.message(300);
    const frame = encodeSingleFrame(alice.sessionId.subarray(0, 8), new Uint8Array(8), wire);
    const e = await new Assembler({ verify: alice.verify }).accept(frame);
    expect(e).toMatchObject({ kind: 'refused', code: 'TRANSFER_REFUSED' });
    expect((e as { reason: string }).reason).toContain('do not match the message id');
  });

  it('frames of another session are refused when the session is known', async () => {
    const other = await createTestSigner();
    const { frames } = encodeMessage(await other.message(300), { sessionId: other.sessionId });
    const e = await new Assembler({ verify: other.verify, sessionId: alice.sessionId }).accept(frames[0]!);
    expect(e).toMatchObject({ kind: 'refused', code: 'TRANSFER_REFUSED' });
    expect((e as { reason: string }).reason).toContain('not this session');
  });

  it('a part that disagrees with earlier parts of the same message is refused', async () => {
    const { frames } = encodeMessage(await alice.message(3000), { sessionId: alice.sessionId });
    const first = parseFrame(frames[0]!);
    if (first.kind !== 'part') throw new Error('expected part');
    const liar = encodePartFrame(first.sidPrefix, first.idPrefix, {
      seqNum: 2,
      seqLen: first.seqLen,
      messageLength: first.messageLength,
      checksum: (first.checksum + 1) >>> 0,
      fragment: first.fragment,
    });
    const asm = new Assembler({ verify: alice.verify });
    await asm.accept(frames[0]!);
    const e = await asm.accept(liar);
    expect(e).toMatchObject({ kind: 'refused', code: 'TRANSFER_REFUSED' });
    expect((e as { reason: string }).reason).toContain('interleaved or forged');
  });

  it.each([
    [
      'huge part count',
      'ff4b0102' + '11'.repeat(16) + '00000001' + 'ffff' + '0100' + '00000000' + 'aa'.repeat(8),
      'claims 65535 fragments',
    ],
    [
      'huge length',
      'ff4b0102' + '11'.repeat(16) + '00000001' + '0002' + 'ffff' + '00000000' + 'aa'.repeat(8),
      'claims 65535 bytes',
    ],
    ['unknown version', 'ff4b0901' + '11'.repeat(20), 'version 9'],
    ['truncated', 'ff4b01', 'shorter than'],
  ])('%s is refused with a status, not an exception', async (_n, hex, reason) => {
    const e = await new Assembler({ verify: alice.verify }).accept(fromHex(hex));
    expect(e).toMatchObject({ kind: 'refused', code: 'TRANSFER_INVALID' });
    expect((e as { reason: string }).reason).toContain(reason);
  });

  it('a verifier that throws is a refusal, not a crash', async () => {
    const { frames } = encodeMessage(await alice.message(300), { sessionId: alice.sessionId });
    const asm = new Assembler({
      verify: () => {
        throw new Error('verifier exploded');
      },
    });
    expect(await asm.accept(frames[0]!)).toMatchObject({
      kind: 'refused',
      reason: 'message refused: verifier exploded',
    });
  });

  it('keeps at most maxAssemblies in flight, dropping the least recently touched', async () => {
    const asm = new Assembler({ verify: alice.verify, maxAssemblies: 2 });
    const streams = await Promise.all(
      [2000, 2100, 2200].map(async (n) => encodeMessage(await alice.message(n), { sessionId: alice.sessionId }).frames),
    );
    await asm.accept(streams[0]![0]!);
    await asm.accept(streams[1]![0]!);
    const e = await asm.accept(streams[2]![0]!);
    expect(e.kind).toBe('progress');
    expect(asm.progress()).toHaveLength(2);
    expect((e as { evicted?: string }).evicted).toBe(
      `${toHex(alice.sessionId.subarray(0, 8))}:${toHex(parseFrame(streams[0]![0]!).idPrefix)}`,
    );
  });

  it.each([[0], [17], [1.5]])('refuses maxAssemblies %d', (n) => {
    expect(() => new Assembler({ verify: alice.verify, maxAssemblies: n })).toThrow(RangeError);
  });
});

describe('plain QR codes', () => {
  it.each([
    ['PEM', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'],
    ['hex hash', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['BC-UR text', 'UR:BYTES/1-8/LPADAYCS'],
  ])('%s comes back as plain text', async (_n, text) => {
    const e = await new Assembler({ verify: alice.verify }).accept(utf8(text));
    expect(e).toEqual({ kind: 'plain', bytes: utf8(text), text });
  });

  it('binary that is not a frame comes back as plain without text', async () => {
    const e = await new Assembler({ verify: alice.verify }).accept(fromHex('00ff10c3'));
    expect(e).toMatchObject({ kind: 'plain', text: undefined });
  });
});
