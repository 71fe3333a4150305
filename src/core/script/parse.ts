/**
 * The strict ceremony script parser (docs/architecture.md, "Formats: the ceremony script"): bytes
 * in, a checked Script out, or KeywitnessError('SCRIPT_INVALID') problems (`lintScript` collects
 * every one it can, `parseScript` throws the first), each with a `where` that names the YAML
 * path and line (`steps[4].evidence[0].expect.subject (line 37)`), or the position (`line 5,
 * column 3`) for problems below the YAML level, or `(file)` for the file as a whole.
 */
import { KeywitnessError } from '../errors.js';
import { sha256 } from '../util/hash.js';
import { optional, readDictionary, readFields, readId, readList, readText } from './fields.js';
import { EXPECTED_NAME_PATTERN } from './references.js';
import { readParticipants, readRoles } from './roles.js';
import { DEFAULT_MAX_SCRIPT_BYTES, decodeScriptText } from './source-text.js';
import type { StepContext } from './steps.js';
import { readStep } from './steps.js';
import type { RoleSpec, Script, StepSpec } from './types.js';
import { DEFAULT_CLOCK_TOLERANCE_S, MAX_CLOCK_TOLERANCE_S, SCRIPT_FORMAT } from './types.js';
import type { YMap, YNode } from './yaml-reader.js';
import { readScriptYaml, scriptError } from './yaml-reader.js';
import { ScriptProblems } from './problems.js';

export const SCRIPT_FIELDS = [
  'format',
  'id',
  'title',
  'description',
  'roles',
  'participants',
  'expected',
  'clock_tolerance',
  'steps',
] as const;

/** Options for parseScript. */
export interface ParseScriptOptions {
  /** Size limit in bytes, checked before anything else (default 1 MiB). */
  readonly maxBytes?: number;
}

function readFormat(root: YMap): void {
  const node = root.entries.find((e) => e.key === 'format')?.node;
  if (node === undefined) {
    throw scriptError(
      { path: 'format', line: root.line },
      `is required: a ceremony script starts with "format: ${SCRIPT_FORMAT}"`,
    );
  }
  const format = readText(node);
  if (format !== SCRIPT_FORMAT) {
    throw scriptError(node, `is "${format}"; this version of Keywitness reads only "${SCRIPT_FORMAT}"`);
  }
}

function readExpected(node: YNode, problems: ScriptProblems): Map<string, string> {
  const out = new Map<string, string>();
  for (const { key, node: value } of readDictionary(node).entries) {
    problems.attempt(() => {
      if (!EXPECTED_NAME_PATTERN.test(key)) {
        throw scriptError(
          value,
          `"${key}" is not a valid name: use 1 to 64 letters, digits, "_" or "-" (no dots), so $expected.${key} is unambiguous`,
        );
      }
      out.set(key, readText(value));
    });
    // A value that failed is still defined as written, so each $expected.<name> that uses it is
    // not a second error ("not defined") on top of the value's own.
    if (!out.has(key)) out.set(key, value.kind === 'scalar' ? value.source : '');
  }
  return out;
}

function readClockTolerance(node: YNode): number {
  if (node.kind !== 'scalar' || typeof node.value !== 'number' || !/^[1-9][0-9]{0,5}$/.test(node.source)) {
    throw scriptError(node, `must be a whole number of seconds written in digits (1 to ${MAX_CLOCK_TOLERANCE_S})`);
  }
  if (node.value > MAX_CLOCK_TOLERANCE_S)
    throw scriptError(node, `is ${node.value} seconds; at most ${MAX_CLOCK_TOLERANCE_S} (one day)`);
  return node.value;
}

/** Evidence ids as written, before validation, so a reference to a later step can be told from a typo. */
function scanEvidenceIds(steps: YNode | undefined): Set<string> {
  const ids = new Set<string>();
  if (steps?.kind !== 'seq') return ids;
  for (const step of steps.items) {
    if (step.kind !== 'map') continue;
    const evidence = step.entries.find((e) => e.key === 'evidence')?.node;
    if (evidence?.kind !== 'seq') continue;
    for (const item of evidence.items) {
      if (item.kind !== 'map') continue;
      const id = item.entries.find((e) => e.key === 'id')?.node;
      if (id?.kind === 'scalar' && typeof id.value === 'string') ids.add(id.value);
    }
  }
  return ids;
}

/** Freeze a parsed value all the way down (typed arrays cannot be frozen and are left as they are). */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

/** What `lintScript` found: the script when it has no problem, else every problem it could find. */
export interface ScriptLint {
  readonly script: Script | undefined;
  /** In file order; empty exactly when `script` is defined. */
  readonly problems: readonly KeywitnessError[];
  /** Problems found beyond the MAX_SCRIPT_PROBLEMS kept in `problems`. */
  readonly more: number;
}

/**
 * Parse and check a ceremony script, collecting every problem it can (`script lint` prints them
 * all). Problems below the YAML level (size, encoding, characters, syntax) and a wrong `format`
 * stop it at once, since nothing after them can be read reliably; above it, each field, role,
 * participant, step, input and evidence entry is checked on its own.
 *
 * @param bytes the exact file bytes, as for parseScript.
 * @throws KeywitnessError INPUT_INVALID when called with something other than bytes or a bad option.
 */
export function lintScript(bytes: Uint8Array, options: ParseScriptOptions = {}): ScriptLint {
  if (!(bytes instanceof Uint8Array)) {
    throw new KeywitnessError('INPUT_INVALID', 'parseScript takes the script file as a Uint8Array', { where: 'bytes' });
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SCRIPT_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new KeywitnessError('INPUT_INVALID', `must be a positive whole number of bytes, not ${String(maxBytes)}`, {
      where: 'options.maxBytes',
    });
  }
  const problems = new ScriptProblems();
  const script = problems.attempt(() => readScript(bytes, maxBytes, problems));
  return problems.empty && script
    ? { script, problems: [], more: 0 }
    : { script: undefined, problems: problems.list, more: problems.dropped };
}

function readScript(bytes: Uint8Array, maxBytes: number, problems: ScriptProblems): Script | undefined {
  const text = decodeScriptText(bytes, maxBytes);
  const root = readScriptYaml(text);
  readFormat(root);
  const f = readFields(root, 'a ceremony script', SCRIPT_FIELDS, problems);
  const id = problems.attempt(() => readId(f.require('id')));
  const title = problems.attempt(() => readText(f.require('title')));
  const description = problems.attempt(() =>
    optional(f, 'description', (n) => readText(n, { multiline: true }), undefined),
  );
  const roles: RoleSpec[] = problems.attempt(() => readRoles(f.require('roles'), problems)) ?? [];
  const participants = problems.attempt(() =>
    optional(f, 'participants', (n) => readParticipants(n, roles, problems), []),
  );
  const expected =
    problems.attempt(() => optional(f, 'expected', (n) => readExpected(n, problems), new Map<string, string>())) ??
    new Map<string, string>();
  const clockTolerance =
    problems.attempt(() => optional(f, 'clock_tolerance', readClockTolerance, DEFAULT_CLOCK_TOLERANCE_S)) ??
    DEFAULT_CLOCK_TOLERANCE_S;
  const stepsNode = problems.attempt(() => f.require('steps'));
  const ctx: StepContext = {
    roles: new Map(roles.map((r) => [r.id, r])),
    expected,
    evidenceSeen: new Map(),
    evidenceAll: scanEvidenceIds(stepsNode),
    problems,
  };
  const stepIds = new Map<string, number>();
  const stepNodes =
    stepsNode === undefined ? [] : (problems.attempt(() => readList(stepsNode, { nonEmpty: true })) ?? []);
  const steps: StepSpec[] = [];
  for (const [index, node] of stepNodes.entries()) {
    const step = problems.attempt(() => readStep(node, index, ctx, stepIds));
    if (step) steps.push(step);
  }
  if (!problems.empty || id === undefined || title === undefined || participants === undefined) return undefined;
  const expectedRecord: Record<string, string> = {};
  for (const [name, value] of expected) Object.defineProperty(expectedRecord, name, { value, enumerable: true });
  return deepFreeze({
    format: SCRIPT_FORMAT,
    id,
    title,
    description,
    roles,
    participants,
    expected: expectedRecord,
    clockToleranceMs: clockTolerance * 1000,
    steps,
    hash: sha256(bytes),
  });
}

/**
 * Parse and check a ceremony script.
 *
 * @param bytes the exact file bytes; the script hash is SHA-256 over them, so nothing here
 *   normalises or re-encodes them.
 * @param options `maxBytes`: size limit (default 1 MiB), checked before decoding.
 * @returns the validated script, deeply frozen, with `$expected` references resolved.
 * @throws KeywitnessError SCRIPT_INVALID for the first problem in the script (`lintScript` gives
 *   them all); INPUT_INVALID when called with something other than bytes or with a bad option.
 */
export function parseScript(bytes: Uint8Array, options: ParseScriptOptions = {}): Script {
  const { script, problems } = lintScript(bytes, options);
  if (script) return script;
  const [first] = problems;
  if (!first) throw new KeywitnessError('SCRIPT_INVALID', 'the script could not be read', { where: '(file)' });
  throw first;
}
