/**
 * The printed ceremony worksheet (`keywitness script print`, README "Printing a worksheet"): what
 * the room follows on paper beside the screens, as IANA's and other ceremonies run from a printed
 * script. It carries the script hash in the forms people compare (hex, 32 numbered PGP words, the
 * short form), the roles and pinned identities, and per step its instructions, inputs with their
 * expected values, evidence with what is checked, who acknowledges, boxes for names, initials and
 * times, and space for exceptions.
 */
import { spokenWords } from '../protocol/words.js';
import { scriptHashText } from '../script/hash-text.js';
import type { AckSpec, EvidenceSpec, InputSpec, RoleSpec, Script, StepSpec } from '../script/types.js';
import { bold, mono, paragraph, text, type FieldRow, type PrintBlock, type PrintDocument } from './document.js';
import { instructionBlocks } from './instructions.js';

/** The box columns every sign-off row has. */
export const SIGN_OFF_HEADINGS = ['Name', 'Initials', 'Time (UTC)'] as const;

/** An expectation's value as one line: lists joined, maps as `key: value` pairs. */
export function expectationValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(expectationValue).join(', ');
  if (typeof value === 'object' && value !== null)
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${expectationValue(v)}`)
      .join(', ');
  return String(value);
}

function roleTitle(script: Script, id: string): string {
  const role = script.roles.find((r) => r.id === id);
  return role ? `${role.title} (${id})` : id;
}

function roleLimits(role: RoleSpec): string {
  if (role.coordinator) return 'the coordinator';
  const max = role.max === undefined ? 'no upper limit' : `at most ${role.max}`;
  return `at least ${role.min}, ${max}`;
}

function rolesSection(script: Script): PrintBlock[] {
  const blocks: PrintBlock[] = [{ kind: 'heading', level: 2, text: 'Roles' }];
  for (const role of script.roles) {
    blocks.push(paragraph([bold(role.title), text(` (${role.id}): ${roleLimits(role)}`)], { bullet: '•' }));
    for (const p of script.participants.filter((x) => x.role === role.id))
      blocks.push(paragraph([text(`pinned: ${p.name}, key `), mono(spokenWords(p.fingerprint))], { indent: 1 }));
  }
  if (script.participants.length === 0)
    blocks.push(
      paragraph([
        text('No identity is pinned: any device may enrol in a role (a production session needs every role pinned).'),
      ]),
    );
  return blocks;
}

function hashSection(script: Script): PrintBlock[] {
  const hash = scriptHashText(script.hash);
  return [
    { kind: 'heading', level: 2, text: 'Script SHA-256' },
    paragraph([
      text(
        'Compare all 32 words with the copy published before the ceremony and with the hash on every device. Hex, as ',
      ),
      mono('sha256sum'),
      text(' and '),
      mono('keywitness script hash'),
      text(' print it:'),
    ]),
    paragraph([mono(hash.hex)]),
    { kind: 'columns', columns: 4, cells: hash.words.map((w, i) => `${i + 1}. ${w}`) },
    paragraph([text('Short form (the first four words, read aloud): '), bold(hash.short)]),
    { kind: 'boxes', headings: SIGN_OFF_HEADINGS, rows: ['Hash compared by', 'Hash compared by'] },
  ];
}

/** The pattern as the script wrote it: the parser anchors it as `^(?:…)$`, which every value must match whole. */
function patternSource(pattern: string): string {
  const m = /^\^\(\?:(.*)\)\$$/s.exec(pattern);
  return m?.[1] ?? pattern;
}

function inputRows(inputs: readonly InputSpec[]): FieldRow[] {
  return inputs.map((input) => ({
    label: input.label,
    value: [
      text(`(${input.id}) expected `),
      ...(input.expect ? [mono(input.expect.value)] : [text('no value given by the script')]),
      ...(input.expect?.ref ? [text(` (${input.expect.ref})`)] : []),
      ...(input.pattern ? [text('; must match '), mono(patternSource(input.pattern))] : []),
    ],
  }));
}

function evidenceBlocks(evidence: EvidenceSpec): PrintBlock[] {
  const how = [evidence.kind, evidence.parser ? `parser ${evidence.parser}` : '', evidence.required ? '' : 'optional'];
  const blocks: PrintBlock[] = [
    paragraph([bold(evidence.id), text(` — ${how.filter(Boolean).join(', ')}`)], { bullet: '•' }),
  ];
  const checks = Object.entries(evidence.expect);
  if (checks.length === 0) blocks.push(paragraph([text('recorded; nothing is checked')], { indent: 1 }));
  for (const [key, value] of checks)
    blocks.push(paragraph([text(`checked: ${key} `), mono(expectationValue(value))], { indent: 1 }));
  return blocks;
}

function ackText(script: Script, acks: AckSpec): string {
  const who = acks.roles.map((r) => roleTitle(script, r)).join(' or ');
  const how = [
    acks.recompute ? 'each recomputes the evidence checks on their own device' : '',
    acks.challenge ? 'each types the challenge words read from the independent source' : '',
  ].filter(Boolean);
  return `at least ${acks.min} of ${who}${how.length ? `; ${how.join('; ')}` : ''}`;
}

/** The sign-off rows of a step: who performed it, then one row per acknowledgement needed. */
function signOffRows(script: Script, step: StepSpec): string[] {
  const rows = [`Performed by ${step.actor ? roleTitle(script, step.actor) : 'the coordinator'}`];
  const roles = step.acks.roles.map((r) => script.roles.find((x) => x.id === r)?.title ?? r).join(' or ');
  for (let n = 1; n <= Math.max(1, step.acks.min); n++) rows.push(`Acknowledged ${n} (${roles})`);
  return rows;
}

function stepGroup(script: Script, step: StepSpec): PrintBlock {
  const blocks: PrintBlock[] = [{ kind: 'heading', level: 3, text: `Step ${step.id} — ${step.title}` }];
  const fields: FieldRow[] = [];
  if (step.actor) fields.push({ label: 'Actor', value: [text(roleTitle(script, step.actor))] });
  if (step.irreversible)
    fields.push({
      label: 'Irreversible',
      value: [text('before the statement, the coordinator types '), mono(step.irreversible.confirm)],
    });
  if (fields.length) blocks.push({ kind: 'fields', rows: fields });
  blocks.push(...instructionBlocks(step.instructions));
  if (step.inputs.length) blocks.push(paragraph([bold('Inputs')]), { kind: 'fields', rows: inputRows(step.inputs) });
  if (step.evidence.length) blocks.push(paragraph([bold('Evidence')]), ...step.evidence.flatMap(evidenceBlocks));
  blocks.push(paragraph([bold('Acknowledged by: '), text(ackText(script, step.acks))]));
  // The sign-off stays on one page: boxes and the exception space are never split from each other.
  blocks.push({
    kind: 'group',
    blocks: [
      { kind: 'boxes', headings: SIGN_OFF_HEADINGS, rows: signOffRows(script, step) },
      { kind: 'space', label: `Exceptions at step ${step.id}`, lines: 2 },
    ],
  });
  return { kind: 'group', where: `step ${step.id}`, blocks };
}

/** The worksheet for a parsed script. */
export function worksheetDocument(script: Script): PrintDocument {
  const hash = scriptHashText(script.hash);
  const intro: PrintBlock[] = [
    { kind: 'heading', level: 1, text: script.title },
    {
      kind: 'fields',
      rows: [
        { label: 'Script id', value: [mono(script.id)] },
        { label: 'Steps', value: [text(`${script.steps.length}, each signed off below`)] },
      ],
    },
    ...(script.description ? instructionBlocks(script.description) : []),
    { kind: 'group', where: 'the script hash', blocks: hashSection(script) },
    { kind: 'group', where: 'the roles', blocks: rolesSection(script) },
    { kind: 'heading', level: 2, text: 'Steps' },
  ];
  const close: PrintBlock = {
    kind: 'group',
    where: 'the close',
    blocks: [
      { kind: 'heading', level: 2, text: 'Close' },
      { kind: 'boxes', headings: SIGN_OFF_HEADINGS, rows: ['Session closed by', 'Bundle exported by'] },
      { kind: 'space', label: 'Bundle SHA-256, first four words (from the export screen)', lines: 1 },
      { kind: 'space', label: 'Exceptions and notes', lines: 4 },
    ],
  };
  return {
    title: `${script.title} — worksheet`,
    footer: `${script.id} — script SHA-256 ${hash.short}`,
    blocks: [...intro, ...script.steps.map((s) => stepGroup(script, s)), close],
  };
}
