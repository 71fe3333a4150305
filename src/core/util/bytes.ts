/** Byte helpers shared by every core module. */

/** Concatenate byte arrays into a new one. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Constant-time equality: runtime depends only on the lengths, never on where bytes differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_HIGH = HEX.map((h) => h.charCodeAt(0));
const HEX_LOW = HEX.map((h) => h.charCodeAt(1));
const SHORT_HEX_BYTES = 64;
const shortCodes: number[] = [];

/**
 * Lower-case hex of the bytes. Ids and fingerprints become map keys on every transcript entry, so
 * short inputs are written as character codes and turned into one flat string in one call, rather
 * than concatenated pair by pair (which leaves many small string pieces for the collector).
 */
export function toHex(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= SHORT_HEX_BYTES) {
    shortCodes.length = 2 * n;
    for (let i = 0; i < n; i++) {
      const b = bytes[i] ?? 0;
      shortCodes[2 * i] = HEX_HIGH[b] ?? 0;
      shortCodes[2 * i + 1] = HEX_LOW[b] ?? 0;
    }
    return String.fromCharCode.apply(null, shortCodes);
  }
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[bytes[i] ?? 0];
  return s;
}

/**
 * Parse hex. Accepts upper or lower case and, for fingerprints copied from other tools, ':' or
 * whitespace between byte pairs. Throws a RangeError naming the first offending character.
 */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0) throw new RangeError(`hex has an odd number of digits (${clean.length})`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    const pair = clean.slice(2 * i, 2 * i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw new RangeError(`not a hex digit pair at byte ${i}: "${pair}"`);
    out[i] = parseInt(pair, 16);
  }
  return out;
}

/** Colon-separated upper-case hex, as OpenSSL prints fingerprints. */
export function toColonHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 encode. */
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Strict UTF-8 decode: invalid sequences throw rather than turning into U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}
