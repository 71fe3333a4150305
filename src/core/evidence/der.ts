/**
 * A bounded DER walker (ITU-T X.690 §8.1, §10). Every certificate, CSR and key is scanned here
 * before asn1js or pkijs see it: asn1js has no depth limit and tries to decode the contents of
 * every OCTET STRING and BIT STRING as nested ASN.1, so hostile input (deep nesting, huge or
 * inconsistent lengths) must be refused by code whose cost we control. The walker also gives the
 * exact byte ranges (TBS, SPKI) that fingerprints and signatures are computed over.
 */
import { KeywitnessError } from '../errors.js';

/** Largest evidence file accepted, checked before any parsing or allocation. */
export const MAX_EVIDENCE_BYTES = 1024 * 1024;
/** Deepest nesting accepted; real certificates stay under 15, with encapsulated contents. */
export const MAX_DER_DEPTH = 32;
/** Most TLV elements scanned in one input (bounds work on a 1 MiB file of tiny elements). */
export const MAX_DER_ELEMENTS = 50_000;

/** One TLV element located in a byte array. */
export interface DerNode {
  /** Tag class: 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly cls: number;
  readonly constructed: boolean;
  /** Tag number. */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset one past the last content octet. */
  readonly end: number;
}

/** Throw INPUT_TOO_LARGE when the evidence exceeds the 1 MiB cap. */
export function checkEvidenceSize(bytes: Uint8Array, where: string): void {
  if (bytes.length > MAX_EVIDENCE_BYTES) {
    throw new KeywitnessError(
      'INPUT_TOO_LARGE',
      `${bytes.length} bytes is over the ${MAX_EVIDENCE_BYTES}-byte limit for evidence`,
      { where },
    );
  }
}

function fail(message: string, where: string, offset: number): never {
  throw new KeywitnessError('EVIDENCE_INVALID', `${message} (at byte ${offset})`, { where });
}

/**
 * Read the TLV header at `offset` (X.690 §8.1.2-8.1.3 with the DER restrictions of §10.1: definite,
 * minimal lengths). The element must end within `limit`.
 */
export function readTlv(bytes: Uint8Array, offset: number, limit: number, where: string): DerNode {
  let p = offset;
  const id = p < limit ? bytes[p] : undefined;
  if (id === undefined) fail('expected an ASN.1 element but the data ended', where, p);
  p++;
  const cls = id >> 6;
  const constructed = (id & 0x20) !== 0;
  let tag = id & 0x1f;
  if (tag === 0x1f) {
    // High tag number form (§8.1.2.4): base-128, no leading 0x80, kept small.
    tag = 0;
    for (let n = 0; ; n++) {
      const b = p < limit ? bytes[p] : undefined;
      if (b === undefined) fail('tag number runs past the end of the data', where, p);
      p++;
      if (n === 0 && b === 0x80) fail('tag number has a non-minimal encoding', where, p - 1);
      if (n >= 3) fail('tag number is too large', where, p - 1);
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (tag < 31) fail('tag number has a non-minimal encoding', where, offset);
  }
  const first = p < limit ? bytes[p] : undefined;
  if (first === undefined) fail('length octet missing', where, p);
  p++;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    fail('indefinite length is not allowed in DER (X.690 §10.1)', where, p - 1);
  } else {
    const count = first & 0x7f;
    if (count > 4) fail(`length field of ${count} octets is larger than any accepted input`, where, p - 1);
    if (p + count > limit) fail('length field runs past the end of the data', where, p);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[p++] ?? 0);
    if (length < 0x80 || bytes[p - count] === 0) fail('length has a non-minimal encoding (X.690 §10.1)', where, offset);
  }
  if (length > limit - p) {
    fail(`element claims ${length} content bytes but only ${limit - p} remain`, where, offset);
  }
  return { cls, constructed, tag, start: offset, contentStart: p, end: p + length };
}

/** The direct children of a constructed element, in order. */
export function childrenOf(bytes: Uint8Array, node: DerNode, where: string): DerNode[] {
  if (!node.constructed) fail('expected a constructed element', where, node.start);
  const out: DerNode[] = [];
  let p = node.contentStart;
  while (p < node.end) {
    const child = readTlv(bytes, p, node.end, where);
    out.push(child);
    p = child.end;
  }
  return out;
}

/** Content octets of an element (a view, not a copy). */
export function contentOf(bytes: Uint8Array, node: DerNode): Uint8Array {
  return bytes.subarray(node.contentStart, node.end);
}

/** Whole encoding of an element, header included (a view). */
export function encodingOf(bytes: Uint8Array, node: DerNode): Uint8Array {
  return bytes.subarray(node.start, node.end);
}

interface ScanState {
  elements: number;
  readonly where: string;
}

/** True when `bytes[start, end)` is exactly a sequence of well-formed TLVs (used for encapsulation). */
function looksEncapsulated(bytes: Uint8Array, start: number, end: number, state: ScanState, depth: number): boolean {
  if (start >= end) return false;
  const probe: ScanState = { elements: state.elements, where: state.where };
  try {
    let p = start;
    while (p < end) p = scan(bytes, p, end, depth, probe);
  } catch (e) {
    // Malformed contents are opaque bytes; a limit hit inside well-formed contents is still a limit.
    if (e instanceof LimitError) throw e;
    return false;
  }
  state.elements = probe.elements;
  return true;
}

class LimitError {
  constructor(readonly error: KeywitnessError) {}
}

function limit(message: string, where: string, offset: number): never {
  throw new LimitError(new KeywitnessError('EVIDENCE_INVALID', `${message} (at byte ${offset})`, { where }));
}

function scan(bytes: Uint8Array, offset: number, limit_: number, depth: number, state: ScanState): number {
  if (depth > MAX_DER_DEPTH) limit(`ASN.1 nesting deeper than ${MAX_DER_DEPTH} levels`, state.where, offset);
  if (++state.elements > MAX_DER_ELEMENTS) limit(`more than ${MAX_DER_ELEMENTS} ASN.1 elements`, state.where, offset);
  const node = readTlv(bytes, offset, limit_, state.where);
  if (node.constructed) {
    let p = node.contentStart;
    while (p < node.end) p = scan(bytes, p, node.end, depth + 1, state);
  } else if (node.cls === 0 && (node.tag === 4 || node.tag === 3)) {
    // asn1js decodes OCTET/BIT STRING contents as nested ASN.1 when they parse; bound that too.
    const start = node.tag === 3 ? node.contentStart + 1 : node.contentStart;
    looksEncapsulated(bytes, start, node.end, state, depth + 1);
  }
  return node.end;
}

/**
 * Check that `bytes` is exactly one well-formed DER element within the depth, length and element
 * limits, with nothing after it, and return its top-level node.
 * @throws KeywitnessError EVIDENCE_INVALID naming the offset and the rule broken.
 */
export function scanDer(bytes: Uint8Array, where: string): DerNode {
  checkEvidenceSize(bytes, where);
  if (bytes.length === 0) throw new KeywitnessError('EVIDENCE_INVALID', 'empty input', { where });
  const state: ScanState = { elements: 0, where };
  let end: number;
  try {
    end = scan(bytes, 0, bytes.length, 1, state);
  } catch (e) {
    if (e instanceof LimitError) throw e.error;
    throw e;
  }
  if (end !== bytes.length) {
    fail(`${bytes.length - end} trailing bytes after the DER element`, where, end);
  }
  return readTlv(bytes, 0, bytes.length, where);
}

/** Expect a universal-class element with the given tag number, else EVIDENCE_INVALID. */
export function expectTag(node: DerNode | undefined, tag: number, what: string, where: string): DerNode {
  if (node === undefined) throw new KeywitnessError('EVIDENCE_INVALID', `${what} is missing`, { where });
  if (node.cls !== 0 || node.tag !== tag) {
    fail(`${what}: expected universal tag ${tag}, found class ${node.cls} tag ${node.tag}`, where, node.start);
  }
  return node;
}
