/**
 * Receiver for the baseline stream of the QR benchmark: BC-UR multipart text parts as wallets show
 * them ("UR:BYTES/12-8/LPAD…", Bytewords minimal, BCR-2020-005 §"Multi-part URs"), decoded here into
 * the same fountain decoder the Keywitness stream uses, so only the framing differs between the two.
 */
import { decode } from 'cborg';
import { crc32 } from '../../src/core/transfer/crc32.js';
import { FountainDecoder } from '../../src/core/transfer/fountain.js';

/** Builds the minimal-Bytewords table (first and last letter of each of the 256 words). */
export function minimalTable(words: readonly string[]): Map<string, number> {
  if (words.length !== 256) throw new RangeError('Bytewords has 256 words');
  return new Map(words.map((w, i) => [`${w[0]}${w[3]}`, i]));
}

/** One receiver (one join point): feed it part texts until it returns the message. */
export class UrTextReceiver {
  private decoder: FountainDecoder | undefined;
  constructor(private readonly table: Map<string, number>) {}

  /** The reassembled UR payload's inner bytes, or undefined while incomplete or on a bad part. */
  accept(text: string): Uint8Array | undefined {
    const m = /^ur:bytes\/(\d+)-(\d+)\/([a-z]+)$/i.exec(text);
    if (!m) return undefined;
    const letters = m[3]!.toLowerCase();
    if (letters.length % 2 !== 0 || letters.length > 8000) return undefined;
    const bytes = new Uint8Array(letters.length / 2);
    for (let i = 0; i < bytes.length; i++) {
      const b = this.table.get(letters.slice(2 * i, 2 * i + 2));
      if (b === undefined) return undefined;
      bytes[i] = b;
    }
    const body = bytes.subarray(0, bytes.length - 4);
    const crc = new DataView(bytes.buffer, bytes.length - 4).getUint32(0, false);
    if (crc32(body) !== crc) return undefined;
    const part = decode(body) as [number, number, number, number, Uint8Array];
    const [seqNum, seqLen, messageLength, checksum, fragment] = part;
    if (!this.decoder) {
      if (seqLen < 1 || seqLen > 32 || messageLength > 16 * 1024) return undefined;
      this.decoder = new FountainDecoder({ seqLen, messageLength, fragmentLength: fragment.length, checksum });
    }
    const p = this.decoder.params;
    if (
      p.seqLen !== seqLen ||
      p.messageLength !== messageLength ||
      p.checksum !== checksum ||
      p.fragmentLength !== fragment.length
    )
      return undefined;
    this.decoder.receive(seqNum, fragment);
    if (!this.decoder.complete) return undefined;
    const message = this.decoder.message();
    this.decoder = undefined;
    if (crc32(message) !== checksum) return undefined;
    // UR type "bytes": the payload is a CBOR byte string holding the message.
    const inner = decode(message);
    return inner instanceof Uint8Array ? inner : undefined;
  }
}
