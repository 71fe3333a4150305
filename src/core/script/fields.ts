/**
 * Typed field readers over the located YAML tree. Each one either returns a checked value or throws
 * SCRIPT_INVALID naming the field's YAML path and line and saying what was expected instead.
 */
import type { ScriptProblems } from './problems.js';
import type { YMap, YNode, YScalar } from './yaml-reader.js';
import { childPath, scriptError } from './yaml-reader.js';

/** Ids: short printable tokens that can be read aloud and typed (script, roles, steps, inputs, evidence). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The fields of one YAML map, with unknown keys already rejected. */
export interface Fields {
  readonly node: YMap;
  /** The value of `key`, or undefined when the key is absent. */
  get(key: string): YNode | undefined;
  /** The value of `key`; throws naming `<path>.<key>` when it is absent. */
  require(key: string): YNode;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] ?? 0;
      row[j] = Math.min(up + 1, (row[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length] ?? 0;
}

/** `; did you mean "evidence"?` for a near miss, else ''. */
function suggestion(key: string, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  const lower = key.toLowerCase();
  for (const candidate of allowed) {
    // A prefix either way ("confirmation" for "confirm") counts as a near miss too.
    const prefix =
      candidate.length >= 3 && lower.length >= 3 && (lower.startsWith(candidate) || candidate.startsWith(lower));
    const d = prefix ? 1 : editDistance(lower, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

/**
 * Read a map whose keys must all be in `allowed`.
 * @param what a phrase for messages, e.g. `a step`, `the acks of a step`.
 * @param problems where to record each unknown field and go on; without it the first one throws.
 */
export function readFields(node: YNode, what: string, allowed: readonly string[], problems?: ScriptProblems): Fields {
  if (node.kind !== 'map')
    throw scriptError(node, `must be a map of fields describing ${what} (${allowed.join(', ')})`);
  for (const { key, node: value } of node.entries) {
    if (!allowed.includes(key)) {
      const e = scriptError(
        value,
        `unknown field "${key}" in ${what}${suggestion(key, allowed)} (allowed: ${allowed.join(', ')})`,
      );
      if (!problems) throw e;
      problems.report(e);
    }
  }
  return {
    node,
    get: (key) => node.entries.find((e) => e.key === key)?.node,
    require: (key) => {
      const found = node.entries.find((e) => e.key === key)?.node;
      if (found === undefined) {
        throw scriptError(
          { path: childPath(node.path, key), line: node.line },
          `is required: ${what} starting at line ${node.line} has no "${key}"`,
        );
      }
      return found;
    },
  };
}

/** Say what a scalar really is, for type errors: YAML silently turns 1.1, 0123, yes/no… into other types. */
function describeScalar(node: YScalar): string {
  if (node.value === null) return 'has no value (an empty value, ~ or null)';
  if (typeof node.value === 'number') return `is the number ${node.source}`;
  if (typeof node.value === 'boolean') return `is the boolean ${node.source}`;
  return `is the text ${JSON.stringify(node.value)}`;
}

function describe(node: YNode): string {
  if (node.kind === 'scalar') return describeScalar(node);
  return node.kind === 'map' ? 'is a map' : 'is a list';
}

/** Options for text fields. */
export interface TextOptions {
  /** Allow line breaks and tabs (markdown instructions, descriptions). Default false. */
  readonly multiline?: boolean;
  /** Allow ''. Default false. */
  readonly allowEmpty?: boolean;
}

/**
 * A text value. Numbers and booleans are refused rather than converted: YAML reads `0123` as 123
 * and `1e3` as 1000, so the preparer is told to quote. Single-line text may not carry leading or
 * trailing spaces, which nobody reading the script can see.
 */
export function readText(node: YNode, options: TextOptions = {}): string {
  if (node.kind !== 'scalar' || typeof node.value !== 'string') {
    const hint =
      node.kind === 'scalar' && node.value !== null
        ? `; if it is meant as text, write it in quotes: "${node.source}"`
        : '';
    throw scriptError(node, `must be text, but ${describe(node)}${hint}`);
  }
  const value = node.value;
  if (value === '' && !options.allowEmpty) throw scriptError(node, 'must not be empty');
  if (!options.multiline) {
    if (/[\n\t]/.test(value)) throw scriptError(node, 'must be a single line of text (no line breaks or tabs)');
    if (value !== value.trim()) throw scriptError(node, 'must not start or end with spaces, which a reader cannot see');
  }
  return value;
}

/** An id token (ID_PATTERN). */
export function readId(node: YNode): string {
  const value = readText(node);
  if (!ID_PATTERN.test(value)) {
    throw scriptError(
      node,
      `${JSON.stringify(value)} is not a valid id: use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return value;
}

/** true or false. */
export function readFlag(node: YNode): boolean {
  if (node.kind !== 'scalar' || typeof node.value !== 'boolean') {
    throw scriptError(node, `must be true or false, but ${describe(node)}`);
  }
  return node.value;
}

/** Largest count the format accepts: no ceremony has more people or acknowledgements than this. */
export const MAX_COUNT = 1000;

/** A whole number written in plain decimal (not 0x10, 1e3, 0o7 or 3.0), within [min, MAX_COUNT]. */
export function readCount(node: YNode, min: number): number {
  if (node.kind !== 'scalar' || typeof node.value !== 'number' || !/^(0|[1-9][0-9]*)$/.test(node.source)) {
    throw scriptError(node, `must be a whole number written in digits (${min} to ${MAX_COUNT}), but ${describe(node)}`);
  }
  const n = node.value;
  if (n < min || n > MAX_COUNT) throw scriptError(node, `must be between ${min} and ${MAX_COUNT}, but is ${n}`);
  return n;
}

/**
 * A list. For optional collection fields an empty value (`participants:` with nothing after it)
 * means an empty list; everywhere else it is an error.
 */
export function readList(
  node: YNode,
  options: { readonly emptyValueIsEmptyList?: boolean; readonly nonEmpty?: boolean } = {},
): readonly YNode[] {
  if (node.kind === 'scalar' && node.value === null && options.emptyValueIsEmptyList) {
    if (options.nonEmpty) throw scriptError(node, 'must list at least one entry');
    return [];
  }
  if (node.kind !== 'seq') throw scriptError(node, `must be a list, but ${describe(node)}`);
  if (options.nonEmpty && node.items.length === 0) throw scriptError(node, 'must list at least one entry');
  return node.items;
}

/** A map used as a dictionary (`expected`): an empty value means an empty map. */
export function readDictionary(node: YNode): YMap {
  if (node.kind === 'scalar' && node.value === null)
    return { kind: 'map', path: node.path, line: node.line, entries: [] };
  if (node.kind !== 'map') throw scriptError(node, `must be a map of name: value lines, but ${describe(node)}`);
  return node;
}

/** Read an optional field with `read`, or return `fallback` when the key is absent. */
export function optional<T, F>(fields: Fields, key: string, read: (node: YNode) => T, fallback: F): T | F {
  const node = fields.get(key);
  return node === undefined ? fallback : read(node);
}
