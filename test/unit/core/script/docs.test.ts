/**
 * the README's script format section: it must document every field the parser
 * accepts and every expectation key, and its example must be the shipped minimal script.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXPECTATION_RULES } from '../../../../src/core/evidence/expectations.js';
import { SCRIPT_FIELDS, parseScript } from '../../../../src/core/script/parse.js';
import { PARTICIPANT_FIELDS, ROLE_FIELDS } from '../../../../src/core/script/roles.js';
import {
  ACK_FIELDS,
  EVIDENCE_FIELDS,
  INPUT_FIELDS,
  IRREVERSIBLE_FIELDS,
  STEP_FIELDS,
} from '../../../../src/core/script/steps.js';
import { EVIDENCE_KINDS } from '../../../../src/core/script/types.js';
import { utf8 } from '../../../../src/core/util/bytes.js';

const root = (p: string): string => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const readme = readFileSync(root('README.md'), 'utf8');
const doc = readme.slice(readme.indexOf('## Ceremony script format'), readme.indexOf('### `keywitness inspect'));
/** First cells of every table row, e.g. "`….acks.min`". */
const rowPaths = doc
  .split('\n')
  .filter((l) => l.startsWith('| `'))
  .map((l) => l.split('|')[1]!.trim());

describe('README: ceremony script format', () => {
  it.each([
    ['script', SCRIPT_FIELDS, ''],
    ['role', ROLE_FIELDS, 'roles[i].'],
    ['participant', PARTICIPANT_FIELDS, 'participants[i].'],
    ['step', STEP_FIELDS, 'steps[i].'],
    ['input', INPUT_FIELDS, '….inputs[j].'],
    ['evidence', EVIDENCE_FIELDS, '….evidence[j].'],
    ['acks', ACK_FIELDS, '….acks.'],
    ['irreversible', IRREVERSIBLE_FIELDS, 'steps[i].irreversible.'],
  ] as const)('has a table row for every %s field', (_name, fields, prefix) => {
    for (const field of fields) expect(rowPaths).toContain(`\`${prefix}${field}\``);
  });

  it('documents every expectation key the evidence module accepts', () => {
    for (const key of Object.keys(EXPECTATION_RULES)) expect(doc).toContain(`\`${key}\``);
  });

  it('names every evidence kind', () => {
    for (const kind of EVIDENCE_KINDS) expect(doc).toContain(`\`${kind}\``);
  });

  it('shows the shipped minimal script, which parses', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const shipped = readFileSync(root('assets/ceremonies/minimal.yaml'), 'utf8');
    expect(
      shipped
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n'),
    ).toBe(example);
    expect(parseScript(utf8(example)).steps).toHaveLength(2);
  });
});
