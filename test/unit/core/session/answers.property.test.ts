/**
 * Properties of the rehearsal answers reader (`keywitness rehearse --inputs FILE`), with the
 * suite's fixed seed and bounded runs (test/support/property.ts): damaged answers files of the
 * sample ceremonies, and YAML built from its own syntax with anchors, aliases and tags, are read
 * (with every problem of content listed) or refused with INPUT_INVALID / ENCODING_INVALID naming
 * the file, within the per-case ceiling.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../../../src/core/script/parse.js';
import { parseAnswers } from '../../../../src/core/session/rehearsal-check.js';
import { utf8 } from '../../../../src/core/util/bytes.js';
import { failsClosed, fragmentText, mutated, params } from '../../../support/property.js';

const CEREMONIES = join(import.meta.dirname, '../../../../assets/ceremonies');
const read = (path: string) => new Uint8Array(readFileSync(join(CEREMONIES, path)));
const SAMPLES = [
  { script: parseScript(read('root-ca-rehearsal.yaml')), answers: read('root-ca-rehearsal/inputs.yaml') },
  { script: parseScript(read('intermediate-ca-signing.yaml')), answers: read('intermediate-ca-signing/inputs.yaml') },
];
const CODES = ['INPUT_INVALID', 'ENCODING_INVALID'];

function readsOrRefuses(bytes: Uint8Array): void {
  for (const { script } of SAMPLES) {
    const read = failsClosed(() => parseAnswers(script, bytes, 'answers.yaml'));
    if (read.ok) {
      for (const p of read.value.problems) expect(p.where.length).toBeGreaterThan(0);
    } else {
      expect(CODES).toContain(read.error.code);
      expect(read.error.where ?? '').toMatch(/^answers\.yaml/);
    }
  }
}

describe('the answers reader', () => {
  it('reads the samples’ answers files with no problem', () => {
    for (const { script, answers } of SAMPLES) expect(parseAnswers(script, answers, 'seed').problems).toEqual([]);
  });

  it('damaged answers files are read, their problems listed, or refused naming the file', () => {
    fc.assert(
      fc.property(
        mutated(
          SAMPLES.map((s) => s.answers),
          4,
        ),
        readsOrRefuses,
      ),
      params(600),
    );
  });

  const TOKENS = [
    '"4.2":\n',
    '"3.2":\n',
    'unknown:\n',
    '  fingerprint: "AB:CD"\n',
    '  fingerprint: 12\n',
    '  other: x\n',
    '  nested: {a: [1, 2]}\n',
    'a: &x [1, 2]\n',
    'b: *x\n',
    '!!binary aGk=\n',
    '!tag x\n',
    '---\n',
    '{',
    '}',
    '[',
    ']',
    '"',
    "'",
    ':',
    '- ',
    ' ',
    '\t',
    '\n',
    '#',
    '\u0000',
    '\ufeff',
    '{"4.2": {"fingerprint": "x"}}',
  ];
  it('YAML and JSON built from their own syntax are read or refused naming the file', () => {
    fc.assert(
      fc.property(fragmentText(TOKENS, 40), (text) => readsOrRefuses(utf8(text))),
      params(1000),
    );
  });
});
