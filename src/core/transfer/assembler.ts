/**
 * Reassembles Keywitness messages from scanned QR frames and releases one only after the caller's
 * signature check accepts it; CRCs are never trusted (docs/qr-format.md, "Receiving").
 *
 * Assemblies are keyed by (session id prefix, message id prefix) from the frame header, so parts of
 * two messages shown at once, or of another session, never mix. Memory is bounded before anything
 * is allocated: a frame's claimed sizes are checked by the parser (≤ 32 fragments, ≤ 16 KiB), each
 * assembly holds at most `seqLen` rows of one fragment each, and at most `maxAssemblies` run at once
 * (the one touched least recently is dropped for a newcomer). Anything that is not a Keywitness
 * frame comes back as `plain` for the caller to treat as evidence text.
 */
import { isKeywitnessError, type ErrorCode } from '../errors.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';
import { crc32 } from './crc32.js';
import { hasFrameMagic, ID_PREFIX_BYTES, parseFrame, SID_PREFIX_BYTES, type PartFrame } from './frame.js';
import { FountainDecoder } from './fountain.js';

/** The protocol's signature check: true to accept, false or a reason to refuse. */
export type VerifyFn = (wire: Uint8Array) => Promise<boolean | string>;

export interface AssemblerOptions {
  readonly verify: VerifyFn;
  /** When set, frames of any other session are refused. */
  readonly sessionId?: Uint8Array;
  /** Concurrent assemblies (1..16, default 4). */
  readonly maxAssemblies?: number;
}

/** What one scanned frame did. `key` is hex(session prefix) + ':' + hex(message id prefix). */
export type ScanEvent =
  | { readonly kind: 'plain'; readonly bytes: Uint8Array; readonly text: string | undefined }
  | {
      readonly kind: 'progress';
      readonly key: string;
      readonly received: number;
      readonly needed: number;
      readonly fresh: boolean;
      readonly evicted?: string;
    }
  | { readonly kind: 'verifying'; readonly key: string }
  | { readonly kind: 'message'; readonly key: string; readonly wire: Uint8Array; readonly messageId: Uint8Array }
  | { readonly kind: 'duplicate'; readonly key: string }
  | { readonly kind: 'refused'; readonly code: ErrorCode; readonly reason: string; readonly key?: string };

interface Assembly {
  readonly decoder: FountainDecoder;
  touched: number;
}

const REMEMBERED = 64;

/** Bounded insertion-ordered set: remembers the last REMEMBERED keys. */
class RecentSet<V> {
  private readonly map = new Map<string, V>();
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > REMEMBERED) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Stateful reassembler for one scanner. Not shared between screens. */
export class Assembler {
  private readonly verify: VerifyFn;
  private sidPrefix: Uint8Array | undefined;
  private readonly maxAssemblies: number;
  private readonly assemblies = new Map<string, Assembly>();
  private readonly verifying = new Set<string>();
  private readonly delivered = new RecentSet<true>();
  /** Refusals by full message id, so a re-scanned bad message is not re-verified. */
  private readonly rejected = new RecentSet<string>();
  private clock = 0;

  constructor(options: AssemblerOptions) {
    if (typeof options?.verify !== 'function') throw new TypeError('Assembler needs a verify callback');
    const max = options.maxAssemblies ?? 4;
    if (!Number.isInteger(max) || max < 1 || max > 16) throw new RangeError('maxAssemblies must be 1..16');
    this.verify = options.verify;
    this.maxAssemblies = max;
    if (options.sessionId !== undefined) this.expectSession(options.sessionId);
  }

  /** From now on refuse frames of any session but this one (16-byte `sid`). */
  expectSession(sessionId: Uint8Array): void {
    if (!(sessionId instanceof Uint8Array) || sessionId.length !== 16)
      throw new RangeError('session id must be 16 bytes');
    this.sidPrefix = sessionId.slice(0, SID_PREFIX_BYTES);
  }

  /** Assemblies in progress (for a "parts received" display). */
  progress(): { key: string; received: number; needed: number }[] {
    return [...this.assemblies].map(([key, a]) => ({ key, received: a.decoder.rank, needed: a.decoder.params.seqLen }));
  }

  /** Handle the raw bytes of one decoded QR code. Never throws for bad input. */
  async accept(bytes: Uint8Array): Promise<ScanEvent> {
    if (!hasFrameMagic(bytes)) {
      let text: string | undefined;
      try {
        text = textDecoder.decode(bytes);
      } catch {
        text = undefined;
      }
      return { kind: 'plain', bytes, text };
    }
    let frame;
    try {
      frame = parseFrame(bytes);
    } catch (e) {
      if (isKeywitnessError(e)) return { kind: 'refused', code: e.code, reason: e.message };
      throw e;
    }
    const key = `${toHex(frame.sidPrefix)}:${toHex(frame.idPrefix)}`;
    if (this.sidPrefix && !equalBytes(frame.sidPrefix, this.sidPrefix)) {
      return {
        kind: 'refused',
        code: 'TRANSFER_REFUSED',
        key,
        reason: `frame belongs to session ${toHex(frame.sidPrefix)}…, not this session ${toHex(this.sidPrefix)}…`,
      };
    }
    if (this.delivered.get(key)) return { kind: 'duplicate', key };
    if (this.verifying.has(key)) return { kind: 'verifying', key };
    if (frame.kind === 'single') return this.release(key, frame.idPrefix, frame.message);
    return this.addPart(key, frame);
  }

  private async addPart(key: string, part: PartFrame): Promise<ScanEvent> {
    let assembly = this.assemblies.get(key);
    let evicted: string | undefined;
    if (assembly) {
      const p = assembly.decoder.params;
      if (
        p.seqLen !== part.seqLen ||
        p.messageLength !== part.messageLength ||
        p.checksum !== part.checksum ||
        p.fragmentLength !== part.fragment.length
      ) {
        return {
          kind: 'refused',
          code: 'TRANSFER_REFUSED',
          key,
          reason: 'part does not match the earlier parts of this message (interleaved or forged stream); ignored',
        };
      }
    } else {
      if (this.assemblies.size >= this.maxAssemblies) evicted = this.evictOldest();
      assembly = {
        decoder: new FountainDecoder({
          seqLen: part.seqLen,
          messageLength: part.messageLength,
          fragmentLength: part.fragment.length,
          checksum: part.checksum,
        }),
        touched: 0,
      };
      this.assemblies.set(key, assembly);
    }
    assembly.touched = ++this.clock;
    const outcome = assembly.decoder.receive(part.seqNum, part.fragment);
    if (!assembly.decoder.complete) {
      return {
        kind: 'progress',
        key,
        received: assembly.decoder.rank,
        needed: part.seqLen,
        fresh: outcome === 'new',
        ...(evicted ? { evicted } : {}),
      };
    }
    this.assemblies.delete(key);
    const message = assembly.decoder.message();
    if (crc32(message) !== part.checksum) {
      return {
        kind: 'refused',
        code: 'TRANSFER_REFUSED',
        key,
        reason: 'reassembled message fails its CRC-32 (corrupt or forged parts); starting over',
      };
    }
    return this.release(key, part.idPrefix, message);
  }

  private evictOldest(): string | undefined {
    let oldest: string | undefined;
    let at = Infinity;
    for (const [k, a] of this.assemblies) {
      if (a.touched < at) {
        at = a.touched;
        oldest = k;
      }
    }
    if (oldest !== undefined) this.assemblies.delete(oldest);
    return oldest;
  }

  /** Digest check, then the caller's signature check; only then is the message released. */
  private async release(key: string, idPrefix: Uint8Array, wire: Uint8Array): Promise<ScanEvent> {
    const messageId = sha256(wire);
    if (!equalBytes(messageId.subarray(0, ID_PREFIX_BYTES), idPrefix)) {
      return {
        kind: 'refused',
        code: 'TRANSFER_REFUSED',
        key,
        reason: 'message bytes do not match the message id in the frame header (corrupt or forged)',
      };
    }
    const idHex = toHex(messageId);
    const earlier = this.rejected.get(idHex);
    if (earlier !== undefined) return { kind: 'refused', code: 'SIGNATURE_INVALID', key, reason: earlier };
    this.verifying.add(key);
    let verdict: boolean | string;
    try {
      verdict = await this.verify(Uint8Array.from(wire));
    } catch (e) {
      verdict = e instanceof Error ? e.message : String(e);
    } finally {
      this.verifying.delete(key);
    }
    if (verdict === true) {
      this.delivered.set(key, true);
      return { kind: 'message', key, wire: Uint8Array.from(wire), messageId };
    }
    const reason = `message refused: ${typeof verdict === 'string' && verdict.length > 0 ? verdict : 'signature check failed'}`;
    this.rejected.set(idHex, reason);
    return { kind: 'refused', code: 'SIGNATURE_INVALID', key, reason };
  }
}
