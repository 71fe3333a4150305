/**
 * A preparer's rehearsal of their own script, decided before anything is signed (README.md,
 * "keywitness rehearse"): which file of an evidence folder is which evidence, what an answers file
 * says the administrator types, and every input and evidence check of every step with expected,
 * observed and, for each check, the YAML path and line of the expectation it evaluates.
 *
 * The evidence folder layout is `<folder>/<step id>/<evidence id>.<extension>`: exactly one file
 * per evidence id. A file belongs to the longest evidence id of its step that its name starts with
 * followed by a dot (so `root.pub.pem` is evidence `root.pub` when the step has both `root` and
 * `root.pub`). Names starting with a dot are ignored, and so are plain files directly in the
 * folder (a make-evidence script, an answers file); a sub-folder that is not a step of the script,
 * a file that is no evidence of its step, two files for one evidence id, and a missing file for
 * required evidence are problems naming the path.
 *
 * The answers file is YAML or JSON (JSON is read as YAML 1.2): `{ "<step id>": { "<input id>":
 * "value" } }`. Unknown steps and inputs, values that are not text and duplicate keys are problems
 * naming the file, YAML path and line. An input the script gives an `expect` may be left out: it
 * then takes that expected value (the report says so). Every other input must be given.
 *
 * Core decides, the CLI formats: nothing here touches files. The checks are the ones the
 * coordinator runs when it prepares a statement (`checkInputs` and the evidence checker, with
 * every evidence item of the step and the earlier steps available to cross-evidence checks), so
 * a rehearsal that passes here issues statements whose checks all pass.
 */
import type { CheckResult, EvidenceChecker, EvidenceItem } from '../checks.js';
import type { ErrorCode } from '../errors.js';
import { KeywitnessError } from '../errors.js';
import { MAX_BLOB_DATA_BYTES } from '../protocol/bodies.js';
import { EVIDENCE_REFERENCE_KEYS } from '../script/references.js';
import { DEFAULT_MAX_SCRIPT_BYTES, decodeScriptText } from '../script/source-text.js';
import type { EvidenceSpec, Script, StepSpec } from '../script/types.js';
import type { YNode } from '../script/yaml-reader.js';
import { childPath, readScriptYaml } from '../script/yaml-reader.js';
import { LineCounter, isAlias, isMap, isScalar, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { checkInputs } from './input-checks.js';
import { referencedEvidence } from './message-pool.js';
import type { SimulatedParticipant, SimulatedStep } from './simulate.js';

/** Largest answers file read. */
export const MAX_ANSWERS_BYTES = 1024 * 1024;

/** Something that stops a rehearsal before anything is signed. */
export interface RehearsalProblem {
  /** `missing`: evidence or an input not given; `failed`: a check; `invalid`: anything else. */
  readonly kind: 'missing' | 'failed' | 'invalid';
  readonly code: ErrorCode;
  /** A path in the evidence folder, `FILE PATH (line N)` in the answers file, or a YAML path of the script. */
  readonly where: string;
  readonly message: string;
  /** The step it belongs to; undefined for the folder, the answers file or the script as a whole. */
  readonly step: string | undefined;
}

// ---- The evidence folder -----------------------------------------------------------------------

/** One entry of a folder, as the caller listed it (symbolic links followed). */
export interface FolderEntry {
  readonly name: string;
  readonly kind: 'file' | 'folder' | 'other';
}

/** The evidence folder, two levels deep. */
export interface FolderListing {
  /** The folder as the user named it; every path in a message starts with it. */
  readonly root: string;
  readonly entries: readonly FolderEntry[];
  /** Entries of each sub-folder, by its name. */
  readonly children: Readonly<Record<string, readonly FolderEntry[]>>;
}

/** The file an evidence id is taken from. */
export interface EvidenceFileRef {
  readonly step: string;
  readonly id: string;
  /** The file's name, recorded in the statement. */
  readonly name: string;
  /** `<step id>/<name>`, relative to the folder. */
  readonly relative: string;
  /** The folder as named by the user joined with `relative`. */
  readonly path: string;
}

export interface EvidenceFolderPlan {
  /** By evidence id. */
  readonly files: ReadonlyMap<string, EvidenceFileRef>;
  readonly problems: readonly RehearsalProblem[];
}

function joinPath(root: string, ...parts: string[]): string {
  const base = root.length > 1 ? root.replace(/\/+$/, '') : root;
  return [base, ...parts].join('/');
}

/** The longest evidence id in `ids` that `name` is a file of (`<id>.<extension>`). */
function evidenceOf(name: string, ids: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const id of ids) {
    if (name.length > id.length + 1 && name.startsWith(`${id}.`) && (best === undefined || id.length > best.length))
      best = id;
  }
  return best;
}

/**
 * Decide which file of an evidence folder is which evidence of the script, and what is wrong
 * with the folder: sub-folders that are no step, files that are no evidence of their step, two
 * files for one evidence id, missing files of required evidence.
 */
export function planEvidenceFolder(script: Script, listing: FolderListing): EvidenceFolderPlan {
  const problems: RehearsalProblem[] = [];
  const files = new Map<string, EvidenceFileRef>();
  const stepById = new Map(script.steps.map((s) => [s.id, s]));
  const stepOfEvidence = new Map(script.steps.flatMap((s) => s.evidence.map((e) => [e.id, s] as const)));
  const allIds = [...stepOfEvidence.keys()];
  const duplicated = new Set<string>();
  const visible = (entries: readonly FolderEntry[]): FolderEntry[] =>
    entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const invalid = (where: string, message: string, step?: string): void => {
    problems.push({ kind: 'invalid', code: 'INPUT_INVALID', where, message, step });
  };

  for (const entry of visible(listing.entries)) {
    if (entry.kind !== 'folder') continue;
    const step = stepById.get(entry.name);
    const folder = joinPath(listing.root, entry.name) + '/';
    if (!step) {
      invalid(
        folder,
        `the script has no step "${entry.name}": evidence goes in a folder named after its step's id (steps: ${script.steps.map((s) => s.id).join(', ')})`,
      );
      continue;
    }
    const ids = step.evidence.map((e) => e.id);
    const found = new Map<string, string[]>();
    for (const child of visible(listing.children[entry.name] ?? [])) {
      const path = joinPath(listing.root, step.id, child.name);
      if (child.kind !== 'file') {
        invalid(path, `is not a file: a step's folder holds one file per evidence id`, step.id);
        continue;
      }
      const id = evidenceOf(child.name, ids);
      if (id === undefined) {
        const elsewhere = evidenceOf(child.name, allIds);
        const owner = elsewhere === undefined ? undefined : stepOfEvidence.get(elsewhere);
        invalid(
          path,
          owner
            ? `evidence "${elsewhere}" belongs to step ${owner.id}: move it to ${joinPath(listing.root, owner.id)}/`
            : ids.length === 0
              ? `step ${step.id} imports no evidence`
              : `is no evidence of step ${step.id}: name it after one of its evidence ids (${ids.map((i) => `${i}.<extension>`).join(', ')})`,
          step.id,
        );
        continue;
      }
      found.set(id, [...(found.get(id) ?? []), child.name]);
    }
    for (const [id, names] of found) {
      if (names.length > 1) {
        duplicated.add(id);
        invalid(
          names.map((n) => joinPath(listing.root, step.id, n)).join(', '),
          `${names.length} files for evidence "${id}": keep exactly one ${id}.<extension>`,
          step.id,
        );
        continue;
      }
      const name = names[0] ?? '';
      files.set(id, {
        step: step.id,
        id,
        name,
        relative: `${step.id}/${name}`,
        path: joinPath(listing.root, step.id, name),
      });
    }
  }
  for (const step of script.steps) {
    for (const e of step.evidence) {
      if (files.has(e.id) || duplicated.has(e.id) || !e.required) continue;
      problems.push({
        kind: 'missing',
        code: 'NOT_FOUND',
        where: joinPath(listing.root, step.id, `${e.id}.*`),
        message: `no file for evidence "${e.id}" (${e.kind}) of step ${step.id}: the step's statement needs it`,
        step: step.id,
      });
    }
  }
  return { files, problems };
}

// ---- The answers file --------------------------------------------------------------------------

/** One typed value from the answers file. */
export interface Answer {
  readonly value: string;
  /** Where it was given, for messages: `FILE PATH (line N)`. */
  readonly where: string;
}

export interface AnswersFile {
  /** By step id, then input id. */
  readonly answers: ReadonlyMap<string, ReadonlyMap<string, Answer>>;
  readonly problems: readonly RehearsalProblem[];
}

function answersError(file: string, message: string, line?: number): KeywitnessError {
  return new KeywitnessError('INPUT_INVALID', message, { where: line === undefined ? file : `${file} (line ${line})` });
}

/**
 * Read an answers file strictly. Problems of content (unknown step or input, a value that is not
 * text) are returned, all of them; a file that is not YAML or JSON, or not a map, throws.
 * @throws KeywitnessError INPUT_INVALID naming the file and line.
 */
export function parseAnswers(script: Script, bytes: Uint8Array, file: string): AnswersFile {
  if (bytes.length > MAX_ANSWERS_BYTES)
    throw answersError(file, `is ${bytes.length} bytes; an answers file may have at most ${MAX_ANSWERS_BYTES}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new KeywitnessError('ENCODING_INVALID', 'is not UTF-8 text', { where: file, cause: e });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    merge: false,
    uniqueKeys: true,
    strict: true,
    prettyErrors: false,
    lineCounter: lines,
  });
  const lineOf = (node: { range?: readonly number[] | null } | null | undefined): number | undefined =>
    node?.range ? lines.linePos(node.range[0] ?? 0).line : undefined;
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    throw answersError(
      file,
      `not YAML or JSON: ${problem.message.split('\n')[0] ?? ''}`,
      lines.linePos(problem.pos[0]).line,
    );
  }
  const answers = new Map<string, Map<string, Answer>>();
  const problems: RehearsalProblem[] = [];
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { answers, problems };
  const plain = (node: YamlNode | null, path: string): void => {
    if (node && (isAlias(node) || node.anchor !== undefined || node.tag !== undefined))
      throw answersError(
        file,
        `${path}: YAML anchors, aliases and tags are not allowed: write each value out`,
        lineOf(node),
      );
  };
  plain(root, '(document)');
  if (!isMap(root)) throw answersError(file, 'must be a map of step id → { input id: value }', lineOf(root));
  const at = (path: string, line: number | undefined): string =>
    `${file} ${path}${line === undefined ? '' : ` (line ${line})`}`;
  const stepById = new Map(script.steps.map((s) => [s.id, s]));
  for (const pair of root.items) {
    const keyNode = pair.key as YamlNode | null;
    const valueNode = pair.value as YamlNode | null;
    plain(keyNode, '(document)');
    plain(valueNode, '(document)');
    const key = isScalar(keyNode) && typeof keyNode.value === 'string' ? keyNode.value : undefined;
    if (key === undefined) {
      problems.push({
        kind: 'invalid',
        code: 'INPUT_INVALID',
        where: at('(document)', lineOf(keyNode)),
        message: `step ids are text: write ${isScalar(keyNode) ? JSON.stringify(String(keyNode.source ?? keyNode.value)) : 'the key'} in quotes`,
        step: undefined,
      });
      continue;
    }
    const stepPath = childPath('', key);
    const step = stepById.get(key);
    if (!step) {
      problems.push({
        kind: 'invalid',
        code: 'INPUT_INVALID',
        where: at(stepPath, lineOf(keyNode)),
        message: `the script has no step "${key}" (steps with inputs: ${
          script.steps
            .filter((s) => s.inputs.length > 0)
            .map((s) => s.id)
            .join(', ') || 'none'
        })`,
        step: undefined,
      });
      continue;
    }
    if (!isMap(valueNode)) {
      problems.push({
        kind: 'invalid',
        code: 'INPUT_INVALID',
        where: at(stepPath, lineOf(keyNode)),
        message: `must be a map of input id → value (step ${key}'s inputs: ${step.inputs.map((i) => i.id).join(', ') || 'none'})`,
        step: undefined,
      });
      continue;
    }
    const values = new Map<string, Answer>();
    answers.set(key, values);
    for (const inner of valueNode.items) {
      const inputKey = inner.key as YamlNode | null;
      const inputValue = inner.value as YamlNode | null;
      plain(inputKey, stepPath);
      plain(inputValue, stepPath);
      const id = isScalar(inputKey) && typeof inputKey.value === 'string' ? inputKey.value : undefined;
      const inputPath = id === undefined ? stepPath : childPath(stepPath, id);
      const where = at(inputPath, lineOf(inputKey));
      const input = id === undefined ? undefined : step.inputs.find((i) => i.id === id);
      if (!input) {
        problems.push({
          kind: 'invalid',
          code: 'INPUT_INVALID',
          where,
          message: `step ${key} has no input ${id === undefined ? 'with a key that is not text' : `"${id}"`} (its inputs: ${step.inputs.map((i) => i.id).join(', ') || 'none'})`,
          step: undefined,
        });
        continue;
      }
      if (!isScalar(inputValue) || typeof inputValue.value !== 'string') {
        const shown = isScalar(inputValue) && inputValue.value !== null ? String(inputValue.source ?? '') : '';
        problems.push({
          kind: 'invalid',
          code: 'INPUT_INVALID',
          where,
          message:
            shown !== ''
              ? `typed values are text: write ${JSON.stringify(shown)} in quotes`
              : 'must be the text the administrator types',
          step: undefined,
        });
        continue;
      }
      values.set(input.id, { value: inputValue.value, where });
    }
  }
  return { answers, problems };
}

// ---- Inputs --------------------------------------------------------------------------------------

/** What the administrator types for one input in the rehearsal, and where it came from. */
export interface RehearsedInput {
  readonly id: string;
  readonly value: string | undefined;
  /** `answers`: the answers file; `expect`: left out, so the script's expected value; `missing`. */
  readonly from: 'answers' | 'expect' | 'missing';
}

/** Each step's typed values: the answers file's, else the script's expected value. */
export function rehearsedInputs(
  script: Script,
  answers: AnswersFile | undefined,
): ReadonlyMap<string, readonly RehearsedInput[]> {
  const out = new Map<string, RehearsedInput[]>();
  for (const step of script.steps) {
    const given = answers?.answers.get(step.id);
    out.set(
      step.id,
      step.inputs.map((input): RehearsedInput => {
        const answer = given?.get(input.id);
        if (answer) return { id: input.id, value: answer.value, from: 'answers' };
        if (input.expect) return { id: input.id, value: input.expect.value, from: 'expect' };
        return { id: input.id, value: undefined, from: 'missing' };
      }),
    );
  }
  return out;
}

// ---- Participants --------------------------------------------------------------------------------

/**
 * The simulated participants: each role's minimum, and more where a step's quorum needs them
 * (added to the step's roles in the order it lists them, within each role's max). Each is named
 * after their role id and a number from 1 (`witness 1`, `custodian 3`); all sign with Ed25519.
 */
export function rehearsalParticipants(script: Script): SimulatedParticipant[] {
  const roles = script.roles.filter((r) => !r.coordinator);
  const count = new Map(roles.map((r) => [r.id, r.min]));
  for (const step of script.steps) {
    const supply = (): number => step.acks.roles.reduce((n, r) => n + (count.get(r) ?? 0), 0);
    while (supply() < step.acks.min) {
      const role = roles.find((r) => step.acks.roles.includes(r.id) && (count.get(r.id) ?? 0) < (r.max ?? Infinity));
      if (!role) break; // the parser refuses a quorum the roles' max cannot meet
      count.set(role.id, (count.get(role.id) ?? 0) + 1);
    }
  }
  return roles.flatMap((r) =>
    Array.from({ length: count.get(r.id) ?? 0 }, (_, i): SimulatedParticipant => ({
      name: `${r.id} ${i + 1}`,
      role: r.id,
    })),
  );
}

/** The simulated coordinator's name: the coordinator role's id. */
export function rehearsalCoordinatorName(script: Script): string {
  return script.roles.find((r) => r.coordinator)?.id ?? 'coordinator';
}

// ---- The checks ------------------------------------------------------------------------------------

/** A `$expected.name` reference under an expectation, with where `name` is defined. */
export interface ExpectedReference {
  readonly name: string;
  readonly path: string;
  readonly line: number;
}

/** A check with the YAML path and line of the expectation it evaluates. */
export interface LocatedCheck extends CheckResult {
  /** The input or evidence id the check is about. */
  readonly subject: string;
  readonly path: string;
  readonly line: number;
  /** `$expected` references the expectation uses: where to change the value. */
  readonly references: readonly ExpectedReference[];
}

/** One step as the rehearsal will play it. */
export interface RehearsalStepReport {
  readonly id: string;
  readonly title: string;
  readonly inputs: readonly RehearsedInput[];
  readonly evidence: readonly {
    readonly spec: EvidenceSpec;
    readonly file: EvidenceFileRef | undefined;
    readonly size: number | undefined;
  }[];
  readonly checks: readonly LocatedCheck[];
  readonly problems: readonly RehearsalProblem[];
}

export interface RehearsalReport {
  readonly steps: readonly RehearsalStepReport[];
  /** Problems of the folder, the answers file or the script as a whole (not of one step). */
  readonly problems: readonly RehearsalProblem[];
  /** Every problem, in order: the general ones, then each step's. */
  readonly allProblems: readonly RehearsalProblem[];
  readonly checkCount: number;
  readonly failedCount: number;
  /** Nothing failed and nothing is missing: the rehearsal may be played. */
  readonly ok: boolean;
  /** What each step's statement carries, for `simulateCeremony`. */
  readonly plan: Readonly<Record<string, SimulatedStep>>;
}

export interface RehearsalCheckInput {
  readonly script: Script;
  /** The script's exact bytes: re-read for the YAML path and line of each expectation. */
  readonly scriptBytes: Uint8Array;
  readonly folder: EvidenceFolderPlan;
  /** Bytes of each file of `folder.files`, by evidence id. */
  readonly evidence: ReadonlyMap<string, Uint8Array>;
  readonly answers: AnswersFile | undefined;
  readonly checker: EvidenceChecker;
}

function entry(node: YNode | undefined, key: string): YNode | undefined {
  return node?.kind === 'map' ? node.entries.find((e) => e.key === key)?.node : undefined;
}
function item(node: YNode | undefined, index: number): YNode | undefined {
  return node?.kind === 'seq' ? node.items[index] : undefined;
}

/** Segments of a check name below its subject: `key.curve` → key, curve; `present[1]` → present, 1. */
function checkSegments(check: string): (string | number)[] {
  if (check.startsWith('facts.')) return ['facts', check.slice('facts.'.length)];
  const out: (string | number)[] = [];
  for (const m of check.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? ''));
  return out;
}

/** The deepest node of `segments` under `from` that exists. */
function descend(from: YNode, segments: readonly (string | number)[]): YNode {
  let node = from;
  for (const s of segments) {
    const next = typeof s === 'number' ? item(node, s) : entry(node, s);
    if (!next) break;
    node = next;
  }
  // `present: ['x']` reports its one item as `present`, not `present[0]`.
  if (node.kind === 'seq' && node.items.length === 1 && node.items[0]) return node.items[0];
  return node;
}

const REFERENCE = /^\$expected\.(.+)$/;

function referencesUnder(root: YNode, node: YNode): ExpectedReference[] {
  const names = new Set<string>();
  const walk = (n: YNode): void => {
    if (n.kind === 'scalar') {
      const m = typeof n.value === 'string' ? REFERENCE.exec(n.value) : null;
      if (m?.[1] !== undefined) names.add(m[1]);
    } else if (n.kind === 'seq') n.items.forEach(walk);
    else n.entries.forEach((e) => walk(e.node));
  };
  walk(node);
  const expected = entry(root, 'expected');
  return [...names].map((name) => {
    const at = entry(expected, name);
    return { name, path: at?.path ?? childPath('expected', name), line: at?.line ?? 0 };
  });
}

/** Does evidence `id` travel to witnesses as a blob (its step, or a later step referring to it, recomputes)? */
function travels(script: Script, step: StepSpec, id: string): boolean {
  if (step.acks.recompute) return true;
  return script.steps.some((s) => s.index > step.index && s.acks.recompute && referencedEvidence(s).includes(id));
}

function describeCheck(c: LocatedCheck): string {
  const from = c.references.map((r) => `${r.path} (line ${r.line})`).join(', ');
  return `${c.id}: expected ${c.expected}; observed ${c.observed}${from ? `; the expected value is ${from}` : ''}`;
}

/**
 * Run every check of every step as the coordinator would, and say what stops the rehearsal.
 * Checks run even where something is missing, so everything is reported at once.
 */
export async function checkRehearsal(input: RehearsalCheckInput): Promise<RehearsalReport> {
  const { script, folder, evidence, answers, checker } = input;
  const root = readScriptYaml(decodeScriptText(input.scriptBytes, DEFAULT_MAX_SCRIPT_BYTES));
  const stepsNode = entry(root, 'steps');
  const general: RehearsalProblem[] = [
    ...folder.problems.filter((p) => p.step === undefined),
    ...(answers?.problems ?? []),
  ];
  if (script.participants.length > 0) {
    const node = entry(root, 'participants');
    const roles = [...new Set(script.participants.map((p) => p.role))];
    general.push({
      kind: 'invalid',
      code: 'INPUT_INVALID',
      where: `${node?.path ?? 'participants'} (line ${node?.line ?? 0})`,
      message: `the script pins ${script.participants.length} identities (roles: ${roles.join(', ')}); simulated devices cannot hold those keys, so no rehearsal session can enrol them: rehearse a copy without \`participants\``,
      step: undefined,
    });
  }
  const typed = rehearsedInputs(script, answers);
  const all = new Map<string, EvidenceItem>();
  const steps: RehearsalStepReport[] = [];
  const plan: Record<string, SimulatedStep> = {};
  let checkCount = 0;
  let failedCount = 0;
  for (const step of script.steps) {
    const stepNode = item(stepsNode, step.index);
    const located = (node: YNode | undefined, fallback: YNode | undefined): { path: string; line: number } => {
      const at = node ?? fallback ?? stepNode;
      return { path: at?.path ?? `steps[${step.index}]`, line: at?.line ?? 0 };
    };
    const problems: RehearsalProblem[] = folder.problems.filter((p) => p.step === step.id);
    const inputs = typed.get(step.id) ?? [];
    const values: Record<string, string> = {};
    for (const i of inputs) if (i.value !== undefined) values[i.id] = i.value;
    const checks: LocatedCheck[] = [];
    const inputResults = checkInputs(step, values);
    step.inputs.forEach((spec, j) => {
      const inputNode = item(entry(stepNode, 'inputs'), j);
      if (values[spec.id] === undefined) {
        const at = located(inputNode, undefined);
        problems.push({
          kind: 'missing',
          code: 'INPUT_INVALID',
          where: `${at.path} (line ${at.line})`,
          message: `input "${spec.id}" (${spec.label}) of step ${step.id} has no value and the script expects none: give it in the answers file as ${JSON.stringify(step.id)}: { ${spec.id}: "…" }`,
          step: step.id,
        });
        return;
      }
      for (const [check, field] of [
        ['value', 'expect'],
        ['pattern', 'pattern'],
      ] as const) {
        const r = inputResults.find((c) => c.id === `${spec.id}.${check}`);
        if (!r) continue;
        const node = entry(inputNode, field);
        const at = located(node, inputNode);
        checks.push({
          ...r,
          subject: spec.id,
          ...at,
          references: node ? referencesUnder(root, node) : [],
        });
      }
    });
    const stepEvidence = step.evidence.map((spec) => {
      const file = folder.files.get(spec.id);
      const bytes = evidence.get(spec.id);
      return { spec, file, bytes };
    });
    // As Coordinator.prepareStatement: the step's own evidence is available to its checks.
    for (const e of stepEvidence) if (e.bytes) all.set(e.spec.id, { spec: e.spec, bytes: e.bytes });
    for (const [j, e] of stepEvidence.entries()) {
      if (!e.bytes) continue;
      const evidenceNode = item(entry(stepNode, 'evidence'), j);
      const expectNode = entry(evidenceNode, 'expect');
      const results = await checker({ spec: e.spec, bytes: e.bytes }, all);
      for (const r of results) {
        const check = r.id.startsWith(`${e.spec.id}.`) ? r.id.slice(e.spec.id.length + 1) : r.id;
        const node =
          check === 'parse'
            ? entry(evidenceNode, 'kind')
            : check === 'expect' || !expectNode
              ? expectNode
              : descend(expectNode, checkSegments(check));
        checks.push({
          ...r,
          subject: e.spec.id,
          ...located(node, evidenceNode),
          references: node && check !== 'parse' ? referencesUnder(root, node) : [],
        });
      }
      if (e.bytes.length > MAX_BLOB_DATA_BYTES && travels(script, step, e.spec.id)) {
        problems.push({
          kind: 'invalid',
          code: 'INPUT_TOO_LARGE',
          where: e.file?.path ?? e.spec.id,
          message: `is ${e.bytes.length} bytes; evidence that witnesses recompute travels as one QR message of at most ${MAX_BLOB_DATA_BYTES} bytes`,
          step: step.id,
        });
      }
    }
    for (const c of checks) {
      checkCount++;
      if (c.ok) continue;
      failedCount++;
      const parseFailed = checks.some((o) => o.subject === c.subject && o.id === `${c.subject}.parse` && !o.ok);
      // When evidence cannot be read as its kind, that one failure says it; its expectations were not evaluated.
      if (parseFailed && c.id !== `${c.subject}.parse`) continue;
      // A check against evidence that is missing fails because of that; the missing file is the problem.
      const spec = step.evidence.find((e) => e.id === c.subject);
      const key = c.id.slice(c.subject.length + 1);
      const target = spec && EVIDENCE_REFERENCE_KEYS.includes(key) ? spec.expect[key] : undefined;
      if (typeof target === 'string' && !evidence.has(target)) continue;
      problems.push({
        kind: 'failed',
        code: step.inputs.some((i) => i.id === c.subject) ? 'INPUT_INVALID' : 'EVIDENCE_INVALID',
        where: `${c.path} (line ${c.line})`,
        message: describeCheck(c),
        step: step.id,
      });
    }
    plan[step.id] = {
      inputs: values,
      evidence: stepEvidence.flatMap((e) =>
        e.bytes && e.file ? [{ id: e.spec.id, name: e.file.name, bytes: e.bytes }] : [],
      ),
    };
    steps.push({
      id: step.id,
      title: step.title,
      inputs,
      evidence: stepEvidence.map((e) => ({ spec: e.spec, file: e.file, size: e.bytes?.length })),
      checks,
      problems,
    });
  }
  const allProblems = [...general, ...steps.flatMap((s) => s.problems)];
  return {
    steps,
    problems: general,
    allProblems,
    checkCount,
    failedCount,
    ok: allProblems.length === 0,
    plan,
  };
}

/**
 * Each step's inputs and evidence from a planned folder and an answers file, without running the
 * checks (`keywitness demo` plays its sample this way).
 * @throws KeywitnessError with the first problem when the folder or the answers are incomplete.
 */
export function rehearsalSteps(
  script: Script,
  folder: EvidenceFolderPlan,
  evidence: ReadonlyMap<string, Uint8Array>,
  answers: AnswersFile | undefined,
): Record<string, SimulatedStep> {
  const typed = rehearsedInputs(script, answers);
  const first =
    folder.problems[0] ??
    answers?.problems[0] ??
    script.steps.flatMap((s) =>
      (typed.get(s.id) ?? [])
        .filter((i) => i.from === 'missing')
        .map((i): RehearsalProblem => ({
          kind: 'missing',
          code: 'INPUT_INVALID',
          where: `${s.id}/${i.id}`,
          message: `input "${i.id}" of step ${s.id} has no value`,
          step: s.id,
        })),
    )[0];
  if (first) throw new KeywitnessError(first.code, first.message, { where: first.where });
  const plan: Record<string, SimulatedStep> = {};
  for (const step of script.steps) {
    const inputs: Record<string, string> = {};
    for (const i of typed.get(step.id) ?? []) if (i.value !== undefined) inputs[i.id] = i.value;
    plan[step.id] = {
      inputs,
      evidence: step.evidence.flatMap((spec) => {
        const file = folder.files.get(spec.id);
        const bytes = evidence.get(spec.id);
        return file && bytes ? [{ id: spec.id, name: file.name, bytes }] : [];
      }),
    };
  }
  return plan;
}
