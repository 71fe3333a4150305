/**
 * Internal invariants: a value the code knows is present (an entry it has just stored, an index
 * its own loop bounds, the group of a regex that every match fills). If it is absent anyway, that
 * is a bug in Keywitness rather than anything the input can cause, so the error is a plain Error,
 * not a KeywitnessError. Input that can be missing is checked where it is read, with the code the
 * surrounding parser uses.
 */

/**
 * The value, which the caller knows is there.
 * @throws Error naming `what` when it is undefined after all.
 */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal error: ${what} is missing`);
  return value;
}

/**
 * Capture group `n` of a regex match, for a group outside any optional part of its pattern, so
 * that every match fills it.
 */
export function group(match: RegExpMatchArray, n: number): string {
  return must(match[n], `capture group ${n} of the match "${match[0]}"`);
}
