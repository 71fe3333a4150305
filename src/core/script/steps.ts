/**
 * Steps of a ceremony script (docs/architecture.md, "The ceremony, end to end" and "Formats: the
 * ceremony script"): inputs the coordinator types, evidence imported and checked, who must
 * acknowledge, and the typed confirmation of irreversible steps.
 */
import { validateExpectations } from '../evidence/expectations.js';
import { compileLinear, PatternSyntaxError } from '../util/linear-regex.js';
import type { Fields } from './fields.js';
import type { ScriptProblems } from './problems.js';
import { optional, readCount, readFields, readFlag, readId, readList, readText } from './fields.js';
import type { ExpectationData } from './references.js';
import { checkEvidenceReferences, locateExpectationError, resolveText, toExpectationData } from './references.js';
import type { AckSpec, EvidenceKind, EvidenceSpec, ExpectedValue, InputSpec, RoleSpec, StepSpec } from './types.js';
import { EVIDENCE_KINDS } from './types.js';
import type { YNode } from './yaml-reader.js';
import { childPath, scriptError } from './yaml-reader.js';

export const STEP_FIELDS = [
  'id',
  'title',
  'actor',
  'instructions',
  'inputs',
  'evidence',
  'acks',
  'irreversible',
  'repeatable',
] as const;
export const INPUT_FIELDS = ['id', 'label', 'expect', 'pattern'] as const;
export const EVIDENCE_FIELDS = ['id', 'kind', 'parser', 'expect', 'required'] as const;
export const ACK_FIELDS = ['roles', 'min', 'recompute', 'challenge'] as const;
export const IRREVERSIBLE_FIELDS = ['confirm'] as const;

/** Longest input pattern accepted: patterns are short formats (bag serials), not programs. */
export const MAX_PATTERN_LENGTH = 256;

/** What step parsing needs from the rest of the script, and what it records for later steps. */
export interface StepContext {
  readonly roles: ReadonlyMap<string, RoleSpec>;
  readonly expected: ReadonlyMap<string, string>;
  /** Evidence ids declared so far, with where, for uniqueness across the script. */
  readonly evidenceSeen: Map<string, string>;
  /** Every evidence id in the script (best effort pre-scan), to tell "later" from "unknown". */
  readonly evidenceAll: ReadonlySet<string>;
  /** Where each problem is recorded, so one bad input, evidence or field does not hide the next. */
  readonly problems: ScriptProblems;
}

/**
 * Anchor an input pattern: the whole value must match, not a part of it. The returned source is
 * the one stored in InputSpec.pattern. `source` must compile on its own first (`readInput` checks),
 * so that it cannot close the group and escape the anchors (`a)|(b`).
 */
export function anchorPattern(source: string): string {
  return `^(?:${source})$`;
}

/**
 * True when `value` matches an InputSpec's (already anchored) pattern. The pattern runs on RE2
 * (`src/core/util/linear-regex.ts`), in time linear in the value whatever the script says.
 */
export function matchesInputPattern(pattern: string, value: string): boolean {
  return compileLinear(pattern).test(value);
}

function readInput(node: YNode, ctx: StepContext, seen: Map<string, number>): InputSpec {
  const f = readFields(node, 'an input', INPUT_FIELDS, ctx.problems);
  const idNode = f.require('id');
  const id = readId(idNode);
  const first = seen.get(id);
  if (first !== undefined)
    throw scriptError(idNode, `duplicate input id "${id}" in this step (first at line ${first})`);
  seen.set(id, idNode.line);
  const label = readText(f.require('label'));
  const expectNode = f.get('expect');
  const expect: ExpectedValue | undefined =
    expectNode === undefined ? undefined : resolveText(readText(expectNode), expectNode, ctx.expected);
  const patternNode = f.get('pattern');
  let pattern: string | undefined;
  if (patternNode !== undefined) {
    const source = readText(patternNode);
    if (source.length > MAX_PATTERN_LENGTH)
      throw scriptError(
        patternNode,
        `is ${source.length} characters long; a pattern may have at most ${MAX_PATTERN_LENGTH}`,
      );
    pattern = anchorPattern(source);
    try {
      compileLinear(source);
      compileLinear(pattern);
    } catch (e) {
      if (!(e instanceof PatternSyntaxError)) throw e;
      throw scriptError(patternNode, `is not a valid regular expression: ${e.reason}`, e);
    }
    if (expect !== undefined && !matchesInputPattern(pattern, expect.value)) {
      throw scriptError(
        patternNode,
        `the expected value ${JSON.stringify(expect.value)} does not match this pattern, so no input could pass`,
      );
    }
  }
  return { id, label, expect, pattern };
}

function readEvidence(node: YNode, ctx: StepContext, inputIds: ReadonlyMap<string, number>): EvidenceSpec {
  const f = readFields(node, 'a piece of evidence', EVIDENCE_FIELDS, ctx.problems);
  const idNode = f.require('id');
  const id = readId(idNode);
  const first = ctx.evidenceSeen.get(id);
  if (first !== undefined)
    throw scriptError(
      idNode,
      `duplicate evidence id "${id}" (first at ${first}); evidence ids are unique across the whole script`,
    );
  const inputLine = inputIds.get(id);
  if (inputLine !== undefined) {
    // Check results are named "<input or evidence id>.<check>", so the two must not collide.
    throw scriptError(
      idNode,
      `"${id}" is already an input id in this step (line ${inputLine}); inputs and evidence of a step need different ids`,
    );
  }
  const kindNode = f.require('kind');
  const kindText = readText(kindNode);
  if (!(EVIDENCE_KINDS as readonly string[]).includes(kindText)) {
    throw scriptError(kindNode, `"${kindText}" is not an evidence kind (one of: ${EVIDENCE_KINDS.join(', ')})`);
  }
  const kind = kindText as EvidenceKind;
  const parserNode = f.get('parser');
  let parser: string | undefined;
  if (parserNode !== undefined) {
    if (kind !== 'hsm-output')
      throw scriptError(parserNode, `a parser applies only to evidence of kind hsm-output, not ${kind}`);
    parser = readId(parserNode);
  }
  const required = optional(f, 'required', readFlag, true);
  const expectNode = f.get('expect');
  // Lines of this entry's fields and of everything under `expect`, to give the evidence module's
  // errors (which name a path under this entry, e.g. `.parser` or `.expect.key.curve`) their line.
  const lines = new Map<string, number>(f.node.entries.map((e) => [e.node.path, e.node.line]));
  const expectPath = expectNode?.path ?? childPath(node.path, 'expect');
  let data: ExpectationData | undefined;
  if (expectNode !== undefined) {
    data = toExpectationData(expectNode, ctx.expected, lines);
    checkEvidenceReferences(expectNode, data, new Set(ctx.evidenceSeen.keys()), ctx.evidenceAll);
  }
  let expect: EvidenceSpec['expect'];
  try {
    // Called even without `expect`: the evidence module checks the parser name and may require
    // expectations for some kinds.
    expect = validateExpectations(kind, parser, data, expectPath);
  } catch (e) {
    throw locateExpectationError(e, node.path, lines, expectNode?.line ?? node.line);
  }
  ctx.evidenceSeen.set(id, `${idNode.path} (line ${idNode.line})`);
  return { id, kind, parser, expect, required };
}

function readAcks(node: YNode, ctx: StepContext): AckSpec {
  const f = readFields(node, 'the acknowledgements of a step', ACK_FIELDS, ctx.problems);
  const rolesNode = f.require('roles');
  const roleIds: string[] = [];
  let supply = 0;
  for (const item of readList(rolesNode, { nonEmpty: true })) {
    const id = readId(item);
    const role = ctx.roles.get(id);
    if (role === undefined)
      throw scriptError(item, `"${id}" is not a role of this script (roles: ${[...ctx.roles.keys()].join(', ')})`);
    if (role.coordinator)
      throw scriptError(item, `"${id}" is the coordinator's role; acknowledgements come from the other participants`);
    if (roleIds.includes(id)) throw scriptError(item, `role "${id}" is listed twice`);
    roleIds.push(id);
    supply += role.max ?? Number.POSITIVE_INFINITY;
  }
  const minNode = f.require('min');
  const min = readCount(minNode, 1);
  if (min > supply) {
    throw scriptError(
      minNode,
      `asks for ${min} acknowledgements, but the roles ${roleIds.join(', ')} allow at most ${supply} participants in all`,
    );
  }
  const recompute = optional(f, 'recompute', readFlag, false);
  const challenge = optional(f, 'challenge', readFlag, false);
  return { roles: roleIds, min, recompute, challenge };
}

function readIrreversible(node: YNode, ctx: StepContext): { readonly confirm: string } {
  const f = readFields(node, 'the irreversible marker of a step', IRREVERSIBLE_FIELDS, ctx.problems);
  const confirmNode = f.require('confirm');
  return { confirm: resolveText(readText(confirmNode), confirmNode, ctx.expected).value };
}

/**
 * Parse one step.
 * @param stepIds ids of earlier steps with their lines, for uniqueness; the step's id is added.
 */
export function readStep(node: YNode, index: number, ctx: StepContext, stepIds: Map<string, number>): StepSpec {
  const f: Fields = readFields(node, 'a step', STEP_FIELDS, ctx.problems);
  const { problems } = ctx;
  const idNode = f.require('id');
  const id = readId(idNode);
  const first = stepIds.get(id);
  if (first !== undefined) throw scriptError(idNode, `duplicate step id "${id}" (first at line ${first})`);
  stepIds.set(id, idNode.line);
  const title = problems.attempt(() => readText(f.require('title'))) ?? '';
  const actor = problems.attempt(() =>
    optional(
      f,
      'actor',
      (n) => {
        const role = readId(n);
        if (!ctx.roles.has(role))
          throw scriptError(n, `"${role}" is not a role of this script (roles: ${[...ctx.roles.keys()].join(', ')})`);
        return role;
      },
      undefined,
    ),
  );
  const instructions =
    problems.attempt(() =>
      optional(f, 'instructions', (n) => readText(n, { multiline: true, allowEmpty: true }), ''),
    ) ?? '';
  const inputSeen = new Map<string, number>();
  // Each input and evidence entry on its own: a bad one is recorded and the next still checked.
  const each = <T>(key: string, read: (item: YNode) => T, failed: (item: YNode) => void = () => undefined): T[] =>
    problems.attempt(() =>
      optional(f, key, (n) => readList(n, { emptyValueIsEmptyList: true }), []).flatMap((item) => {
        const value = problems.attempt(() => read(item));
        if (value === undefined) failed(item);
        return value === undefined ? [] : [value];
      }),
    ) ?? [];
  const inputs = each('inputs', (item) => readInput(item, ctx, inputSeen));
  const evidenceNode = f.get('evidence');
  const evidence = each(
    'evidence',
    (item) => readEvidence(item, ctx, inputSeen),
    (item) => declareFailedEvidence(item, ctx),
  );
  const acksNode = f.require('acks');
  const acks = problems.attempt(() => readAcks(acksNode, ctx));
  if (acks === undefined)
    return {
      id,
      index,
      title,
      actor,
      instructions,
      inputs,
      evidence,
      acks: NO_ACKS,
      irreversible: undefined,
      repeatable: true,
    };
  // An evidence list that failed to read is not "no evidence": only a step that declares none.
  const declaresEvidence = evidence.length > 0 || (evidenceNode?.kind === 'seq' && evidenceNode.items.length > 0);
  if (!declaresEvidence) {
    // Both act on the step's evidence: witnesses recompute its checks, and the challenge asks for
    // words of its fingerprint. Without evidence they would silently do nothing.
    for (const key of ['recompute', 'challenge'] as const) {
      if (acks[key]) {
        const flagNode = acksNode.kind === 'map' ? acksNode.entries.find((e) => e.key === key)?.node : undefined;
        throw scriptError(
          flagNode ?? acksNode,
          `is true, but this step imports no evidence to ${key === 'recompute' ? 'recompute' : 'challenge on'}`,
        );
      }
    }
  }
  const irreversible = problems.attempt(() => optional(f, 'irreversible', (n) => readIrreversible(n, ctx), undefined));
  // Most steps can be redone when the room decides so; a step such as "destroy the backup" says it cannot.
  const repeatable = problems.attempt(() => optional(f, 'repeatable', readFlag, true)) ?? true;
  return { id, index, title, actor, instructions, inputs, evidence, acks, irreversible, repeatable };
}

/** Stands in for the acks of a step whose acks failed to read; such a script is never returned. */
const NO_ACKS: AckSpec = { roles: [], min: 1, recompute: false, challenge: false };

/**
 * An evidence entry that failed still declares its id (if readable), so a later `spki_equals` on
 * it is not reported as a reference to evidence "declared later" on top of the entry's own error.
 */
function declareFailedEvidence(item: YNode, ctx: StepContext): void {
  const id = item.kind === 'map' ? item.entries.find((e) => e.key === 'id')?.node : undefined;
  if (id?.kind === 'scalar' && typeof id.value === 'string' && !ctx.evidenceSeen.has(id.value))
    ctx.evidenceSeen.set(id.value, `${id.path} (line ${id.line})`);
}
