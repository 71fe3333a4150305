/**
 * References inside a script: `$expected.name` values (every expected value is known in advance and
 * written once, in `expected`: docs/architecture.md, "The ceremony, end to end") and evidence ids
 * that expectations such as `spki_equals` point at. References are whole values only, so a reader
 * never has to splice text in their head, and a misspelt reference is an error instead of a literal
 * that silently never matches.
 */
import { KeywitnessError } from '../errors.js';
import type { ExpectedValue } from './types.js';
import type { YNode } from './yaml-reader.js';
import { childPath, scriptError, whereOf } from './yaml-reader.js';

/** Names in `expected`: no dots, so `$expected.name` can never be ambiguous. */
export const EXPECTED_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

const PREFIX = '$expected.';

/**
 * Resolve one text value: `$expected.name` → the expected value; `$$…` → a literal starting with
 * `$`; any other text → itself. Text that starts with `$` or mentions `$expected.` elsewhere is an
 * error, because it is almost always a typo for a reference.
 */
export function resolveText(
  text: string,
  loc: { readonly path: string; readonly line: number },
  expected: ReadonlyMap<string, string>,
): ExpectedValue {
  if (text.startsWith('$$')) return { value: text.slice(1), ref: undefined };
  if (text.startsWith(PREFIX)) {
    const name = text.slice(PREFIX.length);
    const value = expected.get(name);
    if (value === undefined) {
      const known = [...expected.keys()];
      throw scriptError(
        loc,
        `"${text}" refers to "${name}", which is not defined in expected` +
          (known.length > 0 ? ` (defined: ${known.join(', ')})` : ' (expected is empty)'),
      );
    }
    return { value, ref: text };
  }
  if (text.startsWith('$')) {
    throw scriptError(
      loc,
      `"${text}" starts with "$" but is not a reference of the form $expected.<name>; write "$$" for a literal "$"`,
    );
  }
  if (text.includes(PREFIX)) {
    throw scriptError(loc, `"${text}" mentions ${PREFIX}… inside other text; a reference must be the whole value`);
  }
  return { value: text, ref: undefined };
}

/** Plain data handed to the evidence module's `validateExpectations`. */
export type ExpectationData =
  string | number | boolean | null | readonly ExpectationData[] | { readonly [key: string]: ExpectationData };

/**
 * Turn an `expect` subtree into plain data, resolving `$expected` references in every text value
 * (keys are never references). Numbers must be plain decimal integers: YAML would read 0123 as 123
 * and 1e3 as 1000 without a word. `lines` receives the line of every path, so errors raised later
 * by the evidence module can be given their line.
 */
export function toExpectationData(
  node: YNode,
  expected: ReadonlyMap<string, string>,
  lines: Map<string, number>,
): ExpectationData {
  lines.set(node.path, node.line);
  if (node.kind === 'seq') return node.items.map((item) => toExpectationData(item, expected, lines));
  if (node.kind === 'map') {
    const out: Record<string, ExpectationData> = {};
    for (const { key, node: value } of node.entries) {
      // defineProperty: a key such as "__proto__" must stay an ordinary (and then rejected) key.
      Object.defineProperty(out, key, {
        value: toExpectationData(value, expected, lines),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  const v = node.value;
  if (typeof v === 'string') return resolveText(v, node, expected).value;
  if (typeof v === 'number') {
    if (!/^-?(0|[1-9][0-9]*)$/.test(node.source) || !Number.isSafeInteger(v)) {
      throw scriptError(
        node,
        `the number ${node.source} is not a plain whole number; write whole numbers in digits, or quote the value if it is text: "${node.source}"`,
      );
    }
    return v;
  }
  return v;
}

/** Line of `path` or of its nearest recorded ancestor. */
export function lineOfPath(path: string, lines: ReadonlyMap<string, number>, fallback: number): number {
  let p = path;
  while (p.length > 0) {
    const line = lines.get(p);
    if (line !== undefined) return line;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return fallback;
}

/**
 * Re-raise an error from the evidence module's validation as SCRIPT_INVALID with path and line.
 * Its `where` is a YAML path under the evidence entry (`….expect.key.curve`, `….parser`); any other
 * `where` is replaced by the entry's path. The original error is kept as cause.
 */
export function locateExpectationError(
  e: unknown,
  evidencePath: string,
  lines: ReadonlyMap<string, number>,
  fallbackLine: number,
): unknown {
  if (!(e instanceof KeywitnessError)) return e;
  const under =
    e.where !== undefined && (e.where.startsWith(`${evidencePath}.`) || e.where.startsWith(`${evidencePath}[`));
  const path = under ? e.where : evidencePath;
  const prefix = e.where !== undefined ? `${e.where}: ` : '';
  const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  const line = lineOfPath(path, lines, fallbackLine);
  return new KeywitnessError('SCRIPT_INVALID', message, { where: whereOf({ path, line }), cause: e });
}

/** Expectation keys whose text value names another piece of evidence. */
export const EVIDENCE_REFERENCE_KEYS: readonly string[] = ['spki_equals', 'signed_by', 'aki_matches', 'matches_anchor'];

/**
 * Check that evidence references in an `expect` map name evidence declared earlier in the script
 * (earlier step, or earlier in the same step): evidence is imported in script order, so a later
 * or unknown id could never be compared.
 */
export function checkEvidenceReferences(
  expectNode: YNode,
  data: ExpectationData,
  earlier: ReadonlySet<string>,
  all: ReadonlySet<string>,
): void {
  if (expectNode.kind !== 'map' || data === null || typeof data !== 'object' || Array.isArray(data)) return;
  const record = data as { readonly [key: string]: ExpectationData };
  for (const key of EVIDENCE_REFERENCE_KEYS) {
    const target = record[key];
    if (typeof target !== 'string') continue;
    const loc = expectNode.entries.find((e) => e.key === key)?.node ?? {
      path: childPath(expectNode.path, key),
      line: expectNode.line,
    };
    if (earlier.has(target)) continue;
    if (all.has(target))
      throw scriptError(
        loc,
        `refers to evidence "${target}", which is declared later; it must come from an earlier step or earlier in this step`,
      );
    throw scriptError(loc, `refers to evidence "${target}", which no step declares`);
  }
}
