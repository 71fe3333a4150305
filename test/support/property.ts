/**
 * Shared rules of the property suites (test/unit/**\/*.property.test.ts): a fixed seed and a
 * bounded number of runs, so CI replays the same cases every time and a failure reproduces from
 * its printed path; the one outcome a parser of untrusted input may have besides success (a
 * KeywitnessError); and a generous per-case time ceiling, because a hang is the defect, not a slow
 * machine. Also the mutation arbitraries the suites share.
 */
import fc from 'fast-check';
import { isKeywitnessError, type KeywitnessError } from '../../src/core/errors.js';

/** The seed every property suite runs with. */
export const PROPERTY_SEED = 0x4b57_1b0b;

/**
 * One case of a parser may take this long at most. Far above what any case takes (milliseconds),
 * and far below what a super-linear regex or scan takes on adversarial text (seconds to forever).
 */
export const CASE_CEILING_MS = 2_000;

/**
 * One case at a parser's size limit may take this long at most: the figure issue #11 sets for "a
 * regex or parser case at its size limit". Such cases also check that time grows linearly
 * ({@link growsLinearly}), which a loaded machine does not fake.
 */
export const SIZE_LIMIT_CEILING_MS = 10_000;

/** fast-check parameters: the fixed seed and `numRuns` cases. */
export function params(numRuns: number): fc.Parameters<unknown> {
  return { seed: PROPERTY_SEED, numRuns, endOnFailure: true };
}

/** What a parser did with one input. */
export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: KeywitnessError };

/**
 * Run `parse` on one input: it must return, or throw a KeywitnessError, within the ceiling.
 * Anything else thrown (a TypeError, a RangeError, a library's own error) is rethrown, so the
 * property fails with it and fast-check prints the input.
 */
export function failsClosed<T>(parse: () => T, ceilingMs = CASE_CEILING_MS): Outcome<T> {
  const started = performance.now();
  let outcome: Outcome<T>;
  try {
    outcome = { ok: true, value: parse() };
  } catch (e) {
    if (!isKeywitnessError(e)) throw e;
    outcome = { ok: false, error: e };
  }
  checkTime(started, ceilingMs);
  return outcome;
}

/** The asynchronous twin of {@link failsClosed}. */
export async function failsClosedAsync<T>(parse: () => Promise<T>, ceilingMs = CASE_CEILING_MS): Promise<Outcome<T>> {
  const started = performance.now();
  let outcome: Outcome<T>;
  try {
    outcome = { ok: true, value: await parse() };
  } catch (e) {
    if (!isKeywitnessError(e)) throw e;
    outcome = { ok: false, error: e };
  }
  checkTime(started, ceilingMs);
  return outcome;
}

function checkTime(started: number, ceilingMs: number): void {
  const elapsed = performance.now() - started;
  if (elapsed > ceilingMs) throw new Error(`one case took ${Math.round(elapsed)} ms (ceiling ${ceilingMs} ms)`);
}

/**
 * Time `parse` on the input `make(size)` makes at a quarter of `size` and at `size`, each within
 * `ceilingMs` ({@link SIZE_LIMIT_CEILING_MS} unless a suite states why not), and check the larger took at most ten times as long (linear work
 * takes four times as long, quadratic sixteen), with 150 ms of slack for timer noise on small times.
 * Returns what the parser did with the full-size input.
 */
export function growsLinearly<T>(
  make: (size: number) => Uint8Array,
  size: number,
  parse: (b: Uint8Array) => T,
  ceilingMs = SIZE_LIMIT_CEILING_MS,
): Outcome<T> {
  const timed = (bytes: Uint8Array) => {
    const started = performance.now();
    const outcome = failsClosed(() => parse(bytes), ceilingMs);
    return { outcome, ms: performance.now() - started };
  };
  const quarter = timed(make(Math.floor(size / 4)));
  const full = timed(make(size));
  if (full.ms > 10 * quarter.ms + 150) {
    throw new Error(
      `${size} bytes took ${Math.round(full.ms)} ms, a quarter of that ${Math.round(quarter.ms)} ms: super-linear`,
    );
  }
  return full.outcome;
}

/** One edit of a byte string. Positions are fractions of the length, so they fit any input. */
type Edit =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'set'; readonly at: number; readonly byte: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'repeat'; readonly at: number; readonly length: number; readonly times: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
/** Bytes that matter to the formats under test: length prefixes, tag bytes, delimiters. */
const interesting = fc.constantFrom(
  0x00,
  0x01,
  0x0a,
  0x0d,
  0x20,
  0x22,
  0x2d,
  0x3a,
  0x7f,
  0x80,
  0x81,
  0x82,
  0x84,
  0xa0,
  0xbf,
  0xff,
);

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    op: fc.constant('set' as const),
    at: position,
    byte: fc.oneof(interesting, fc.integer({ min: 0, max: 255 })),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({
    op: fc.constant('insert' as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({
    op: fc.constant('repeat' as const),
    at: position,
    length: fc.integer({ min: 1, max: 64 }),
    times: fc.integer({ min: 2, max: 200 }),
  }),
);

function apply(input: Uint8Array, e: Edit): Uint8Array {
  const at = Math.floor(e.at * (input.length + 1));
  const join = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  switch (e.op) {
    case 'flip':
    case 'set': {
      if (input.length === 0) return input;
      const out = new Uint8Array(input);
      const i = Math.min(at, input.length - 1);
      out[i] = e.op === 'flip' ? out[i]! ^ (1 << e.bit) : e.byte;
      return out;
    }
    case 'truncate':
      return input.slice(0, at);
    case 'insert':
      return join(input.subarray(0, at), e.bytes, input.subarray(at));
    case 'delete':
      return join(input.subarray(0, at), input.subarray(at + e.length));
    case 'repeat': {
      const slice = input.subarray(at, at + e.length);
      return join(input.subarray(0, at), ...Array.from({ length: e.times }, () => slice), input.subarray(at));
    }
  }
}

/** A real input from `seeds` with up to `maxEdits` edits applied (zero edits: the seed itself). */
export function mutated(seeds: readonly Uint8Array[], maxEdits = 4): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(edit, { maxLength: maxEdits }))
    .map(([seed, edits]) => edits.reduce(apply, seed));
}

/**
 * Text built from `fragments` (the tokens a format is made of, and hostile ones), `count` of them
 * in any order: inputs that reach deep into a line parser instead of failing on the first byte.
 */
export function fragmentText(fragments: readonly string[], maxCount = 60): fc.Arbitrary<string> {
  // size 'max': fast-check's default size would keep arrays to about ten fragments.
  return fc.array(fc.constantFrom(...fragments), { maxLength: maxCount, size: 'max' }).map((parts) => parts.join(''));
}

/** `unit` repeated until the text is `size` characters long: adversarial text at a size limit. */
export function repeatedTo(unit: string, size: number): string {
  if (unit.length === 0) return '';
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}
